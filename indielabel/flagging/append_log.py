"""The file under every built-in flag log: records appended under a cross-process lock, a tally of
them, and an index of each user's records, all three kept in step under that one lock.

A log is read and written as bytes, so whatever a flag holds (any length, `\\r\\n`, a lone `\\r`,
U+2028, U+2029, U+0085) comes back exactly. Records end at a `\\n` outside double quotes, which is
true of CSV as Python writes it and of JSON lines (JSON escapes every newline inside a string).

Beside `dataset1.csv` live `.dataset1.csv.lock`, `.dataset1.csv.count` (records and byte size) and
`.dataset1.csv.users/` (per user, the byte spans of their records). When the recorded size is not
the file's size (a crash mid-write, an edit by hand, a lost or damaged tally) the log is scanned once
and tally and index are rebuilt from it; nothing the tally or index hold is ever needed to append.
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

from filelock import FileLock

# Waiting longer than this for a log means something is wrong; filelock raises a TimeoutError.
LOCK_TIMEOUT_SECONDS = 30
_QUOTE, _LINE_END = ord('"'), b"\n"


@dataclass(frozen=True)
class Span:
    """Where one record lies in the log: its byte offset and length (line end included)."""

    offset: int
    length: int


def record_spans(data: bytes) -> Iterator[Span]:
    """The records of `data`: pieces ending at a `\\n` with an even number of `"` before it in the record.

    Blank lines are not records. A last piece without its line end (a write cut short) is one.
    """
    start, quotes, position = 0, 0, 0
    while position < len(data):
        end = data.find(_LINE_END, position)
        end = len(data) - 1 if end < 0 else end
        quotes += data.count(_QUOTE, position, end + 1)
        position = end + 1
        if quotes % 2 == 0 or position == len(data):
            if data[start:position].strip():
                yield Span(start, position - start)
            start, quotes = position, 0


# Given the log's records (as bytes, first to last), the user each belongs to (None for no one).
UsersOf = Callable[[list[bytes]], list[str | None]]


class AppendLog:
    """A log file that records are only appended to, with its record count and per-user index beside it."""

    def __init__(self, path: Path | str, users_of: UsersOf | None = None):
        self.path = Path(path)
        self.lock = FileLock(self._hidden("lock"), timeout=LOCK_TIMEOUT_SECONDS)
        self._tally_path = self._hidden("count")
        self._index_dir = self._hidden("users")
        self._users_of = users_of

    def _hidden(self, suffix: str) -> Path:
        return self.path.with_name(f".{self.path.name}.{suffix}")

    def append(self, record: str, user: str | None = None,
               unless: Callable[[list[bytes]], bool] | None = None) -> int | None:
        """Append one record (text ending in a line end) and return the records now in the file.

        With `unless`, the record is appended only if `unless(user's records so far)` is false; when it
        is true nothing is written and None comes back. Checking and appending hold one lock.
        """
        data = record.encode("utf-8")
        with self.lock:
            size, records = self._checked_tally()
            if unless is not None and unless(self._read_spans(self._user_spans(user))):
                return None
            ending = self._unfinished_ending(size)
            _append_durably(self.path, ending + data, size)
            if user is not None and self._users_of is not None:
                self._add_to_index(user, [Span(size + len(ending), len(data))])
            self._write_tally(records + 1, size + len(ending) + len(data))
        return records + 1

    def read_bytes(self) -> bytes:
        """The whole log as it stands between two appends."""
        with self.lock:
            return self.path.read_bytes() if self.path.exists() else b""

    def records_of(self, user: str) -> list[bytes]:
        """The records of one user, oldest first, read through the index (not by scanning the log)."""
        with self.lock:
            if not self.path.exists():
                return []
            self._checked_tally()
            return self._read_spans(self._user_spans(user))

    def first_record(self) -> bytes | None:
        """The first record (a CSV log's header) without reading the rest of the log."""
        with self.lock:
            if not self.path.exists():
                return None
            with open(self.path, "rb") as file:
                data = b""
                while chunk := file.read(1 << 16):
                    data += chunk
                    span = next(record_spans(data), None)
                    if span is not None and span.offset + span.length < len(data):
                        return data[span.offset:span.offset + span.length]
                span = next(record_spans(data), None)
                return data[span.offset:span.offset + span.length] if span else None

    def _checked_tally(self) -> tuple[int, int]:
        """The log's size and record count, rebuilding tally and index when they are out of step."""
        size = self.path.stat().st_size if self.path.exists() else 0
        records = self._recorded_count(size)
        if records is None:
            records = self._rebuild(size)
        return size, records

    def _recorded_count(self, size: int) -> int | None:
        try:
            tally = json.loads(self._tally_path.read_text(encoding="utf-8"))
        except (OSError, ValueError):
            return None
        if not isinstance(tally, dict) or tally.get("bytes") != size:
            return None
        records = tally.get("records")
        return records if isinstance(records, int) and records >= 0 else None

    def _rebuild(self, size: int) -> int:
        data = self.path.read_bytes()[:size] if size else b""
        spans = list(record_spans(data))
        shutil.rmtree(self._index_dir, ignore_errors=True)
        if self._users_of is not None and spans:
            users = self._users_of([data[span.offset:span.offset + span.length] for span in spans])
            by_user: dict[str, list[Span]] = {}
            for span, user in zip(spans, users):
                if user is not None:
                    by_user.setdefault(user, []).append(span)
            for user, user_spans in by_user.items():
                self._add_to_index(user, user_spans)
        self._write_tally(len(spans), size)
        return len(spans)

    def _index_file(self, user: str) -> Path:
        # A digest names the file, so any user name is a safe file name.
        return self._index_dir / hashlib.sha256(user.encode("utf-8")).hexdigest()[:40]

    def _add_to_index(self, user: str, spans: list[Span]) -> None:
        self._index_dir.mkdir(exist_ok=True)
        with open(self._index_file(user), "a", encoding="ascii") as file:
            file.write("".join(f"{span.offset} {span.length}\n" for span in spans))

    def _user_spans(self, user: str | None) -> list[Span]:
        if user is None or self._users_of is None:
            return []
        try:
            lines = self._index_file(user).read_text(encoding="ascii").split()
        except (OSError, ValueError):
            return []
        numbers = [int(value) for value in lines if value.isdigit()]
        return [Span(offset, length) for offset, length in zip(numbers[::2], numbers[1::2])]

    def _read_spans(self, spans: list[Span]) -> list[bytes]:
        if not spans:
            return []
        with open(self.path, "rb") as file:
            records = []
            for span in spans:
                file.seek(span.offset)
                records.append(file.read(span.length))
            return records

    def _write_tally(self, records: int, size: int) -> None:
        # Only a cache: when it cannot be written, the next append sees a stale size and counts again.
        scratch = self._tally_path.with_name(self._tally_path.name + ".tmp")
        try:
            scratch.write_text(json.dumps({"records": records, "bytes": size}), encoding="utf-8")
            os.replace(scratch, self._tally_path)
        except OSError:
            pass

    def _unfinished_ending(self, size: int) -> bytes:
        """What ends a last record cut short (by a crash), so the next record starts on its own.

        A record cut inside quotes gets its quote closed too; else every later record would read as
        part of it. It stays unreadable, and is reported as such, but hides nothing after it.
        """
        if not size:
            return b""
        with open(self.path, "rb") as file:
            file.seek(-1, os.SEEK_END)
            if file.read(1) == _LINE_END:
                return b""
        data = self.path.read_bytes()
        last = list(record_spans(data))[-1]
        quotes = data.count(_QUOTE, last.offset)
        return b'"' + _LINE_END if quotes % 2 else _LINE_END


def _append_durably(path: Path, data: bytes, size_before: int) -> None:
    """Append ``data`` and fsync it; when that fails part way (disk full, a read-only disk) the file
    is cut back to ``size_before``, so a failed flag leaves no partial row behind."""
    with open(path, "ab", buffering=0) as file:
        try:
            unwritten = memoryview(data)
            while unwritten:
                unwritten = unwritten[file.write(unwritten):]
            os.fsync(file.fileno())
        except OSError:
            file.truncate(size_before)
            raise
