"""Flag logs after Gradio's: the `FlaggingCallback` interface, the built-in loggers, and their records.

Every built-in log is an `AppendLog`: rows are only ever appended, under a cross-process file lock, so
several threads and several worker processes can flag at once without losing or interleaving rows,
and a hidden tally and per-user index answer the total and one user's flags without re-reading the
log. Records are read back one at a time, so one unreadable record never hides the others.
"""

from __future__ import annotations

import csv
import io
import json
import math
import numbers
import re
import sys
from abc import ABC, abstractmethod
from collections.abc import Callable, Sequence
from datetime import datetime, timezone
from pathlib import Path

from filelock import FileLock

from indielabel.flagging.append_log import LOCK_TIMEOUT_SECONDS, AppendLog

# The columns CSVLogger and JSONLinesLogger add after the components.
FLAG_COLUMNS = ("flag", "username", "timestamp")
# Python's CSV reader refuses cells over 131,072 characters by default; a flag may hold any text.
csv.field_size_limit(min(sys.maxsize, 2**31 - 1))

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
    return json_text({key: _plain_value(value) for key, value in record.items()}) + "\n"


def json_text(value) -> str:
    """JSON with text as written, except the separators some readers split lines on, as escapes."""
    text = json.dumps(value, ensure_ascii=False, default=str)
    return text.replace("\u2028", "\\u2028").replace("\u2029", "\\u2029").replace("\x85", "\\u0085")


def utc_timestamp() -> str:
    return datetime.now(timezone.utc).isoformat(timespec="milliseconds")


def _plain_value(value):
    """NumPy scalars as Python values, and NaN or infinity as None (JSON has no such numbers)."""
    if hasattr(value, "item") and callable(value.item) and getattr(value, "ndim", None) == 0:
        value = value.item()
    if isinstance(value, float) and not math.isfinite(value):
        return None
    return value


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


def csv_cells(record: bytes) -> list[str]:
    """The cells of one CSV record, exactly as stored; ValueError when it is not one readable record."""
    rows = list(csv.reader(io.StringIO(record.decode("utf-8"), newline="")))
    if len(rows) != 1:
        raise ValueError(f"holds {len(rows)} CSV rows, not one")
    return rows[0]


def json_record(record: bytes) -> dict:
    """One JSON-lines record as an object; ValueError when it is not one."""
    value = json.loads(record.decode("utf-8"))
    if not isinstance(value, dict):
        raise ValueError(f"is a JSON {type(value).__name__}, not an object")
    return value


def csv_users(records: list[bytes]) -> list[str | None]:
    """The username cell of each record of a CSV log whose first record is a header with one."""
    try:
        column = csv_cells(records[0]).index("username")
    except ValueError:
        return [None] * len(records)
    return [None, *(_cell(record, column) for record in records[1:])]


def json_users(records: list[bytes]) -> list[str | None]:
    users = []
    for record in records:
        try:
            user = json_record(record).get("username")
        except ValueError:
            user = None
        users.append(user if isinstance(user, str) else None)
    return users


def _cell(record: bytes, column: int) -> str | None:
    try:
        cells = csv_cells(record)
    except ValueError:
        return None
    return cells[column] or None if column < len(cells) else None


class _ComponentLog(FlaggingCallback):
    """What the built-in loggers share: the components, a check that flag data fits them, and
    reading one user's flags back through the log's index."""

    def __init__(self) -> None:
        self.components: list[str] = []
        self.log: AppendLog | None = None

    def flag(self, flag_data: list, flag_option: str | None = None, username: str | None = None) -> int:
        return self._append(self._record(self._checked(flag_data), flag_option, username), username)

    def flag_unless(self, flag_data: list, flag_option: str | None, username: str | None,
                    already: Callable[[list[dict]], bool]) -> int | None:
        """Log one flag unless `already(this user's flags so far)` holds; None when it was not logged.

        The check and the append hold the log's lock, so two identical flags at once log one row.
        """
        record = self._record(self._checked(flag_data), flag_option, username)
        return self._append(record, username, unless=lambda records: already(self._parsed(records)))

    def flags_of(self, username: str) -> list[dict]:
        """This user's flags in this log, oldest first, keyed by column."""
        if self.log is None:
            return []
        return self._parsed(self.log.records_of(self._index_key(username)))

    def _checked(self, flag_data: list) -> list:
        if self.log is None:
            raise RuntimeError(f"{type(self).__name__}.setup must be called before flag")
        values = list(flag_data)
        if len(values) != len(self.components):
            raise ValueError(f"flag data has {len(values)} values but the log has {len(self.components)} "
                             f"components {self.components}")
        return values

    def _append(self, record: str, username: str | None, unless=None) -> int | None:
        key = None if username is None else self._index_key(username)
        return self.log.append(record, user=key, unless=unless)

    def _parsed(self, records: list[bytes]) -> list[dict]:
        flags = []
        for record in records:
            try:
                flags.append(self._parse(record))
            except ValueError:
                continue
        return flags

    def _index_key(self, username: str) -> str:
        return username

    @abstractmethod
    def _record(self, values: list, flag_option: str | None, username: str | None) -> str:
        """One flag as the text of one record."""

    @abstractmethod
    def _parse(self, record: bytes) -> dict:
        """One record back as a flag keyed by column (ValueError when it cannot be read)."""


class CSVLogger(_ComponentLog):
    """The default log: `datasetN.csv` with a header of the components plus flag, username, timestamp.

    The header is fixed at setup, so every row has every column whatever a flag carries. Setup
    appends to the newest `datasetN.csv` when its header is the same, else starts `dataset(N+1).csv`
    (`dataset1.csv` when there is none), so changing the components never garbles an old log. As in
    Gradio 5, `dataset_file_name` names the file instead (a header that differs is then an error).
    """

    def __init__(self, dataset_file_name: str | None = None) -> None:
        super().__init__()
        if dataset_file_name is not None and (not dataset_file_name or Path(dataset_file_name).name
                                              != dataset_file_name or dataset_file_name.startswith(".")):
            raise ValueError(f"dataset_file_name must be a plain file name, got {dataset_file_name!r}")
        self.dataset_file_name = dataset_file_name

    def setup(self, components: list[str], flagging_dir: Path | str) -> None:
        self.components = checked_components(components)
        directory = Path(flagging_dir)
        directory.mkdir(parents=True, exist_ok=True)
        header = csv_line([*self.components, *FLAG_COLUMNS])
        # One process at a time decides which file to use, so racing set-ups agree on it.
        with FileLock(directory / ".datasets.lock", timeout=LOCK_TIMEOUT_SECONDS):
            path = self._file_for(directory, header)
            self.log = AppendLog(path, csv_users)
            if not path.exists() or not path.stat().st_size:
                self.log.append(header)

    def _file_for(self, directory: Path, header: str) -> Path:
        if self.dataset_file_name is not None:
            path = directory / self.dataset_file_name
            if path.exists() and path.stat().st_size and _header_of(path) != _header_of_line(header):
                raise ValueError(f"{path} has another header than {_header_of_line(header)}")
            return path
        newest = _newest_dataset_file(directory)
        if newest is not None and _header_of(newest) == _header_of_line(header):
            return newest
        number = _dataset_number(newest) + 1 if newest is not None else 1
        return directory / f"dataset{number}.csv"

    @property
    def dataset_file(self) -> Path | None:
        return self.log.path if self.log else None

    def flag(self, flag_data: list, flag_option: str | None = None, username: str | None = None) -> int:
        return super().flag(flag_data, flag_option, username) - 1  # the header is a record too

    def flag_unless(self, flag_data, flag_option, username, already) -> int | None:
        total = super().flag_unless(flag_data, flag_option, username, already)
        return None if total is None else total - 1

    def _record(self, values: list, flag_option: str | None, username: str | None) -> str:
        return csv_line([*values, flag_option, username, utc_timestamp()])

    def _parse(self, record: bytes) -> dict:
        return dict(zip([*self.components, *FLAG_COLUMNS], csv_cells(record)))

    def _index_key(self, username: str) -> str:
        return str(csv_cell(username))  # the username as its cell stores it


class SimpleCSVLogger(_ComponentLog):
    """`log.csv` with one row of component values per flag and no header, like Gradio's.

    It ignores the flag option and the username. Like Gradio's it returns the rows in the file minus
    one (0 after the first flag), kept so code written against Gradio counts the same.
    """

    def setup(self, components: list[str], flagging_dir: Path | str) -> None:
        self.components = checked_components(components)
        directory = Path(flagging_dir)
        directory.mkdir(parents=True, exist_ok=True)
        self.log = AppendLog(directory / "log.csv", csv_users)

    def flag(self, flag_data: list, flag_option: str | None = None, username: str | None = None) -> int:
        return self._append(self._record(self._checked(flag_data), None, None), None) - 1

    def _record(self, values: list, flag_option: str | None, username: str | None) -> str:
        return csv_line(values)

    def _parse(self, record: bytes) -> dict:
        return dict(zip(self.components, csv_cells(record)))


class JSONLinesLogger(_ComponentLog):
    """`flags.jsonl`: one JSON object per flag, keyed by the component names plus flag, username, timestamp.

    Values keep their JSON types (numbers stay numbers); no formula neutralising, since this file is
    not opened by spreadsheets (the CSV export neutralises what it writes).
    """

    def setup(self, components: list[str], flagging_dir: Path | str) -> None:
        self.components = checked_components(components)
        directory = Path(flagging_dir)
        directory.mkdir(parents=True, exist_ok=True)
        self.log = AppendLog(directory / "flags.jsonl", json_users)

    def _record(self, values: list, flag_option: str | None, username: str | None) -> str:
        record = dict(zip(self.components, values))
        record.update(flag=flag_option, username=username, timestamp=utc_timestamp())
        return json_line(record)

    def _parse(self, record: bytes) -> dict:
        return json_record(record)


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
    first = AppendLog(path, csv_users).first_record()
    try:
        return csv_cells(first) if first else None
    except ValueError:
        return None


def _header_of_line(line: str) -> list[str]:
    return next(csv.reader(io.StringIO(line)))
