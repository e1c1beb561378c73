// The links a server-made chart's marks carry ("#<topic>/#topic", "#<id>/#comment"), read from its data,
// so that a keyboard can do what a click on a mark does.
import type { VegaSpec } from "./types";

export interface ChartLink {
  href: string;
  label: string;
}

type Row = Record<string, unknown>;

function rowsOf(spec: VegaSpec): Row[] {
  const datasets = (spec.datasets ?? {}) as Record<string, unknown>;
  const inline = (spec.data as { values?: unknown } | undefined)?.values;
  return [...Object.values(datasets), inline].flatMap((rows) => (Array.isArray(rows) ? (rows as Row[]) : []));
}

function labelOf(row: Row, href: string): string {
  for (const field of ["comment", "label", "topic"]) {
    if (typeof row[field] === "string" && row[field]) return row[field] as string;
  }
  return href;
}

/** Each distinct link of the chart once, with the text of its mark (the comment, or the topic's label). */
export function chartLinks(spec: VegaSpec): ChartLink[] {
  const links = new Map<string, string>();
  for (const row of rowsOf(spec)) {
    const href = row.href;
    if (typeof href === "string" && !links.has(href)) links.set(href, labelOf(row, href));
  }
  return [...links].map(([href, label]) => ({ href, label }));
}
