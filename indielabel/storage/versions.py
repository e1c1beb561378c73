"""The documents a model version is made of, checked before the store writes them.

A version is its labels (item id -> rating), its metrics and one prediction per item; ``model.json``
says what kind of model it is. Callers hand in plain values; these checks turn them into what is
written, or raise ValueError saying which field is wrong.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timezone
from typing import NamedTuple

import numpy as np

from indielabel.data.dataset import RATING_MAX, RATING_MIN
from indielabel.storage.atomic_files import to_json
from indielabel.storage.names import validate_name

MODEL_KINDS = ("personal", "topic", "group")
# Fields of model.json that the store owns; values passed in `info` for them are replaced.
STORE_MODEL_FIELDS = ("name", "created_at", "updated_at")


@dataclass(frozen=True)
class Version:
    number: int
    labels: dict[int, float]
    metrics: dict


class NewVersion(NamedTuple):
    """What a new version holds before the store numbers it."""

    labels: dict[int, float]
    metrics: dict
    predictions: np.ndarray


@dataclass(frozen=True)
class VersionContent:
    """A new version checked and serialised, ready to be written."""

    labels_text: str
    metrics_text: str
    predictions: np.ndarray
    info: dict

    @classmethod
    def checked(cls, new: NewVersion, info: dict) -> VersionContent:
        labels_text = to_json(labels_document(new.labels), "labels")
        metrics_document = mapping(new.metrics, "metrics")
        metrics_document.setdefault("n_labels", len(new.labels))
        metrics_document.setdefault("created_at", now_iso())
        info_document = model_info_document(info)
        to_json(info_document, "info")
        return cls(labels_text, to_json(metrics_document, "metrics"), predictions_array(new.predictions),
                   info_document)


def mapping(value, what: str) -> dict:
    if not isinstance(value, dict):
        raise ValueError(f"{what} must be a dict, not {type(value).__name__}")
    return dict(value)


def labels_document(labels) -> dict[str, float]:
    document = {}
    for item_id, rating in mapping(labels, "labels").items():
        if isinstance(item_id, bool) or not isinstance(item_id, (int, np.integer)):
            raise ValueError(f"labels: key {item_id!r} is not an integer item_id")
        if isinstance(rating, bool) or not isinstance(rating, (int, float, np.number)) \
                or not RATING_MIN <= float(rating) <= RATING_MAX:
            raise ValueError(f"labels: rating {rating!r} of item {item_id} is not a number "
                             f"from {RATING_MIN:g} to {RATING_MAX:g}")
        document[str(int(item_id))] = float(rating)
    return document


def predictions_array(predictions) -> np.ndarray:
    array = np.asarray(predictions)
    if array.ndim != 1 or array.size == 0 or not np.issubdtype(array.dtype, np.number):
        raise ValueError("predictions must be a non-empty 1-D numeric array, one per item")
    array = array.astype(np.float32)
    if not np.isfinite(array).all():
        raise ValueError("predictions must be finite numbers")
    return array


def model_info_document(info) -> dict:
    document = mapping(info, "info")
    for store_field in STORE_MODEL_FIELDS:
        document.pop(store_field, None)
    document.setdefault("kind", "personal")
    if document["kind"] not in MODEL_KINDS:
        raise ValueError(f"info: kind must be one of {', '.join(MODEL_KINDS)}, not {document['kind']!r}")
    document["parent"] = document.get("parent")
    if document["parent"] is not None:
        validate_name(document["parent"], "parent")
    for key, expected_type, described in (("topic", str, "a string"), ("group", dict, "an object")):
        document[key] = document.get(key)
        if document[key] is not None and not isinstance(document[key], expected_type):
            raise ValueError(f"info: {key} must be {described} or null")
    return document


def check_reports(reports) -> None:
    if not isinstance(reports, list) or not all(isinstance(report, dict) for report in reports):
        raise ValueError("reports must be a list of objects")
    to_json(reports, "reports")


def now_iso() -> str:
    return datetime.now(timezone.utc).isoformat(timespec="milliseconds")
