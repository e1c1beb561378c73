"""Concurrent writes to one user lose nothing: twenty clients at once against the app as `make serve` runs it
(gunicorn, 3 worker processes with 4 threads each) training, saving revisioned reports and flagging; and
model versions derived at once by several processes in the store itself."""

from __future__ import annotations

import multiprocessing
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pytest
import requests

from bench.server_process import NO_RATE_LIMITS
from indielabel.flagging.setup import read_flags
from indielabel.storage.store import Store
from indielabel.storage.versions import NewVersion, Version
from tests.conftest import create_user
from tests.production_server import production_server

N_CLIENTS = 20
ROUNDS = 3
ITEMS_PER_TRAINING = 3
MODEL = "shared"
TIME_LIMIT_SECONDS = 60
MAX_SAVE_ATTEMPTS = 100
DERIVING_PROCESSES = 6
VERSIONS_PER_PROCESS = 5


@dataclass
class Outcome:
    """What the server acknowledged to one client."""

    trainings: list[tuple[int, dict[str, int]]] = field(default_factory=list)  # (version, the labels sent)
    saves: list[tuple[int, list[str]]] = field(default_factory=list)  # (revision, report ids saved)
    stale_statuses: list[int] = field(default_factory=list)
    conflicts: int = 0
    flag_totals: list[int] = field(default_factory=list)
    unexpected: list[str] = field(default_factory=list)


@pytest.fixture(scope="module")
def served(small_dataset_dir, small_base_model, tmp_path_factory):
    state_dir = tmp_path_factory.mktemp("concurrency")
    with production_server(small_dataset_dir, state_dir, flagging_mode="manual", **NO_RATE_LIMITS) as url:
        yield url, state_dir


def _items_of(item_ids: list[int], client: int, round_number: int) -> list[int]:
    """Items only this client labels in this round, so every label sent can be found again."""
    start = ITEMS_PER_TRAINING * (round_number * N_CLIENTS + client)
    return item_ids[start:start + ITEMS_PER_TRAINING]


def _save_my_report(session: requests.Session, url: str, user: str, report_id: str, outcome: Outcome) -> None:
    """Add one report to the shared list: reload and retry on 409 until acknowledged, then send a stale save."""
    base = {"user": user, "model": MODEL}
    for _ in range(MAX_SAVE_ATTEMPTS):
        stored = session.get(f"{url}/get_reports", params=base, timeout=30).json()
        reports = stored["reports"] + [{"id": report_id, "title": f"report {report_id}"}]
        response = session.post(f"{url}/save_reports", json={**base, "revision": stored["revision"],
                                                             "reports": reports}, timeout=30)
        if response.status_code == 409:
            outcome.conflicts += 1
            continue
        if response.status_code != 200:
            outcome.unexpected.append(f"save: {response.status_code} {response.text[:200]}")
            return
        outcome.saves.append((response.json()["revision"], [report["id"] for report in reports]))
        stale = session.post(f"{url}/save_reports", json={**base, "revision": stored["revision"], "reports": []},
                             timeout=30)
        outcome.stale_statuses.append(stale.status_code)
        return
    outcome.unexpected.append(f"save of {report_id}: no acknowledgement in {MAX_SAVE_ATTEMPTS} attempts")


def _client(url: str, user: str, cookies, item_ids: list[int], client: int, start: threading.Barrier) -> Outcome:
    session = requests.Session()
    session.cookies.update(cookies)
    outcome = Outcome()
    start.wait()
    for round_number in range(ROUNDS):
        ratings = {str(item): (client + round_number) % 5 for item in _items_of(item_ids, client, round_number)}
        trained = session.post(f"{url}/get_personalized_model",
                               json={"user": user, "model_name": MODEL, "ratings": ratings}, timeout=30)
        if trained.status_code == 200:
            outcome.trainings.append((trained.json()["version"], ratings))
        else:
            outcome.unexpected.append(f"train: {trained.status_code} {trained.text[:200]}")
        _save_my_report(session, url, user, f"c{client}r{round_number}", outcome)
        flagged = session.post(f"{url}/flag", json={"user": user, "model": MODEL,
                                                    "item_id": _items_of(item_ids, client, round_number)[0]},
                               timeout=30)
        if flagged.status_code == 200:
            outcome.flag_totals.append(flagged.json()["total"])
        else:
            outcome.unexpected.append(f"flag: {flagged.status_code} {flagged.text[:200]}")
    return outcome


def test_twenty_clients_on_one_user_lose_no_training_report_or_flag(served, small_dataset):
    url, state_dir = served
    owner = requests.Session()
    user = create_user(owner, url)
    item_ids = small_dataset.items["item_id"].tolist()
    first_labels = {str(item): 2 for item in item_ids[-20:]}
    assert owner.post(f"{url}/get_personalized_model", json={"user": user, "model_name": MODEL,
                                                             "ratings": first_labels}, timeout=60).status_code == 200

    start = threading.Barrier(N_CLIENTS)
    started = time.perf_counter()
    with ThreadPoolExecutor(N_CLIENTS) as pool:
        outcomes = list(pool.map(lambda client: _client(url, user, owner.cookies, item_ids, client, start),
                                 range(N_CLIENTS)))
    elapsed = time.perf_counter() - started
    print(f"\n{N_CLIENTS} clients x {ROUNDS} rounds: {elapsed:.1f} s, "
          f"{sum(o.conflicts for o in outcomes)} conflicts (409) retried")

    assert [problem for outcome in outcomes for problem in outcome.unexpected] == []
    assert elapsed < TIME_LIMIT_SECONDS
    store = Store(state_dir / "output")

    trainings = [training for outcome in outcomes for training in outcome.trainings]
    history = store.history(user, MODEL)
    assert [version.number for version in history] == list(range(1, len(trainings) + 2))
    assert sorted(version for version, _ in trainings) == list(range(2, len(trainings) + 2))
    labels_of = {version.number: version.labels for version in history}
    for version, ratings in trainings:
        assert {int(item): float(rating) for item, rating in ratings.items()}.items() <= labels_of[version].items()
    every_label_sent = {int(item) for _, ratings in trainings for item in ratings} | {int(i) for i in first_labels}
    assert set(history[-1].labels) == every_label_sent

    saves = [save for outcome in outcomes for save in outcome.saves]
    revision, final_reports = store.load_reports(user, None)  # one list of reports per user
    assert sorted(saved_revision for saved_revision, _ in saves) == list(range(1, revision + 1))
    assert [report["id"] for report in final_reports] == dict(saves)[revision]
    assert {f"c{client}r{round_number}" for client in range(N_CLIENTS) for round_number in range(ROUNDS)} \
        <= {report["id"] for report in final_reports}
    assert {status for outcome in outcomes for status in outcome.stale_statuses} == {409}

    totals = sorted(total for outcome in outcomes for total in outcome.flag_totals)
    assert totals == list(range(1, N_CLIENTS * ROUNDS + 1))
    assert len(read_flags(state_dir / "flagged")) == N_CLIENTS * ROUNDS


def _derive_versions(root: Path, process_number: int) -> None:
    """Add versions that each fold one new label into the newest version's labels."""
    store = Store(root)
    for step in range(VERSIONS_PER_PROCESS):
        item_id = process_number * VERSIONS_PER_PROCESS + step

        def with_my_label(latest: Version | None) -> NewVersion:
            labels = {**(latest.labels if latest else {}), item_id: float(step % 5)}
            return NewVersion(labels, {"cv_mae": 1.0}, np.full(10, 2.0))

        store.add_derived_version("deriving_user", "model", with_my_label, {"kind": "personal"})


def test_versions_derived_at_once_in_several_processes_keep_every_label(tmp_path):
    processes = [multiprocessing.get_context("fork").Process(target=_derive_versions, args=(tmp_path, number))
                 for number in range(DERIVING_PROCESSES)]
    for process in processes:
        process.start()
    for process in processes:
        process.join(timeout=60)
    assert [process.exitcode for process in processes] == [0] * DERIVING_PROCESSES
    history = Store(tmp_path).history("deriving_user", "model")
    total = DERIVING_PROCESSES * VERSIONS_PER_PROCESS
    assert [version.number for version in history] == list(range(1, total + 1))
    assert [len(version.labels) for version in history] == list(range(1, total + 1))
    assert set(history[-1].labels) == set(range(total))
