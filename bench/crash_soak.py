"""Crash safety: SIGKILL the server in the middle of a storm of report saves and trainings, restart it,
and check that every stored file is whole and nothing the server acknowledged was lost.

    python -m bench.crash_soak [--rounds 50] [--dataset DIR]

Each round starts `python -m indielabel serve`, lets client threads save reports (several per user,
so some saves meet a 409 and retry) and train models, kills the server at a random moment, and then
checks the output directory against what the clients were told (see bench/crash_checks.py).
tests/test_crash.py runs a few rounds of this in `make test`; this command runs 50 for `make bench`.
"""

from __future__ import annotations

import argparse
import itertools
import json
import random
import secrets
import sys
import tempfile
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path

import requests

from bench.crash_checks import MODEL, UserLedger, check_files, check_user
from bench.report import OUT_DIR, say, spread_text
from bench.server_process import NO_RATE_LIMITS, ServerProcess, development_command, free_port, server_environment
from indielabel.storage.store import NotFound, Store, StoreError

WARM_UP_PATH = "/get_explore_examples?n_examples=1"
REQUEST_TIMEOUT_SECONDS = 30
USERS = 2
SAVERS_PER_USER = 2
TRAINERS_PER_USER = 1
KILL_AFTER_SECONDS = (0.3, 1.5)
LABELS_PER_TRAINING = 5
SUMMARY_CHARS = 4_000  # large enough that a save takes more than one write() call
EVIDENCE_FIELDS = ("item_id", "comment", "topic", "system_rating", "system_decision", "predicted_rating",
                   "predicted_decision", "error_type")


class ServeProcess:
    """`python -m indielabel serve` on a free 127.0.0.1 port, with user state kept across restarts.

    ``settings`` become INDIELABEL_<NAME> environment variables (e.g. avid_api_url="http://...").
    """

    def __init__(self, dataset_dir: Path, state_dir: Path, **settings):
        self.dataset_dir, self.state_dir = Path(dataset_dir), Path(state_dir)
        # The cookies that own the users must stay valid across restarts.
        self.env = server_environment(self.state_dir, **{"secret_key": secrets.token_hex(32), **NO_RATE_LIMITS,
                                                           **settings})
        self.server: ServerProcess | None = None

    @property
    def output_dir(self) -> Path:
        return self.state_dir / "output"

    def start(self) -> tuple[str, float]:
        """The server's URL, and the seconds until it answered a data request."""
        port = free_port()
        self.server = ServerProcess(development_command(port, self.dataset_dir), port, self.env,
                                    self.state_dir / "serve.log", append_log=True)
        try:
            return self.server.url, self.server.wait_for(WARM_UP_PATH)
        except RuntimeError:
            self.kill()
            raise

    def kill(self) -> None:
        """SIGKILL the running server, if any (see ServerProcess.kill)."""
        if self.server is not None:
            self.server.kill()
            self.server = None


@dataclass
class Tally:
    saves_acked: int = 0
    saves_refused_stale: int = 0
    trainings_acked: int = 0
    cut_off: int = 0  # requests sent whose answer the kill prevented
    unexpected: list[str] = field(default_factory=list)
    lock: threading.Lock = field(default_factory=threading.Lock)

    def add(self, name: str) -> None:
        with self.lock:
            setattr(self, name, getattr(self, name) + 1)


class Storm:
    """Client threads saving reports and training models until the server stops answering."""

    def __init__(self, url: str, ledgers: list[UserLedger], item_rows: list[dict], rng: random.Random):
        self.url, self.ledgers, self.item_rows = url, ledgers, item_rows
        self.tally = Tally()
        self.threads = []
        for ledger in ledgers:
            for index in range(SAVERS_PER_USER):
                self._spawn(self._save_reports, ledger, random.Random(rng.random()), f"saver{index}")
            for _ in range(TRAINERS_PER_USER):
                self._spawn(self._train, ledger, random.Random(rng.random()))

    def _spawn(self, target, *args) -> None:
        self.threads.append(threading.Thread(target=target, args=args, daemon=True))

    def start(self) -> None:
        for thread in self.threads:
            thread.start()

    def join(self) -> Tally:
        for thread in self.threads:
            thread.join(timeout=REQUEST_TIMEOUT_SECONDS + 5)
        return self.tally

    def _session(self, ledger: UserLedger) -> requests.Session:
        session = requests.Session()
        session.cookies.update(ledger.cookies)
        return session

    def _save_reports(self, ledger: UserLedger, rng: random.Random, name: str) -> None:
        session = self._session(ledger)
        for number in itertools.count():
            with ledger.lock:
                revision = ledger.revision
                reports = self._reports(rng, f"{ledger.user} {name} #{number}")
                ledger.sent_saves.setdefault(revision, []).append(reports)
            answer = self._post(session, "/save_reports", {"user": ledger.user, "model": MODEL,
                                                           "revision": revision, "reports": reports})
            if answer is None:
                return
            if answer.status_code == 200:
                new_revision = answer.json()["revision"]
                with ledger.lock:
                    ledger.acked_saves[new_revision] = reports
                    ledger.revision = max(ledger.revision, new_revision)
                self.tally.add("saves_acked")
            elif answer.status_code == 409:
                current = answer.json()["error"]["current"]["revision"]
                with ledger.lock:
                    ledger.revision = max(ledger.revision, current)
                self.tally.add("saves_refused_stale")
            else:
                self._unexpected(answer)

    def _train(self, ledger: UserLedger, rng: random.Random) -> None:
        session = self._session(ledger)
        while True:
            chosen = rng.sample(self.item_rows, LABELS_PER_TRAINING)
            ratings = {str(row["item_id"]): rng.randint(0, 4) for row in chosen}
            answer = self._post(session, "/get_personalized_model",
                                {"user": ledger.user, "model_name": MODEL, "ratings": ratings})
            if answer is None:
                return
            if answer.status_code != 200:
                self._unexpected(answer)
                continue
            trained = answer.json()
            with ledger.lock:
                ledger.acked_versions[trained["version"]] = trained["ratings_prev"]
            self.tally.add("trainings_acked")

    def _post(self, session: requests.Session, path: str, body: dict) -> requests.Response | None:
        """The answer, or None once the server is gone (the request was cut off, or never connected)."""
        try:
            return session.post(self.url + path, json=body, timeout=REQUEST_TIMEOUT_SECONDS)
        except requests.exceptions.ChunkedEncodingError:  # killed while sending the answer
            self.tally.add("cut_off")
            return None
        except requests.ConnectionError as error:
            if not _never_connected(error):
                self.tally.add("cut_off")
            return None

    def _unexpected(self, answer: requests.Response) -> None:
        with self.tally.lock:
            self.tally.unexpected.append(f"{answer.request.path_url}: {answer.status_code} {answer.text[:200]}")

    def _reports(self, rng: random.Random, tag: str) -> list[dict]:
        """One to three reports, the first complete, each saying which save made it."""
        reports = []
        for index in range(rng.randint(1, 3)):
            rows = rng.sample(self.item_rows, 2)
            reports.append({
                "id": f"report{index}", "title": f"{tag}: report {index}", "error_type": "under-sensitive",
                "evidence": [{name: row[name] for name in EVIDENCE_FIELDS} for row in rows],
                "summary": (f"{tag}. " * (SUMMARY_CHARS // len(tag)))[:SUMMARY_CHARS], "category": "Toxicity",
                "created_at": "2024-01-01T00:00:00+00:00", "updated_at": "2024-01-01T00:00:00+00:00"})
        return reports


def _never_connected(error: requests.ConnectionError) -> bool:
    return "Connection refused" in str(error)


def set_up_users(url: str, count: int) -> tuple[list[UserLedger], list[dict]]:
    """``count`` new users, each owning a trained model, and comment rows to use as labels and evidence."""
    ledgers, rows = [], []
    for _ in range(count):
        session = requests.Session()
        user = session.post(f"{url}/users", json={}, timeout=REQUEST_TIMEOUT_SECONDS).json()["user"]
        comments = session.get(f"{url}/get_comments_to_label", params={"n": 20},
                               timeout=REQUEST_TIMEOUT_SECONDS).json()["to_label"]
        ratings = {str(comment["item_id"]): index % 5 for index, comment in enumerate(comments)}
        trained = session.post(f"{url}/get_personalized_model",
                               json={"user": user, "model_name": MODEL, "ratings": ratings},
                               timeout=REQUEST_TIMEOUT_SECONDS)
        trained.raise_for_status()
        ledger = UserLedger(user, session.cookies.get_dict())
        ledger.acked_versions[1] = trained.json()["ratings_prev"]
        ledgers.append(ledger)
        if not rows:
            topic = session.get(f"{url}/get_audit", params={"user": user, "model": MODEL},
                                timeout=REQUEST_TIMEOUT_SECONDS).json()["topics"][0]["topic"]
            rows = session.get(f"{url}/get_cluster_results",
                               params={"user": user, "model": MODEL, "topic": topic, "error_type": "all"},
                               timeout=REQUEST_TIMEOUT_SECONDS).json()["cluster_comments"]
    return ledgers, rows


@dataclass
class RoundResult:
    start_seconds: float
    storm_seconds: float
    tally: Tally
    leftovers: int  # temporary files of interrupted writes
    problems: list[str]


def run_round(serve: ServeProcess, ledgers: list[UserLedger], rows: list[dict], n_items: int,
              rng: random.Random) -> RoundResult:
    """Start the server, storm it, kill it mid-storm, then check what it left on disk."""
    url, start_seconds = serve.start()
    storm = Storm(url, ledgers, rows, rng)
    started = time.perf_counter()
    storm.start()
    time.sleep(rng.uniform(*KILL_AFTER_SECONDS))
    serve.kill()
    tally = storm.join()
    storm_seconds = time.perf_counter() - started
    problems, leftovers = check_files(serve.output_dir)
    store = Store(serve.output_dir)
    for ledger in ledgers:
        try:
            problems += check_user(store, ledger, n_items)
            ledger.revision = store.load_reports(ledger.user, None)[0]  # where the next round's saves start
        except (StoreError, NotFound) as error:
            problems.append(f"{ledger.user}: {error}")
    problems += [f"unexpected answer {answer}" for answer in tally.unexpected]
    return RoundResult(start_seconds, storm_seconds, tally, leftovers, problems)


def soak(dataset_dir: Path, state_dir: Path, rounds: int, seed: int = 0, progress=None) -> list[RoundResult]:
    """``rounds`` kill-and-restart rounds against one output directory; the users are made in the first."""
    rng = random.Random(seed)
    serve = ServeProcess(dataset_dir, state_dir)
    n_items = json.loads((Path(dataset_dir) / "dataset.json").read_text())["n_items"]
    url, _ = serve.start()
    try:
        ledgers, rows = set_up_users(url, USERS)
    finally:
        serve.kill()
    results = []
    for number in range(1, rounds + 1):
        results.append(run_round(serve, ledgers, rows, n_items, rng))
        if progress is not None:
            progress(number, results[-1])
    return results


def summary(results: list[RoundResult]) -> list[str]:
    tallies = [result.tally for result in results]
    problems = [problem for result in results for problem in result.problems]
    return [
        f"- Kill rounds: {len(results)}; problems found: {len(problems)}",
        f"- Acknowledged before the kills: {sum(t.saves_acked for t in tallies)} report saves "
        f"({sum(t.saves_refused_stale for t in tallies)} more refused as stale, 409), "
        f"{sum(t.trainings_acked for t in tallies)} trainings",
        f"- Requests cut off by a kill: {sum(t.cut_off for t in tallies)} "
        f"(in {sum(t.cut_off > 0 for t in tallies)} of {len(results)} rounds)",
        f"- Temporary files of interrupted writes found after a kill: {sum(r.leftovers for r in results)}",
        f"- Restart until a data request answers: {spread_text([r.start_seconds for r in results], '{:.1f}', ' s')}",
        *[f"  - {problem}" for problem in problems],
    ]


def ensure_small_dataset(directory: Path) -> Path:
    from indielabel.data import dataset
    from indielabel.model import personal as personal_model
    from indielabel.synth import generator as synth

    if not (directory / "dataset.json").is_file():
        synth.generate_dataset("small", 0, directory, quiet=True)
    personal_model.load_or_fit(dataset.load(directory), quiet=True)
    return directory


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=50)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--dataset", type=Path, help="dataset directory (default: a generated `small` one)")
    args = parser.parse_args(argv)
    dataset_dir = args.dataset or ensure_small_dataset(OUT_DIR / "crash_soak_small")
    say(f"## Crash safety: {args.rounds} rounds of SIGKILL during saves and trainings")
    started = time.perf_counter()
    with tempfile.TemporaryDirectory(prefix="indielabel-crash-") as state:
        results = soak(dataset_dir, Path(state), args.rounds, args.seed,
                       progress=lambda number, result: say(f"round {number}: {result.tally.saves_acked} saves, "
                                                          f"{result.tally.trainings_acked} trainings, "
                                                          f"{len(result.problems)} problems"))
    for line in summary(results):
        say(line)
    say(f"- Took {time.perf_counter() - started:.0f} s")
    return 1 if any(result.problems for result in results) else 0


if __name__ == "__main__":
    sys.exit(main())
