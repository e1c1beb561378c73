// What the organizer's routes answer (indielabel/organizer and indielabel/web/organizer_routes.py).
import type { VegaSpec } from "../lib/types";

export interface Participant {
  user: string;
  created_at: string | null;
  study_link: boolean;
  n_labels: number;
  n_models: number;
  models: string;
  current_model: string | null;
  current_version: number | null;
  reports_draft: number;
  reports_complete: number;
  reports_queued: number;
  reports_submitted: number;
  reports_failed: number;
  n_flags: number;
}

export interface StudyLink {
  user: string;
  link: string;
}

export interface TopicFinding {
  topic: string;
  label: string;
  n_failed: number;
  n_over: number;
  n_under: number;
  n_reported: number;
  n_auditors: number;
}

export interface Findings {
  rule: string;
  n_auditors: number;
  n_with_model: number;
  topics: TopicFinding[];
  chart: VegaSpec;
}

export interface CountedComment {
  item_id: number;
  comment: string;
  count: number;
  reasons?: Record<string, number>;
}

export interface FailedAuditor {
  user: string;
  model: string | null;
  over_share: number | null;
  under_share: number | null;
  over: boolean;
  under: boolean;
  reported: boolean;
}

export interface TopicReport {
  user: string;
  model: string | null;
  id: string;
  title: string;
  error_type: string;
  summary: string;
  state: string;
  evidence: { item_id: number; comment: string; system_decision: string; predicted_decision: string | null }[];
}

export interface GroupFinding {
  attribute: string;
  value: string;
  n_auditors: number;
  n_over: number;
  n_under: number;
  n_reported: number;
  n_failed: number;
}

export interface TopicDetail {
  topic: string;
  label: string;
  rule: string;
  auditors: FailedAuditor[];
  groups: GroupFinding[];
  min_group_size: number;
  n_described: number;
  reports: TopicReport[];
  most_used_evidence: CountedComment[];
  most_flagged: CountedComment[];
  chart: VegaSpec;
}

export interface FlagOverview {
  n_flags: number;
  n_flaggers: number;
  by_reason: { reason: string; count: number }[];
  by_topic: { topic: string; label: string; count: number }[];
  most_flagged: CountedComment[];
  chart: VegaSpec;
}
