"""Reader for a long-format CSV file: one row per rating, the column names given by the organizer.

Every row carries the item id, its text, the rater id and the rating, and optionally the system's
0-1 score and rater attributes. Ratings are rescaled linearly from the file's scale to 0-4. Item ids
that are all integers are kept; otherwise items are numbered in first-seen order and the original id
is kept in the items column ``source_item_id``.
"""

from __future__ import annotations

import csv
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd

from indielabel.config import ConfigError
from indielabel.data.dataset import RATING_MAX
from indielabel.data.importing import INTEGER_TEXT, RaterAttributes, SourceError, SourceTables, parse_number


@dataclass(frozen=True)
class CsvColumns:
    """The file's column for each thing a rating row carries."""

    item_id: str
    text: str
    rater_id: str
    rating: str
    system_score: str | None = None
    rater_attributes: tuple[str, ...] = ()

    def required(self) -> list[str]:
        optional = [self.system_score] if self.system_score else []
        return [self.item_id, self.text, self.rater_id, self.rating, *optional, *self.rater_attributes]


def read_long_csv(path: Path, columns: CsvColumns, scale: tuple[float, float]) -> SourceTables:
    """The tables of a long-format CSV file; a malformed row raises ``SourceError`` naming its line and column."""
    _check_arguments(columns, scale)
    reader = _CsvReader(path, columns, scale)
    try:
        with open(path, newline="", encoding="utf-8-sig") as file:
            rows = csv.reader(file)
            try:
                header = next(rows, None)
                if header is None:
                    raise SourceError(path, "empty file: no header and no rows")
                reader.set_header(header)
                for row in rows:
                    if row:
                        reader.add_row(rows.line_num, row)
            except UnicodeDecodeError:
                raise SourceError(path, "not UTF-8 text", rows.line_num + 1) from None
            except csv.Error as error:
                raise SourceError(path, f"not valid CSV ({error})", rows.line_num) from None
    except OSError as error:
        raise SourceError(path, f"cannot read the file ({error.strerror or error})") from error
    return reader.tables()


def _check_arguments(columns: CsvColumns, scale: tuple[float, float]) -> None:
    low, high = scale
    if not low < high:
        raise ConfigError(f"--scale: MIN must be below MAX, got {low:g} {high:g}")
    attributes = columns.rater_attributes
    if "rater_id" in attributes or len(set(attributes)) != len(attributes):
        raise ConfigError("--rater-attr: each attribute column once, and none may be named 'rater_id'")
    if columns.rater_id in attributes:
        raise ConfigError(f"--rater-attr: {columns.rater_id!r} is the rater id column")


class _CsvReader:
    def __init__(self, path: Path, columns: CsvColumns, scale: tuple[float, float]):
        self.path, self.columns, self.scale = path, columns, scale
        self.position: dict[str, int] = {}
        self.first_line: list[int] = []
        self.source_ids: list[str] = []
        self.texts: list[str] = []
        self.scores: list[float] = []
        self.rater_ids: list[str] = []
        self.rating_items: list[int] = []
        self.ratings: list[float] = []
        self.rated: dict[tuple[str, int], int] = {}
        self.attributes = RaterAttributes(columns.rater_attributes)
        self.width = 0
        self.index: dict[str, int] = {}

    def set_header(self, header: list[str]) -> None:
        self.width = len(header)
        names = [name.strip() for name in header]
        missing = [name for name in self.columns.required() if name not in names]
        if missing:
            raise SourceError(self.path, f"missing column(s) {', '.join(map(repr, missing))}; "
                                         f"the header has {', '.join(map(repr, names))}", line=1)
        self.index = {name: names.index(name) for name in self.columns.required()}

    def cell(self, line: int, row: list[str], column: str) -> str:
        value = row[self.index[column]].strip()
        if not value:
            raise SourceError(self.path, "empty", line, column)
        return value

    def add_row(self, line: int, row: list[str]) -> None:
        if len(row) != self.width:
            raise SourceError(self.path, f"{len(row)} fields, but the header has {self.width}", line)
        columns = self.columns
        source_id = self.cell(line, row, columns.item_id)
        text = row[self.index[columns.text]]
        if not text.strip():
            raise SourceError(self.path, "empty", line, columns.text)
        rater = self.cell(line, row, columns.rater_id)
        low, high = self.scale
        rating = parse_number(self.path, line, columns.rating, self.cell(line, row, columns.rating), low, high)
        score = None
        if columns.system_score:
            score = parse_number(self.path, line, columns.system_score,
                                 self.cell(line, row, columns.system_score), 0.0, 1.0)
        item = self._item(line, source_id, text, score)
        if (rater, item) in self.rated:
            raise SourceError(self.path, f"rater {rater!r} already rated item {source_id!r} on line "
                                         f"{self.rated[rater, item]}", line, columns.rater_id)
        self.rated[rater, item] = line
        if self.attributes.needs(rater):
            self.attributes.add(rater, {name: row[self.index[name]].strip() for name in columns.rater_attributes})
        self.rater_ids.append(rater)
        self.rating_items.append(item)
        self.ratings.append((rating - low) / (high - low) * RATING_MAX)

    def _item(self, line: int, source_id: str, text: str, score: float | None) -> int:
        """The item's position in first-seen order; a text or score that differs from its first row is an error."""
        item = self.position.get(source_id)
        if item is None:
            item = self.position[source_id] = len(self.source_ids)
            self.first_line.append(line)
            self.source_ids.append(source_id)
            self.texts.append(text)
            if score is not None:
                self.scores.append(score)
            return item
        first = f"on line {self.first_line[item]}"
        if text != self.texts[item]:
            raise SourceError(self.path, f"differs from the text of item {source_id!r} {first}", line,
                              self.columns.text)
        if score is not None and score != self.scores[item]:
            raise SourceError(self.path, f"{score:g} differs from the score {self.scores[item]:g} of item "
                                         f"{source_id!r} {first}", line, self.columns.system_score)
        return item

    def tables(self) -> SourceTables:
        if not self.source_ids:
            raise SourceError(self.path, "empty file: a header but no rating rows")
        item_ids = _integer_ids(self.source_ids)
        items = pd.DataFrame({"item_id": np.arange(len(self.source_ids)) if item_ids is None else item_ids,
                              "comment": self.texts})
        if item_ids is None:
            items["source_item_id"] = self.source_ids
        meta = {"source": "csv", "scale": list(self.scale)}
        if self.columns.system_score:
            items["system_score"] = self.scores
            meta["system"] = f"column {self.columns.system_score!r}"
        ratings = pd.DataFrame({"rater_id": self.rater_ids,
                                "item_id": items["item_id"].to_numpy()[np.asarray(self.rating_items, dtype=np.int64)],
                                "rating": self.ratings})
        return SourceTables(items=items, ratings=ratings, raters=self.attributes.table(), meta=meta)


def _integer_ids(source_ids: list[str]) -> list[int] | None:
    """The ids as integers when every one is written as a distinct integer, else None."""
    if not all(INTEGER_TEXT.fullmatch(source_id) for source_id in source_ids):
        return None
    ids = [int(source_id) for source_id in source_ids]
    return ids if len(set(ids)) == len(ids) else None
