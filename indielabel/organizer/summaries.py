"""One summary per auditor, and the index that keeps them current without rereading everyone's files.

A summary holds what the organizer's pages show of one auditor: when they were created and whether by
a study link, their models and versions, how many labels they gave, their reports by state and the
topics each report is about, and, for their current model (the non-group model updated last), the
share of each topic's comments the system gets wrong for them in each direction; in memory only,
also their optional self-description (never written to the index's files).

The index keeps every summary in memory and in ``<cache_dir>/<user>.json`` beside the *signature* of
the files it was made from (size and modification time of ``user.json``, ``profile.json``, each
``model.json`` and each ``reports.json``). Every store write replaces one of those files, so a changed signature is a
changed auditor: a page load stats a few files per auditor and rereads only those that changed.
Several server processes each keep their own index over the same files, and stay correct.
"""

from __future__ import annotations

import json
import logging
import os
import threading
from collections import Counter
from collections.abc import Callable
from pathlib import Path

import numpy as np
from pydantic import ValidationError

from indielabel.storage import profiles
from indielabel.storage.names import NAME_PATTERN
from indielabel.storage.reports import Report, is_complete
from indielabel.storage.store import Store, StoreError

logger = logging.getLogger("indielabel")
REPORT_FILE, MODEL_FILE, USER_FILE = "reports.json", "model.json", "user.json"
GROUP_KIND = "group"
# Set in user.json when the organizers give the user a study link (indielabel.web.ownership).
STUDY_LINK_FIELD = "study_link_at"
# The self-description is kept in memory only: it stays in the user's own folder (storage.profiles).
PROFILE = "profile"
# Topic -> (over-sensitive share, under-sensitive share) of one model's predictions.
TopicFailures = Callable[[np.ndarray], dict[str, list[float]]]


def signature(user_dir: str) -> list:
    """[name, size, mtime] of every file a summary is made from; changes whenever the store writes one.

    Plain strings and os calls: this runs for every auditor on every page load.
    """
    names = [USER_FILE, REPORT_FILE, profiles.PROFILE_FILE_NAME]
    try:
        names += [f"models/{model}/{name}" for model in sorted(os.listdir(f"{user_dir}/models"))
                  for name in (MODEL_FILE, REPORT_FILE)]
    except FileNotFoundError:
        pass
    parts = []
    for name in names:
        try:
            status = os.stat(f"{user_dir}/{name}")
        except FileNotFoundError:
            continue
        parts.append([name, status.st_size, status.st_mtime_ns])
    return parts


def summarise(store: Store, user: str, topic_failures: TopicFailures) -> dict:
    """The summary of one auditor, read from their files."""
    record = store.user_record(user) or {}
    models = [_model_summary(store, user, name) for name in store.list_models(user)]
    current = max((model for model in models if model["kind"] != GROUP_KIND),
                  key=lambda model: model["updated_at"] or "", default=None)
    reports = [_report_summary(model, report) for model in (None, *store.list_models(user))
               for report in stored_reports(store, user, model)]
    failures = {}
    if current is not None:
        failures = topic_failures(store.load_predictions(user, current["name"], current["versions"]))
    return {
        "user": user,
        "created_at": record.get("created_at"),
        "study_link": bool(record.get(STUDY_LINK_FIELD)),
        "models": models,
        "n_labels": max((model["n_labels"] for model in models if model["kind"] != GROUP_KIND), default=0),
        "current_model": current and current["name"],
        "current_version": current and current["versions"],
        "reports": reports,
        "reported_topics": sorted({topic for report in reports for topic in report["topics"]}),
        "report_states": dict(Counter(report["state"] for report in reports)),
        "topic_failures": failures,
        PROFILE: profiles.read(store, user),
    }


def _model_summary(store: Store, user: str, name: str) -> dict:
    info = store.model_info(user, name) or {}
    latest = store.latest_version(user, name)
    return {"name": name, "kind": info.get("kind", "personal"), "updated_at": info.get("updated_at"),
            "versions": latest.number if latest else 0, "n_labels": len(latest.labels) if latest else 0}


def stored_reports(store: Store, user: str, model: str | None) -> list[Report]:
    reports = []
    for document in store.load_reports(user, model)[1]:
        try:
            reports.append(Report.model_validate(document))
        except ValidationError as error:
            raise StoreError(f"a stored report of user {user!r} is not valid: {error}") from error
    return reports


def report_state(report: Report) -> str:
    """submitted, queued or failed (its AVID state) once sent; else complete or draft."""
    if report.submission.state != "draft":
        return report.submission.state
    return "complete" if is_complete(report) else "draft"


def _report_summary(model: str | None, report: Report) -> dict:
    topics = sorted({entry.topic for entry in report.evidence})
    return {"id": report.id, "model": model, "title": report.title, "error_type": report.error_type,
            "state": report_state(report), "topics": topics, "n_evidence": len(report.evidence)}


class SummaryIndex:
    """Every auditor's summary, reread only for auditors whose files changed since the last look."""

    def __init__(self, store: Store, cache_dir: Path, topic_failures: TopicFailures):
        self.store = store
        self.cache_dir = Path(cache_dir)
        self.topic_failures = topic_failures
        self._entries: dict[str, dict] = {}
        self._lock = threading.Lock()

    def summaries(self) -> list[dict]:
        """Every auditor's current summary, by user id; an auditor whose files cannot be read is logged
        and left out, so one damaged file does not hide everyone else's work."""
        with self._lock:
            users = self._users()
            for user in users:
                try:
                    self._refresh(user)
                except StoreError as error:
                    logger.error("leaving user %s out of the organizer's summaries: %s", user, error)
                    self._entries.pop(user, None)
            for gone in set(self._entries) - set(users):
                del self._entries[gone]
            return [self._entries[user]["summary"] for user in users if user in self._entries]

    def _users(self) -> list[str]:
        try:
            return sorted(entry.name for entry in os.scandir(self.store.root)
                          if entry.is_dir() and NAME_PATTERN.fullmatch(entry.name))
        except FileNotFoundError:
            return []

    def _refresh(self, user: str) -> None:
        current = signature(f"{self.store.root}/{user}")
        if not current or current[0][0] != USER_FILE:
            self._entries.pop(user, None)  # a directory the store made but no user yet
            return
        entry = self._entries.get(user) or self._cached(user)
        if entry is not None and entry["signature"] == current and PROFILE not in entry["summary"]:
            entry["summary"][PROFILE] = profiles.read(self.store, user)
        if entry is None or entry["signature"] != current:
            entry = {"signature": current, "summary": summarise(self.store, user, self.topic_failures)}
            self._keep(user, entry)
        self._entries[user] = entry

    def _keep(self, user: str, entry: dict) -> None:
        """Write the entry for the next process; a cache, so written atomically but not synced."""
        self.cache_dir.mkdir(parents=True, exist_ok=True)
        staging = self.cache_dir / f".{user}.json.{os.getpid()}.{threading.get_ident()}"
        kept = {**entry, "summary": {key: value for key, value in entry["summary"].items() if key != PROFILE}}
        staging.write_text(json.dumps(kept), encoding="utf-8")
        os.replace(staging, self.cache_dir / f"{user}.json")

    def _cached(self, user: str) -> dict | None:
        """The entry a previous process left, or None when there is none or it is unreadable."""
        try:
            entry = json.loads((self.cache_dir / f"{user}.json").read_text(encoding="utf-8"))
        except (FileNotFoundError, ValueError, UnicodeDecodeError):
            return None
        return entry if isinstance(entry, dict) and {"signature", "summary"} <= entry.keys() else None
