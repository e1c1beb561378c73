// The auditor's reports for the audited model: edits autosave after a pause; a save based on a stale
// revision surfaces the other version so the auditor chooses which to keep; nothing is dropped.
import * as api from "./api";
import { ApiError, errorMessage } from "./api";
import { Loader } from "./loader.svelte";
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
    submission: { state: "draft", avid_id: null, reason: null, attempts: 0, submitted_at: null },
  };
}

/** What a report still needs before it can be sent to AVID (empty when complete). */
export function missingParts(report: Report): string[] {
  const missing = [];
  if (!report.evidence.length) missing.push("evidence");
  if (!report.summary.trim()) missing.push("a summary");
  if (!report.category) missing.push("a category");
  return missing;
}

export const isComplete = (report: Report) => missingParts(report).length === 0;

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
  /** The other version, when a save found the reports changed elsewhere. */
  conflict = $state.raw<StoredReports | null>(null);
  /** The last deleted report and where it was, for Undo. */
  deleted = $state.raw<{ report: Report; index: number } | null>(null);
  revision = 0;
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
    this.revision = stored.revision;
    if (!this.reports.some((report) => report.id === this.selectedId)) this.selectedId = this.reports[0]?.id ?? null;
    this.conflict = null;
    this.saveState = "saved";
    this.saveError = null;
  }

  select(id: string): void {
    this.selectedId = id;
  }

  edit(id: string, change: Partial<Pick<Report, "title" | "error_type" | "summary" | "category">>): void {
    const report = this.reports.find((candidate) => candidate.id === id);
    if (!report) return;
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

  deleteReport(id: string): void {
    const index = this.reports.findIndex((report) => report.id === id);
    if (index < 0) return;
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
    const report = this.selected ?? this.newReport();
    if (report.evidence.some((entry) => sameEvidence(entry, evidence.item_id, evidence.written_by_auditor ?? false))) return false;
    report.evidence.push(evidence);
    report.updated_at = new Date().toISOString();
    this.#changed();
    return true;
  }

  removeEvidence(reportId: string, itemId: number, writtenByAuditor = false): void {
    const report = this.reports.find((candidate) => candidate.id === reportId);
    if (!report) return;
    report.evidence = report.evidence.filter((entry) => !sameEvidence(entry, itemId, writtenByAuditor));
    report.updated_at = new Date().toISOString();
    this.#changed();
  }

  isEvidence(itemId: number, writtenByAuditor = false): boolean {
    return this.selected?.evidence.some((entry) => sameEvidence(entry, itemId, writtenByAuditor)) ?? false;
  }

  #changed(): void {
    this.#edits++;
    if (this.saveState === "conflict") return; // the auditor chooses a version first; edits stay here
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
      this.#adoptSubmissions(saved.reports);
      this.savedAt = new Date();
      this.#retryDelay = RETRY_FIRST_MS;
      // Edits typed while this save travelled are saved by their own timer.
      this.saveState = this.#edits === editsAtStart ? "saved" : "pending";
    } catch (error) {
      if (error instanceof ApiError && error.status === 409 && error.detail.current) {
        this.conflict = error.detail.current as StoredReports;
        this.saveState = "conflict";
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

  /** Settle a conflict: theirs reloads what is stored; mine saves these reports over their revision. */
  async keep(version: "theirs" | "mine"): Promise<void> {
    const theirs = this.conflict;
    if (!theirs) return;
    this.conflict = null;
    if (version === "theirs") {
      this.saveState = "saved";
      await this.reload();
      return;
    }
    this.revision = theirs.revision;
    this.saveState = "pending";
    await this.save();
  }

  /** The server owns submission states; take its word for them after a save or a submission. */
  #adoptSubmissions(stored: Report[]): void {
    const byId = new Map(stored.map((report) => [report.id, report.submission]));
    for (const report of this.reports) {
      const submission = byId.get(report.id);
      if (submission) report.submission = submission;
    }
  }

  applySubmission(response: SubmitResponse): void {
    this.revision = response.revision;
    this.#adoptSubmissions(response.reports);
  }
}
