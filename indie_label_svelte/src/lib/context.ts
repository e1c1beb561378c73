// The shared session and reports, handed to every component through Svelte's context.
import { getContext, setContext } from "svelte";
import type { ReportBook } from "./reports.svelte";
import type { Session } from "./session.svelte";

const KEY = Symbol("indielabel");

interface AppContext {
  session: Session;
  reports: ReportBook;
}

export function provideApp(context: AppContext): void {
  setContext(KEY, context);
}

export function useSession(): Session {
  return getContext<AppContext>(KEY).session;
}

export function useReports(): ReportBook {
  return getContext<AppContext>(KEY).reports;
}
