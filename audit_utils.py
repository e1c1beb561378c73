"""Audit analysis over predictions: pure functions over DataFrames (no Flask, no files).

The one toxic rule everywhere: a rating is toxic when it is above 2.0. A comment is an *error* of the
system when the system's decision and the user's predicted decision fall on opposite sides of it:
the system is **under-sensitive** when you would find it toxic and it does not, **over-sensitive**
when it flags what you find fine.
"""

from __future__ import annotations

import re

import numpy as np
import pandas as pd

from indielabel.data.dataset import CATEGORY_COLUMNS, TOXIC_THRESHOLD

UNDER, OVER, AGREE_TOXIC, AGREE_NON_TOXIC = "under-sensitive", "over-sensitive", "agree-toxic", "agree-non-toxic"
ERROR_TYPE_NAMES = (UNDER, OVER, AGREE_TOXIC, AGREE_NON_TOXIC)
DECISION_NAMES = ("Non-toxic", "Toxic")
ERROR_FOCUS = {"both": (UNDER, OVER), UNDER: (UNDER,), OVER: (OVER,), "all": ERROR_TYPE_NAMES}
CATEGORY_NAMES = {"is_profane_frac": "Profanity", "is_threat_frac": "Threat",
                  "is_identity_attack_frac": "Identity Attack", "is_insult_frac": "Insult",
                  "is_sexual_harassment_frac": "Sexual Harassment"}
CATEGORY_MIN_SHARE = 0.3  # a category applies when more than this share of raters marked it
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
    return np.select([user_toxic & ~system_toxic, system_toxic & ~user_toxic, system_toxic], [0, 1, 2], 3)


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


def topic_overview(frame: pd.DataFrame, method: str = "median") -> pd.DataFrame:
    """One row per topic (outliers left out): aggregate predicted and system rating, sizes, error shares."""
    # Only the columns needed, and grouping on the integer id: copying and hashing 100k comment
    # strings would cost more than the aggregation itself.
    columns = ["topic_id", "topic", "item_id", "predicted_rating", "system_rating", "error_type"]
    topics = frame.loc[frame["topic_id"].to_numpy() >= 0, columns]
    grouped = topics.groupby("topic_id", sort=True)
    overview = grouped.agg(
        topic=("topic", "first"),
        n_comments=("item_id", "size"),
        predicted_rating=("predicted_rating", method),
        system_rating=("system_rating", method),
    ).reset_index()
    shares = error_shares(topics)
    return overview.merge(shares, on="topic_id", how="left")


def error_shares(frame: pd.DataFrame) -> pd.DataFrame:
    """Per topic, the share of its comments on which the system is under- and over-sensitive."""
    flags = pd.DataFrame({
        "topic_id": frame["topic_id"],
        "under_share": (frame["error_type"] == UNDER).astype(float),
        "over_share": (frame["error_type"] == OVER).astype(float),
    })
    return flags.groupby("topic_id").mean().reset_index()


def select_rows(frame: pd.DataFrame, *, topic: str | None = None, keyword: str | None = None,
                whole_word: bool = False, error_focus: str = "both") -> pd.DataFrame:
    """The comments of a topic or matching a keyword, filtered by error focus, most disagreement first."""
    rows = frame
    if topic is not None:
        rows = rows[rows["topic"] == topic]
    if keyword is not None:
        # A substring test on comments lowercased once is ten times faster than a case-insensitive
        # regex over every comment; the whole-word regex then checks only those matches.
        needle = keyword.strip().lower()
        lowercase = rows["comment_lowercase"].tolist()
        rows = rows[np.fromiter((needle in text for text in lowercase), dtype=bool, count=len(lowercase))]
        if whole_word:
            rows = rows[rows["comment_lowercase"].str.contains(rf"\b{re.escape(needle)}\b", regex=True)]
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
    shares = error_shares(frame[frame["topic_id"] >= 0])
    names = frame.drop_duplicates("topic_id").set_index("topic_id")["topic"]
    chosen: list[tuple[str, str]] = []
    for column, error_type in (("under_share", UNDER), ("over_share", OVER)):
        top = shares[shares[column] > 0].sort_values([column, "topic_id"], ascending=[False, True])
        chosen.extend((names[topic_id], error_type) for topic_id in top["topic_id"].head(per_direction))
    return chosen


def crowd_frame(base: pd.DataFrame, items: pd.DataFrame) -> pd.DataFrame:
    """The audit frame with the crowd's mean rating in place of a user's: for the `fixed` scaffold."""
    return with_predictions(base, items["crowd_mean"].fillna(items["rating_sys"]).to_numpy())


def explore_sample(base: pd.DataFrame, n: int, rng: np.random.Generator) -> list[dict]:
    """Random comments with the system's rating and decision."""
    return comment_records(base.iloc[rng.choice(len(base), size=min(n, len(base)), replace=False)])
