// Labels in progress, kept in this browser per user id until they are trained, so a reload or a
// closed tab loses nothing: the model name, the comments shown (text included) and their ratings.
import type { Ratings } from "./api";
import type { CommentToLabel } from "./types";

export interface LabelDraft {
  modelName: string;
  comments: CommentToLabel[];
  ratings: Ratings;
}

const key = (user: string) => `indielabel.draft.${user}`;

export function loadDraft(user: string): LabelDraft | null {
  try {
    const draft = JSON.parse(localStorage.getItem(key(user)) ?? "null") as LabelDraft | null;
    return draft && Array.isArray(draft.comments) && typeof draft.ratings === "object" ? draft : null;
  } catch {
    // Storage turned off or a garbled entry: start without a draft.
    return null;
  }
}

export function saveDraft(user: string, draft: LabelDraft): void {
  try {
    localStorage.setItem(key(user), JSON.stringify(draft));
  } catch {
    // Storage full or turned off: the labels stay on screen, and leaving the page still warns.
  }
}

export function clearDraft(user: string): void {
  try {
    localStorage.removeItem(key(user));
  } catch {
    // Nothing was kept.
  }
}
