// The auditor's reports for the audited model: edits autosave after a pause; a save based on a stale
// revision merges with what is stored (see reportMerge.ts), and only a field changed differently in
// two places asks the auditor; nothing is dropped. Reports sent to AVID are read-only.
import * as api from "./api";
import { ApiError, errorMessage } from "./api";
import { Loader } from "./loader.svelte";
import { type FieldConflict, mergeReports } from "./reportMerge";
import { decisionOf, errorTypeOf } from "./scale";
import type {
  CommentRow,
  Evidence,
  FlaggedComment,
  LoadedReports,
  Report,
  Scaffold,
  StoredReports,
  SubmitResponse,
  TopicVisMethod,
} from "./types";

const SAVE_DELAY_MS = 800;
// A save that failed for want of the server is tried again after 2 s, then 4 s, … up to a minute.
const RETRY_FIRST_MS = 2_000;
const RETRY_MAX_MS = 60_000;
const SUBMISSION_POLL_MS = 1500;
/** AVID's headline is the report's title: at most this long (the server's rule too). */
export const MAX_HEADLINE_CHARS = 230;
/** A report that was sent (or is being sent) to AVID: read-only, its content is what AVID got. */
export const isSent = (report: Report) => report.submission.state !== "draft" && report.submission.state !== "failed";

export type SaveState = "saved" | "pending" | "saving" | "error" | "conflict";

interface Owner {
  user: string;
  model: string | null;
  scaffold: Scaffold;
  method: TopicVisMethod;
}

function newReportId(): string {
  // getRandomValues works on plain-http hosts too, unlike randomUUID.
  const bytes = crypto.getRandomValues(new Uint8Array(16));
  return Array.from(bytes, (byte) => byte.toString(16).padStart(2, "0")).join("");
}

function blankReport(): Report {
  const now = new Date().toISOString();
  return {
    id: newReportId(),
    title: "",
    error_type: "",
    evidence: [],
    summary: "",
    category: "",
    created_at: now,
    updated_at: now,
    submission: { state: "draft", submission_id: null, reason: null, attempts: 0, submitted_at: null },
  };
}

/** What a report still needs before it can be sent to AVID (empty when complete). */
export function missingParts(report: Report): string[] {
  const missing = [];
  if (!report.title.trim()) missing.push("a title");
  else if (report.title.trim().length > MAX_HEADLINE_CHARS) missing.push(`a title of at most ${MAX_HEADLINE_CHARS} characters`);
  if (!report.evidence.length) missing.push("evidence");
  if (!report.summary.trim()) missing.push("a summary");
  if (!report.category) missing.push("a category");
  return missing;
}

export const isComplete = (report: Report) => missingParts(report).length === 0;

const dateText = (iso: string | null | undefined) => (iso ? new Date(iso).toLocaleString() : "");

/** Where a report stands with AVID, in words (null for a draft never sent). */
export function submissionText(report: Report): string | null {
  const submission = report.submission;
  switch (submission.state) {
    case "queued":
      return "Sending to AVID…";
    case "submitted":
      return (
        `Sent to AVID on ${dateText(submission.submitted_at)} as submission ${submission.submission_id}` +
        (submission.review_status ? `; AVID status: ${submission.review_status}` : "")
      );
    case "unconfirmed":
      return `Unconfirmed: may have reached AVID (${submission.reason}). The organizer checks and resends it if not.`;
    case "failed":
      return `Sending failed: ${submission.reason}. You can send it again.`;
    default:
      return null;
  }
}

export function evidenceFrom(row: CommentRow): Evidence {
  return {
    item_id: row.item_id,
    comment: row.comment,
    topic: row.topic,
    system_rating: row.system_rating,
    system_decision: row.system_decision,
    predicted_rating: row.predicted_rating,
    predicted_decision: row.predicted_decision,
    error_type: row.error_type,
  };
}

/** The same evidence: the same comment of the dataset, or the same comment the auditor wrote. */
const sameEvidence = (entry: Evidence, itemId: number, writtenByAuditor: boolean) =>
  entry.item_id === itemId && (entry.written_by_auditor ?? false) === writtenByAuditor;

/** Evidence from a flagged comment: its decisions and error type follow from the ratings the flag carries. */
export function evidenceFromFlag(flag: FlaggedComment): Evidence {
  const predicted = flag.predicted_rating;
  const written = flag.probe_id !== undefined && flag.item_id === null;
  return {
    ...(written ? { written_by_auditor: true } : {}),
    item_id: written ? flag.probe_id! : flag.item_id!,
    comment: flag.comment,
    topic: flag.topic,
    system_rating: flag.system_rating,
    system_decision: decisionOf(flag.system_rating),
    predicted_rating: predicted,
    predicted_decision: predicted === null ? null : decisionOf(predicted),
    error_type: predicted === null ? null : errorTypeOf(flag.system_rating, predicted),
  };
}

export class ReportBook {
  readonly loader = new Loader<LoadedReports>();
  reports = $state<Report[]>([]);
  selectedId = $state<string | null>(null);
  saveState = $state<SaveState>("saved");
  savedAt = $state<Date | null>(null);
  saveError = $state<string | null>(null);
  /** Fields changed differently here and elsewhere (another tab), for the auditor to settle. */
  conflicts = $state<FieldConflict[]>([]);
  /** The last deleted report and where it was, for Undo. */
  deleted = $state.raw<{ report: Report; index: number } | null>(null);
  revision = 0;
  /** The reports as last loaded or saved: the common ancestor when merging with another tab's save. */
  #base: Report[] = [];
  #poll: ReturnType<typeof setInterval> | undefined;
  #owner: Owner | null = null;
  #timer: ReturnType<typeof setTimeout> | undefined;
  #retryDelay = RETRY_FIRST_MS;
  #inFlight: Promise<void> | null = null;
  #edits = 0;

  get selected(): Report | null {
    return this.reports.find((report) => report.id === this.selectedId) ?? null;
  }

  get owner(): Owner | null {
    return this.#owner;
  }

  get hasUnsavedChanges(): boolean {
    return this.saveState !== "saved";
  }

  /** Show the reports of `owner`, first saving what is pending for the previous model. */
  async open(owner: Owner): Promise<void> {
    await this.flush();
    this.#owner = owner;
    this.deleted = null;
    await this.reload();
  }

  async reload(): Promise<void> {
    const owner = this.#owner;
    if (!owner) return;
    const loaded = await this.loader.load(() => api.loadReports(owner.user, owner.model, owner.scaffold, owner.method));
    if (!loaded) return;
    this.#replace(loaded);
  }

  #replace(stored: StoredReports): void {
    this.reports = stored.reports;
    this.#base = structuredClone(stored.reports);
    this.revision = stored.revision;
    if (!this.reports.some((report) => report.id === this.selectedId)) this.selectedId = this.reports[0]?.id ?? null;
    this.conflicts = [];
    this.saveState = "saved";
    this.saveError = null;
    this.#watchSubmissions();
  }

  /** Merge what is stored now into this page's reports; a save follows when the merge changed anything. */
  #integrate(theirs: StoredReports): void {
    const mine = $state.snapshot(this.reports) as Report[];
    const merged = mergeReports(this.#base, mine, theirs.reports);
    this.reports = merged.reports;
    this.#base = structuredClone(theirs.reports);
    this.revision = theirs.revision;
    if (!this.reports.some((report) => report.id === this.selectedId)) this.selectedId = this.reports[0]?.id ?? null;
    this.conflicts = merged.conflicts;
    if (merged.conflicts.length) {
      this.saveState = "conflict";
    } else if (JSON.stringify(merged.reports) !== JSON.stringify(theirs.reports)) {
      this.#scheduleSave();
    } else {
      this.saveState = "saved";
    }
  }

  /** Settle one conflicting field with this page's or the stored value; saves once all are settled. */
  resolve(conflict: FieldConflict, keep: "mine" | "theirs"): void {
    const report = this.reports.find((candidate) => candidate.id === conflict.reportId);
    if (report) (report as unknown as Record<string, unknown>)[conflict.field] = keep === "mine" ? conflict.mine : conflict.theirs;
    this.conflicts = this.conflicts.filter((other) => other !== conflict);
    if (!this.conflicts.length) this.#scheduleSave();
  }

  /** While a report is being sent to AVID, follow its state (the server sends it in the background). */
  #watchSubmissions(): void {
    const sending = this.reports.some((report) => report.submission.state === "queued");
    if (sending && this.#poll === undefined) {
      this.#poll = setInterval(() => void this.#refreshSubmissions(), SUBMISSION_POLL_MS);
    } else if (!sending && this.#poll !== undefined) {
      clearInterval(this.#poll);
      this.#poll = undefined;
    }
  }

  async #refreshSubmissions(): Promise<void> {
    const owner = this.#owner;
    if (!owner || this.saveState !== "saved") return; // a save under way merges on its own
    try {
      const stored = await api.loadReports(owner.user, owner.model, owner.scaffold, owner.method);
      if (this.saveState === "saved" && stored.revision !== this.revision) this.#integrate(stored);
    } catch {
      return; // the next tick tries again
    }
    this.#watchSubmissions();
  }

  select(id: string): void {
    this.selectedId = id;
  }

  edit(id: string, change: Partial<Pick<Report, "title" | "error_type" | "summary" | "category">>): void {
    const report = this.reports.find((candidate) => candidate.id === id);
    if (!report || isSent(report)) return;
    Object.assign(report, change, { updated_at: new Date().toISOString() });
    this.#changed();
  }

  newReport(): Report {
    const report = blankReport();
    this.reports.push(report);
    this.selectedId = report.id;
    this.#changed();
    return this.reports.at(-1)!;
  }

  /** A new revision of a report sent to AVID, to change and send as a new report referring to it. */
  amend(id: string): Report | null {
    const sent = this.reports.find((candidate) => candidate.id === id);
    if (!sent) return null;
    const report: Report = {
      ...blankReport(),
      ...structuredClone($state.snapshot(sent) as Report),
      id: newReportId(),
      amends: sent.id,
    };
    report.submission = blankReport().submission;
    this.reports.push(report);
    this.selectedId = report.id;
    this.#changed();
    return this.reports.at(-1)!;
  }

  deleteReport(id: string): void {
    const index = this.reports.findIndex((report) => report.id === id);
    if (index < 0 || isSent(this.reports[index])) return;
    const [report] = this.reports.splice(index, 1);
    this.deleted = { report: $state.snapshot(report) as Report, index };
    if (this.selectedId === id) this.selectedId = this.reports[Math.min(index, this.reports.length - 1)]?.id ?? null;
    this.#changed();
  }

  undoDelete(): void {
    if (!this.deleted) return;
    const { report, index } = this.deleted;
    this.reports.splice(Math.min(index, this.reports.length), 0, report);
    this.selectedId = report.id;
    this.deleted = null;
    this.#changed();
  }

  /** Add a comment to the selected report (a new report when none is selected); false if already there. */
  addEvidence(evidence: Evidence): boolean {
    const selected = this.selected;
    const report = selected && !isSent(selected) ? selected : this.newReport();
    if (report.evidence.some((entry) => sameEvidence(entry, evidence.item_id, evidence.written_by_auditor ?? false))) return false;
    report.evidence.push(evidence);
    report.updated_at = new Date().toISOString();
    this.#changed();
    return true;
  }

  removeEvidence(reportId: string, itemId: number, writtenByAuditor = false): void {
    const report = this.reports.find((candidate) => candidate.id === reportId);
    if (!report || isSent(report)) return;
    report.evidence = report.evidence.filter((entry) => !sameEvidence(entry, itemId, writtenByAuditor));
    report.updated_at = new Date().toISOString();
    this.#changed();
  }

  isEvidence(itemId: number, writtenByAuditor = false): boolean {
    return this.selected?.evidence.some((entry) => sameEvidence(entry, itemId, writtenByAuditor)) ?? false;
  }

  #changed(): void {
    this.#edits++;
    if (this.saveState === "conflict") return; // the auditor settles the conflicts first; edits stay here
    this.#scheduleSave();
  }

  #scheduleSave(): void {
    this.saveState = "pending";
    clearTimeout(this.#timer);
    this.#timer = setTimeout(() => void this.save(), SAVE_DELAY_MS);
  }

  /** Save now (after any save under way); does nothing when everything is saved. */
  async save(): Promise<void> {
    clearTimeout(this.#timer);
    while (this.#inFlight) await this.#inFlight;
    const owner = this.#owner;
    if (!owner || (this.saveState !== "pending" && this.saveState !== "error")) return;
    this.#inFlight = this.#send(owner).finally(() => (this.#inFlight = null));
    await this.#inFlight;
  }

  async #send(owner: Owner): Promise<void> {
    const editsAtStart = this.#edits;
    this.saveState = "saving";
    this.saveError = null;
    const sent = $state.snapshot(this.reports) as Report[];
    try {
      const saved = await api.saveReports(owner.user, owner.model, this.revision, sent);
      this.revision = saved.revision;
      this.#base = structuredClone(saved.reports);
      this.#adoptSubmissions(saved.reports);
      this.savedAt = new Date();
      this.#retryDelay = RETRY_FIRST_MS;
      // Edits typed while this save travelled are saved by their own timer.
      this.saveState = this.#edits === editsAtStart ? "saved" : "pending";
    } catch (error) {
      if (error instanceof ApiError && error.status === 409 && error.detail.current) {
        this.#integrate(error.detail.current as StoredReports);
      } else {
        this.saveError = errorMessage(error);
        this.saveState = "error";
        if (!(error instanceof ApiError) || error.status === 0 || error.status >= 500) this.#retryLater();
      }
    }
  }

  /** After an outage (no answer, or a server error) try again by itself, waiting longer each time. */
  #retryLater(): void {
    clearTimeout(this.#timer);
    this.#timer = setTimeout(() => void this.save(), this.#retryDelay);
    this.#retryDelay = Math.min(this.#retryDelay * 2, RETRY_MAX_MS);
  }

  /** Wait until nothing is left unsaved (used before a model change, a submission or leaving). */
  async flush(): Promise<void> {
    await this.save();
  }

  /** The server owns submission states; take its word for them after a save or a submission. */
  #adoptSubmissions(stored: Report[]): void {
    const byId = new Map(stored.map((report) => [report.id, report]));
    for (const report of this.reports) {
      const theirs = byId.get(report.id);
      if (!theirs) continue;
      // A sent report is what the server stored (and AVID got); a draft keeps this page's edits.
      if (isSent(theirs)) Object.assign(report, structuredClone(theirs));
      else report.submission = theirs.submission;
    }
  }

  applySubmission(response: SubmitResponse): void {
    this.revision = response.revision;
    this.#base = structuredClone(response.reports);
    this.#adoptSubmissions(response.reports);
    this.#watchSubmissions();
  }
}
