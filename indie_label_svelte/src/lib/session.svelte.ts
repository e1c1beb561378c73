// Who is auditing, with which model, on which tab: the state every panel shares.
import * as api from "./api";
import { Loader } from "./loader.svelte";
import type { AuditSettings, ErrorFocus, FlaggedComment, TopicVisMethod } from "./types";
import { writeUrlParam, type LabelMode, type StudyParams, type Tab } from "./url";

export class Session {
  readonly params: StudyParams;
  readonly settingsLoader = new Loader<AuditSettings>();
  readonly ownedLoader = new Loader<string[]>();
  user = $state<string | null>(null);
  models = $state<string[]>([]);
  currentModel = $state<string | null>(null);
  tab = $state<Tab>("about");
  labelMode = $state<LabelMode>(0);
  /** The topic open in the auditing tab (set by the topic selector, the overview chart or a report). */
  auditTopic = $state<string | null>(null);
  /** The error focus of the open topic (set by its radios, the overview or a report's error type). */
  auditErrorFocus = $state<ErrorFocus>("both");
  /** What the overview chart shows (starts from the link's `topic_vis_method`). */
  topicVisMethod = $state<TopicVisMethod>("fp_fn");
  /** The comment whose similar comments are shown in the auditing tab. */
  similarTo = $state<{ item_id: number; comment: string } | null>(null);
  flags = $state<FlaggedComment[]>([]);
  /** The server refused the user id: another browser owns it. */
  userForbidden = $state(false);
  /** Labels rated on screen and not trained yet (kept locally too; leaving the page warns). */
  hasUnsavedLabels = $state(false);
  /** At the bare address: the ids this browser owns, newest first, to continue one or start anew. */
  ownedUsers = $state<string[] | null>(null);
  #requestedUser: string | null;
  #flagsRequest = 0;

  constructor(params: StudyParams) {
    this.params = params;
    this.#requestedUser = params.user;
    this.tab = params.tab;
    this.labelMode = params.labelMode;
    this.topicVisMethod = params.topicVisMethod;
    if (params.mode === "no_model") this.auditErrorFocus = "all";
    api.onUserForbidden(() => (this.userForbidden = true));
  }

  get settings(): AuditSettings | null {
    return this.settingsLoader.data;
  }

  /** Why the app could not start (null while it is starting or has started). */
  get startError(): string | null {
    return this.ownedLoader.error ?? this.settingsLoader.error;
  }

  get withoutModel(): boolean {
    return this.params.mode === "no_model";
  }

  /** The model the audit reads: none in `mode=no_model`. */
  get auditedModel(): string | null {
    return this.withoutModel ? null : this.currentModel;
  }

  /** At the bare address, offer the users this browser owns (if any) before starting; else load the link's user. */
  async start(): Promise<void> {
    if (this.#requestedUser === null && this.ownedUsers === null) {
      const owned = await this.ownedLoader.load(() => api.ownedUsers());
      if (owned === null) return;
      // The Explore page shows no one's work: it goes on as the newest user instead of asking.
      if (owned.length > 0 && this.params.mode === "explore") return this.#startAs(owned[0]);
      if (owned.length > 0) {
        this.ownedUsers = owned;
        return;
      }
    }
    return this.#startAs(this.#requestedUser);
  }

  /** Continue the audit of a user this browser owns, or (null) start a new one. */
  choose(user: string | null): Promise<void> {
    this.ownedUsers = null;
    return this.#startAs(user);
  }

  /** Start (or confirm) the user with a POST, then load its settings; a new id goes into the address bar. */
  async #startAs(requested: string | null): Promise<void> {
    const settings = await this.settingsLoader.load(async () => {
      const user = await api.startUser(requested);
      const loaded = await api.auditSettings(user);
      this.user = this.#requestedUser = loaded.user;
      writeUrlParam("user", loaded.user);
      this.#setModels(loaded, this.params.model);
      return loaded;
    });
    if (settings) this.refreshFlags();
  }

  /** Start over as a new user (when the link's user id is unusable or someone else's). */
  startAsNewUser(): Promise<void> {
    writeUrlParam("user", null);
    if (this.settings) {
      // Another user's work is on screen in every panel: a fresh page is the one clean way to drop it all.
      window.location.reload();
      return Promise.resolve();
    }
    this.userForbidden = false;
    return this.choose(null);
  }

  /** Re-read the user's models (and the topic groups that depend on them); failures leave things as they were. */
  async refreshModels(): Promise<void> {
    if (!this.user) return;
    try {
      const settings = await api.auditSettings(this.user);
      this.settingsLoader.data = settings;
      this.#setModels(settings, this.currentModel);
    } catch {
      // The lists shown stay valid; the next refresh tries again.
    }
  }

  /** Audit `preferred` if the user has it, else the most recently updated model (a group model for that scaffold). */
  #setModels(settings: AuditSettings, preferred: string | null): void {
    this.models = settings.personalized_models;
    const latest = settings.models[0]?.name ?? null;
    const latestGroup = settings.models.find((model) => model.kind === "group")?.name;
    const fallback = this.params.scaffold === "personal_group" ? latestGroup ?? latest : latest;
    this.selectModel(preferred && this.models.includes(preferred) ? preferred : fallback);
  }

  selectModel(name: string | null): void {
    const changed = name !== this.currentModel;
    this.currentModel = name;
    writeUrlParam("model", name);
    // The flags' predicted ratings come from the audited model.
    if (changed) this.refreshFlags();
  }

  /** After training: list the new model and make it the one audited. */
  async adoptTrainedModel(name: string): Promise<void> {
    if (!this.models.includes(name)) this.models = [...this.models, name].sort();
    this.selectModel(name);
    await this.refreshModels();
  }

  /** Open a tab at its top (not where the previous tab was scrolled to). */
  setTab(tab: Tab): void {
    if (tab !== this.tab) window.scrollTo({ top: 0 });
    this.tab = tab;
    writeUrlParam("tab", tab);
  }

  setLabelMode(mode: LabelMode): void {
    this.labelMode = mode;
    writeUrlParam("label_mode", mode);
  }

  /** Open a topic in the auditing tab, with an error focus when one is given. */
  openTopic(topic: string, focus?: ErrorFocus): void {
    this.auditTopic = topic;
    if (focus) this.auditErrorFocus = focus;
    if (this.tab !== "auditing") this.setTab("auditing");
  }

  /** The readable label of a topic name (the name itself when the server has none). */
  topicLabel(topic: string): string {
    return this.settings?.topic_labels?.[topic] ?? topic;
  }

  /** The topic a label names ("advice · critical · taking" or the name itself), if any. */
  topicNamed(text: string): string | null {
    const labels = this.settings?.topic_labels ?? {};
    if (text in labels) return text;
    return Object.keys(labels).find((topic) => labels[topic] === text) ?? null;
  }

  findSimilar(comment: { item_id: number; comment: string }): void {
    this.similarTo = { item_id: comment.item_id, comment: comment.comment };
    if (this.tab !== "auditing") this.setTab("auditing");
  }

  async refreshFlags(): Promise<void> {
    if (!this.user || this.settings?.flagging.mode !== "manual") return;
    const request = ++this.#flagsRequest;
    try {
      const flags = await api.flagsOf(this.user, this.auditedModel);
      // An answer for a model audited earlier must not replace a newer one.
      if (request === this.#flagsRequest) this.flags = flags;
    } catch {
      // Suggestions are a convenience: the panel works without them, and the next flag retries.
    }
  }
}
