"""What a crash may leave on disk, checked against what the server told its clients (for crash_soak).

After a SIGKILL: every JSON file parses and every .npy loads with allow_pickle=False, apart from the
store's temporary files of the write the kill interrupted (its next write removes them); a user's
reports are at a revision no older than the last acknowledged save, and hold exactly what one save
sent (the acknowledged one of that revision, or a save whose answer the kill cut off); every model
version the server acknowledged is stored with the labels its answer listed, and every version is
complete (labels, metrics, one finite prediction per item).
"""

from __future__ import annotations

import json
import threading
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from indielabel.storage.reports import Report
from indielabel.storage.store import Store

MODEL = "crash_model"
STAGING_PREFIX = ".staging-"


@dataclass
class UserLedger:
    """What one user's clients sent and what the server acknowledged."""

    user: str
    cookies: dict
    revision: int = 0  # the newest revision a saver has seen
    sent_saves: dict[int, list[list[dict]]] = field(default_factory=dict)  # expected revision -> bodies sent
    acked_saves: dict[int, list[dict]] = field(default_factory=dict)  # revision -> reports acknowledged
    acked_versions: dict[int, dict[str, float]] = field(default_factory=dict)  # version -> labels
    lock: threading.Lock = field(default_factory=threading.Lock)


def check_files(output_dir: Path) -> tuple[list[str], int]:
    """Problems with the stored files, and how many temporary files interrupted writes left behind."""
    problems, leftovers = [], 0
    for path in sorted(output_dir.rglob("*")):
        parts = path.relative_to(output_dir).parts
        if any(part.startswith(STAGING_PREFIX) for part in parts):
            leftovers += path.name.startswith(STAGING_PREFIX)
            continue
        if path.is_dir() or path.name == ".lock":
            continue
        if path.name.startswith(".") and path.name.endswith(".tmp"):
            leftovers += 1
            continue
        problem = _unreadable(path)
        if problem:
            problems.append(f"{'/'.join(parts)}: {problem}")
    return problems, leftovers


def _unreadable(path: Path) -> str | None:
    try:
        if path.suffix == ".json":
            json.loads(path.read_text(encoding="utf-8"))
        elif path.suffix == ".npy":
            np.load(path, allow_pickle=False)
        else:
            return "a file the store does not write"
    except (OSError, ValueError) as error:
        return f"unreadable ({error})"
    return None


def check_user(store: Store, ledger: UserLedger, n_items: int) -> list[str]:
    """The user's stored reports and model versions against what the server acknowledged."""
    return _check_reports(store, ledger) + _check_versions(store, ledger, n_items)


def _check_reports(store: Store, ledger: UserLedger) -> list[str]:
    revision, stored = store.load_reports(ledger.user, None)  # one list of reports per user
    newest_acked = max(ledger.acked_saves, default=0)
    content = _comparable(stored)
    if revision < newest_acked:
        return [f"{ledger.user}: reports at revision {revision}, but revision {newest_acked} was acknowledged"]
    if revision in ledger.acked_saves and content != _comparable(ledger.acked_saves[revision]):
        return [f"{ledger.user}: revision {revision} holds other reports than the acknowledged save"]
    if revision not in ledger.acked_saves and revision > 0 and \
            content not in [_comparable(sent) for sent in ledger.sent_saves.get(revision - 1, [])]:
        return [f"{ledger.user}: revision {revision} holds reports no save sent"]
    return []


def _check_versions(store: Store, ledger: UserLedger, n_items: int) -> list[str]:
    problems = []
    versions = store.history(ledger.user, MODEL)
    numbers = [version.number for version in versions]
    newest_acked = max(ledger.acked_versions, default=0)
    if numbers != list(range(1, len(numbers) + 1)) or len(numbers) < newest_acked:
        problems.append(f"{ledger.user}: versions {numbers}, but version {newest_acked} was acknowledged")
    stored_labels = {version.number: version.labels for version in versions}
    for number, labels in ledger.acked_versions.items():
        expected = {int(item_id): float(rating) for item_id, rating in labels.items()}
        if stored_labels.get(number) != expected:
            problems.append(f"{ledger.user}: version {number} does not hold its acknowledged labels")
    for number in numbers:
        predictions = store.load_predictions(ledger.user, MODEL, number)
        if predictions.shape != (n_items,) or not np.isfinite(predictions).all():
            problems.append(f"{ledger.user}: version {number} has {predictions.shape} predictions, not {n_items}")
    return problems


# Fields the server sets on every saved report: the submission state and the model it was started with.
SERVER_FIELDS = {"submission", "model", "model_version"}


def _comparable(reports: list[dict]) -> list[dict]:
    """Reports as the client wrote them: validated, without the state the server owns."""
    return [Report.model_validate(report).model_dump(mode="json", exclude=SERVER_FIELDS) for report in reports]
