"""Section 2: the app under load. Simulated auditors do the whole journey against gunicorn on 127.0.0.1.

Every auditor is a thread with its own HTTP session that repeats the journey: audit settings (a new
user), comments to label, train, the all-topics overview, one topic, a keyword search, save a report.
*Paced* auditors pause 1-3 s before each request, a person clicking through as fast as they read;
*flat-out* auditors never pause, so each always has a request in flight: that measures capacity.
Each run is bounded by a number of journeys per auditor and a time limit; every request has a
timeout. Latency is measured until the whole response body has arrived.

    python -m bench.load_test [--runs flat-out:1 paced:10 paced:50 flat-out:10 flat-out:50]
"""

from __future__ import annotations

import argparse
import re
import tempfile
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import requests

from bench.gunicorn_server import ENTRY_POINT, THREADS, WORKERS, GunicornServer, gunicorn_server
from bench.kumar_data import KUMAR_DIR, ensure_kumar
from bench.report import OUT_DIR, ROOT, markdown_table, say, verdict

ROUTES = ("POST /users (new user)", "/get_comments_to_label", "/get_personalized_model (train)", "/get_audit",
          "/get_cluster_results (topic)", "/get_cluster_results (keyword)", "/save_reports")
REQUEST_TIMEOUT_SECONDS = 30
SPAWN_PER_SECOND = 10
PAUSES = {"paced": (1.0, 3.0), "flat-out": (0.0, 0.0)}  # seconds before each request, uniform
JOURNEYS_EACH = {1: 15, 10: 3, 50: 2}
TIME_LIMIT_SECONDS = 150
DEFAULT_RUNS = ("flat-out:1", "paced:10", "paced:50", "flat-out:10", "flat-out:50")
MODEL_NAME = "bench"
WORD = re.compile(r"[A-Za-z]{4,}")
ONE_AUDITOR_P50_MS = 100
FIFTY_AUDITORS_P95_MS = 1000
WORKER_MEMORY_MB = 500
MAX_ERROR_SAMPLES = 5
MASTER = "master"  # key of the gunicorn master among the memory figures of its workers
SERVER_LOG = OUT_DIR / "load_test_gunicorn.log"


class JourneyFailed(Exception):
    pass


@dataclass
class RunResult:
    pacing: str
    auditors: int
    latencies: dict[str, list[float]] = field(default_factory=lambda: {route: [] for route in ROUTES})
    errors: list[str] = field(default_factory=list)
    journeys: int = 0
    seconds: float = 0.0
    lock: threading.Lock = field(default_factory=threading.Lock)

    def record(self, route: str, seconds: float) -> None:
        with self.lock:
            self.latencies[route].append(seconds)

    def fail(self, message: str) -> None:
        with self.lock:
            self.errors.append(message)

    def finished_journey(self) -> None:
        with self.lock:
            self.journeys += 1

    @property
    def n_requests(self) -> int:
        return sum(len(values) for values in self.latencies.values())


class Auditor:
    """One simulated auditor: a session, a random source and the run's recorder."""

    def __init__(self, url: str, seed: int, result: RunResult, pause: tuple[float, float]):
        self.url, self.result, self.pause = url, result, pause
        self.session = requests.Session()
        if pause[1] > 0:
            # A pause outlasts gunicorn's keep-alive (2 s): a browser would silently retry a request sent
            # on a connection the server was closing at that moment, a script would count an error.
            self.session.headers["Connection"] = "close"
        self.rng = np.random.default_rng(seed)

    def call(self, route: str, method: str, path: str, **kwargs) -> dict:
        if self.pause[1] > 0:
            time.sleep(self.rng.uniform(*self.pause))
        started = time.perf_counter()
        try:
            response = self.session.request(method, self.url + path, timeout=REQUEST_TIMEOUT_SECONDS, **kwargs)
        except requests.RequestException as error:
            raise JourneyFailed(f"{route}: {type(error).__name__}: {error}") from error
        elapsed = time.perf_counter() - started
        if response.status_code != 200:
            raise JourneyFailed(f"{route}: HTTP {response.status_code}: {response.text[:200]}")
        self.result.record(route, elapsed)
        return response.json()

    def journey(self) -> None:
        user = self.call(ROUTES[0], "POST", "/users", json={})["user"]
        comments = self.call(ROUTES[1], "GET", "/get_comments_to_label", params={"n": 20})["to_label"]
        ratings = {str(c["item_id"]): int(self.rng.integers(0, 5)) for c in comments}
        self.call(ROUTES[2], "POST", "/get_personalized_model",
                  json={"user": user, "model_name": MODEL_NAME, "ratings": ratings, "mode": "train"})
        model = {"user": user, "model": MODEL_NAME}
        topics = self.call(ROUTES[3], "GET", "/get_audit", params=model)["topics"]
        topic = topics[int(self.rng.integers(len(topics)))]["topic"]
        rows = self.call(ROUTES[4], "GET", "/get_cluster_results",
                         params={**model, "search_type": "cluster", "topic": topic})["cluster_comments"]
        keyword = self.keyword(rows)
        self.call(ROUTES[5], "GET", "/get_cluster_results",
                  params={**model, "search_type": "keyword", "keyword": keyword})
        self.call(ROUTES[6], "POST", "/save_reports",
                  json={**model, "revision": 0, "reports": [self.report(topic, rows)]})

    def keyword(self, rows: list[dict]) -> str:
        """A word of one of the topic's comments, as an auditor following a lead would search."""
        if rows:
            words = WORD.findall(rows[int(self.rng.integers(len(rows)))]["comment"])
            if words:
                return words[int(self.rng.integers(len(words)))]
        return "people"

    @staticmethod
    def report(topic: str, rows: list[dict]) -> dict:
        evidence_fields = ("item_id", "comment", "topic", "system_rating", "system_decision", "predicted_rating",
                           "predicted_decision", "error_type")
        return {"title": f"Topic: {topic}", "error_type": "under-sensitive", "category": "Toxicity",
                "summary": "The system misses comments I find toxic in this topic.",
                "evidence": [{name: row[name] for name in evidence_fields} for row in rows[:2]]}


def run_auditors(url: str, pacing: str, auditors: int, journeys_each: int, time_limit: float,
                 seed: int) -> RunResult:
    """``auditors`` threads, each doing up to ``journeys_each`` journeys until ``time_limit``."""
    result = RunResult(pacing, auditors)
    started = time.monotonic()
    deadline = started + time_limit

    def play(index: int) -> None:
        time.sleep(index / SPAWN_PER_SECOND)
        auditor = Auditor(url, seed * 1000 + index, result, PAUSES[pacing])
        for _ in range(journeys_each):
            if time.monotonic() > deadline:
                return
            try:
                auditor.journey()
                result.finished_journey()
            except JourneyFailed as error:
                result.fail(str(error))

    threads = [threading.Thread(target=play, args=(index,), daemon=True) for index in range(auditors)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=max(0.0, deadline - time.monotonic()) + REQUEST_TIMEOUT_SECONDS * 8)
    result.seconds = time.monotonic() - started
    return result


def warm_up(server: GunicornServer) -> None:
    """Let every worker load the dataset and model before measuring (each loads on its first request)."""
    server.wait_for("/api/health", timeout=60)
    for _ in range(3):
        run_auditors(server.url, "flat-out", WORKERS * THREADS * 2, 1, 60, seed=999)


def percentile_ms(values: list[float], q: float) -> float:
    return float(np.percentile(np.asarray(values) * 1000, q)) if values else float("nan")


def run_table(result: RunResult) -> str:
    rows = [[route, len(values), f"{percentile_ms(values, 50):.0f}", f"{percentile_ms(values, 95):.0f}",
             f"{percentile_ms(values, 99):.0f}"] for route, values in result.latencies.items()]
    return markdown_table(["route", "requests", "p50 ms", "p95 ms", "p99 ms"], rows)


def run_summary(result: RunResult) -> str:
    return (f"{result.auditors} {result.pacing} auditor(s): {result.journeys} journeys, {result.n_requests} requests "
            f"in {result.seconds:.1f} s = {result.n_requests / result.seconds:.1f} requests/s, "
            f"{60 * result.journeys / result.seconds:.1f} journeys/min; errors: {len(result.errors)}")


def parse_run(text: str) -> tuple[str, int]:
    """``paced:50`` -> ("paced", 50); ValueError otherwise."""
    pacing, _, count = text.partition(":")
    if pacing not in PAUSES or not count.isdigit() or int(count) not in JOURNEYS_EACH:
        raise ValueError(f"{text!r}: expected PACING:AUDITORS with pacing in {', '.join(PAUSES)} "
                         f"and auditors in {', '.join(map(str, JOURNEYS_EACH))}")
    return pacing, int(count)


def run_load_test(dataset_dir: Path, runs: list[tuple[str, int]]) -> str:
    """Serve the dataset, warm up, do each (pacing, auditors) run, and return the Markdown section."""
    results: list[RunResult] = []
    memory_after: list[dict] = []
    with tempfile.TemporaryDirectory(prefix="indielabel-bench-") as state, \
            gunicorn_server(dataset_dir, Path(state), SERVER_LOG) as server:
        say(f"gunicorn ({WORKERS} workers, {THREADS} threads each) at {server.url}; warming up ...")
        warm_up(server)
        for seed, (pacing, auditors) in enumerate(runs):
            journeys_each = JOURNEYS_EACH[auditors]
            say(f"Load: {auditors} {pacing} auditor(s), up to {journeys_each} journeys each, "
                f"{TIME_LIMIT_SECONDS} s at most ...")
            result = run_auditors(server.url, pacing, auditors, journeys_each, TIME_LIMIT_SECONDS, seed=seed)
            results.append(result)
            memory_after.append({**server.worker_memory(), MASTER: {"pss_mb": server.master_pss_mb()}})
            say(run_summary(result))
            say(run_table(result))
            for message in result.errors[:MAX_ERROR_SAMPLES]:
                say(f"  error: {message}")
    if any(result.errors for result in results):
        say(f"The server's log is in {SERVER_LOG.relative_to(ROOT)}")
    return _section(dataset_dir.name, results, memory_after)


def _memory_table(results: list[RunResult], memory_after: list[dict]) -> tuple[str, float]:
    rows, peak = [], 0.0
    for result, memory in zip(results, memory_after):
        when = f"after {result.auditors} {result.pacing} auditor(s)"
        workers = {pid: figures for pid, figures in memory.items() if pid != MASTER}
        for number, (pid, figures) in enumerate(sorted(workers.items()), start=1):
            rows.append([when, f"worker {number} (pid {pid})", f"{figures['rss_mb']:.0f}",
                         f"{figures['peak_mb']:.0f}", f"{figures['pss_mb']:.0f}"])
            peak = max(peak, figures["peak_mb"], figures["rss_mb"])
        total_pss = sum(figures["pss_mb"] for figures in memory.values())
        rows.append([when, "the whole server (master + workers)", "", "", f"{total_pss:.0f}"])
    return markdown_table(["when", "process", "VmRSS MB", "VmHWM (peak) MB", "PSS MB"], rows), peak


def _slowest(result: RunResult, q: float) -> float:
    return max(percentile_ms(values, q) for values in result.latencies.values())


def _targets(results: list[RunResult], peak_mb: float) -> list[str]:
    lines = []
    for result in results:
        label = f"{result.auditors} {result.pacing} auditor(s)"
        if result.auditors == 1:
            worst = _slowest(result, 50)
            lines.append(f"- Target, {label} → every route p50 ≤ {ONE_AUDITOR_P50_MS} ms (slowest p50 "
                         f"{worst:.0f} ms): {verdict(worst <= ONE_AUDITOR_P50_MS)}.")
        elif result.auditors == 50:
            worst = _slowest(result, 95)
            scope = "Target" if result.pacing == "paced" else "Beyond the target (capacity)"
            lines.append(f"- {scope}, {label} → p95 ≤ {FIFTY_AUDITORS_P95_MS} ms on every route (slowest p95 "
                         f"{worst:.0f} ms): {verdict(worst <= FIFTY_AUDITORS_P95_MS)}; zero errors "
                         f"({len(result.errors)}): {verdict(not result.errors)}.")
    lines.append(f"- Target ≤ {WORKER_MEMORY_MB} MB resident per worker (highest peak {peak_mb:.0f} MB): "
                 f"{verdict(peak_mb <= WORKER_MEMORY_MB)}.")
    return lines


def _section(dataset_name: str, results: list[RunResult], memory_after: list[dict]) -> str:
    paced_low, paced_high = PAUSES["paced"]
    lines = [
        "## 2. HTTP under load",
        "",
        f"`make serve`'s gunicorn command (`--workers {WORKERS} --threads {THREADS} --preload "
        f"--access-logfile - '{ENTRY_POINT}'`) on 127.0.0.1 serving the "
        f"`{dataset_name}` dataset; the load generator (a thread and an HTTP session per auditor, auditors "
        f"starting {SPAWN_PER_SECOND}/s) runs on the same 2 cores. Journey: POST /users (new user) → "
        "/get_comments_to_label (20) → POST /get_personalized_model (train on 20 labels) → /get_audit → "
        "/get_cluster_results (a random topic of the overview) → /get_cluster_results (a word from one of its "
        "comments) → POST /save_reports (one report, 2 evidence rows). *Paced* auditors pause "
        f"{paced_low:.0f}–{paced_high:.0f} s before each request (a person clicking through as fast as they "
        "read; real labelling and reading take far longer) and, as their pauses outlast gunicorn's 2 s "
        "keep-alive, open a new connection for each; *flat-out* auditors never pause, so every one of "
        "them always has a request in flight: that measures capacity, not a realistic load. Both workers are "
        "warmed up first (each loads the data on its first request; start-up is section 3).",
        "",
    ]
    for result in results:
        lines += [f"**{run_summary(result)}**", "", run_table(result), ""]
        if result.errors:
            lines += [f"- error: `{message}`" for message in result.errors[:MAX_ERROR_SAMPLES]] + [""]
    memory_table, peak = _memory_table(results, memory_after)
    lines += ["Memory of gunicorn's processes (VmRSS and VmHWM from /proc/<pid>/status; PSS, which divides "
              "each shared page among the processes sharing it, from /proc/<pid>/smaps_rollup):", "",
              memory_table, ""]
    lines += _targets(results, peak)
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.load_test", description=__doc__.splitlines()[0])
    parser.add_argument("--runs", nargs="+", default=list(DEFAULT_RUNS), metavar="PACING:AUDITORS",
                        help=f"runs in order (default: {' '.join(DEFAULT_RUNS)})")
    parser.add_argument("--no-generate", action="store_true",
                        help="use the dataset already in bench/out/kumar as it is")
    args = parser.parse_args(argv)
    try:
        runs = [parse_run(text) for text in args.runs]
    except ValueError as error:
        parser.error(str(error))
    if not args.no_generate:
        ensure_kumar()
    section = run_load_test(KUMAR_DIR, runs)
    say()
    say(section)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
