// The study-link parameters of the original tool, read from the address bar, and the few we write
// back (user, tab, label_mode, model) so a reload or a bookmark returns to the same work.
import { TOPIC_VIS_METHODS, type Scaffold, type TopicVisMethod } from "./types";

export const TABS = ["about", "labeling", "auditing", "help"] as const;
export type Tab = (typeof TABS)[number];

/** 0 new model, 1 edit an existing model, 2 topic tuning, 3 group model. */
export type LabelMode = 0 | 1 | 2 | 3;
export type PageMode = "audit" | "explore" | "no_model";
/** How comments to label are picked; null: the server's setting (adaptive unless configured). */
export type Sampler = "adaptive" | "stratified";

export interface StudyParams {
  user: string | null;
  tab: Tab;
  labelMode: LabelMode;
  scaffold: Scaffold | null;
  mode: PageMode;
  topicVisMethod: TopicVisMethod;
  model: string | null;
  sampler: Sampler | null;
}

const SAMPLERS: Sampler[] = ["adaptive", "stratified"];
const SCAFFOLDS: Scaffold[] = ["fixed", "personal", "personal_group", "prompts", "tutorial"];

function oneOf<T extends string | number>(value: T | null, choices: readonly T[], fallback: T): T {
  return value !== null && choices.includes(value) ? value : fallback;
}

export function readStudyParams(search: string = window.location.search): StudyParams {
  const params = new URLSearchParams(search);
  const user = params.get("user");
  const labelMode = Number(params.get("label_mode") ?? 0) as LabelMode;
  const mode = params.get("mode");
  return {
    user: user && user !== "null" ? user : null,
    tab: oneOf(params.get("tab") as Tab | null, TABS, "about"),
    labelMode: oneOf(labelMode, [0, 1, 2, 3], 0),
    scaffold: oneOf(params.get("scaffold") as Scaffold | null, SCAFFOLDS, "" as Scaffold) || null,
    mode: mode === "explore" || mode === "no_model" ? mode : "audit",
    topicVisMethod: oneOf(params.get("topic_vis_method") as TopicVisMethod | null, TOPIC_VIS_METHODS, "fp_fn"),
    model: params.get("model") || null,
    sampler: oneOf(params.get("sampler") as Sampler | null, SAMPLERS, "" as Sampler) || null,
  };
}

/** Replace (not push) one parameter in the address bar; null removes it. */
export function writeUrlParam(name: string, value: string | number | null): void {
  const url = new URL(window.location.href);
  if (value === null) url.searchParams.delete(name);
  else url.searchParams.set(name, String(value));
  window.history.replaceState(window.history.state, "", url);
}
