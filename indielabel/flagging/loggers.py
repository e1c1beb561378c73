"""Flag logs after Gradio's: the `FlaggingCallback` interface and the built-in loggers.

Every built-in log is a file that rows are only ever appended to, under a cross-process file lock, so
several threads and several worker processes can flag at once without losing or interleaving rows.
Beside each log a hidden tally file keeps its record count and byte size, so `flag` answers the total
without re-reading the log; when the size disagrees (a crash mid-write, an edit by hand) the log is
counted once and the tally starts again from there.

The lock and tally files are hidden (`.dataset1.csv.lock`, `.dataset1.csv.count`) so the flagging
directory shows the organizer only the logs themselves.
"""

from __future__ import annotations

import csv
import io
import json
import math
import numbers
import os
import re
from abc import ABC, abstractmethod
from collections.abc import Callable, Sequence
from datetime import datetime, timezone
from pathlib import Path

from filelock import FileLock

# The columns CSVLogger and JSONLinesLogger add after the components.
FLAG_COLUMNS = ("flag", "username", "timestamp")
# Waiting longer than this for a log means something is wrong; filelock raises a TimeoutError.
LOCK_TIMEOUT_SECONDS = 30

# A spreadsheet runs a cell as a formula when it starts with one of these (OWASP "CSV Injection",
# plus NUL from ASVS 1.2.10). A separator or quote followed by one of them can start a new cell in
# a tool that splits the text again, so those count too.
FORMULA_TRIGGERS = "=+-@\t\r\0"
_CELL_STARTS = ",;\n\r\"'"
_FORMULA_RISK = re.compile(f"^[{re.escape(FORMULA_TRIGGERS)}]"
                           f"|[{re.escape(_CELL_STARTS)}][{re.escape(FORMULA_TRIGGERS)}]")
_PLAIN_NUMBER = re.compile(r"^[+-]?(\d+(\.\d*)?|\.\d+)([eE][+-]?\d+)?$")


class FlaggingCallback(ABC):
    """Where flags go. `setup` is called once before the first flag; `flag` once per flag."""

    @abstractmethod
    def setup(self, components: list[str], flagging_dir: Path | str) -> None:
        """Prepare to log flags whose data holds one value per component, in this order."""

    @abstractmethod
    def flag(self, flag_data: list, flag_option: str | None = None, username: str | None = None) -> int:
        """Log one flag and return the number of flags in this log so far."""


def neutralise_formula(value: str) -> str:
    """`value` with a leading `'` when a spreadsheet would otherwise run it as a formula.

    Plain numbers such as "-1.5" are left alone, and so is text that already starts with `'`
    (a spreadsheet shows it as text), which makes neutralising twice the same as once.
    """
    if value.startswith("'") or _PLAIN_NUMBER.match(value) or not _FORMULA_RISK.search(value):
        return value
    return "'" + value


def csv_cell(value) -> str | int | float:
    """One value as a safe CSV cell: numbers stay numbers, None is empty, anything else is text."""
    value = _plain_value(value)
    if value is None:
        return ""
    if isinstance(value, numbers.Number):
        return value
    if not isinstance(value, str):
        value = json.dumps(value, ensure_ascii=False, default=str)
    return neutralise_formula(value)


def csv_line(values: Sequence) -> str:
    """One CSV record (with its line end) of safe cells, text quoted as OWASP advises."""
    buffer = io.StringIO()
    csv.writer(buffer, quoting=csv.QUOTE_NONNUMERIC).writerow([csv_cell(value) for value in values])
    return buffer.getvalue()


def json_line(record: dict) -> str:
    return json.dumps({key: _plain_value(value) for key, value in record.items()},
                      ensure_ascii=False, default=str) + "\n"


def utc_timestamp() -> str:
    return datetime.now(timezone.utc).isoformat(timespec="milliseconds")


def _plain_value(value):
    """NumPy scalars as Python values, and NaN or infinity as None (JSON has no such numbers)."""
    if hasattr(value, "item") and callable(value.item) and getattr(value, "ndim", None) == 0:
        value = value.item()
    if isinstance(value, float) and not math.isfinite(value):
        return None
    return value


def count_csv_records(path: Path) -> int:
    with open(path, newline="", encoding="utf-8") as file:
        return sum(1 for _ in csv.reader(file))


def count_json_lines(path: Path) -> int:
    with open(path, encoding="utf-8") as file:
        return sum(1 for line in file if line.strip())


class AppendLog:
    """A file that records are appended to under a cross-process lock, with its count kept beside it."""

    def __init__(self, path: Path, count_records: Callable[[Path], int]):
        self.path = Path(path)
        self.lock = FileLock(self.path.with_name(f".{self.path.name}.lock"), timeout=LOCK_TIMEOUT_SECONDS)
        self._tally_path = self.path.with_name(f".{self.path.name}.count")
        self._count_records = count_records

    def append(self, record: str) -> int:
        """Append one record (text ending in a line end) and return the records now in the file."""
        data = record.encode("utf-8")
        with self.lock:
            size = self.path.stat().st_size if self.path.exists() else 0
            records = self._recorded_count(size)
            if records is None:
                records = self._count_records(self.path) if size else 0
                if size and not self._ends_with_line_end():
                    data = b"\n" + data
            _append_durably(self.path, data, size)
            records += 1
            self._write_tally(records, size + len(data))
        return records

    def read_text(self) -> str:
        """The whole log as it stands between two appends."""
        with self.lock:
            return self.path.read_text(encoding="utf-8") if self.path.exists() else ""

    def _recorded_count(self, size: int) -> int | None:
        try:
            tally = json.loads(self._tally_path.read_text(encoding="utf-8"))
        except (OSError, ValueError):
            return None
        if not isinstance(tally, dict) or tally.get("bytes") != size:
            return None
        records = tally.get("records")
        return records if isinstance(records, int) else None

    def _write_tally(self, records: int, size: int) -> None:
        # Only a cache: when it cannot be written, the next append sees a stale size and counts again.
        scratch = self._tally_path.with_name(self._tally_path.name + ".tmp")
        try:
            scratch.write_text(json.dumps({"records": records, "bytes": size}), encoding="utf-8")
            os.replace(scratch, self._tally_path)
        except OSError:
            pass

    def _ends_with_line_end(self) -> bool:
        with open(self.path, "rb") as file:
            file.seek(-1, os.SEEK_END)
            return file.read(1) == b"\n"


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


def checked_components(components: Sequence[str]) -> list[str]:
    names = list(components)
    if not names:
        raise ValueError("flagging needs at least one component")
    for name in names:
        if not isinstance(name, str) or not name.strip():
            raise ValueError(f"component names must be non-empty strings, got {name!r}")
    if len(set(names)) != len(names):
        raise ValueError(f"component names must be unique, got {names}")
    clashes = sorted(set(names) & set(FLAG_COLUMNS))
    if clashes:
        raise ValueError(f"component names {clashes} clash with the columns the log adds {list(FLAG_COLUMNS)}")
    return names


class _ComponentLog(FlaggingCallback):
    """What the built-in loggers share: the components, and a check that flag data fits them."""

    def __init__(self) -> None:
        self.components: list[str] = []
        self.log: AppendLog | None = None

    def _append(self, flag_data: list, build_record: Callable[[list], str]) -> int:
        if self.log is None:
            raise RuntimeError(f"{type(self).__name__}.setup must be called before flag")
        values = list(flag_data)
        if len(values) != len(self.components):
            raise ValueError(f"flag data has {len(values)} values but the log has {len(self.components)} "
                             f"components {self.components}")
        return self.log.append(build_record(values))


class CSVLogger(_ComponentLog):
    """The default log: `datasetN.csv` with a header of the components plus flag, username, timestamp.

    The header is fixed at setup, so every row has every column whatever a flag carries. Setup
    appends to the newest `datasetN.csv` when its header is the same, else starts `dataset(N+1).csv`
    (`dataset1.csv` when there is none), so changing the components never garbles an old log.
    """

    def setup(self, components: list[str], flagging_dir: Path | str) -> None:
        self.components = checked_components(components)
        directory = Path(flagging_dir)
        directory.mkdir(parents=True, exist_ok=True)
        header = [*self.components, *FLAG_COLUMNS]
        # One process at a time decides which file to use, so racing set-ups agree on it.
        with FileLock(directory / ".datasets.lock", timeout=LOCK_TIMEOUT_SECONDS):
            newest = _newest_dataset_file(directory)
            if newest is not None and _header_of(newest) == _header_of_line(csv_line(header)):
                self.log = AppendLog(newest, count_csv_records)
                return
            number = _dataset_number(newest) + 1 if newest is not None else 1
            self.log = AppendLog(directory / f"dataset{number}.csv", count_csv_records)
            self.log.append(csv_line(header))

    @property
    def dataset_file(self) -> Path | None:
        return self.log.path if self.log else None

    def flag(self, flag_data: list, flag_option: str | None = None, username: str | None = None) -> int:
        def build(values: list) -> str:
            return csv_line([*values, flag_option, username, utc_timestamp()])

        return self._append(flag_data, build) - 1  # the header is a record too


class SimpleCSVLogger(_ComponentLog):
    """`log.csv` with one row of component values per flag and no header, like Gradio's.

    It ignores the flag option and the username. Like Gradio's it returns the rows in the file minus
    one (0 after the first flag), kept so code written against Gradio counts the same.
    """

    def setup(self, components: list[str], flagging_dir: Path | str) -> None:
        self.components = checked_components(components)
        directory = Path(flagging_dir)
        directory.mkdir(parents=True, exist_ok=True)
        self.log = AppendLog(directory / "log.csv", count_csv_records)

    def flag(self, flag_data: list, flag_option: str | None = None, username: str | None = None) -> int:
        return self._append(flag_data, csv_line) - 1


class JSONLinesLogger(_ComponentLog):
    """`flags.jsonl`: one JSON object per flag, keyed by the component names plus flag, username, timestamp.

    Values keep their JSON types (numbers stay numbers); no formula neutralising, since this file is
    not opened by spreadsheets (the CSV export neutralises what it writes).
    """

    def setup(self, components: list[str], flagging_dir: Path | str) -> None:
        self.components = checked_components(components)
        directory = Path(flagging_dir)
        directory.mkdir(parents=True, exist_ok=True)
        self.log = AppendLog(directory / "flags.jsonl", count_json_lines)

    def flag(self, flag_data: list, flag_option: str | None = None, username: str | None = None) -> int:
        def build(values: list) -> str:
            record = dict(zip(self.components, values))
            record.update(flag=flag_option, username=username, timestamp=utc_timestamp())
            return json_line(record)

        return self._append(flag_data, build)


_DATASET_NAME = re.compile(r"^dataset(\d+)\.csv$")


def dataset_files(directory: Path) -> list[Path]:
    """The `datasetN.csv` files in a directory, oldest (lowest N) first."""
    if not directory.is_dir():
        return []
    files = [path for path in directory.iterdir() if _DATASET_NAME.match(path.name)]
    return sorted(files, key=_dataset_number)


def _newest_dataset_file(directory: Path) -> Path | None:
    files = dataset_files(directory)
    return files[-1] if files else None


def _dataset_number(path: Path) -> int:
    return int(_DATASET_NAME.match(path.name).group(1))


def _header_of(path: Path) -> list[str] | None:
    with open(path, newline="", encoding="utf-8") as file:
        return next(csv.reader(file), None)


def _header_of_line(line: str) -> list[str]:
    return next(csv.reader(io.StringIO(line)))
