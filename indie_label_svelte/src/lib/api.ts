// The typed client of IndieLabel's HTTP API. Reads are GET with query parameters, writes are POST
// with a JSON body (the self-description: PUT and DELETE); every failure becomes an ApiError carrying
// the server's explanation.
import type {
  AuditOverview,
  BreakdownAxis,
  Comparison,
  AuditSettings,
  ClusterResults,
  CommentRow,
  CommentToLabel,
  ErrorFocus,
  FlaggedComment,
  GroupModel,
  LabelingSettings,
  LoadedReports,
  ModelDescription,
  Probe,
  Profile,
  ProfileForm,
  Rating,
  Report,
  Scaffold,
  SimilarComments,
  StoredReports,
  SubmitResponse,
  TopicVisMethod,
  TrainedModel,
  TunedModel,
} from "./types";
import { readStudyParams } from "./url";

type QueryValue = string | number | boolean | null | undefined;

export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly field: string | null = null,
    /** Everything else the server put in its error object (e.g. `current` on a 409). */
    readonly detail: Record<string, unknown> = {},
  ) {
    super(message);
    this.name = "ApiError";
  }
}

export function errorMessage(error: unknown): string {
  if (error instanceof ApiError) return error.message;
  return error instanceof Error ? error.message : String(error);
}

let userForbiddenListener: (() => void) | null = null;

/** Call `listener` whenever the server refuses the user id because another browser owns it. */
export function onUserForbidden(listener: () => void): void {
  userForbiddenListener = listener;
}

function queryString(params: Record<string, QueryValue>): string {
  const search = new URLSearchParams();
  for (const [name, value] of Object.entries(params)) {
    if (value !== null && value !== undefined && value !== "") search.set(name, String(value));
  }
  const text = search.toString();
  return text ? `?${text}` : "";
}

export async function request<T>(path: string, init?: RequestInit): Promise<T> {
  let response: Response;
  try {
    response = await fetch(path, { ...init, headers: { Accept: "application/json", ...init?.headers } });
  } catch {
    throw new ApiError(0, "network", "Could not reach the IndieLabel server. Check your connection and try again.");
  }
  const text = await response.text();
  let body: unknown = null;
  try {
    body = text ? JSON.parse(text) : null;
  } catch {
    body = null;
  }
  if (!response.ok) {
    const error = (body as { error?: Record<string, unknown> } | null)?.error;
    const { code, message, field, ...detail } = error ?? {};
    const failure = new ApiError(
      response.status,
      typeof code === "string" ? code : `http_${response.status}`,
      typeof message === "string" ? message : `The server answered with status ${response.status}.`,
      typeof field === "string" ? field : null,
      detail,
    );
    if (failure.code === "forbidden" && failure.field === "user") userForbiddenListener?.();
    throw failure;
  }
  if (body === null) throw new ApiError(response.status, "bad_response", "The server's answer was not readable.");
  return body as T;
}

const get = <T>(path: string, params: Record<string, QueryValue> = {}) => request<T>(path + queryString(params));

const post = <T>(path: string, body: object) =>
  request<T>(path, { method: "POST", headers: { "Content-Type": "application/json" }, body: JSON.stringify(body) });

/** Settings for a user this browser owns. */
export const auditSettings = (user: string) => get<AuditSettings>("/audit_settings", { user });

/** The user ids this browser owns, newest first. */
export async function ownedUsers(): Promise<string[]> {
  return (await get<{ users: string[] }>("/users")).users;
}

/** Start an audit: under `user` (a study id; nothing changes when this browser owns it already), or a new id. */
export async function startUser(user: string | null): Promise<string> {
  return (await post<{ user: string }>("/users", user ? { user } : {})).user;
}

export const labelingSettings = (user: string) => get<LabelingSettings>("/get_labeling", { user });

/** `n` comments for `user` to label (from one topic, if given), none of those in `exclude` (the ones already
 * shown), picked by the page's `sampler` parameter (the paper's stratified sample can be asked for in the link);
 * the adaptive sampler starts from the user's self-description, if they gave one. */
export async function commentsToLabel(user: string, n: number, topic?: string, exclude: number[] = []): Promise<CommentToLabel[]> {
  const path = topic ? "/get_comments_to_label_topic" : "/get_comments_to_label";
  const params = { user, n, topic, exclude: exclude.join(","), sampler: readStudyParams().sampler };
  return (await get<{ to_label: CommentToLabel[] }>(path, params)).to_label;
}

export type Ratings = Record<number, Rating>;

export const trainModel = (user: string, modelName: string, ratings: Ratings) =>
  post<TrainedModel>("/get_personalized_model", { user, model_name: modelName, ratings, mode: "train" });

export const describeModel = (user: string, modelName: string) =>
  post<ModelDescription>("/get_personalized_model", { user, model_name: modelName, mode: "view" });

export const tuneModelOnTopic = (user: string, modelName: string, topic: string, ratings: Ratings) =>
  post<TunedModel>("/get_personalized_model_topic", { user, model_name: modelName, topic, ratings });

export type GroupSelection = Record<string, string[]>;

export async function groupSize(selection: GroupSelection): Promise<number> {
  const params = Object.fromEntries(Object.entries(selection).map(([name, values]) => [name, values.join(",")]));
  return (await get<{ group_size: number }>("/get_group_size", params)).group_size;
}

export const trainGroupModel = (user: string, modelName: string, selection: GroupSelection) =>
  post<GroupModel>("/get_group_model", { user, model_name: modelName, selection });

export const auditOverview = (user: string, model: string | null, method: TopicVisMethod, breakdown: BreakdownAxis) =>
  get<AuditOverview>("/get_audit", { user, model, topic_vis_method: method, breakdown_axis: breakdown });

/** Per topic, your predicted view against others': `crowd` (every comment's mean rating) or one of your group models. */
export const viewComparison = (user: string, model: string, compareWith: string) =>
  get<Comparison>("/get_comparison", { user, model, compare_with: compareWith });

export const similarComments = (user: string, model: string | null, itemId: number) =>
  get<SimilarComments>("/get_similar_comments", { user, model, item_id: itemId });

export interface CommentSearch {
  user: string;
  model: string | null;
  errorFocus: ErrorFocus;
  topic?: string;
  keyword?: string;
  wholeWord?: boolean;
}

export function clusterResults(search: CommentSearch): Promise<ClusterResults> {
  return get<ClusterResults>("/get_cluster_results", {
    user: search.user,
    model: search.model,
    search_type: search.keyword === undefined ? "cluster" : "keyword",
    topic: search.topic,
    keyword: search.keyword,
    whole_word: search.wholeWord || undefined,
    error_type: search.errorFocus,
  });
}

export async function exploreExamples(n: number): Promise<CommentRow[]> {
  return (await get<{ examples: CommentRow[] }>("/get_explore_examples", { n_examples: n })).examples;
}

export const loadReports = (user: string, model: string | null, scaffold: Scaffold, method: TopicVisMethod) =>
  get<LoadedReports>("/get_reports", { user, model, scaffold_method: scaffold, topic_vis_method: method });

export const saveReports = (user: string, model: string | null, revision: number, reports: Report[]) =>
  post<StoredReports & { saved_at: string }>("/save_reports", { user, model: model ?? undefined, revision, reports });

export const submitReports = (
  user: string,
  model: string | null,
  reportIds: string[],
  name: string,
  email: string,
  publishEmail: boolean,
) =>
  post<SubmitResponse>("/submit_avid_report", {
    user,
    model: model ?? undefined,
    report_ids: reportIds,
    name: name.trim() || undefined,
    email: email.trim() || undefined,
    publish_email: publishEmail && Boolean(email.trim()),
  });

export const avidExportUrl = (user: string, model: string | null) => "/export_avid_reports" + queryString({ user, model });

/** `requestId` is the same when a failed flag is sent again, so the server logs it once. */
export const flagComment = (user: string, model: string | null, itemId: number, option: string | null,
                            requestId: string) =>
  post<{ total: number }>("/flag", {
    user, model: model ?? undefined, item_id: itemId, option: option ?? undefined, request_id: requestId,
  });

/** A random id for a request that may be sent again (crypto.randomUUID needs HTTPS; this does not). */
export const newRequestId = (): string =>
  Array.from(crypto.getRandomValues(new Uint8Array(16)), (byte) => byte.toString(16).padStart(2, "0")).join("");

/** In auto flagging mode, each label as it is given. */
export const logLabel = (user: string, model: string | null, itemId: number, label: Rating) =>
  post<{ logged: boolean }>("/log_label", { user, model: model ?? undefined, item_id: itemId, label });

/** What the system and the user's model make of a comment the user wrote (kept in their history). */
export async function probe(user: string, model: string, text: string): Promise<Probe> {
  return (await post<{ probe: Probe }>("/probe", { user, model, text })).probe;
}

export const probesOf = (user: string) => get<{ probes: Probe[]; max_characters: number }>("/get_probes", { user });

export const flagProbe = (user: string, probeId: number, option: string | null) =>
  post<{ already_flagged: boolean }>("/flag_probe", { user, probe_id: probeId, option: option ?? undefined });

/** The comments the user flagged, with their predicted ratings under `model` (null without a model). */
export async function flagsOf(user: string, model: string | null): Promise<FlaggedComment[]> {
  return (await get<{ flags: FlaggedComment[] }>("/get_flags", { user, model })).flags;
}

/** The user's self-description (null when none) and the attribute values the form offers. */
export const loadProfile = (user: string) => get<ProfileForm>("/profile", { user });

export const saveProfile = (user: string, profile: Profile) =>
  request<ProfileForm>("/profile", {
    method: "PUT",
    headers: { "Content-Type": "application/json" },
    body: JSON.stringify({ user, profile }),
  });

export const deleteProfile = (user: string) => request<ProfileForm>("/profile" + queryString({ user }), { method: "DELETE" });
