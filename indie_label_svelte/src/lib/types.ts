// The shapes the server sends and accepts (see server.py and indielabel/api_schemas.py).

/** A 0–4 toxicity rating, or -1 for "unsure" (skipped when training). */
export type Rating = 0 | 1 | 2 | 3 | 4 | -1;
export type Decision = "Toxic" | "Non-toxic";
/** The audit's verdict on one comment: where the system and your predicted rating fall. */
export type CommentErrorType = "under-sensitive" | "over-sensitive" | "agree-toxic" | "agree-non-toxic";
export type ErrorFocus = "both" | "under-sensitive" | "over-sensitive" | "all";
export type TopicVisMethod = "median" | "mean";
export type Scaffold = "" | "fixed" | "personal" | "personal_group" | "prompts" | "tutorial";
export type FlaggingMode = "manual" | "auto" | "never";

export interface TopicGroup {
  label: string;
  options: { value: string; text: string }[];
}

export interface FlagOption {
  label: string;
  value: string | null;
}

export interface ModelSummary {
  name: string;
  kind: "personal" | "topic" | "group";
  updated_at: string | null;
}

export interface AuditSettings {
  user: string;
  created: boolean;
  /** Names, sorted. */
  personalized_models: string[];
  /** The same models, most recently updated first. */
  models: ModelSummary[];
  personalized_model_grp: string[];
  clusters: TopicGroup[];
  clusters_for_tuning: string[];
  group_attributes: Record<string, string[]>;
  flagging: { mode: FlaggingMode; notice: string; options: FlagOption[] };
  avid_enabled: boolean;
  dataset: { name: string; n_items: number; synthetic: boolean };
}

export interface LabelingSettings {
  personalized_models: string[];
  model_name_suggestion: string;
  clusters_for_tuning: string[];
}

export interface CommentToLabel {
  item_id: number;
  comment: string;
}

export interface SystemDistance {
  mae: number;
  mse: number;
  rmse: number;
  /** Mean of (your predicted rating − system rating) over all comments. */
  mean_signed_diff: number;
}

export interface ModelDescription {
  model_name: string;
  version: number;
  n_labels: number;
  model_quality: { cv_mae: number | null; band: string | null };
  system_distance: SystemDistance | null;
  perf_plot_json: VegaSpec;
  ratings_prev: Record<string, number>;
  labels: { item_id: number; comment: string; rating: number }[];
}

export interface TrainedModel extends ModelDescription {
  n_unsure: number;
}

export interface TunedModel extends TrainedModel {
  new_model_name: string;
}

export interface GroupModel extends TrainedModel {
  group_size: number;
}

export type VegaSpec = Record<string, unknown>;

export interface TopicSummary {
  topic_id: number;
  topic: string;
  n_comments: number;
  predicted_rating: number | null;
  system_rating: number;
  under_share: number | null;
  over_share: number | null;
}

export interface AuditOverview {
  model: string | null;
  version?: number;
  topics: TopicSummary[];
  topic_overview_plot_json: VegaSpec | null;
}

export interface CommentRow {
  item_id: number;
  comment: string;
  topic: string;
  system_rating: number;
  system_decision: Decision;
  predicted_rating: number | null;
  predicted_decision: Decision | null;
  error_type: CommentErrorType | null;
  disagreement: number | null;
  categories: string;
}

export interface ClusterResults {
  search_type: "cluster" | "keyword";
  topic: string | null;
  keyword: string | null;
  error_type: ErrorFocus;
  n_total: number;
  n_shown: number;
  cluster_comments: CommentRow[];
  cluster_overview_plot_json: VegaSpec | null;
  n_chart: number;
}

export type ReportErrorType = "" | "under-sensitive" | "over-sensitive" | "other";
export type ReportCategory = "" | "Accuracy" | "Bias/Discrimination" | "Adversarial Example" | "Toxicity" | "Other";

export interface Evidence {
  item_id: number;
  comment: string;
  topic: string;
  system_rating: number;
  system_decision: Decision;
  predicted_rating: number | null;
  predicted_decision: Decision | null;
  error_type: string | null;
}

export interface Submission {
  state: "draft" | "queued" | "submitted" | "failed";
  avid_id: string | null;
  reason: string | null;
  attempts: number;
  submitted_at: string | null;
}

export interface Report {
  id: string;
  title: string;
  error_type: ReportErrorType;
  evidence: Evidence[];
  summary: string;
  category: ReportCategory;
  created_at: string;
  updated_at: string;
  submission: Submission;
}

export interface StoredReports {
  revision: number;
  reports: Report[];
}

export interface LoadedReports extends StoredReports {
  scaffold: Scaffold | null;
}

export interface SubmissionResult {
  report_id: string;
  state: "submitted" | "already submitted" | "failed";
  avid_id: string | null;
  reason: string | null;
}

export interface SubmitResponse extends StoredReports {
  results: SubmissionResult[];
}

export interface FlaggedComment {
  item_id: number;
  comment: string;
  topic: string;
  option: string | null;
  timestamp: string | null;
  /** The system's rating of the comment, so a flagged comment can become evidence. */
  system_rating: number;
  /** Your predicted rating under the model the flags were asked for (null without one). */
  predicted_rating: number | null;
}
