// Client-side sorting of comment rows; missing values always sort last.
import type { CommentRow } from "./types";

export type SortKey = "comment" | "predicted_rating" | "system_rating" | "disagreement" | "categories";
export type SortDirection = "ascending" | "descending";
export interface SortOrder {
  key: SortKey;
  direction: SortDirection;
}

export function sortRows(rows: CommentRow[], order: SortOrder | null): CommentRow[] {
  if (!order) return rows;
  const sign = order.direction === "ascending" ? 1 : -1;
  return [...rows].sort((a, b) => {
    const left = a[order.key];
    const right = b[order.key];
    if (left === null || left === "") return right === null || right === "" ? 0 : 1;
    if (right === null || right === "") return -1;
    const difference = typeof left === "number" ? left - (right as number) : String(left).localeCompare(String(right));
    return sign * difference || a.item_id - b.item_id;
  });
}

/** Clicking a column: sort by it (numbers highest first), then flip the direction. */
export function nextOrder(current: SortOrder | null, key: SortKey): SortOrder {
  if (current?.key === key) return { key, direction: current.direction === "ascending" ? "descending" : "ascending" };
  return { key, direction: key === "comment" || key === "categories" ? "ascending" : "descending" };
}
