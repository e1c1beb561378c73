// The words and colours of ratings, decisions and error types, shared by every view.
// Colour is never the only signal: every colour here goes with its text.
import type { CommentErrorType, Decision, Rating, ReportCategory, ReportErrorType } from "./types";

const TOXIC_THRESHOLD = 2.0;

export interface ScalePoint {
  value: Rating;
  key: string;
  short: string;
  label: string;
  action: "Keep" | "Delete" | "Skip";
  colour: string;
}

export const RATING_SCALE: ScalePoint[] = [
  { value: 0, key: "0", short: "Not at all", label: "0: Not-at-all toxic", action: "Keep", colour: "#c3ecdb" },
  { value: 1, key: "1", short: "Slightly", label: "1: Slightly toxic", action: "Keep", colour: "#ffffff" },
  { value: 2, key: "2", short: "Moderately", label: "2: Moderately toxic", action: "Delete", colour: "#ffa894" },
  { value: 3, key: "3", short: "Very", label: "3: Very toxic", action: "Delete", colour: "#ff7a5c" },
  { value: 4, key: "4", short: "Extremely", label: "4: Extremely toxic", action: "Delete", colour: "#d62728" },
  { value: -1, key: "u", short: "Unsure", label: "Unsure", action: "Skip", colour: "#808080" },
];

export function decisionOf(rating: number): Decision {
  return rating > TOXIC_THRESHOLD ? "Toxic" : "Non-toxic";
}

/** Where the system and your predicted rating fall on either side of the threshold (the server's rule). */
export function errorTypeOf(systemRating: number, predictedRating: number): CommentErrorType {
  const systemToxic = decisionOf(systemRating) === "Toxic";
  const youToxic = decisionOf(predictedRating) === "Toxic";
  if (youToxic && !systemToxic) return "under-sensitive";
  if (systemToxic && !youToxic) return "over-sensitive";
  return systemToxic ? "agree-toxic" : "agree-non-toxic";
}

export const ERROR_TYPE_TEXT: Record<CommentErrorType, string> = {
  "under-sensitive": "System may be under-sensitive",
  "over-sensitive": "System may be over-sensitive",
  "agree-toxic": "No error (agree toxic)",
  "agree-non-toxic": "No error (agree non-toxic)",
};

export const REPORT_ERROR_TYPES: { value: Exclude<ReportErrorType, "">; label: string; help: string }[] = [
  { value: "under-sensitive", label: "System is under-sensitive", help: "It rates as non-toxic comments that are toxic to you." },
  { value: "over-sensitive", label: "System is over-sensitive", help: "It rates as toxic comments that are fine to you." },
  { value: "other", label: "Other", help: "Another kind of problem with the system." },
];

export const REPORT_CATEGORIES: Exclude<ReportCategory, "">[] = [
  "Accuracy",
  "Bias/Discrimination",
  "Adversarial Example",
  "Toxicity",
  "Other",
];

export const formatRating = (rating: number | null | undefined) =>
  rating === null || rating === undefined ? "—" : rating.toFixed(2);
