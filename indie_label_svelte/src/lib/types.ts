// The shapes the server sends and accepts (see server.py and indielabel/api_schemas.py).

/** A 0–4 toxicity rating, or -1 for "unsure" (skipped when training). */
export type Rating = 0 | 1 | 2 | 3 | 4 | -1;
export type Decision = "Toxic" | "Non-toxic";
/** The audit's verdict on one comment: where the system and your predicted rating fall. */
export type CommentErrorType = "under-sensitive" | "over-sensitive" | "agree-toxic" | "agree-non-toxic";
export type ErrorFocus = "both" | "under-sensitive" | "over-sensitive" | "all";
export const TOPIC_VIS_METHODS = ["fp_fn", "fp_proportion", "fn_proportion", "mae", "mse", "avg_diff", "median", "mean"] as const;
export type TopicVisMethod = (typeof TOPIC_VIS_METHODS)[number];
export type BreakdownAxis = "topic" | "toxicity_category";
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
  /** Names, sorted. */
  personalized_models: string[];
  /** The same models, most recently updated first. */
  models: ModelSummary[];
  personalized_model_grp: string[];
  clusters: TopicGroup[];
  clusters_for_tuning: string[];
  /** Each topic's readable label ("advice · critical · taking"); the topic name stays its key. */
  topic_labels: Record<string, string>;
  breakdown_axes: BreakdownAxis[];
  group_attributes: Record<string, string[]>;
  flagging: { mode: FlaggingMode; notice: string; options: FlagOption[] };
  avid_enabled: boolean;
  /** Where auditors send feedback (set by the organizers), or null. */
  feedback_url: string | null;
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
  /** The attributes of the user's self-description this version was trained with (never the answers). */
  self_described?: string[];
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

/** One topic (or toxicity category) of the overview: how the system fails you there. */
export interface TopicSummary {
  key: string;
  topic: string;
  label: string;
  topic_id: number;
  n_comments: number;
  n_under: number;
  n_over: number;
  n_errors: number;
  under_share: number;
  over_share: number;
  error_share: number;
  mae: number;
  mse: number;
  avg_diff: number;
  status: "agrees" | "problem";
  direction: "agrees" | "under-sensitive" | "over-sensitive" | "both";
  summary: string;
}

export interface AuditOverview {
  model: string | null;
  version?: number;
  topic_vis_method: TopicVisMethod;
  breakdown_axis: BreakdownAxis;
  agreement_rule: string;
  n_groups?: number;
  n_problems?: number;
  topics: TopicSummary[];
  topic_overview_plot_json: VegaSpec | null;
}

export interface TopicComparison {
  key: string;
  label: string;
  n_comments: number;
  your_rating: number;
  others_rating: number;
  system_rating: number;
  difference: number;
  your_error_share: number;
  others_error_share: number;
  view: "more toxic" | "less toxic" | "about as toxic";
  sentence: string;
  blind_spot: boolean;
}

export interface Comparison {
  model: string;
  compare_with: string;
  others_name: string;
  blind_spot_rule: string;
  n_blind_spots: number;
  topics: TopicComparison[];
  comparison_plot_json: VegaSpec;
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
  topic_label: string | null;
  keyword: string | null;
  error_type: ErrorFocus;
  /** Comments of the topic or containing the keyword, whatever their error type. */
  n_matching: number;
  /** Of those, the ones of the chosen error focus. */
  n_total: number;
  n_shown: number;
  cluster_comments: CommentRow[];
  cluster_overview_plot_json: VegaSpec | null;
  n_chart: number;
}

export interface SimilarComments {
  item_id: number;
  comment: string;
  source: CommentRow;
  n_shown: number;
  similar_comments: (CommentRow & { similarity: number })[];
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
  /** A comment the auditor wrote (a probe; `item_id` is then its probe id), not one of the dataset. */
  written_by_auditor?: boolean;
}

export interface Submission {
  state: "draft" | "queued" | "submitted" | "failed" | "unconfirmed";
  /** AVID's id for the submission in its editorial queue (a UUID), once AVID acknowledged it. */
  submission_id: string | null;
  reason: string | null;
  attempts: number;
  queued_at?: string | null;
  submitted_at: string | null;
  /** AVID's editorial status of the submission, e.g. "draft" or "published". */
  review_status?: string | null;
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
  /** The report this one amends (a new revision of a report already sent to AVID). */
  amends?: string | null;
  /** The model (and version) the report was started with; null before any model. Set by the server. */
  model?: string | null;
  model_version?: number | null;
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
  state: "queued" | "submitted" | "already submitted" | "unconfirmed" | "failed";
  submission_id: string | null;
  reason: string | null;
}

export interface SubmitResponse extends StoredReports {
  results: SubmissionResult[];
}

export interface FlaggedComment {
  /** The dataset's comment, or null for a comment the auditor wrote (then `probe_id` names it). */
  item_id: number | null;
  probe_id?: number;
  /** Every reason this comment was flagged for (`option` is the latest). */
  options?: (string | null)[];
  comment: string;
  topic: string;
  option: string | null;
  timestamp: string | null;
  /** The system's rating of the comment, so a flagged comment can become evidence. */
  system_rating: number;
  /** Your predicted rating under the model the flags were asked for (null without one). */
  predicted_rating: number | null;
}

/** A comment the auditor wrote to try the system, with what the system and their model make of it. */
export interface Probe {
  probe_id: number;
  comment: string;
  model: string;
  system_rating: number;
  system_decision: Decision;
  predicted_rating: number | null;
  predicted_decision: Decision | null;
  error_type: string | null;
  topic: string | null;
  similar_comments: number;
  created_at: string;
}

/** A user's optional self-description: attribute -> the value they chose. */
export type Profile = Record<string, string>;

export interface ProfileForm {
  attributes: Record<string, string[]>;
  profile: Profile | null;
  /** Where the server keeps it, relative to the users' data folder. */
  stored_in: string;
  deleted?: boolean;
}
