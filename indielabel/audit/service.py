"""The auditor's journey as calls: labeling, training, auditing. The server translates HTTP to these.

One AuditService per process holds the dataset, the base model, the per-user store and the flagging
setup. Data flows one way: dataset -> base model -> personal model -> audit analysis -> charts.
"""

from __future__ import annotations

import threading
import zlib
from collections import OrderedDict
from dataclasses import dataclass

import friendlywords
import numpy as np
import pandas as pd
import threadpoolctl

import audit_utils
from indielabel.audit import charts, self_descriptions
from indielabel.config import Settings
from indielabel.data import dataset as datasets
from indielabel.data.topic_names import topic_labels
from indielabel.errors import InputError, NotFoundError
from indielabel.model import label_selection, neighbours
from indielabel.model import personal as personal_model
from indielabel.model.self_description import conditioned_prior
from indielabel.storage.names import InvalidName, validate_name
from indielabel.storage.store import Store
from indielabel.storage.versions import NewVersion, Version

MODEL_NAME_SUGGESTION = "my_model"
PREDICTION_CACHE_SIZE = 64


@dataclass
class ModelView:
    """A user's model as the audit sees it: its name, version and per-item predictions."""

    name: str
    version: int
    predicted_rating: np.ndarray


class AuditService:
    def __init__(self, settings: Settings, data: datasets.Dataset, base_model, store: Store):
        self.settings = settings
        self.data = data
        self.base_model = base_model
        self.store = store
        self.frame = audit_utils.base_frame(data.items)
        # The outlier bucket (-1) gathers comments that fit no topic: it is not offered as a topic.
        self.topic_names = set(self.frame.loc[self.frame["topic_id"] >= 0, "topic"])
        self.topic_labels = topic_labels(sorted(self.topic_names))
        self.item_positions = pd.Index(self.frame["item_id"])
        # Indexes built once so that a request costs what it shows: a topic's rows, a keyword scan over
        # comments lowercased once, per-topic sums over one array of predictions (no frame of every comment).
        self.system_rating = self.frame["system_rating"].to_numpy(np.float64)  # decisions exactly as the table
        self.topic_grouping = audit_utils.topic_grouping(self.frame, self.topic_labels)
        self.topic_positions = {topic: self.topic_grouping.members(group)
                                for group, topic in enumerate(self.topic_grouping.keys["key"])}
        self.comment_lowercase = self.frame["comment_lowercase"].tolist()
        self._category_grouping: audit_utils.Grouping | None = None
        self._crowd_frame: pd.DataFrame | None = None
        self._crowd_overview: pd.DataFrame | None = None
        self._group_attributes: dict[str, list[str]] | None = None
        self._tuning_topics: list[str] | None = None
        self._moment: np.ndarray | None = None
        self._predictions: OrderedDict[tuple, np.ndarray] = OrderedDict()
        self._lock = threading.Lock()
        self._content_index: neighbours.ContentIndex | None = None
        self._content_index_lock = threading.Lock()

    @classmethod
    def from_settings(cls, settings: Settings) -> AuditService:
        data = datasets.load(settings.dataset_dir)
        return cls.serving(settings, data, personal_model.load_or_fit(data, quiet=True))

    @classmethod
    def serving(cls, settings: Settings, data: datasets.Dataset, base_model) -> AuditService:
        """The service over an already loaded dataset and base model, set up for serving requests."""
        # A fold-in is a tiny solve: BLAS threads only contend with the other requests' threads
        # (measured at Kumar size: p95 of a training 63 ms with them, under 4 ms without).
        threadpoolctl.threadpool_limits(limits=1)
        return cls(settings, data, base_model, Store(settings.user_output_dir))

    # ---- users and settings -------------------------------------------------------------------

    def new_user_id(self) -> str:
        """A fresh two-word id (``factual_spade``) that no user has yet."""
        while True:
            candidate = friendlywords.generate("po", separator="_")
            if not self.store.user_exists(candidate):
                self.store.ensure_user(candidate)
                return candidate

    def group_attributes(self) -> dict[str, list[str]]:
        """Each rater attribute with the values the dataset has (multi-valued cells split).

        Computed on first use only: splitting every rater's cells takes a good part of a second at the
        Kumar size, and the raters do not change while the app runs.
        """
        if self._group_attributes is None:
            values: dict[str, list[str]] = {}
            for column in self.data.attribute_columns:
                cells = self.data.raters[column].dropna().astype(str)
                split = cells.str.split(datasets.MULTI_VALUE_SEPARATOR).explode().str.strip()
                values[column] = sorted(v for v in split.unique() if v)
            self._group_attributes = values
        return self._group_attributes

    def topic_groups(self, user: str) -> list[dict]:
        """Topic choices for the audit, tuned topics first (as option groups for a select)."""
        tuned = {info["topic"] for info in self._model_infos(user) if info.get("kind") == "topic"}
        topics = sorted(self.topic_names, key=_topic_sort_key)
        groups = []
        if tuned:
            groups.append({"label": "Topics with tuned models",
                           "options": [self._topic_option(t) for t in topics if t in tuned]})
        label = "All other topics" if tuned else "All topics"
        groups.append({"label": label, "options": [self._topic_option(t) for t in topics if t not in tuned]})
        return groups

    def _topic_option(self, topic: str) -> dict:
        return {"value": topic, "text": self.topic_labels[topic]}

    def tuning_topics(self) -> list[str]:
        if self._tuning_topics is None:
            self._tuning_topics = audit_utils.tuning_topics(self.data.items)
        return self._tuning_topics

    def models_of(self, user: str, kind: str | None = None) -> list[str]:
        infos = self._model_infos(user)
        return [info["name"] for info in infos if kind is None or info.get("kind") == kind]

    def model_summaries(self, user: str) -> list[dict]:
        """Each model's name, kind and last update, most recently updated first."""
        summaries = [{"name": info["name"], "kind": info.get("kind", "personal"),
                      "updated_at": info.get("updated_at")} for info in self._model_infos(user)]
        return sorted(summaries, key=lambda summary: summary["updated_at"] or "", reverse=True)

    def _model_infos(self, user: str) -> list[dict]:
        infos = []
        for name in self.store.list_models(user):
            info = self.store.model_info(user, name) or {}
            infos.append({**info, "name": name})
        return infos

    # ---- labeling ----------------------------------------------------------------------------

    def comments_to_label(self, n: int, topic: str | None = None, seed: int | None = None,
                          exclude: frozenset[int] = frozenset(), sampler: str | None = None,
                          user: str | None = None) -> list[dict]:
        """``n`` comments to label (of one topic, if given), none in ``exclude``.

        ``sampler`` is ``adaptive`` (what tells most about the person, counting the excluded comments
        as already shown) or ``stratified`` (the paper's 2/4/8/4/2); by default the configured one.
        Adaptive starts from ``user``'s stored self-description, as training will (named groups are known).
        """
        items = self.data.items
        if topic is not None:
            items = items[items["topic"] == self.require_topic(topic)]
        rng = np.random.default_rng(seed)
        if (sampler or self.settings.label_sampler) == "stratified":
            return label_selection.sample_to_label(items, n, rng, exclude=exclude).to_dict(orient="records")
        profile = None if user is None else self_descriptions.for_training(self.store, self.base_model, user)
        return self._informative_comments(items, n, rng, exclude, whole_dataset=topic is None, profile=profile)

    def _informative_comments(self, items: pd.DataFrame, n: int, rng: np.random.Generator, exclude: frozenset[int],
                              whole_dataset: bool, profile: dict[str, str] | None) -> list[dict]:
        base = self.base_model
        known = np.fromiter(exclude, dtype=np.int64)
        asked = base.positions(known[np.isin(known, base.item_ids)])
        pool = base.positions(items.loc[~items["item_id"].isin(exclude), "item_id"])
        # Tuning a topic aims at that topic's predictions; the labeling page at the whole dataset's.
        moment = self._dataset_moment() if whole_dataset else label_selection.design_moment(
            base.item_factors, base.positions(items["item_id"]))
        prior = conditioned_prior(base.prior_mean, base.prior_penalty, base.profile_levels, base.profile_means,
                                  profile)
        rows = label_selection.informative_rows(base.item_factors, prior.penalty, moment, base.system_rating,
                                                pool, n, rng, asked_rows=asked, free=prior.free)
        item_ids = base.item_ids[rows]
        comments = self.frame["comment"].to_numpy()[self.item_positions.get_indexer(item_ids)]
        return [{"item_id": int(item_id), "comment": comment} for item_id, comment in zip(item_ids, comments)]

    def _dataset_moment(self) -> np.ndarray:
        if self._moment is None:
            self._moment = label_selection.design_moment(self.base_model.item_factors)
        return self._moment

    def require_topic(self, topic: str) -> str:
        if topic not in self.topic_names:
            raise NotFoundError(f"no topic named {topic!r}", field="topic")
        return topic

    def _require_items(self, item_ids) -> None:
        wanted = np.fromiter(item_ids, dtype=np.int64)
        # The index's hash table is built once; a set difference would sort every item id per request.
        unknown = np.unique(wanted[self.item_positions.get_indexer(wanted) < 0])
        if unknown.size:
            raise InputError(f"unknown item id(s): {', '.join(map(str, unknown[:5]))}", field="ratings")

    # ---- models ------------------------------------------------------------------------------

    def train(self, user: str, model_name: str, ratings: dict[int, int | None], *,
              info: dict | None = None, base_labels: dict[int, float] | None = None,
              with_profile: bool = True) -> dict:
        """Merge new labels into the model's latest ones (newest wins), fold in, store a new version.

        The user's self-description, if they gave one, is folded in too (``with_profile``); the
        version records which attributes it used. The merge and fold-in run under the user's lock
        (they take milliseconds), so concurrent trainings of one model each build on the other's labels.
        """
        self._require_items(ratings)
        profile = self_descriptions.for_training(self.store, self.base_model, user) if with_profile else None

        def fold_in(latest: Version | None) -> NewVersion:
            previous = latest.labels if latest else (base_labels or {})
            labels = personal_model.merge_labels(previous, ratings)
            if not labels:
                raise InputError("label at least one comment (unsure ones are skipped)", field="ratings")
            result = personal_model.train_personal(self.base_model, labels, profile)
            metrics = {"cv_mae": result.cv_mae, "band": result.band, "n_labels": result.n_labels,
                       "system_distance": result.system_metrics, "self_described": sorted(profile or {})}
            return NewVersion(labels, metrics, result.predictions)

        version, trained = self.store.add_derived_version(user, model_name, fold_in,
                                                          info or {"kind": "personal"})
        self._remember(user, model_name, version, trained.predictions)
        response = self.describe(user, model_name)
        response["n_unsure"] = sum(rating is None for rating in ratings.values())
        return response

    def describe(self, user: str, model_name: str) -> dict:
        """The latest version of a model: both metrics, the history chart and its labels."""
        history = self.store.history(user, model_name)
        if not history:
            raise NotFoundError(f"user {user!r} has no model {model_name!r}", field="model_name")
        latest = history[-1]
        versions = pd.DataFrame({"version": [v.number for v in history],
                                 "cv_mae": [v.metrics.get("cv_mae") for v in history]}, dtype=float)
        comments = self.frame.set_index("item_id")["comment"]
        return {
            "model_name": model_name,
            "version": latest.number,
            "n_labels": len(latest.labels),
            "model_quality": {"cv_mae": latest.metrics.get("cv_mae"), "band": latest.metrics.get("band")},
            "system_distance": latest.metrics.get("system_distance"),
            "self_described": latest.metrics.get("self_described", []),
            "perf_plot_json": charts.history_chart(versions, model_name),
            "ratings_prev": {str(item_id): rating for item_id, rating in latest.labels.items()},
            "labels": [{"item_id": item_id, "comment": comments.get(item_id, ""), "rating": rating}
                       for item_id, rating in latest.labels.items()],
        }

    def train_topic(self, user: str, model_name: str, topic: str, ratings: dict[int, int | None]) -> dict:
        """A topic-tuned copy of a model: all the model's labels plus these, saved as a new model."""
        self.require_topic(topic)
        topic_id = int(self.frame.loc[self.frame["topic"] == topic, "topic_id"].iloc[0])
        tuned_name = self._derived_name(f"{model_name}_topic{topic_id}")
        parent = self.store.latest_version(user, model_name)
        info = {"kind": "topic", "parent": model_name, "topic": topic}
        response = self.train(user, tuned_name, ratings, info=info, base_labels=parent.labels if parent else None)
        response["new_model_name"] = tuned_name
        return response

    def group_size(self, selection: dict[str, list[str]]) -> int:
        try:
            return personal_model.group_size(self.data, selection)
        except ValueError as error:
            raise InputError(str(error), field="selection") from error

    def train_group(self, user: str, model_name: str, selection: dict[str, list[str]]) -> dict:
        """A model from a rater group's per-item median ratings, folded in as if they were labels."""
        try:
            labels, size = personal_model.group_labels(self.data, selection)
        except ValueError as error:
            raise InputError(str(error), field="selection") from error
        if size == 0:
            raise InputError("no rater in the dataset matches this group", field="selection")
        info = {"kind": "group", "group": selection, "group_size": size}
        response = self.train(user, model_name, labels, info=info, with_profile=False)
        response["group_size"] = size
        return response

    def _derived_name(self, name: str) -> str:
        try:
            return validate_name(name, "model_name")
        except InvalidName as error:
            raise InputError(f"the tuned model's name {name!r} is too long; choose a shorter model name",
                             field="model_name") from error

    # ---- predictions and audits -------------------------------------------------------------

    def model_view(self, user: str, model_name: str) -> ModelView:
        latest = self.store.latest_version(user, model_name)
        if latest is None:
            raise NotFoundError(f"user {user!r} has no model {model_name!r}", field="model")
        key = (user, model_name, latest.number)
        with self._lock:
            predictions = self._predictions.get(key)
            if predictions is not None:
                self._predictions.move_to_end(key)
        if predictions is None:
            predictions = np.asarray(self.store.load_predictions(user, model_name, latest.number))
            self._remember(user, model_name, latest.number, predictions)
        return ModelView(model_name, latest.number, predictions)

    def _remember(self, user: str, model_name: str, version: int, predictions: np.ndarray) -> None:
        with self._lock:
            self._predictions[(user, model_name, version)] = predictions
            while len(self._predictions) > PREDICTION_CACHE_SIZE:
                self._predictions.popitem(last=False)

    def audit_frame(self, user: str, model_name: str | None) -> pd.DataFrame:
        if not model_name:
            return self.frame
        return audit_utils.with_predictions(self.frame, self.model_view(user, model_name).predicted_rating)

    def audit_rows(self, user: str, model_name: str | None, positions: np.ndarray) -> pd.DataFrame:
        """The audit frame's rows at ``positions`` only, with the model's predictions if one is named."""
        rows = self.frame.iloc[positions]
        if not model_name:
            return rows
        return audit_utils.with_predictions(rows, self.model_view(user, model_name).predicted_rating[positions])

    def overview_table(self, user: str, model_name: str, breakdown: str = "topic") -> pd.DataFrame:
        """The model's per-topic (or per-category) overview, aggregated over its array of predictions."""
        predicted = np.asarray(self.model_view(user, model_name).predicted_rating, dtype=np.float32)
        grouping = self.topic_grouping if breakdown == "topic" else self.category_grouping()
        error_codes = audit_utils.error_type_codes(self.system_rating, predicted)
        return audit_utils.grouped_overview(predicted, self.system_rating, error_codes, grouping)

    def category_grouping(self) -> audit_utils.Grouping:
        if self._category_grouping is None:
            self._category_grouping = audit_utils.category_grouping(self.data.items)
        return self._category_grouping

    def crowd_frame(self) -> pd.DataFrame:
        if self._crowd_frame is None:
            self._crowd_frame = audit_utils.crowd_frame(self.frame, self.data.items)
        return self._crowd_frame

    def crowd_topic_overview(self) -> pd.DataFrame:
        """The crowd's per-topic overview, the same for every user: computed once."""
        if self._crowd_overview is None:
            self._crowd_overview = audit_utils.topic_overview(self.crowd_frame(), self.topic_labels)
        return self._crowd_overview

    def cluster_results(self, user: str, model_name: str | None, *, search_type: str, topic: str | None,
                        keyword: str | None, whole_word: bool, error_type: str, limit: int) -> dict:
        if search_type == "cluster":
            if topic is None:
                raise InputError("choose a topic", field="topic")
            self.require_topic(topic)
            keyword = None
        elif keyword is None or not keyword.strip():
            raise InputError("type a keyword or phrase to search for", field="keyword")
        else:
            topic = None
        positions = (self.topic_positions[topic] if topic is not None
                     else audit_utils.keyword_positions(self.comment_lowercase, keyword, whole_word))
        in_scope = self.audit_rows(user, model_name, positions)
        rows = audit_utils.focus_rows(in_scope, error_type)
        response = {"search_type": search_type, "topic": topic, "keyword": keyword, "error_type": error_type,
                    "topic_label": self.topic_labels.get(topic) if topic else None,
                    "n_matching": len(in_scope), "n_total": len(rows), "n_shown": min(len(rows), limit),
                    "cluster_comments": audit_utils.comment_records(rows.head(limit)),
                    "cluster_overview_plot_json": None, "n_chart": 0}
        if search_type == "cluster" and len(rows):
            sample = audit_utils.chart_sample(rows, seed=_stable_seed(topic))
            response["cluster_overview_plot_json"] = charts.topic_chart(sample, with_model=bool(model_name))
            response["n_chart"] = len(sample)
        return response

    def content_index(self) -> neighbours.ContentIndex:
        """The comments' content vectors for similar-comment search, from the dataset's cache on first use."""
        with self._content_index_lock:
            if self._content_index is None:
                self._content_index = neighbours.load_or_build(self.data)
            return self._content_index

    def explore(self, n: int) -> list[dict]:
        return audit_utils.explore_sample(self.frame, n, np.random.default_rng())

    def item_row(self, item_id: int) -> pd.Series:
        position = self.item_positions.get_indexer([item_id])[0]
        if position < 0:
            raise NotFoundError(f"no comment with item id {item_id}", field="item_id")
        return self.frame.iloc[position]


def _topic_sort_key(topic: str) -> tuple[int, str]:
    head = topic.split("_", 1)[0]
    return (int(head) if head.lstrip("-").isdigit() else 10**9, topic)


def _stable_seed(text: str) -> int:
    """A seed that is the same in every process (Python's str hash is salted per process)."""
    return zlib.crc32(text.encode())
