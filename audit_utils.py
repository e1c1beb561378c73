"""Audit analysis over predictions: pure functions over DataFrames (no Flask, no files).

The one toxic rule everywhere: a rating is toxic when it is above 2.0. A comment is an *error* of the
system when the system's decision and the user's predicted decision fall on opposite sides of it:
the system is **under-sensitive** when you would find it toxic and it does not, **over-sensitive**
when it flags what you find fine.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass

import numpy as np
import pandas as pd

from indielabel.data.dataset import CATEGORY_COLUMNS, TOXIC_THRESHOLD

UNDER, OVER, AGREE_TOXIC, AGREE_NON_TOXIC = "under-sensitive", "over-sensitive", "agree-toxic", "agree-non-toxic"
ERROR_TYPE_NAMES = (UNDER, OVER, AGREE_TOXIC, AGREE_NON_TOXIC)
DECISION_NAMES = ("Non-toxic", "Toxic")
ERROR_CODE_OF_DECISIONS = np.array([3, 1, 0, 2], dtype=np.int8)  # (user, system): neither, system, user, both
ERROR_FOCUS = {"both": (UNDER, OVER), UNDER: (UNDER,), OVER: (OVER,), "all": ERROR_TYPE_NAMES}
CATEGORY_NAMES = {"is_profane_frac": "Profanity", "is_threat_frac": "Threat",
                  "is_identity_attack_frac": "Identity Attack", "is_insult_frac": "Insult",
                  "is_sexual_harassment_frac": "Sexual Harassment"}
CATEGORY_MIN_SHARE = 0.3  # a category applies when more than this share of raters marked it
NO_CATEGORY = "No category"
# The stated rule: the system *agrees* with you on a topic when fewer than 5% of its comments are
# possible errors (your predicted decision and the system's differ); every other topic is a problem.
AGREE_MAX_SHARE = 0.05
AGREES, PROBLEM = "agrees", "problem"
AGREEMENT_RULE = ("The system agrees with you on a topic when fewer than 5% of its comments are possible errors "
                  "(comments where we predict you would decide differently than the system); every other topic "
                  "is marked as a problem.")
DOMINANT_SHARE = 2 / 3  # errors mostly in one direction: at least two thirds of them
VIEW_DIFFERENCE = 0.25  # mean ratings this far apart on 0-4 are "more"/"less" toxic than others find them
BLIND_SPOT_MARGIN = 0.10  # the system errs on 10 points more of a topic's comments for you than for others
CHART_SAMPLE_SIZE = 500
TUNING_MIN_COMMENTS = 50
PROMPT_QUESTIONS = (
    "Are there terms used in your community that the system wrongly flags as toxic?",
    "Are there kinds of comments that are harmful to your community that the system lets through as non-toxic?",
    "How is your community targeted by people outside it, and does the system catch it?",
    "Which other communities' content should be treated the way yours is?",
    "In what ways do people get around the system's moderation?",
)


def decision_label(rating) -> np.ndarray:
    return np.where(np.asarray(rating, dtype=float) > TOXIC_THRESHOLD, "Toxic", "Non-toxic")


def error_type_codes(system_rating, predicted_rating) -> np.ndarray:
    """Per item, the position of its error type in ERROR_TYPE_NAMES."""
    system_toxic = np.asarray(system_rating) > TOXIC_THRESHOLD
    user_toxic = np.asarray(predicted_rating) > TOXIC_THRESHOLD
    # One table lookup (indexed by 2 x user toxic + system toxic) instead of np.select's three passes.
    return ERROR_CODE_OF_DECISIONS[2 * user_toxic.astype(np.int8) + system_toxic]


def category_labels(items: pd.DataFrame) -> pd.Series:
    """"Profanity, Insult"-style text per item from the crowd's category shares ("" where unknown)."""
    present = [c for c in CATEGORY_COLUMNS if c in items.columns]
    if not present:
        return pd.Series("", index=items.index)
    marked = items[present].fillna(0.0).to_numpy() > CATEGORY_MIN_SHARE
    names = [CATEGORY_NAMES[c] for c in present]
    # Each row's categories as bits of an integer, and one text per combination (at most 32): joining
    # names row by row took a third of a second at the Kumar size, on every start.
    codes = marked.astype(np.int64) @ (1 << np.arange(len(present), dtype=np.int64))
    texts = np.array([", ".join(name for bit, name in enumerate(names) if code >> bit & 1)
                      for code in range(1 << len(present))], dtype=object)
    return pd.Series(texts[codes], index=items.index)


def base_frame(items: pd.DataFrame) -> pd.DataFrame:
    """The per-item columns every audit shares (computed once per dataset)."""
    frame = items[["item_id", "comment", "topic_id", "topic", "rating_sys"]].rename(
        columns={"rating_sys": "system_rating"})
    frame["comment_lowercase"] = frame["comment"].str.lower()
    frame["system_decision"] = decision_label(frame["system_rating"])
    frame["categories"] = category_labels(items)
    frame["predicted_rating"] = np.nan
    frame["predicted_decision"] = None
    frame["error_type"] = None
    frame["disagreement"] = np.nan
    return frame


def with_predictions(base: pd.DataFrame, predicted_rating: np.ndarray) -> pd.DataFrame:
    """The shared frame plus one user's predicted rating, decision, error type and disagreement size."""
    frame = base.copy(deep=False)
    predicted = np.asarray(predicted_rating, dtype=np.float64)
    frame["predicted_rating"] = predicted
    # Categoricals made from integer codes: building 100k-row string columns on every request cost
    # more than the rest of an audit.
    frame["predicted_decision"] = pd.Categorical.from_codes((predicted > TOXIC_THRESHOLD).astype(np.int8),
                                                            DECISION_NAMES)
    frame["error_type"] = pd.Categorical.from_codes(error_type_codes(frame["system_rating"], predicted),
                                                    ERROR_TYPE_NAMES)
    frame["disagreement"] = (frame["system_rating"] - frame["predicted_rating"]).abs()
    return frame


@dataclass(frozen=True)
class Grouping:
    """Rows of the audit frame in groups, computed once per dataset: ``positions`` sorted by group,
    group ``i`` being ``positions[starts[i]:starts[i + 1]]``, described by row ``i`` of ``keys``."""

    positions: np.ndarray
    starts: np.ndarray
    keys: pd.DataFrame

    @classmethod
    def of(cls, positions: np.ndarray, codes: np.ndarray, keys: pd.DataFrame) -> Grouping:
        order = np.argsort(codes, kind="stable")
        starts = np.searchsorted(codes[order], np.arange(len(keys) + 1))
        return cls(np.asarray(positions)[order], starts, keys)

    def members(self, group: int) -> np.ndarray:
        return self.positions[self.starts[group]:self.starts[group + 1]]


def topic_grouping(frame: pd.DataFrame, labels: Mapping[str, str] | None = None) -> Grouping:
    """The comments of each topic (outliers left out)."""
    topic_ids = frame["topic_id"].to_numpy()
    positions = np.flatnonzero(topic_ids >= 0)
    # Grouped by the integer id: hashing 100k topic strings would cost more than the whole overview.
    ids, first, codes = np.unique(topic_ids[positions], return_index=True, return_inverse=True)
    topics = frame["topic"].to_numpy()[positions[first]]
    keys = pd.DataFrame({"key": topics, "label": [labels.get(t, t) if labels else t for t in topics], "topic_id": ids})
    return Grouping.of(positions, codes, keys)


def category_grouping(items: pd.DataFrame) -> Grouping:
    """The comments of each toxicity category the crowd marked (an item in each of its categories)."""
    present = [c for c in CATEGORY_COLUMNS if c in items.columns]
    marked = items[present].fillna(0.0).to_numpy() > CATEGORY_MIN_SHARE
    uncategorised = ~marked.any(axis=1)
    positions = np.concatenate([*(np.flatnonzero(marked[:, i]) for i in range(len(present))),
                                np.flatnonzero(uncategorised)])
    codes = np.concatenate([np.full(int(count), i) for i, count in
                            enumerate([*marked.sum(axis=0), uncategorised.sum()])]).astype(np.int64)
    names = [CATEGORY_NAMES[c] for c in present] + [NO_CATEGORY]
    return Grouping.of(positions, codes, pd.DataFrame({"key": names, "label": names, "topic_id": -1}))


def topic_overview(frame: pd.DataFrame, labels: Mapping[str, str] | None = None) -> pd.DataFrame:
    """One row per topic (outliers left out), worst first: see :func:`grouped_overview`."""
    return frame_overview(frame, topic_grouping(frame, labels))


def category_overview(frame: pd.DataFrame, items: pd.DataFrame) -> pd.DataFrame:
    """One row per toxicity category the crowd marked (an item counts in each of its categories), worst first."""
    return frame_overview(frame, category_grouping(items))


def frame_overview(frame: pd.DataFrame, grouping: Grouping) -> pd.DataFrame:
    """:func:`grouped_overview` of an audit frame's predictions."""
    return grouped_overview(frame["predicted_rating"].to_numpy(np.float64), frame["system_rating"].to_numpy(np.float64),
                            _error_codes(frame), grouping)


def grouped_overview(predicted: np.ndarray, system: np.ndarray, error_codes: np.ndarray,
                     grouping: Grouping) -> pd.DataFrame:
    """Per group of ``grouping``: how the system fails you, from per-item arrays (predicted and system
    ratings, positions in ERROR_TYPE_NAMES).

    Counts and shares of under- and over-sensitive comments, the group's status by the stated rule,
    median and mean of both ratings, and the system's distance from you (MAE, MSE, mean predicted -
    system). Ordered worst first: largest share of possible errors, then most errors.
    """
    positions, starts = grouping.positions, grouping.starts
    predicted, system, error_codes = predicted[positions], system[positions], error_codes[positions]
    non_empty = starts[:-1] < starts[1:]
    segment_starts = starts[:-1][non_empty]

    def total(values) -> np.ndarray:
        # Summed in float64 whatever the inputs (predictions are float32).
        sums = np.zeros(len(non_empty))
        if len(segment_starts):
            sums[non_empty] = np.add.reduceat(values, segment_starts, dtype=np.float64)
        return sums

    def medians(values) -> np.ndarray:
        return np.array([np.median(values[start:end]) if end > start else np.nan
                         for start, end in zip(starts[:-1], starts[1:])], dtype=np.float64)

    sizes = np.diff(starts)
    table = grouping.keys.assign(n_comments=sizes.astype(int), n_under=total(error_codes == 0).astype(int),
                                 n_over=total(error_codes == 1).astype(int))
    safe = np.maximum(sizes, 1)
    table["under_share"] = table["n_under"] / safe
    table["over_share"] = table["n_over"] / safe
    table["n_errors"] = table["n_under"] + table["n_over"]
    table["error_share"] = table["n_errors"] / safe
    difference = predicted - system
    table["mae"] = total(np.abs(difference)) / safe
    table["mse"] = total(np.square(difference, dtype=np.float64)) / safe
    table["avg_diff"] = total(difference) / safe
    table["predicted_median"], table["system_median"] = medians(predicted), medians(system)
    table["predicted_mean"], table["system_mean"] = total(predicted) / safe, total(system) / safe
    table["status"] = np.where(table["error_share"] < AGREE_MAX_SHARE, AGREES, PROBLEM)
    table["direction"] = [_direction(under, over, share) for under, over, share
                          in zip(table["n_under"], table["n_over"], table["error_share"])]
    table = table[table["n_comments"] > 0]
    ranked = table.sort_values(["error_share", "n_errors", "key"], ascending=[False, False, True], kind="stable")
    return ranked.reset_index(drop=True)


def _error_codes(frame: pd.DataFrame) -> np.ndarray:
    """Each row's position in ERROR_TYPE_NAMES (-1 without a model)."""
    error_type = frame["error_type"]
    if isinstance(error_type.dtype, pd.CategoricalDtype):
        return error_type.cat.codes.to_numpy()
    return pd.Categorical(error_type, categories=ERROR_TYPE_NAMES).codes


def _direction(n_under: int, n_over: int, error_share: float) -> str:
    """The direction of a group's errors in words, by the same rule as its status."""
    if error_share < AGREE_MAX_SHARE:
        return "agrees"
    if n_over >= DOMINANT_SHARE * (n_under + n_over):
        return OVER
    if n_under >= DOMINANT_SHARE * (n_under + n_over):
        return UNDER
    return "both"


def view_comparison(mine: pd.DataFrame, theirs: pd.DataFrame) -> pd.DataFrame:
    """Per topic, your predicted view against others': two :func:`topic_overview` tables, yours and
    theirs (from the crowd's item means, or a group model's predictions).

    ``difference`` is your mean rating minus theirs; a topic is *your blind spot* when the system's
    decisions differ from yours on a share of its comments at least ``BLIND_SPOT_MARGIN`` larger than
    from theirs: the system follows the others and fails you.
    """
    theirs = theirs.set_index("key")
    table = pd.DataFrame({
        "key": mine["key"], "label": mine["label"], "topic_id": mine["topic_id"], "n_comments": mine["n_comments"],
        "your_rating": mine["predicted_mean"], "others_rating": theirs.loc[mine["key"], "predicted_mean"].to_numpy(),
        "system_rating": mine["system_mean"], "your_error_share": mine["error_share"],
        "others_error_share": theirs.loc[mine["key"], "error_share"].to_numpy(),
    })
    table["difference"] = table["your_rating"] - table["others_rating"]
    table["view"] = np.select([table["difference"] >= VIEW_DIFFERENCE, table["difference"] <= -VIEW_DIFFERENCE],
                              ["more toxic", "less toxic"], "about as toxic")
    table["blind_spot"] = (table["your_error_share"] - table["others_error_share"] >= BLIND_SPOT_MARGIN) & (
        table["your_error_share"] >= AGREE_MAX_SHARE)
    order = np.lexsort((-table["difference"].abs().to_numpy(), ~table["blind_spot"].to_numpy()))
    return table.iloc[order].reset_index(drop=True)


def scope_rows(frame: pd.DataFrame, *, topic: str | None = None, keyword: str | None = None,
               whole_word: bool = False) -> pd.DataFrame:
    """The comments of a topic or containing a keyword (upper or lower case alike), whatever their error type."""
    rows = frame
    if topic is not None:
        rows = rows[rows["topic"] == topic]
    if keyword is not None:
        rows = rows.iloc[keyword_positions(rows["comment_lowercase"].tolist(), keyword, whole_word)]
    return rows


def keyword_positions(lowercase: list[str], keyword: str, whole_word: bool = False) -> np.ndarray:
    """Positions of the lowercased comments that contain ``keyword`` (as a whole word, if asked)."""
    # A substring test on comments lowercased once is ten times faster than a case-insensitive
    # regex over every comment; the whole-word regex then checks only those matches.
    needle = keyword.strip().lower()
    positions = np.fromiter((position for position, text in enumerate(lowercase) if needle in text), dtype=np.int64)
    if whole_word:
        pattern = re.compile(rf"\b{re.escape(needle)}\b")
        positions = positions[np.fromiter((pattern.search(lowercase[p]) is not None for p in positions),
                                          dtype=bool, count=len(positions))]
    return positions


def focus_rows(rows: pd.DataFrame, error_focus: str = "both") -> pd.DataFrame:
    """The rows of the focused error types, most disagreement first; without a model, all by system rating."""
    if rows["error_type"].notna().any():
        rows = rows[rows["error_type"].isin(ERROR_FOCUS[error_focus])]
        return rows.sort_values(["disagreement", "item_id"], ascending=[False, True], kind="stable")
    return rows.sort_values(["system_rating", "item_id"], kind="stable")


def chart_sample(rows: pd.DataFrame, seed: int, size: int = CHART_SAMPLE_SIZE) -> pd.DataFrame:
    """At most ``size`` rows for a chart, the same sample for the same seed."""
    if len(rows) <= size:
        return rows
    return rows.sample(n=size, random_state=seed)


def comment_records(rows: pd.DataFrame) -> list[dict]:
    """JSON-ready rows for the comment table (numbers rounded to 2 places, no NaN)."""
    columns = ["item_id", "comment", "topic", "system_rating", "system_decision", "predicted_rating",
               "predicted_decision", "error_type", "disagreement", "categories"]
    table = rows[columns].copy()
    for column in ("system_rating", "predicted_rating", "disagreement"):
        table[column] = table[column].round(2)
    table = table.astype(object).where(table.notna(), None)
    return table.to_dict(orient="records")


def tuning_topics(items: pd.DataFrame, min_comments: int = TUNING_MIN_COMMENTS) -> list[str]:
    """Topics with enough comments to tune a model on, largest first."""
    counts = items[items["topic_id"] >= 0].groupby("topic").size()
    return counts[counts >= min_comments].sort_values(ascending=False, kind="stable").index.tolist()


def scaffold_topics(frame: pd.DataFrame, per_direction: int = 5) -> list[tuple[str, str]]:
    """(topic, error type): the topics with the largest share of under- and of over-sensitive errors."""
    overview = topic_overview(frame)
    chosen: list[tuple[str, str]] = []
    for column, error_type in (("under_share", UNDER), ("over_share", OVER)):
        top = overview[overview[column] > 0].sort_values([column, "topic_id"], ascending=[False, True])
        chosen.extend((topic, error_type) for topic in top["key"].head(per_direction))
    return chosen


def crowd_frame(base: pd.DataFrame, items: pd.DataFrame) -> pd.DataFrame:
    """The audit frame with the crowd's mean rating in place of a user's: for the `fixed` scaffold."""
    return with_predictions(base, items["crowd_mean"].fillna(items["rating_sys"]).to_numpy())


def explore_sample(base: pd.DataFrame, n: int, rng: np.random.Generator) -> list[dict]:
    """Random comments with the system's rating and decision."""
    return comment_records(base.iloc[rng.choice(len(base), size=min(n, len(base)), replace=False)])
