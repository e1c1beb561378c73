"""Flagging comments, after Gradio's Flag button: configuration, recording, and the organizer's export.

`configure_flagging(settings)` validates the flagging settings at start-up and returns a `Flagging`
whose `record` the `/flag` route (manual mode) or the labelling route (auto mode) calls. Where the
flags go is a `FlaggingCallback` (see `flag_loggers`); the organizer picks one by dotted path.
"""

from __future__ import annotations

import csv
import importlib
import io
import json
import sys
import tempfile
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

from indielabel.config import ConfigError, Settings, load_settings
from indielabel.flagging.loggers import (
    AppendLog,
    CSVLogger,
    FlaggingCallback,
    JSONLinesLogger,
    SimpleCSVLogger,
    count_csv_records,
    count_json_lines,
    csv_line,
    dataset_files,
)
from indielabel.flagging.receipts import Receipts

__all__ = [
    "FLAG_COMPONENTS", "MODES", "CSVLogger", "FlagOption", "Flagging", "FlaggingCallback",
    "FlaggingDisabledError", "JSONLinesLogger", "SimpleCSVLogger", "configure_flagging", "read_flags",
    "run_export",
]

# What IndieLabel logs about a flagged comment, in column order.
FLAG_COMPONENTS = ("item_id", "comment", "system_rating", "predicted_rating", "topic")
MODES = ("manual", "auto", "never")


class FlaggingDisabledError(RuntimeError):
    """A flag was recorded while flagging is turned off."""


@dataclass(frozen=True)
class FlagOption:
    """One flag button: the text it shows and the value the log stores."""

    label: str
    value: str | None


@dataclass
class Flagging:
    """Flagging as configured: the mode, the buttons, and the log (None when the mode is `never`)."""

    mode: str
    options: list[FlagOption]
    callback: FlaggingCallback | None
    directory: Path | None
    components: tuple[str, ...] = FLAG_COMPONENTS
    receipts: Receipts | None = None

    @property
    def enabled(self) -> bool:
        return self.mode != "never"

    def record(self, item_row: Mapping, option_value: str | None = None, username: str | None = None,
               request_id: str | None = None) -> int:
        """Log one flag of a comment row (a mapping holding every component) and return the total so far.

        A ``request_id`` already recorded (a client's retry) logs nothing and answers the first total.
        """
        if not self.enabled or self.callback is None:
            raise FlaggingDisabledError("flagging is turned off (flagging_mode is 'never')")
        self._check_option(option_value)
        missing = [name for name in self.components if name not in item_row]
        if missing:
            raise ValueError(f"the flagged row lacks {missing}; it needs {list(self.components)}")
        flag_data = [item_row[name] for name in self.components]
        key = None if request_id is None else json.dumps([username, request_id])
        return self.receipts.once(key, lambda: self.callback.flag(flag_data, flag_option=option_value,
                                                                  username=username))

    def _check_option(self, option_value: str | None) -> None:
        allowed = [option.value for option in self.options]
        # Auto mode logs every label without a button press, so it carries no option.
        if self.mode == "auto":
            allowed.append(None)
        if option_value not in allowed:
            raise ValueError(f"flag option {option_value!r} is not one of the configured options {allowed}")


def configure_flagging(settings: Settings) -> Flagging:
    """Validate the flagging settings and, unless the mode is `never`, set up the log."""
    mode = parse_mode(settings.flagging_mode)
    options = parse_options(settings.flagging_options)
    callback_class = load_callback_class(settings.flagging_callback)
    if mode == "never":
        return Flagging(mode, options, callback=None, directory=None)
    directory = _writable_directory(settings.flag_dir)
    try:
        callback = callback_class()
        callback.setup(list(FLAG_COMPONENTS), directory)
    except (OSError, TypeError, ValueError) as error:
        raise ConfigError(f"flagging_callback {settings.flagging_callback} could not start: {error}") from error
    return Flagging(mode, options, callback=callback, directory=directory, receipts=Receipts(directory))


def parse_mode(value: str) -> str:
    mode = str(value).strip().lower()
    if mode not in MODES:
        raise ConfigError(f"flagging_mode {value!r} is not valid; use one of {', '.join(MODES)}")
    return mode


def parse_options(value) -> list[FlagOption]:
    """Flag buttons from the setting: none, strings ("Flag as X" storing X), or (label, value) pairs.

    A single string is read as comma-separated values, so `INDIELABEL_FLAGGING_OPTIONS=Offensive,Spam`
    works without JSON; pairs from JSON arrive as two-element lists.
    """
    if value is None:
        return [FlagOption("Flag", None)]
    if isinstance(value, str):
        value = [part.strip() for part in value.split(",") if part.strip()]
    if not isinstance(value, (list, tuple)):
        raise ConfigError(f"flagging_options must be a list of strings or of (label, value) pairs, "
                          f"got {type(value).__name__}")
    if not value:
        return [FlagOption("Flag", None)]
    if all(isinstance(entry, str) for entry in value):
        options = [FlagOption(f"Flag as {entry}", entry) for entry in value]
    elif all(_is_pair(entry) for entry in value):
        options = [FlagOption(label, stored) for label, stored in value]
    else:
        raise ConfigError("flagging_options must be all strings or all (label, value) pairs of strings, "
                          f"not a mix or other values; got {value!r}")
    return _checked_options(options)


def _is_pair(entry) -> bool:
    return isinstance(entry, (list, tuple)) and len(entry) == 2 and all(isinstance(part, str) for part in entry)


def _checked_options(options: list[FlagOption]) -> list[FlagOption]:
    for option in options:
        if not option.label.strip() or not option.value.strip():
            raise ConfigError(f"flagging_options must not hold empty labels or values; got {option}")
    for field in ("label", "value"):
        seen = [getattr(option, field) for option in options]
        repeated = sorted({entry for entry in seen if seen.count(entry) > 1})
        if repeated:
            raise ConfigError(f"flagging_options repeat the {field}s {repeated}")
    return options


def load_callback_class(dotted_path: str) -> type[FlaggingCallback]:
    """The class named `module.Class`, which must subclass FlaggingCallback."""
    module_name, _, class_name = str(dotted_path).rpartition(".")
    if not module_name or not class_name:
        raise ConfigError(f"flagging_callback {dotted_path!r} must be a dotted path such as "
                          "'mypackage.flags.MyLogger'")
    try:
        module = importlib.import_module(module_name)
    except ImportError as error:
        raise ConfigError(f"flagging_callback: cannot import module {module_name!r}: {error}") from error
    found = getattr(module, class_name, None)
    if found is None:
        raise ConfigError(f"flagging_callback: module {module_name!r} has no {class_name!r}")
    if not (isinstance(found, type) and issubclass(found, FlaggingCallback)):
        raise ConfigError(f"flagging_callback {dotted_path!r} must be a class that subclasses "
                          "indielabel.flagging.loggers.FlaggingCallback")
    return found


def _writable_directory(directory: Path) -> Path:
    try:
        directory.mkdir(parents=True, exist_ok=True)
        with tempfile.TemporaryFile(dir=directory):
            pass
    except OSError as error:
        raise ConfigError(f"flagging_dir {directory} is not a writable directory: {error}") from error
    return directory


def read_flags(directory: Path) -> list[dict]:
    """Every flag in the built-in logs under `directory`, each with a `source` naming its file.

    Order: `dataset1.csv`, `dataset2.csv`, ..., `log.csv`, `flags.jsonl`, each in file order. Rows of
    the header-less `log.csv` are named after FLAG_COMPONENTS; cells beyond the known columns of any
    log are kept as `column_N`. CSV cells come back as stored (text, neutralised formulas included).
    """
    flags = []
    for path in dataset_files(directory):
        rows = list(csv.reader(io.StringIO(AppendLog(path, count_csv_records).read_text())))
        if rows:
            flags += [_named_cells(rows[0], row, path) for row in rows[1:]]
    simple_log = directory / "log.csv"
    if simple_log.is_file():
        rows = csv.reader(io.StringIO(AppendLog(simple_log, count_csv_records).read_text()))
        flags += [_named_cells(FLAG_COMPONENTS, row, simple_log) for row in rows]
    json_log = directory / "flags.jsonl"
    if json_log.is_file():
        flags += _json_flags(json_log)
    return flags


def _named_cells(names, row: list[str], path: Path) -> dict:
    flag = {name: cell for name, cell in zip(names, row)}
    flag.update({f"column_{number}": cell for number, cell in enumerate(row[len(names):], len(names) + 1)})
    flag["source"] = path.name
    return flag


def _json_flags(path: Path) -> list[dict]:
    flags, unreadable = [], 0
    for line in AppendLog(path, count_json_lines).read_text().splitlines():
        if not line.strip():
            continue
        try:
            flag = json.loads(line)
        except ValueError:
            unreadable += 1
            continue
        if not isinstance(flag, dict):
            unreadable += 1
            continue
        flags.append({**flag, "source": path.name})
    if unreadable:
        print(f"warning: skipped {unreadable} unreadable lines in {path}", file=sys.stderr)
    return flags


def format_flags(flags: list[dict], output_format: str) -> str:
    """All flags as one CSV (columns in order of first appearance; formulas neutralised) or JSON lines."""
    if output_format == "jsonl":
        return "".join(json.dumps(flag, ensure_ascii=False) + "\n" for flag in flags)
    if output_format != "csv":
        raise ValueError(f"unknown export format {output_format!r}; use csv or jsonl")
    columns = list(dict.fromkeys(name for flag in flags for name in flag))
    if not columns:
        columns = [*FLAG_COMPONENTS, "flag", "username", "timestamp", "source"]
    elif "source" in columns:
        columns.append(columns.pop(columns.index("source")))
    return csv_line(columns) + "".join(csv_line([flag.get(name) for name in columns]) for flag in flags)


def run_export(args) -> int:
    """`python -m indielabel flags export`: every flag under the flagging directory, in one format."""
    directory = load_settings().flag_dir
    flags = read_flags(directory)
    text = format_flags(flags, args.format)
    if args.out:
        try:
            Path(args.out).write_text(text, encoding="utf-8", newline="")
        except OSError as error:
            raise ConfigError(f"cannot write the export to {args.out}: {error}") from error
    else:
        sys.stdout.write(text)
    where = args.out or "standard output"
    print(f"Exported {len(flags)} flags from {directory} to {where}", file=sys.stderr)
    return 0
