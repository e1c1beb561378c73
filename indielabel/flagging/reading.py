"""Reading the flag logs back: every flag for the organizer, one user's flags for the app, the export.

Each record is read on its own, so a record that cannot be read (not UTF-8, not one CSV row, not a
JSON object) is reported, with its file and record number, and every other flag still comes back.
"""

from __future__ import annotations

import sys
from dataclasses import dataclass, field
from pathlib import Path

from indielabel.config import ConfigError, load_settings
from indielabel.flagging.append_log import AppendLog, record_spans
from indielabel.flagging.loggers import (
    FLAG_COLUMNS,
    csv_cell,
    csv_cells,
    csv_line,
    csv_users,
    dataset_files,
    json_record,
    json_text,
    json_users,
)

# What IndieLabel logs about a flagged comment, in column order (a header-less log.csv has these).
FLAG_COMPONENTS = ("item_id", "comment", "system_rating", "predicted_rating", "topic")


@dataclass
class FlagLog:
    """Every flag that could be read, and a note for each record that could not."""

    flags: list[dict] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)


def read_flag_log(directory: Path) -> FlagLog:
    """Every flag in the built-in logs under `directory`, each with a `source` naming its file.

    Order: `dataset1.csv`, `dataset2.csv`, ..., `log.csv`, `flags.jsonl`, each in file order. A
    `log.csv` whose first row ends in flag, username, timestamp (Gradio 4 and earlier wrote one) is
    read by that header; a header-less one by FLAG_COMPONENTS. Cells beyond the known columns are
    kept as `column_N`. CSV cells come back as stored (text, neutralised formulas included).
    """
    log = FlagLog()
    for path in dataset_files(directory):
        _read_csv(path, None, log)
    simple_log = directory / "log.csv"
    if simple_log.is_file():
        _read_csv(simple_log, FLAG_COMPONENTS, log)
    json_log = directory / "flags.jsonl"
    if json_log.is_file():
        for number, record in _records(AppendLog(json_log, json_users)):
            _add(log, json_log, number, lambda: json_record(record))
    return log


def read_flags(directory: Path) -> list[dict]:
    return read_flag_log(directory).flags


def flags_of_user(directory: Path, username: str) -> list[dict]:
    """One user's flags in every built-in log, oldest first, read through each log's user index."""
    flags = []
    for path in [*dataset_files(directory), directory / "log.csv"]:
        if path.is_file():
            flags += _user_csv_flags(AppendLog(path, csv_users), username)
    json_log = directory / "flags.jsonl"
    if json_log.is_file():
        for record in AppendLog(json_log, json_users).records_of(username):
            try:
                flags.append({**json_record(record), "source": json_log.name})
            except ValueError:
                continue
    return flags


def _user_csv_flags(log: AppendLog, username: str) -> list[dict]:
    first = log.first_record()
    try:
        header = csv_cells(first) if first else []
    except ValueError:
        return []
    if "username" not in header:
        return []
    flags = []
    for record in log.records_of(str(csv_cell(username))):
        try:
            flags.append(_named_cells(header, csv_cells(record), log.path))
        except ValueError:
            continue
    return flags


def _records(log: AppendLog):
    data = log.read_bytes()
    for number, span in enumerate(record_spans(data), 1):
        yield number, data[span.offset:span.offset + span.length]


def _read_csv(path: Path, default_header, log: FlagLog) -> None:
    """The flags of one CSV log; `default_header` names the cells of a log without a header row."""
    records = list(_records(AppendLog(path, csv_users)))
    header = default_header
    if records:
        try:
            first = csv_cells(records[0][1])
        except ValueError as error:
            log.problems.append(_problem(path, 1, error))
            # An unreadable header hides no row: they are named as IndieLabel's own logs name them.
            header, records = default_header or [*FLAG_COMPONENTS, *FLAG_COLUMNS], records[1:]
        else:
            if default_header is None or tuple(first[-3:]) == FLAG_COLUMNS:
                header, records = first, records[1:]
    for number, record in records:
        _add(log, path, number, lambda: _named_cells(header, csv_cells(record), path))


def _add(log: FlagLog, path: Path, number: int, read) -> None:
    try:
        flag = read()
    except ValueError as error:
        log.problems.append(_problem(path, number, error))
        return
    log.flags.append({**flag, "source": path.name})


def _problem(path: Path, number: int, error: Exception) -> str:
    return f"{path.name} record {number} cannot be read ({error}); it is left in the file as it is"


def _named_cells(names, row: list[str], path: Path) -> dict:
    flag = {name: cell for name, cell in zip(names, row)}
    flag.update({f"column_{number}": cell for number, cell in enumerate(row[len(names):], len(names) + 1)})
    flag["source"] = path.name
    return flag


def format_flags(flags: list[dict], output_format: str) -> str:
    """All flags as one CSV (columns in order of first appearance; formulas neutralised) or JSON lines."""
    if output_format == "jsonl":
        return "".join(json_text(flag) + "\n" for flag in flags)
    if output_format != "csv":
        raise ValueError(f"unknown export format {output_format!r}; use csv or jsonl")
    columns = list(dict.fromkeys(name for flag in flags for name in flag))
    if not columns:
        columns = [*FLAG_COMPONENTS, *FLAG_COLUMNS, "source"]
    elif "source" in columns:
        columns.append(columns.pop(columns.index("source")))
    return csv_line(columns) + "".join(csv_line([flag.get(name) for name in columns]) for flag in flags)


def run_export(args) -> int:
    """`python -m indielabel flags export`: every flag under the flagging directory, in one format."""
    directory = load_settings().flag_dir
    log = read_flag_log(directory)
    text = format_flags(log.flags, args.format)
    if args.out:
        try:
            with open(args.out, "w", encoding="utf-8", newline="") as file:
                file.write(text)
        except OSError as error:
            raise ConfigError(f"cannot write the export to {args.out}: {error}") from error
    else:
        sys.stdout.write(text)
    for problem in log.problems:
        print(f"warning: {directory / problem}", file=sys.stderr)
    where = args.out or "standard output"
    print(f"Exported {len(log.flags)} flags from {directory} to {where}", file=sys.stderr)
    return 0
