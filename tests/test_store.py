"""Per-user state on disk: name validation, version numbering, report revisions, atomic writes."""

from __future__ import annotations

import json
import multiprocessing
import os
import signal
import time
from pathlib import Path

import numpy as np
import pytest

from indielabel.storage.names import InvalidName, validate_name
from indielabel.storage.store import NotFound, StaleRevision, Store, StoreError
from indielabel.storage.versions import Version

# Fork keeps the children cheap (no re-import of the test session); the store is what is under test.
PROCESSES = multiprocessing.get_context("fork")
N_ITEMS = 500

HOSTILE_NAMES = [
    "", ".", "..", "../evil", "a/b", "/abs", "a\\b", "..\\evil", "a\x00b", "a" * 65,
    "ｆａｃｔｕａｌ", "\u0430lice",  # fullwidth letters; Cyrillic a
    " alice", "alice ", "al ice", "alice\n", "tab\tname", "a.b", "~", "name?", "caf\u00e9",
    None, 7, b"alice", ["alice"],
]


def predictions_for(seed: int, n_items: int = N_ITEMS) -> np.ndarray:
    return np.random.default_rng(seed).uniform(0, 4, n_items)


def add_simple_version(store: Store, user: str, model: str, labels=None, **info) -> int:
    labels = labels if labels is not None else {1: 0.0, 2: 3.0}
    return store.add_version(user, model, labels, {"cv_mae": 0.8}, predictions_for(0), info)


def every_path(directory: Path) -> set[Path]:
    return set(directory.rglob("*"))


def run_writers(target, root: Path, writers: int, per_writer: int) -> list[tuple]:
    """Run ``target(root, writer, per_writer, results)`` in one process per writer; their results."""
    results = PROCESSES.Queue()
    children = [PROCESSES.Process(target=target, args=(root, writer, per_writer, results))
                for writer in range(writers)]
    for child in children:
        child.start()
    collected = [results.get(timeout=30) for _ in range(writers * per_writer)]
    for child in children:
        child.join(timeout=30)
        assert child.exitcode == 0
    return collected


# Names

@pytest.mark.parametrize("name", ["factual_spade", "A-z_09", "x", "a" * 64, "-dash-first"])
def test_validate_name_accepts_plain_ascii_names(name):
    assert validate_name(name, "user") == name


@pytest.mark.parametrize("name", HOSTILE_NAMES, ids=repr)
def test_validate_name_rejects_hostile_names_and_names_the_field(name):
    with pytest.raises(InvalidName) as raised:
        validate_name(name, "model")
    assert raised.value.field == "model"
    assert isinstance(raised.value, ValueError)


def test_store_rejects_hostile_names_before_touching_any_file(tmp_path):
    store = Store(tmp_path / "output")
    add_simple_version(store, "alice", "model1")
    store.save_reports("alice", None, [{"title": "t"}], 0)
    before = every_path(tmp_path)

    def calls_naming_a_user(user):
        return [
            lambda: store.ensure_user(user),
            lambda: store.user_exists(user),
            lambda: store.list_models(user),
            lambda: store.load_reports(user, None),
            lambda: store.save_reports(user, None, [], 0),
        ]

    def calls_naming_a_model(user, model):
        return [
            lambda: store.model_info(user, model),
            lambda: add_simple_version(store, user, model),
            lambda: store.latest_version(user, model),
            lambda: store.load_predictions(user, model),
            lambda: store.history(user, model),
            lambda: store.load_reports(user, model),
            lambda: store.save_reports(user, model, [], 0),
            lambda: store.update_reports(user, model, lambda reports: reports),
        ]

    for hostile in HOSTILE_NAMES:
        calls = calls_naming_a_user(hostile) + calls_naming_a_model(hostile, "model1")
        if hostile is not None:  # as a model or parent, None means "no model" and "no parent"
            calls += calls_naming_a_model("alice", hostile)
            calls.append(lambda: add_simple_version(store, "alice", "tuned", parent=hostile))
        for call in calls:
            with pytest.raises(InvalidName):
                call()
    assert every_path(tmp_path) == before


# Versions

def add_versions_in_child(root: Path, writer: int, count: int, results) -> None:
    store = Store(root)
    for index in range(count):
        labels = {writer * 1000 + index: float(index % 5)}
        number = store.add_version("alice", "shared", labels, {"writer": writer}, predictions_for(index),
                                   {"kind": "personal"})
        results.put((writer, index, number))


def test_concurrent_processes_get_version_numbers_without_gaps_or_duplicates(tmp_path):
    acknowledged = run_writers(add_versions_in_child, tmp_path, writers=4, per_writer=10)

    assert sorted(number for _, _, number in acknowledged) == list(range(1, 41))
    history = Store(tmp_path).history("alice", "shared")
    assert [version.number for version in history] == list(range(1, 41))
    for writer, index, number in acknowledged:
        stored = history[number - 1]
        assert stored.labels == {writer * 1000 + index: float(index % 5)}
        assert stored.metrics["writer"] == writer
    assert not [p for p in (tmp_path / "alice/models/shared/versions").iterdir() if p.name.startswith(".")]


def test_history_and_latest_version_return_labels_and_metrics_in_order(tmp_path):
    store = Store(tmp_path)
    first = store.add_version("bob", "m", {5: 1.0, 9: 4}, {"cv_mae": 0.9}, predictions_for(1), {})
    second = store.add_version("bob", "m", {5: 2.5}, {"cv_mae": 0.7}, predictions_for(2), {})

    assert (first, second) == (1, 2)
    latest = store.latest_version("bob", "m")
    assert latest == Version(number=2, labels={5: 2.5}, metrics=latest.metrics)
    assert latest.metrics["cv_mae"] == 0.7 and latest.metrics["n_labels"] == 1
    assert "created_at" in latest.metrics
    assert [(v.number, v.labels) for v in store.history("bob", "m")] == [(1, {5: 1.0, 9: 4.0}), (2, {5: 2.5})]


def test_model_info_is_written_on_the_first_version_and_updated_after(tmp_path):
    store = Store(tmp_path)
    add_simple_version(store, "carol", "m_topic12", kind="topic", parent="m", topic="12_rent_landlord")
    created = store.model_info("carol", "m_topic12")
    add_simple_version(store, "carol", "m_topic12", kind="topic", parent="m", topic="12_rent_landlord",
                       note="second")
    info = store.model_info("carol", "m_topic12")

    assert info["name"] == "m_topic12" and info["kind"] == "topic" and info["parent"] == "m"
    assert info["topic"] == "12_rent_landlord" and info["group"] is None
    assert info["created_at"] == created["created_at"] and info["note"] == "second"
    text = (tmp_path / "carol/models/m_topic12/model.json").read_text()
    assert list(json.loads(text)) == sorted(json.loads(text))
    assert store.list_models("carol") == ["m_topic12"]
    assert store.user_exists("carol")


def test_predictions_round_trip_as_float32(tmp_path):
    store = Store(tmp_path)
    first, second = predictions_for(1), predictions_for(2)
    store.add_version("dana", "m", {1: 1.0}, {}, first, {})
    store.add_version("dana", "m", {1: 2.0}, {}, second, {})

    latest = store.load_predictions("dana", "m")
    assert latest.dtype == np.float32 and latest.shape == (N_ITEMS,)
    np.testing.assert_array_equal(latest, second.astype(np.float32))
    np.testing.assert_array_equal(store.load_predictions("dana", "m", 1), first.astype(np.float32))
    with pytest.raises(NotFound):
        store.load_predictions("dana", "m", 3)
    with pytest.raises(ValueError):
        store.load_predictions("dana", "m", 0)


@pytest.mark.parametrize("labels, predictions, info", [
    ({"12": 1.0}, predictions_for(0), {}),
    ({1: 4.5}, predictions_for(0), {}),
    ({1: float("nan")}, predictions_for(0), {}),
    ({1: 1.0}, np.array([1.0, np.nan]), {}),
    ({1: 1.0}, np.zeros((2, 2)), {}),
    ({1: 1.0}, predictions_for(0), {"kind": "ensemble"}),
    ({1: 1.0}, predictions_for(0), {"group": "women"}),
])
def test_add_version_rejects_bad_input_and_writes_nothing(tmp_path, labels, predictions, info):
    store = Store(tmp_path / "output")
    with pytest.raises(ValueError):
        store.add_version("erin", "m", labels, {}, predictions, info)
    assert not (tmp_path / "output").exists()


# Unknown users and models

def test_unknown_user_and_model_give_empty_answers_or_not_found(tmp_path):
    store = Store(tmp_path / "output")
    assert store.list_models("nobody") == []
    assert not store.user_exists("nobody")
    assert store.model_info("nobody", "m") is None
    assert store.latest_version("nobody", "m") is None
    assert store.load_reports("nobody", None) == (0, [])
    for call in (lambda: store.history("nobody", "m"), lambda: store.load_predictions("nobody", "m"),
                 lambda: store.load_reports("nobody", "m"), lambda: store.save_reports("nobody", "m", [], 0),
                 lambda: store.update_reports("nobody", "m", list)):
        with pytest.raises(NotFound):
            call()
    assert not (tmp_path / "output").exists()


# Reports

def test_reports_save_and_load_with_increasing_revisions(tmp_path):
    store = Store(tmp_path)
    add_simple_version(store, "fay", "m")
    assert store.save_reports("fay", "m", [{"title": "one"}], 0) == 1
    assert store.save_reports("fay", "m", [{"title": "one"}, {"title": "two"}], 1) == 2
    assert store.load_reports("fay", "m") == (2, [{"title": "one"}, {"title": "two"}])
    assert store.load_reports("fay", None) == (0, [])


def test_stale_revision_raises_with_the_current_state_and_writes_nothing(tmp_path):
    store = Store(tmp_path)
    store.save_reports("gus", None, [{"title": "first tab"}], 0)
    path = tmp_path / "gus/reports.json"
    stored_bytes = path.read_bytes()

    with pytest.raises(StaleRevision) as raised:
        store.save_reports("gus", None, [{"title": "second tab"}], 0)
    assert raised.value.current_revision == 1
    assert raised.value.current_reports == [{"title": "first tab"}]
    assert path.read_bytes() == stored_bytes
    assert not [p for p in path.parent.iterdir() if p.name.endswith(".tmp")]


def test_update_reports_bumps_the_revision_and_writes_nothing_when_the_change_fails(tmp_path):
    store = Store(tmp_path)
    store.save_reports("hal", None, [{"id": "r1"}], 0)

    revision, reports = store.update_reports("hal", None, lambda current: [{**r, "avid_id": "X"} for r in current])
    assert (revision, reports) == (2, [{"id": "r1", "avid_id": "X"}])

    def failing_change(current):
        raise RuntimeError("submission bookkeeping failed")

    with pytest.raises(RuntimeError):
        store.update_reports("hal", None, failing_change)
    with pytest.raises(ValueError):
        store.update_reports("hal", None, lambda current: "not a list")
    assert store.load_reports("hal", None) == (2, [{"id": "r1", "avid_id": "X"}])


@pytest.mark.parametrize("reports", [{"title": "t"}, ["title"], [{"when": object()}]])
def test_save_reports_rejects_what_is_not_a_list_of_json_objects(tmp_path, reports):
    with pytest.raises(ValueError):
        Store(tmp_path).save_reports("ivy", None, reports, 0)
    assert Store(tmp_path).load_reports("ivy", None) == (0, [])


def append_reports_in_child(root: Path, writer: int, count: int, acknowledged) -> None:
    store = Store(root)
    for sequence in range(count):
        revision, reports = store.load_reports("jo", None)
        while True:
            try:
                saved = store.save_reports("jo", None, reports + [{"writer": writer, "sequence": sequence}],
                                           revision)
                break
            except StaleRevision as stale:
                revision, reports = stale.current_revision, stale.current_reports
        acknowledged.put((writer, sequence, saved))


def test_concurrent_report_saves_from_several_processes_lose_no_acknowledged_save(tmp_path):
    writers, per_writer = 4, 10
    acknowledged = run_writers(append_reports_in_child, tmp_path, writers, per_writer)

    revision, reports = Store(tmp_path).load_reports("jo", None)
    assert revision == writers * per_writer
    assert sorted(saved for _, _, saved in acknowledged) == list(range(1, revision + 1))
    # The save acknowledged as revision r appended the r-th report.
    for writer, sequence, saved in acknowledged:
        assert reports[saved - 1] == {"writer": writer, "sequence": sequence}
    for writer in range(writers):
        assert [r["sequence"] for r in reports if r["writer"] == writer] == list(range(per_writer))


# Corruption and crashes

def test_corrupted_json_is_reported_naming_the_file_and_never_replaced(tmp_path):
    store = Store(tmp_path)
    add_simple_version(store, "kim", "m")
    reports_path = tmp_path / "kim/reports.json"
    reports_path.write_text('{"revision": 1, "reports": [')
    (tmp_path / "kim/models/m/model.json").write_text("[1, 2]")

    with pytest.raises(StoreError, match="kim/reports.json") as raised:
        store.load_reports("kim", None)
    assert str(tmp_path) not in str(raised.value)
    with pytest.raises(StoreError, match="kim/reports.json"):
        store.save_reports("kim", None, [], 1)
    with pytest.raises(StoreError, match="kim/models/m/model.json"):
        store.model_info("kim", "m")
    with pytest.raises(StoreError, match="model.json"):
        add_simple_version(store, "kim", "m")
    assert reports_path.read_text() == '{"revision": 1, "reports": ['
    assert [v.number for v in store.history("kim", "m")] == [1]


def write_forever_in_child(root: Path) -> None:
    store = Store(root)
    large_predictions = predictions_for(0, 200_000)
    while True:
        revision, reports = store.load_reports("lee", None)
        store.save_reports("lee", None, reports + [{"text": "x" * 2000}], revision)
        store.add_version("lee", "m", {len(reports): 1.0}, {"round": revision}, large_predictions, {})


def test_a_writer_killed_mid_write_leaves_every_json_file_parseable(tmp_path):
    store = Store(tmp_path)
    for kill_after_seconds in (0.15, 0.33, 0.52):
        child = PROCESSES.Process(target=write_forever_in_child, args=(tmp_path,))
        child.start()
        time.sleep(kill_after_seconds)
        os.kill(child.pid, signal.SIGKILL)
        child.join(timeout=10)

    visible_json = [path for path in tmp_path.rglob("*.json")
                    if not any(part.startswith(".") for part in path.relative_to(tmp_path).parts)]
    assert len(visible_json) >= 4
    for path in visible_json:
        json.loads(path.read_text())
    revision, reports = store.load_reports("lee", None)
    assert revision == len(reports) > 0
    numbers = [version.number for version in store.history("lee", "m")]
    assert numbers == list(range(1, len(numbers) + 1))

    # The killed writer's lock is free and its leftovers are cleared by the next write.
    assert add_simple_version(store, "lee", "m") == len(numbers) + 1
    assert store.save_reports("lee", None, [], revision) == revision + 1
    leftovers = [path for path in (tmp_path / "lee").rglob(".*") if path.name != ".lock"]
    assert leftovers == []
