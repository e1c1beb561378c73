// Counts in words that say what they count: how many of the matching comments the chosen focus keeps.
import type { ClusterResults, ErrorFocus } from "./types";

const FOCUS_TEXT: Record<ErrorFocus, string> = {
  both: "are possible errors",
  "under-sensitive": "are comments where the system may be under-sensitive",
  "over-sensitive": "are comments where the system may be over-sensitive",
  all: "",
};

const TOPIC_FOCUS_TEXT: Record<ErrorFocus, string> = {
  both: "where the system may be wrong",
  "under-sensitive": "where the system may be under-sensitive",
  "over-sensitive": "where the system may be over-sensitive",
  all: "",
};

const plural = (n: number, one: string, many: string) => (n === 1 ? one : many);

/** "100 of 727 comments where the system may be wrong"; without a focus, "727 comments". */
export function countSentence(results: ClusterResults): string {
  const { n_total: kept, n_matching: all, error_type: focus } = results;
  if (focus === "all") return `${all} ${plural(all, "comment", "comments")}`;
  return `${kept} of ${all} ${plural(all, "comment", "comments")} ${TOPIC_FOCUS_TEXT[focus]}`;
}

/** "197 of the 388 comments containing “idiot” are possible errors"; without a focus, "388 comments contain “idiot”". */
export function keywordSentence(results: ClusterResults, keyword: string): string {
  const { n_total: kept, n_matching: all, error_type: focus } = results;
  if (focus === "all") return `${all} ${plural(all, "comment contains", "comments contain")} “${keyword}”`;
  return `${kept} of the ${all} ${plural(all, "comment", "comments")} containing “${keyword}” ${FOCUS_TEXT[focus]}`;
}
