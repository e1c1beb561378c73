"""Rate limits shared by every worker process: how often one key (a client address, a user) may act.

Each limit allows ``limit`` actions per ``period_seconds``, in bursts of up to ``limit``, and refills
steadily (the generic cell rate algorithm: one row per key holding the time at which its allowance
is next back to full). The rows live in one SQLite file beside the user data, updated in a write
transaction, so the worker processes of `make serve` share one count instead of allowing one each.

When the file cannot be written (a read-only or full disk), the limit lets the action through and
logs why: the action's own write then fails with the storage error that says what is wrong.
"""

from __future__ import annotations

import logging
import sqlite3
import threading
import time
from dataclasses import dataclass
from pathlib import Path

from indielabel.errors import RateLimitedError

DATABASE_FILE_NAME = ".rate_limits.sqlite3"
BUSY_TIMEOUT_SECONDS = 5
logger = logging.getLogger("indielabel")


@dataclass(frozen=True)
class Limit:
    """``limit`` actions per ``period_seconds``; a limit of 0 is no limit."""

    limit: int
    period_seconds: float

    @property
    def interval(self) -> float:
        return self.period_seconds / self.limit


class RateLimits:
    """Named limits (e.g. ``"flags"``) and the counts of every key under them."""

    def __init__(self, directory: Path, limits: dict[str, Limit], clock=time.time):
        self.path = Path(directory) / DATABASE_FILE_NAME
        self.limits = {name: limit for name, limit in limits.items() if limit.limit > 0}
        self._clock = clock
        self._local = threading.local()

    def take(self, name: str, key: str, what: str) -> None:
        """Count one action of ``key`` under limit ``name``; RateLimitedError when it has none left.

        ``what`` names the action for the person refused ("new users from one address").
        """
        limit = self.limits.get(name)
        if limit is None:
            return
        try:
            wait = self._take(name, key, limit)
        except sqlite3.Error as error:
            logger.warning("rate limit %s not applied: %s", name, error)
            return
        if wait > 0:
            raise RateLimitedError(f"too many {what}: at most {limit.limit} per {_duration(limit.period_seconds)}; "
                                   f"try again in {_duration(wait)}", detail={"retry_after_seconds": _whole(wait)})

    def _take(self, name: str, key: str, limit: Limit) -> float:
        """Seconds until the action would be allowed (0: allowed, and counted)."""
        now = self._clock()
        connection = self._connection()
        with connection:
            connection.execute("BEGIN IMMEDIATE")
            row = connection.execute("SELECT full_at FROM allowance WHERE name = ? AND key = ?",
                                     (name, key)).fetchone()
            full_at = max(row[0] if row else now, now)
            wait = full_at + limit.interval - now - limit.period_seconds
            if wait > 0:
                return wait
            connection.execute("INSERT OR REPLACE INTO allowance (name, key, full_at) VALUES (?, ?, ?)",
                               (name, key, full_at + limit.interval))
            # Keys back to a full allowance carry nothing: dropping them bounds the file.
            connection.execute("DELETE FROM allowance WHERE full_at < ?", (now,))
        return 0.0

    def _connection(self) -> sqlite3.Connection:
        # One connection per thread: a connection must not be used by two threads at once.
        connection = getattr(self._local, "connection", None)
        if connection is None:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            connection = sqlite3.connect(self.path, timeout=BUSY_TIMEOUT_SECONDS, isolation_level=None)
            connection.execute("PRAGMA journal_mode=WAL")
            connection.execute("CREATE TABLE IF NOT EXISTS allowance (name TEXT, key TEXT, full_at REAL, "
                               "PRIMARY KEY (name, key))")
            connection.execute("CREATE INDEX IF NOT EXISTS allowance_full_at ON allowance (full_at)")
            self._local.connection = connection
        return connection


def _whole(seconds: float) -> int:
    return max(1, int(seconds + 0.999))


def _duration(seconds: float) -> str:
    whole = _whole(seconds)
    if whole % 3600 == 0:
        return f"{whole // 3600} hour" + ("s" if whole > 3600 else "")
    if whole % 60 == 0:
        return f"{whole // 60} minute" + ("s" if whole > 60 else "")
    return f"{whole} second" + ("s" if whole > 1 else "")
