// Three-way merge of report lists: what was last loaded or saved (base), this page's edits (mine)
// and what is stored now (theirs, saved from another tab). Edits to different reports, or to
// different fields of one report, merge without asking; only a field both sides changed differently
// is a conflict, resolved by the auditor. Nothing either side wrote is dropped: a report one side
// deleted and the other edited is kept.
import type { Report } from "./types";

export const MERGED_FIELDS = ["title", "error_type", "evidence", "summary", "category", "amends"] as const;
export type MergedField = (typeof MERGED_FIELDS)[number];

export interface FieldConflict {
  reportId: string;
  field: MergedField;
  mine: unknown;
  theirs: unknown;
}

export interface MergeResult {
  reports: Report[];
  conflicts: FieldConflict[];
}

const same = (a: unknown, b: unknown) => JSON.stringify(a ?? null) === JSON.stringify(b ?? null);
const contentOf = (report: Report) => MERGED_FIELDS.map((field) => report[field]);
const unchanged = (report: Report, base: Report | undefined) => base !== undefined && same(contentOf(report), contentOf(base));

export function mergeReports(base: Report[], mine: Report[], theirs: Report[]): MergeResult {
  const baseById = new Map(base.map((report) => [report.id, report]));
  const mineById = new Map(mine.map((report) => [report.id, report]));
  const theirsIds = new Set(theirs.map((report) => report.id));
  const conflicts: FieldConflict[] = [];
  const merged: Report[] = [];
  for (const their of theirs) {
    const my = mineById.get(their.id);
    const original = baseById.get(their.id);
    if (!my) {
      // Deleted here: gone only if the other side did not change it meanwhile.
      if (!original || !unchanged(their, original)) merged.push(their);
      continue;
    }
    merged.push(mergeOne(original, my, their, conflicts));
  }
  for (const my of mine) {
    if (theirsIds.has(my.id)) continue;
    const original = baseById.get(my.id);
    // New here, or deleted there: kept unless the other side deleted it and it was not changed here.
    if (!original || !unchanged(my, original)) merged.push(my);
  }
  return { reports: merged, conflicts };
}

function mergeOne(base: Report | undefined, mine: Report, theirs: Report, conflicts: FieldConflict[]): Report {
  const result: Report = { ...theirs };
  for (const field of MERGED_FIELDS) {
    const value = pick(field, base, mine, theirs, conflicts);
    (result as unknown as Record<string, unknown>)[field] = value;
  }
  result.updated_at = mine.updated_at > theirs.updated_at ? mine.updated_at : theirs.updated_at;
  result.submission = theirs.submission; // the server owns where a report stands with AVID
  return result;
}

function pick(field: MergedField, base: Report | undefined, mine: Report, theirs: Report,
              conflicts: FieldConflict[]): unknown {
  if (same(mine[field], theirs[field]) || (base && same(theirs[field], base[field]))) return mine[field];
  if (base && same(mine[field], base[field])) return theirs[field];
  conflicts.push({ reportId: mine.id, field, mine: mine[field], theirs: theirs[field] });
  return mine[field];
}
