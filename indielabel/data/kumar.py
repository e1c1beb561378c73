"""Reader for the JSON-lines file of Kumar et al. 2021, "Designing Toxic Content Classification for a
Diversity of Perspectives" (the dataset the IndieLabel paper used).

One comment per line::

    {"comment": "...", "comment_id": 7, "perspective_score": 0.12,
     "ratings": [{"worker_id": "w1", "toxic_score": 1, "is_profane": false, ..., "gender": "Female",
                  "race": ["Asian", "White"], "political_affilation": "Liberal", ...}, ...]}

``comment_id`` (or ``id``) and ``perspective_score`` are optional but must then be absent on every
line: item ids default to the line order and scores to the configured system's.
"""

from __future__ import annotations

import json
from pathlib import Path

import pandas as pd

from indielabel.data.dataset import CATEGORY_COLUMNS, MULTI_VALUE_SEPARATOR, RATER_ATTRIBUTES
from indielabel.data.importing import INTEGER_TEXT, RaterAttributes, SourceError, SourceTables, parse_number

INT64_MIN, INT64_MAX = -(2**63), 2**63 - 1  # item ids are stored as int64

# Source field -> raters.csv column; the real file spells one of them "political_affilation".
ATTRIBUTE_FIELDS = {name: name for name in RATER_ATTRIBUTES} | {"political_affilation": "political_affiliation"}
CATEGORY_FIELDS = {column: column.removesuffix("_frac") for column in CATEGORY_COLUMNS}
ID_FIELDS = ("comment_id", "id")


def read_kumar(path: Path) -> SourceTables:
    """The tables of a Kumar-format file; a malformed line raises ``SourceError`` naming its line and field."""
    reader = _KumarReader(path)
    try:
        with open(path, "rb") as lines:
            for line_number, raw_line in enumerate(lines, 1):
                try:
                    line = raw_line.decode("utf-8")
                except UnicodeDecodeError:
                    raise SourceError(path, "not UTF-8 text", line_number) from None
                if line.strip():
                    reader.add_line(line_number, line)
    except OSError as error:
        raise SourceError(path, f"cannot read the file ({error.strerror or error})") from error
    return reader.tables()


class _KumarReader:
    def __init__(self, path: Path):
        self.path = path
        self.item_ids: list[int] = []
        self.comments: list[str] = []
        self.scores: list[float] = []
        self.category_counts = {column: [] for column in CATEGORY_COLUMNS}
        self.categories_seen: set[str] = set()
        self.rater_ids: list[str] = []
        self.rating_item_ids: list[int] = []
        self.ratings: list[float] = []
        self.attributes = RaterAttributes(dict.fromkeys(ATTRIBUTE_FIELDS.values()))
        self.has_ids: bool | None = None
        self.has_scores: bool | None = None
        self.seen_item_ids: set[int] = set()

    def error(self, line: int, problem: str, field_name: str | None = None) -> SourceError:
        return SourceError(self.path, problem, line, field_name)

    def add_line(self, line: int, text: str) -> None:
        try:
            record = json.loads(text)
        except json.JSONDecodeError as error:
            raise self.error(line, f"invalid JSON ({error.msg} at column {error.colno})") from None
        if not isinstance(record, dict):
            raise self.error(line, "a line must be a JSON object with a comment and its ratings")
        comment = record.get("comment")
        if not isinstance(comment, str) or not comment.strip():
            raise self.error(line, "missing or not a non-empty string", "comment")
        item_id = self._item_id(line, record)
        score = self._score(line, record)
        ratings = record.get("ratings")
        if not isinstance(ratings, list):
            raise self.error(line, "missing or not a list", "ratings")
        if not ratings:
            raise self.error(line, "empty: a comment needs at least one rating", "ratings")
        counts = self._add_ratings(line, item_id, ratings)
        self.item_ids.append(item_id)
        self.comments.append(comment)
        if score is not None:
            self.scores.append(score)
        for column, count in counts.items():
            self.category_counts[column].append(count / len(ratings))

    def _item_id(self, line: int, record: dict) -> int:
        id_field = next((name for name in ID_FIELDS if record.get(name) is not None), None)
        if self.has_ids is None:
            self.has_ids = id_field is not None
        if id_field is None:
            if self.has_ids:
                raise self.error(line, "missing, but earlier lines have one", ID_FIELDS[0])
            return len(self.item_ids)
        if not self.has_ids:
            raise self.error(line, "present, but earlier lines have none (ids are then the line order)", id_field)
        value = record[id_field]
        if isinstance(value, str) and INTEGER_TEXT.fullmatch(value.strip()):
            value = int(value)
        if not isinstance(value, int) or isinstance(value, bool):
            raise self.error(line, f"{value!r} is not an integer", id_field)
        if not INT64_MIN <= value <= INT64_MAX:
            raise self.error(line, f"{value} is too large for an item id (a 64-bit integer)", id_field)
        if value in self.seen_item_ids:
            raise self.error(line, f"{value} was already used by an earlier line", id_field)
        self.seen_item_ids.add(value)
        return value

    def _score(self, line: int, record: dict) -> float | None:
        value = record.get("perspective_score")
        if self.has_scores is None:
            self.has_scores = value is not None
        if value is None:
            if self.has_scores:
                raise self.error(line, "missing, but earlier lines have one", "perspective_score")
            return None
        if not self.has_scores:
            raise self.error(line, "present, but earlier lines have none", "perspective_score")
        return parse_number(self.path, line, "perspective_score", value, 0.0, 1.0)

    def _add_ratings(self, line: int, item_id: int, ratings: list) -> dict[str, int]:
        # The hot loop of a 100,000-line import: common well-formed values take the cheap branches, and
        # field names for messages are only built on error.
        counts = dict.fromkeys(CATEGORY_COLUMNS, 0)
        raters_of_comment: set[str] = set()
        for position, rating in enumerate(ratings):
            if not isinstance(rating, dict):
                raise self.error(line, "must be an object", f"ratings[{position}]")
            worker = self._worker(line, rating, position, raters_of_comment)
            score = rating.get("toxic_score")
            if type(score) is not int or not 0 <= score <= 4:
                score = self._toxic_score(line, rating, position)
            for column, field_name in CATEGORY_FIELDS.items():
                marked = rating.get(field_name)
                if marked is None:  # the survey's category questions were checkboxes: absent means unmarked
                    continue
                if type(marked) is not bool:
                    raise self.error(line, f"{marked!r} is not true or false", f"ratings[{position}].{field_name}")
                self.categories_seen.add(field_name)
                counts[column] += marked
            attributes = self._attributes(line, rating, position)  # checked on every rating, kept from the first
            if self.attributes.needs(worker):
                self.attributes.add(worker, attributes)
            self.rater_ids.append(worker)
            self.rating_item_ids.append(item_id)
            self.ratings.append(float(score))
        return counts

    def _worker(self, line: int, rating: dict, position: int, raters_of_comment: set[str]) -> str:
        worker = rating.get("worker_id")
        if type(worker) not in (str, int) or not str(worker).strip():
            raise self.error(line, "missing or not a string", f"ratings[{position}].worker_id")
        worker = str(worker).strip()
        if worker in raters_of_comment:
            raise self.error(line, f"rater {worker!r} rates this comment twice", f"ratings[{position}].worker_id")
        raters_of_comment.add(worker)
        return worker

    def _toxic_score(self, line: int, rating: dict, position: int) -> float:
        field_name = f"ratings[{position}].toxic_score"
        if "toxic_score" not in rating:
            raise self.error(line, "missing", field_name)
        return parse_number(self.path, line, field_name, rating["toxic_score"], 0.0, 4.0)

    def _attributes(self, line: int, rating: dict, position: int) -> dict[str, str]:
        values = {}
        for field_name, column in ATTRIBUTE_FIELDS.items():
            if field_name in rating:
                value = rating[field_name]
                if type(value) is str:
                    values[column] = value.strip()
                else:
                    values[column] = self._attribute_text(line, value, f"ratings[{position}].{field_name}")
        return values

    def _attribute_text(self, line: int, value, field_name: str) -> str:
        if value is None:
            return ""
        if isinstance(value, bool):
            return "true" if value else "false"
        if isinstance(value, (str, int, float)):
            return str(value).strip()
        if isinstance(value, list) and all(isinstance(part, str) for part in value):
            return MULTI_VALUE_SEPARATOR.join(part.strip() for part in value if part.strip())
        raise self.error(line, f"{value!r} is not a string or a list of strings", field_name)

    def tables(self) -> SourceTables:
        if not self.item_ids:
            raise SourceError(self.path, "empty file: no comments found")
        items = pd.DataFrame({"item_id": self.item_ids, "comment": self.comments})
        meta = {"source": "kumar", "scale": [0, 4]}
        if self.has_scores:
            items["system_score"] = self.scores
            meta["system"] = "perspective_score"
        for column, field_name in CATEGORY_FIELDS.items():
            if field_name in self.categories_seen:
                items[column] = self.category_counts[column]
        ratings = pd.DataFrame({"rater_id": self.rater_ids, "item_id": self.rating_item_ids, "rating": self.ratings})
        raters = self.attributes.table()
        empty_columns = [column for column in self.attributes.columns if not raters[column].astype(bool).any()]
        return SourceTables(items=items, ratings=ratings, raters=raters.drop(columns=empty_columns), meta=meta)
