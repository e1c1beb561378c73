// One request's life in the UI: loading, its data, or what went wrong, with a retry.
import { errorMessage } from "./api";

export type LoadStatus = "idle" | "loading" | "ready" | "error";

export class Loader<T> {
  status = $state<LoadStatus>("idle");
  // Raw: responses (chart specs, long tables) are replaced whole, never edited in place.
  data = $state.raw<T | null>(null);
  error = $state<string | null>(null);
  #latest = 0;
  #fetcher: (() => Promise<T>) | null = null;

  /** Run `fetcher`; an older request that answers later is ignored. Resolves to the data or null. */
  async load(fetcher: () => Promise<T>): Promise<T | null> {
    const request = ++this.#latest;
    this.#fetcher = fetcher;
    this.status = "loading";
    this.error = null;
    try {
      const data = await fetcher();
      if (request !== this.#latest) return null;
      this.data = data;
      this.status = "ready";
      return data;
    } catch (error) {
      if (request !== this.#latest) return null;
      this.error = errorMessage(error);
      this.status = "error";
      return null;
    }
  }

  retry(): Promise<T | null> {
    return this.#fetcher ? this.load(this.#fetcher) : Promise.resolve(null);
  }

  reset(): void {
    this.#latest++;
    this.#fetcher = null;
    this.status = "idle";
    this.data = null;
    this.error = null;
  }
}
