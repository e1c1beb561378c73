"""A user's probes: the comments they wrote to try the system, kept with their data as a history.

``<user>/probes.json`` holds ``{"next_id": int, "probes": [...]}``, newest last, at most
``MAX_PROBES`` (the oldest go first). Ids are never reused, so a flag or an evidence item that names
a probe never comes to name another. Written atomically under ``<user>/.probes.lock``.
"""

from __future__ import annotations

import json
from pathlib import Path

from filelock import FileLock

from indielabel.storage.atomic_files import ensure_dir, write_json_atomic
from indielabel.storage.names import validate_name
from indielabel.storage.store import LOCK_TIMEOUT_SECONDS, StoreError

MAX_PROBES = 200


class ProbeHistory:
    def __init__(self, root: Path):
        self.root = Path(root)

    def add(self, user: str, probe: dict) -> dict:
        """Keep ``probe`` (a JSON object) in the user's history; it comes back with its ``probe_id``."""
        path = self._path(user)
        ensure_dir(path.parent)
        with FileLock(path.with_name(".probes.lock"), timeout=LOCK_TIMEOUT_SECONDS):
            document = self._read(path)
            kept = {**probe, "probe_id": document["next_id"]}
            probes = [*document["probes"], kept][-MAX_PROBES:]
            write_json_atomic(path, {"next_id": document["next_id"] + 1, "probes": probes})
        return kept

    def all(self, user: str) -> list[dict]:
        """The user's probes, newest first."""
        return list(reversed(self._read(self._path(user))["probes"]))

    def by_id(self, user: str) -> dict[int, dict]:
        return {probe["probe_id"]: probe for probe in self._read(self._path(user))["probes"]}

    def _path(self, user: str) -> Path:
        return self.root / validate_name(user, "user") / "probes.json"

    def _read(self, path: Path) -> dict:
        try:
            document = json.loads(path.read_text(encoding="utf-8"))
        except FileNotFoundError:
            return {"next_id": 1, "probes": []}
        except (OSError, ValueError) as error:
            raise StoreError(f"{path.parent.name}/probes.json: not a readable JSON file ({error})") from error
        if not isinstance(document, dict):
            document = {}
        next_id, probes = document.get("next_id"), document.get("probes")
        if not isinstance(next_id, int) or not isinstance(probes, list) \
                or not all(isinstance(probe, dict) and isinstance(probe.get("probe_id"), int) for probe in probes):
            raise StoreError(f"{path.parent.name}/probes.json: expected {{\"next_id\": int, \"probes\": [...]}}")
        return document
