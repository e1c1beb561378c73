"""Receipts of flags recorded, by the id of the request that recorded them.

A client that sends a flag and never sees the answer (a dropped connection, a 503) sends it again with
the same request id; the flag is then not logged twice, and the answer is the first one. A receipt is
written only after its flag is durable in the log, so a receipt never stands for a flag that is not
there; a crash between the two can at worst log a retried flag twice.
"""

from __future__ import annotations

import json
import logging
import os
from collections.abc import Callable
from pathlib import Path

from filelock import FileLock

RECEIPTS_FILE_NAME = ".receipts.jsonl"
LOCK_TIMEOUT_SECONDS = 30
logger = logging.getLogger("indielabel")


class Receipts:
    def __init__(self, directory: Path):
        self.path = Path(directory) / RECEIPTS_FILE_NAME
        self.lock = FileLock(self.path.with_name(f"{RECEIPTS_FILE_NAME}.lock"), timeout=LOCK_TIMEOUT_SECONDS)

    def once(self, key: str | None, record: Callable[[], int]) -> int:
        """``record()``'s answer, run only if no request with ``key`` ran it before (None: always run)."""
        if key is None:
            return record()
        with self.lock:
            answered = self._answer_for(key)
            if answered is not None:
                return answered
            total = record()
            self._keep(key, total)
        return total

    def _answer_for(self, key: str) -> int | None:
        if not self.path.exists():
            return None
        with open(self.path, encoding="utf-8") as file:
            for line in file:
                try:
                    receipt = json.loads(line)
                except ValueError:
                    continue  # a receipt cut short by a crash stands for nothing
                if isinstance(receipt, dict) and receipt.get("key") == key:
                    return receipt.get("total")
        return None

    def _keep(self, key: str, total: int) -> None:
        # The flag is durable already: failing to keep its receipt must not turn its success into an error.
        try:
            with open(self.path, "a", encoding="utf-8") as file:
                file.write(json.dumps({"key": key, "total": total}) + "\n")
                file.flush()
                os.fsync(file.fileno())
        except OSError as error:
            logger.warning("flag recorded, but its receipt could not be kept: %s", error)
