"""Per-user state on disk: model versions (labels, metrics, predictions) and audit reports.

Layout under the root directory (e.g. ``data/output``)::

    <user>/user.json                                  {"user", "created_at"} and who owns the user
    <user>/reports.json                               reports written while auditing without a model
    <user>/profile.json                               what the user said about themselves (optional)
    <user>/models/<model>/model.json                  {"name", "kind", "parent", "topic", "group", ...}
    <user>/models/<model>/versions/<n>/labels.json    {"<item_id>": rating}
    <user>/models/<model>/versions/<n>/metrics.json   cv_mae, band, system metrics, n_labels, created_at
    <user>/models/<model>/versions/<n>/predictions.npy  float32, one per item in dataset order
    <user>/models/<model>/reports.json                {"revision": int, "reports": [...]}

User and model names are validated before any path is built. Every write holds the user's lock
(``<user>/.lock``, a file lock, so it also excludes other worker processes) and lands atomically:
files are written beside their target, fsynced and renamed into place; a version is staged as a
whole directory and renamed into place, so a reader sees either all of it or none of it. Reads take
no lock. A file that is not what this module wrote is reported as a :class:`StoreError` naming it,
never silently replaced.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import tempfile
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import numpy as np
from filelock import FileLock
from filelock import Timeout as LockTimeout

from indielabel.storage.atomic_files import (
    ensure_dir,
    flush_and_sync,
    fsync_dir,
    write_json_atomic,
    write_synced,
)
from indielabel.storage.names import NAME_PATTERN, validate_name
from indielabel.storage.versions import NewVersion, Version, VersionContent, check_reports, mapping, now_iso

LOCK_FILE_NAME = ".lock"
LOCK_TIMEOUT_SECONDS = 30.0
STAGING_PREFIX = ".staging-"
VERSION_DIR_NAME = re.compile(r"[1-9][0-9]*")


class StoreError(Exception):
    """A stored file that cannot be read as this module wrote it; the message names the file."""


class StoreBusy(StoreError):
    """The user's lock stayed taken for longer than the timeout."""


class NotFound(LookupError):
    """An unknown user, model or version."""


class StaleRevision(Exception):
    """A save based on an older revision of the reports; carries what is stored now."""

    def __init__(self, current_revision: int, current_reports: list[dict]):
        super().__init__(f"reports are at revision {current_revision}; reload before saving")
        self.current_revision = current_revision
        self.current_reports = current_reports


class Store:
    def __init__(self, root: Path, lock_timeout: float = LOCK_TIMEOUT_SECONDS):
        self.root = Path(root)
        self.lock_timeout = lock_timeout

    # Users

    def ensure_user(self, user) -> None:
        """Create the user's directory and user.json unless they exist."""
        with self._locked(user):
            self._create_user_record(user)

    def user_exists(self, user) -> bool:
        return (self._user_dir(user) / "user.json").is_file()

    def has_saved_work(self, user) -> bool:
        """Whether the user has a trained model or a saved report (not merely an id)."""
        return bool(self.list_models(user)) or any(self._user_dir(user).glob("**/reports.json"))

    def user_record(self, user) -> dict | None:
        """The user's user.json, or None for an unknown user."""
        path = self._user_dir(user) / "user.json"
        document = self._read_json(path)
        if document is not None and not isinstance(document, dict):
            raise StoreError(f"{self._shown(path)}: expected a JSON object")
        return document

    def update_user_record(self, user, change: Callable[[dict | None], dict]) -> dict:
        """Replace user.json with ``change(current)`` under the user's lock and return what was written.

        ``change`` gets None for a user that does not exist yet, which this creates. The store keeps
        ``user`` and ``created_at`` itself; nothing is written when ``change`` raises.
        """
        path = self._user_dir(user) / "user.json"
        with self._locked(user):
            current = self.user_record(user)
            document = mapping(change(None if current is None else dict(current)), "user record")
            document.update(user=user, created_at=(current or {}).get("created_at") or now_iso())
            write_json_atomic(path, document)
        return document

    def list_users(self) -> list[str]:
        """Every user with a user.json, sorted."""
        if not self.root.is_dir():
            return []
        return sorted(entry.name for entry in self.root.iterdir()
                      if NAME_PATTERN.fullmatch(entry.name) and (entry / "user.json").is_file())

    def user_document(self, user, name: str) -> Any:
        """A JSON document kept beside user.json (``<user>/<name>``); None when there is none."""
        return self._read_json(self._user_dir(user) / name)

    def write_user_document(self, user, name: str, document) -> None:
        """Replace ``<user>/<name>`` atomically under the user's lock, creating the user if needed."""
        with self._locked(user):
            self._create_user_record(user)
            write_json_atomic(self._user_dir(user) / name, document)

    def delete_user_document(self, user, name: str) -> bool:
        """Remove ``<user>/<name>`` for good; False when there was none."""
        path = self._user_dir(user) / name
        if not path.exists():
            return False
        with self._locked(user):
            try:
                path.unlink()
            except FileNotFoundError:
                return False
            fsync_dir(path.parent)
        return True

    # Models and versions

    def list_models(self, user) -> list[str]:
        """Names of the user's models that have at least one version, sorted; [] for an unknown user."""
        models_dir = self._user_dir(user) / "models"
        if not models_dir.is_dir():
            return []
        return sorted(entry.name for entry in models_dir.iterdir()
                      if NAME_PATTERN.fullmatch(entry.name) and (entry / "model.json").is_file())

    def model_info(self, user, model) -> dict | None:
        path = self._model_dir(user, model) / "model.json"
        document = self._read_json(path)
        if document is not None and not isinstance(document, dict):
            raise StoreError(f"{self._shown(path)}: expected a JSON object")
        return document

    def add_version(self, user, model, labels: dict[int, float], metrics: dict,
                    predictions: np.ndarray, info: dict) -> int:
        """Store a new version of ``model`` and return its number (1, 2, 3, ... without gaps).

        ``info`` (kind, parent, topic, group, and anything else worth keeping) is merged into
        model.json; the store sets ``name``, ``created_at`` and ``updated_at`` itself.
        """
        content = VersionContent.checked(NewVersion(labels, metrics, predictions), info)
        with self._locked(user):
            return self._write_version(user, model, content)

    def add_derived_version(self, user, model, derive: Callable[[Version | None], NewVersion],
                            info: dict) -> tuple[int, NewVersion]:
        """Store a new version computed by ``derive`` from the newest one (None when there is none).

        ``derive`` runs under the user's lock, so versions derived at the same time (two trainings
        that each fold in their own new labels) each see the other's result instead of losing it.
        Returns the new version's number and what ``derive`` computed; nothing is written when it raises.
        """
        with self._locked(user):
            derived = derive(self.latest_version(user, model))
            number = self._write_version(user, model, VersionContent.checked(derived, info))
        return number, derived

    def latest_version(self, user, model) -> Version | None:
        """The newest version with its labels and metrics; None when the model has no version."""
        model_dir = self._model_dir(user, model)
        numbers = self._version_numbers(model_dir)
        return self._read_version(model_dir, numbers[-1]) if numbers else None

    def history(self, user, model) -> list[Version]:
        """Every version of the model, oldest first. Raises NotFound for an unknown model."""
        model_dir = self._model_dir(user, model)
        numbers = self._version_numbers(model_dir)
        if not numbers and self.model_info(user, model) is None:
            raise NotFound(f"user {user!r} has no model {model!r}")
        return [self._read_version(model_dir, number) for number in numbers]

    def load_predictions(self, user, model, version: int | None = None) -> np.ndarray:
        """The float32 predictions of one version (the newest when ``version`` is None)."""
        model_dir = self._model_dir(user, model)
        if version is None:
            numbers = self._version_numbers(model_dir)
            if not numbers:
                raise NotFound(f"user {user!r} has no model {model!r}")
            version = numbers[-1]
        elif isinstance(version, bool) or not isinstance(version, (int, np.integer)) or version < 1:
            raise ValueError(f"version must be a positive integer, not {version!r}")
        path = model_dir / "versions" / str(int(version)) / "predictions.npy"
        try:
            array = np.load(path, allow_pickle=False)
        except FileNotFoundError:
            raise NotFound(f"model {model!r} of user {user!r} has no version {version}") from None
        except (OSError, ValueError) as error:
            raise StoreError(f"{self._shown(path)}: not a readable array ({error})") from error
        if array.dtype != np.float32 or array.ndim != 1:
            raise StoreError(f"{self._shown(path)}: expected a 1-D float32 array, "
                             f"found {array.ndim}-D {array.dtype}")
        return array

    # Reports

    def load_reports(self, user, model: str | None) -> tuple[int, list[dict]]:
        """(revision, reports) of the user's model, or of the user when ``model`` is None.

        (0, []) when nothing was saved yet; NotFound for an unknown model.
        """
        path = self._reports_path(user, model)
        if model is not None:
            self._require_model(user, model)
        return self._read_reports(path)

    def save_reports(self, user, model: str | None, reports: list[dict], expected_revision: int) -> int:
        """Replace the reports if they are still at ``expected_revision``; return the new revision.

        Raises StaleRevision, and writes nothing, when someone saved in between.
        """
        path = self._reports_path(user, model)
        check_reports(reports)
        if isinstance(expected_revision, bool) or not isinstance(expected_revision, int) \
                or expected_revision < 0:
            raise ValueError(f"expected_revision must be a non-negative integer, not {expected_revision!r}")
        with self._locked_for_reports(user, model):
            revision, current_reports = self._read_reports(path)
            if expected_revision != revision:
                raise StaleRevision(revision, current_reports)
            write_json_atomic(path, {"revision": revision + 1, "reports": reports})
        return revision + 1

    def update_reports(self, user, model: str | None,
                       change: Callable[[list[dict]], list[dict]]) -> tuple[int, list[dict]]:
        """Apply ``change`` to the stored reports under the lock and save the result as a new revision.

        Nothing is written when ``change`` raises.
        """
        path = self._reports_path(user, model)
        with self._locked_for_reports(user, model):
            revision, current_reports = self._read_reports(path)
            changed_reports = change(current_reports)
            check_reports(changed_reports)
            write_json_atomic(path, {"revision": revision + 1, "reports": changed_reports})
        return revision + 1, changed_reports

    def _write_version(self, user, model, content: VersionContent) -> int:
        """Stage a version directory and rename it into place (the caller holds the user's lock)."""
        model_dir = self._model_dir(user, model)
        self._create_user_record(user)
        model_document = self.model_info(user, model) or {"created_at": now_iso()}
        versions_dir = model_dir / "versions"
        ensure_dir(versions_dir)
        _remove_abandoned_staging(versions_dir)
        number = max(self._version_numbers(model_dir), default=0) + 1
        staging_dir = Path(tempfile.mkdtemp(prefix=STAGING_PREFIX, dir=versions_dir))
        write_synced(staging_dir / "labels.json", content.labels_text.encode("utf-8"))
        write_synced(staging_dir / "metrics.json", content.metrics_text.encode("utf-8"))
        with open(staging_dir / "predictions.npy", "wb") as stream:
            np.save(stream, content.predictions, allow_pickle=False)
            flush_and_sync(stream)
        fsync_dir(staging_dir)
        os.replace(staging_dir, versions_dir / str(number))
        fsync_dir(versions_dir)

        model_document.update(content.info)
        model_document.update(name=model, updated_at=now_iso())
        write_json_atomic(model_dir / "model.json", model_document)
        return number

    # Paths, locking and reading

    def _user_dir(self, user) -> Path:
        return self.root / validate_name(user, "user")

    def _model_dir(self, user, model) -> Path:
        return self._user_dir(user) / "models" / validate_name(model, "model")

    def _reports_path(self, user, model: str | None) -> Path:
        directory = self._user_dir(user) if model is None else self._model_dir(user, model)
        return directory / "reports.json"

    def _shown(self, path: Path) -> str:
        """A stored file's path relative to the root: enough to find it, without the server's layout."""
        return path.relative_to(self.root).as_posix()

    @contextmanager
    def _locked(self, user) -> Iterator[None]:
        user_dir = self._user_dir(user)
        ensure_dir(user_dir)
        lock = FileLock(user_dir / LOCK_FILE_NAME, timeout=self.lock_timeout)
        try:
            lock.acquire()
        except LockTimeout as error:
            raise StoreBusy(f"user {user!r} is busy; try again") from error
        try:
            yield
        finally:
            lock.release()

    @contextmanager
    def _locked_for_reports(self, user, model: str | None) -> Iterator[None]:
        # Checked before locking so that a write to an unknown model creates no directory; models
        # are never deleted, so the answer still holds once the lock is taken.
        if model is not None:
            self._require_model(user, model)
        with self._locked(user):
            if model is None:
                self._create_user_record(user)
            yield

    def _create_user_record(self, user) -> None:
        path = self._user_dir(user) / "user.json"
        if not path.exists():
            write_json_atomic(path, {"user": user, "created_at": now_iso()})

    def _require_model(self, user, model) -> None:
        model_dir = self._model_dir(user, model)
        if not (model_dir / "model.json").is_file() and not self._version_numbers(model_dir):
            raise NotFound(f"user {user!r} has no model {model!r}")

    def _version_numbers(self, model_dir: Path) -> list[int]:
        try:
            names = os.listdir(model_dir / "versions")
        except FileNotFoundError:
            return []
        return sorted(int(name) for name in names if VERSION_DIR_NAME.fullmatch(name))

    def _read_version(self, model_dir: Path, number: int) -> Version:
        version_dir = model_dir / "versions" / str(number)
        labels_path, metrics_path = version_dir / "labels.json", version_dir / "metrics.json"
        labels_document = self._read_json(labels_path)
        metrics = self._read_json(metrics_path)
        if not isinstance(metrics, dict):
            raise StoreError(f"{self._shown(metrics_path)}: expected a JSON object")
        try:
            labels = {int(item_id): float(rating) for item_id, rating in labels_document.items()}
        except (AttributeError, TypeError, ValueError) as error:
            raise StoreError(f"{self._shown(labels_path)}: expected {{\"<item_id>\": rating}}") from error
        return Version(number=number, labels=labels, metrics=metrics)

    def _read_reports(self, path: Path) -> tuple[int, list[dict]]:
        document = self._read_json(path)
        if document is None:
            return 0, []
        revision = document.get("revision") if isinstance(document, dict) else None
        reports = document.get("reports") if isinstance(document, dict) else None
        if isinstance(revision, bool) or not isinstance(revision, int) or revision < 0 \
                or not isinstance(reports, list) or not all(isinstance(r, dict) for r in reports):
            raise StoreError(f"{self._shown(path)}: expected {{\"revision\": int, \"reports\": [objects]}}")
        return revision, reports

    def _read_json(self, path: Path) -> Any:
        """The parsed document, or None when the file does not exist."""
        try:
            text = path.read_text(encoding="utf-8")
        except FileNotFoundError:
            return None
        except (UnicodeDecodeError, IsADirectoryError) as error:
            raise StoreError(f"{self._shown(path)}: not a UTF-8 JSON file") from error
        try:
            return json.loads(text)
        except json.JSONDecodeError as error:
            raise StoreError(f"{self._shown(path)}: invalid JSON ({error})") from error


# Writing files atomically

def _remove_abandoned_staging(versions_dir: Path) -> None:
    """Staging directories of writers that died before renaming them (the caller holds the lock)."""
    for entry in versions_dir.iterdir():
        if entry.name.startswith(STAGING_PREFIX):
            shutil.rmtree(entry, ignore_errors=True)
