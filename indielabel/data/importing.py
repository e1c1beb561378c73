"""Import a dataset from a file: `python -m indielabel import kumar|csv FILE --out DIR`.

The format readers (``importers_kumar``, ``importers_csv``) turn a file into plain tables, reporting
a malformed line as ``FILE:LINE: field 'NAME': problem``. This module completes the tables (system
scores from the configured system where the source has none, topics from the topic model), builds
the dataset and writes it atomically: into a temporary directory beside ``--out``, renamed at the end,
so a failed import leaves nothing behind.
"""

from __future__ import annotations

import math
import re
import shutil
import uuid
from collections.abc import Sequence
from contextlib import nullcontext
from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd

from indielabel.data import dataset as datasets
from indielabel.data.dataset import Dataset, DatasetError
from indielabel.data.systems import ScoringError, System, make_system
from indielabel.progress import step

# An id written as an integer that fits in int64: digits and an optional minus, not the spaces, "+" or
# underscores int() would also take.
INTEGER_TEXT = re.compile(r"-?[0-9]{1,18}")


class SourceError(DatasetError):
    """A source file that cannot be imported; the message names the file, and where known the line and field."""

    def __init__(self, path: str | Path, problem: str, line: int | None = None, field_name: str | None = None):
        self.path, self.line, self.field_name = str(path), line, field_name
        where = self.path if line is None else f"{self.path}:{line}"
        if field_name is not None:
            problem = f"field {field_name!r}: {problem}"
        super().__init__(f"{where}: {problem}")


@dataclass
class SourceTables:
    """What a reader found in a source file, before scoring and topic assignment.

    ``items`` has item_id and comment, and system_score when the source carries one; ``ratings`` has
    rater_id, item_id and rating on 0-4; ``raters`` has rater_id and the source's attributes.
    """

    items: pd.DataFrame
    ratings: pd.DataFrame
    raters: pd.DataFrame
    meta: dict = field(default_factory=dict)


def parse_number(path: Path, line: int, field_name: str, value, low: float, high: float) -> float:
    """``value`` (a JSON number or a CSV cell) as a float in [low, high], else a ``SourceError``."""
    if isinstance(value, bool):
        raise SourceError(path, f"{value!r} is not a number", line, field_name)
    try:
        number = float(value)
    except (TypeError, ValueError):
        raise SourceError(path, f"{value!r} is not a number", line, field_name) from None
    if not math.isfinite(number):
        raise SourceError(path, f"{value!r} is not a number", line, field_name)
    if not low <= number <= high:
        raise SourceError(path, f"{value!r} is outside the scale {low:g}-{high:g}", line, field_name)
    return number


class RaterAttributes:
    """Rater attributes collected rating by rating: the first non-empty value seen per rater and attribute."""

    def __init__(self, columns: Sequence[str]):
        self.columns = tuple(columns)
        self._values: dict[str, dict[str, str]] = {}
        self._complete: set[str] = set()

    def needs(self, rater_id: str) -> bool:
        """Whether ``rater_id`` still lacks a value (so callers can skip extracting them)."""
        return rater_id not in self._complete

    def add(self, rater_id: str, attributes: dict[str, str]) -> None:
        values = self._values.setdefault(rater_id, {})
        for name, value in attributes.items():
            if value and not values.get(name):
                values[name] = value
        if all(values.get(name) for name in self.columns):
            self._complete.add(rater_id)

    def table(self) -> pd.DataFrame:
        rows = [[rater_id, *(values.get(name, "") for name in self.columns)]
                for rater_id, values in self._values.items()]
        return pd.DataFrame(rows, columns=["rater_id", *self.columns], dtype=str)


def import_kumar(path: str | Path, *, name: str | None = None, system: System | None = None,
                 quiet: bool = True) -> Dataset:
    """A dataset from a JSON-lines file in the format of Kumar et al. 2021 (in memory, unsaved)."""
    from indielabel.data.kumar import read_kumar  # that module imports this one's shared definitions

    path = Path(path)
    with _progress(f"Reading {path}", quiet):
        tables = read_kumar(path)
    return _complete(tables, path, name or path.stem, system, quiet)


def import_csv(path: str | Path, *, item_id: str, text: str, rater_id: str, rating: str,
               scale: tuple[float, float], system_score: str | None = None,
               rater_attributes: Sequence[str] = (), name: str | None = None, system: System | None = None,
               quiet: bool = True) -> Dataset:
    """A dataset from a long-format CSV file, one row per rating (in memory, unsaved).

    The arguments name the file's columns; ratings are rescaled linearly from ``scale`` to 0-4.
    """
    from indielabel.data.long_csv import CsvColumns, read_long_csv  # imports this module's shared definitions

    path = Path(path)
    columns = CsvColumns(item_id=item_id, text=text, rater_id=rater_id, rating=rating,
                         system_score=system_score, rater_attributes=tuple(rater_attributes))
    with _progress(f"Reading {path}", quiet):
        tables = read_long_csv(path, columns, scale)
    return _complete(tables, path, name or path.stem, system, quiet)


def run_import(args) -> int:
    """The `import` command: read, complete, write atomically, print the counts."""
    out = Path(args.out)
    _check_output_free(out)
    scorer = make_system(args.system, url=args.system_url)  # before reading, so a bad URL fails fast
    name = args.name or out.name
    if args.format == "kumar":
        data = import_kumar(args.file, name=name, system=scorer, quiet=False)
    else:
        data = import_csv(args.file, item_id=args.item_id, text=args.text, rater_id=args.rater_id,
                          rating=args.rating, scale=tuple(args.scale), system_score=args.system_score,
                          rater_attributes=args.rater_attr, name=name, system=scorer, quiet=False)
    with step(f"Writing {out}"):
        save_atomically(data, out)
    meta = data.meta
    print(f"Imported {meta['n_items']} items, {meta['n_raters']} raters and {meta['n_ratings']} ratings "
          f"into {out}")
    return 0


def save_atomically(data: Dataset, out: str | Path) -> Path:
    """Write ``data`` to ``out`` through a temporary sibling directory, so ``out`` appears whole or not at all."""
    out = Path(out)
    _check_output_free(out)
    out.parent.mkdir(parents=True, exist_ok=True)
    # Not tempfile.mkdtemp: its private 0700 mode would stay on the renamed dataset directory.
    staging = out.parent / f".{out.name}.importing-{uuid.uuid4().hex[:12]}"
    staging.mkdir()
    try:
        datasets.save(data, staging)
        if out.exists():
            out.rmdir()  # an empty directory, checked above; a non-empty one makes this fail loudly
        staging.rename(out)
    except BaseException:
        shutil.rmtree(staging, ignore_errors=True)
        raise
    data.path = out
    return out


def _check_output_free(out: Path) -> None:
    if out.exists() and (not out.is_dir() or any(out.iterdir())):
        raise DatasetError(f"{out}: already exists and is not empty; choose another --out or remove it")


def _complete(tables: SourceTables, path: Path, name: str, system: System | None, quiet: bool) -> Dataset:
    items = tables.items
    texts = items["comment"].tolist()
    meta = {"name": name, "source_file": path.name, **tables.meta}
    if "system_score" not in items.columns:
        system = system or make_system("profanity-check")
        with _progress(f"Scoring {len(texts)} texts with {system.name}", quiet):
            try:
                items["system_score"] = system.score(texts)
            except ScoringError as error:
                raise SourceError(path, f"the system could not score the texts: {error}") from error
        meta["system"] = system.name
    with _progress(f"Assigning topics to {len(texts)} texts", quiet):
        topics = _assign_topics(texts)
    items["topic_id"] = topics["topic_id"].to_numpy()
    items["topic"] = topics["topic"].to_numpy()
    return datasets.build(items, tables.ratings, tables.raters, meta)


def _assign_topics(texts: list[str]) -> pd.DataFrame:
    from indielabel.data.topics import assign_topics  # the topic model imports scikit-learn: only when needed

    return assign_topics(texts, seed=0)


def _progress(description: str, quiet: bool):
    return nullcontext() if quiet else step(description)
