// The organizer's client. The session cookie is HttpOnly: this code never sees it. Writes carry the
// session's CSRF token, which the server hands over at sign-in (and to GET /admin/api/session).
import { request } from "../lib/api";
import type { FlagOverview, Findings, Participant, StudyLink, TopicDetail } from "./types";

let csrfToken = "";

function post<T>(path: string, body: object = {}): Promise<T> {
  return request<T>(path, {
    method: "POST",
    headers: { "Content-Type": "application/json", "X-CSRF-Token": csrfToken },
    body: JSON.stringify(body),
  });
}

/** Whether this browser holds a session; an ApiError with status 401 when it does not. */
export async function currentSession(): Promise<void> {
  csrfToken = (await request<{ csrf_token: string }>("/admin/api/session")).csrf_token;
}

export async function signIn(token: string): Promise<void> {
  csrfToken = (await post<{ csrf_token: string }>("/admin/api/session", { token })).csrf_token;
}

export async function signOut(): Promise<void> {
  await post("/admin/api/logout");
  csrfToken = "";
}

export const participants = async () =>
  (await request<{ participants: Participant[] }>("/admin/api/participants")).participants;

export const createStudyLinks = async (wanted: { names: string[] } | { count: number; prefix: string }) =>
  (await post<{ links: StudyLink[] }>("/admin/api/study_links", wanted)).links;

export const findings = (minShare: number) =>
  request<Findings>(`/admin/api/findings?${new URLSearchParams({ min_share: String(minShare) })}`);

export const topicFindings = (topic: string, minShare: number) =>
  request<TopicDetail>(`/admin/api/findings/topic?${new URLSearchParams({ topic, min_share: String(minShare) })}`);

export const flagOverview = () => request<FlagOverview>("/admin/api/flags");

export const EXPORTS = [
  { href: "/admin/api/export/reports?format=ours", name: "reports-ours.jsonl", what: "All reports (JSON lines, ours)" },
  { href: "/admin/api/export/reports?format=avid", name: "reports-avid.jsonl",
    what: "Complete reports in AVID's format (JSON lines)" },
  { href: "/admin/api/export/participants", name: "participants.csv", what: "One row per auditor (CSV)" },
  { href: "/admin/api/export/findings", name: "findings.csv", what: "The findings table (CSV)" },
  { href: "/admin/flags?format=csv", name: "flags.csv", what: "The flag log (CSV)" },
  { href: "/admin/flags?format=jsonl", name: "flags.jsonl", what: "The flag log (JSON lines)" },
];
