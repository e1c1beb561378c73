"""A dataset on disk: items (comments), ratings and raters, in plain CSV and JSON.

Layout of a dataset directory::

    dataset.json   name, source, rating scale, counts (no timestamps: generation is byte-reproducible)
    items.csv      item_id, comment, system_score (0-1), topic_id, topic, optional is_*_frac columns
                   and any extra columns a source carries (the generator adds true_topic, phenomenon)
    ratings.csv    rater_id, item_id, rating (0-4, float)
    raters.csv     rater_id and whatever attributes the source has
    cache/         derived artefacts (base model), safe to delete

Everything is read with pandas' C parser; nothing is pickled.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd

TOXIC_THRESHOLD = 2.0
RATING_MIN, RATING_MAX = 0.0, 4.0
CATEGORY_COLUMNS = (
    "is_profane_frac",
    "is_threat_frac",
    "is_identity_attack_frac",
    "is_insult_frac",
    "is_sexual_harassment_frac",
)
RATER_ATTRIBUTES = (
    "gender",
    "race",
    "religion_important",
    "political_affiliation",
    "lgbtq_status",
    "age_range",
    "education",
)
MULTI_VALUE_SEPARATOR = ";"  # raters.csv: a rater with several races lists them joined by this
FORMAT_VERSION = 1
ITEM_COLUMNS = ("item_id", "comment", "system_score", "topic_id", "topic")
FLOAT_FORMAT = "%.6g"


class DatasetError(ValueError):
    """A dataset directory that is missing or malformed; the message names the file."""


class DatasetMissing(DatasetError):
    """No dataset has been generated or imported into the directory yet."""


@dataclass
class Dataset:
    """Items, ratings and raters of one dataset.

    ``items`` is indexed 0..n-1 in item_id order and carries the derived columns ``rating_sys``
    (4 x system_score) and ``crowd_mean``. ``ratings`` holds rater_id, item_id, rating and the
    positional ``item_index``/``rater_index`` into ``items``/``raters``.
    """

    items: pd.DataFrame
    ratings: pd.DataFrame
    raters: pd.DataFrame
    meta: dict = field(default_factory=dict)
    path: Path | None = None

    @property
    def name(self) -> str:
        return self.meta.get("name", self.path.name if self.path else "dataset")

    @property
    def attribute_columns(self) -> list[str]:
        return [c for c in self.raters.columns if c != "rater_id"]

    def fingerprint(self) -> str:
        """A content hash of the three tables: the key for caches derived from this dataset."""
        if self.path is not None:
            digest = hashlib.sha256()
            for name in ("items.csv", "ratings.csv", "raters.csv"):
                digest.update(hashlib.sha256((self.path / name).read_bytes()).digest())
            return digest.hexdigest()[:16]
        digest = hashlib.sha256()
        for frame in (self.items[list(ITEM_COLUMNS)], self.ratings[["rater_id", "item_id", "rating"]], self.raters):
            digest.update(pd.util.hash_pandas_object(frame, index=False).values.tobytes())
        return digest.hexdigest()[:16]

    def cache_dir(self) -> Path:
        if self.path is None:
            raise DatasetError("an in-memory dataset has no cache directory; save it first")
        return self.path / "cache"


def build(items: pd.DataFrame, ratings: pd.DataFrame, raters: pd.DataFrame, meta: dict) -> Dataset:
    """Validate raw tables and add the derived columns and positional indexes."""
    items = items.sort_values("item_id", kind="stable").reset_index(drop=True)
    for column in ITEM_COLUMNS:
        if column not in items.columns:
            raise DatasetError(f"items: missing column {column!r}")
    if items["item_id"].duplicated().any():
        raise DatasetError("items: duplicate item_id")
    items["item_id"] = items["item_id"].astype(np.int64)
    items["topic_id"] = items["topic_id"].astype(np.int64)
    items["comment"] = items["comment"].astype(str)
    items["topic"] = items["topic"].astype(str)
    items["system_score"] = items["system_score"].astype(np.float64)
    items["rating_sys"] = 4.0 * items["system_score"]

    raters = raters.copy()
    raters["rater_id"] = raters["rater_id"].astype(str)
    raters = raters.sort_values("rater_id", kind="stable").reset_index(drop=True)
    if raters["rater_id"].duplicated().any():
        raise DatasetError("raters: duplicate rater_id")

    ratings = ratings[["rater_id", "item_id", "rating"]].copy()
    ratings["rater_id"] = ratings["rater_id"].astype(str)
    ratings["item_id"] = ratings["item_id"].astype(np.int64)
    ratings["rating"] = ratings["rating"].astype(np.float32)
    item_index = pd.Index(items["item_id"]).get_indexer(ratings["item_id"])
    rater_index = pd.Index(raters["rater_id"]).get_indexer(ratings["rater_id"])
    if (item_index < 0).any():
        raise DatasetError("ratings: item_id not in items: " + str(ratings["item_id"][item_index < 0].iloc[0]))
    if (rater_index < 0).any():
        raise DatasetError("ratings: rater_id not in raters: " + str(ratings["rater_id"][rater_index < 0].iloc[0]))
    if ((ratings["rating"] < RATING_MIN) | (ratings["rating"] > RATING_MAX)).any():
        raise DatasetError("ratings: rating outside 0-4")
    ratings["item_index"] = item_index.astype(np.int32)
    ratings["rater_index"] = rater_index.astype(np.int32)

    sums = np.bincount(item_index, weights=ratings["rating"].to_numpy(np.float64), minlength=len(items))
    counts = np.bincount(item_index, minlength=len(items))
    with np.errstate(invalid="ignore", divide="ignore"):
        items["crowd_mean"] = np.where(counts > 0, sums / np.maximum(counts, 1), np.nan)
    items["n_ratings"] = counts

    meta = dict(meta)
    meta.setdefault("format_version", FORMAT_VERSION)
    meta["n_items"], meta["n_raters"], meta["n_ratings"] = len(items), len(raters), len(ratings)
    return Dataset(items=items, ratings=ratings, raters=raters, meta=meta)


def save(dataset: Dataset, directory: str | Path) -> Path:
    """Write the dataset as CSV + JSON; the same content always gives the same bytes."""
    directory = Path(directory)
    directory.mkdir(parents=True, exist_ok=True)
    derived = {"rating_sys", "crowd_mean", "n_ratings"}
    items = dataset.items[[c for c in dataset.items.columns if c not in derived]]
    items.to_csv(directory / "items.csv", index=False, float_format=FLOAT_FORMAT, lineterminator="\n")
    dataset.ratings[["rater_id", "item_id", "rating"]].to_csv(
        directory / "ratings.csv", index=False, float_format=FLOAT_FORMAT, lineterminator="\n"
    )
    dataset.raters.to_csv(directory / "raters.csv", index=False, lineterminator="\n")
    (directory / "dataset.json").write_text(json.dumps(dataset.meta, indent=2, sort_keys=True) + "\n")
    dataset.path = directory
    return directory


def load(directory: str | Path) -> Dataset:
    """Load a dataset directory written by :func:`save`."""
    directory = Path(directory)
    meta_path = directory / "dataset.json"
    if not meta_path.is_file():
        raise DatasetMissing(f"{meta_path}: not found (generate or import a dataset first)")
    # Lines end in "\n" only, as save writes them: a lone "\r" inside a comment (unquoted by the CSV
    # writer) must stay part of the text, not end the row. Ids such as "NA" or "null" are ids, not gaps.
    try:
        meta = json.loads(meta_path.read_text())
        items = pd.read_csv(directory / "items.csv", dtype={"comment": str, "topic": str}, keep_default_na=False,
                            na_values={"system_score": [""]}, lineterminator="\n")
        ratings = pd.read_csv(directory / "ratings.csv", dtype={"rater_id": str}, keep_default_na=False,
                              lineterminator="\n")
        raters = pd.read_csv(directory / "raters.csv", dtype=str, keep_default_na=False, lineterminator="\n")
    except (OSError, ValueError) as error:
        raise DatasetError(f"{directory}: {error}") from error
    dataset = build(items, ratings, raters, meta)
    dataset.path = directory
    return dataset


def decision(rating) -> np.ndarray:
    """The one toxic rule: a rating is toxic when it is above 2.0."""
    return np.asarray(rating) > TOXIC_THRESHOLD
