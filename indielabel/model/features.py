"""What the personal model knows about a comment and about a rater, as numeric matrices.

Comments are described by their content only: the TF-IDF of their words, the topic
the topic model gave them, the system's score and a constant. Raters are described by their
attributes as indicator columns, one per (attribute, value). Columns that a source marks as ground
truth of a generator (``true_topic``, ``phenomenon``) and the crowd-derived category shares are never
read here.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import numpy as np
import pandas as pd
import scipy.sparse

from indielabel.data.dataset import MULTI_VALUE_SEPARATOR

# Words in fewer comments than this carry too few ratings to learn from (~5 a comment); word pairs
# were measured to add nothing over single words while tripling the fitting time.
MAX_VOCABULARY = 50_000
MIN_DOCUMENT_FREQUENCY = 5
SMALL_CORPUS = 50  # below this many comments every word is kept


def word_vectorizer(n_comments: int):
    """The (unfitted) sublinear TF-IDF of words the model reads comments with, rows of unit length."""
    # Imported here: scikit-learn takes a second or more to import and only fitting needs it, so the
    # server, which imports this module for group models, starts without it.
    from sklearn.feature_extraction.text import TfidfVectorizer

    return TfidfVectorizer(
        sublinear_tf=True,
        min_df=MIN_DOCUMENT_FREQUENCY if n_comments > SMALL_CORPUS else 1,
        max_features=MAX_VOCABULARY,
        dtype=np.float64,
    )


def word_features(comments: Sequence[str]) -> scipy.sparse.csr_matrix:
    """TF-IDF of words, each row of unit length (n × vocabulary, sparse)."""
    try:
        return word_vectorizer(len(comments)).fit_transform(comments).tocsr()
    except ValueError:  # no word survived the vocabulary rules (e.g. all comments empty)
        return scipy.sparse.csr_matrix((len(comments), 0))


def topic_indicators(topic_ids: np.ndarray) -> scipy.sparse.csr_matrix:
    """One 0/1 column per topic id (outliers, id -1, get their own column)."""
    topics, positions = np.unique(topic_ids, return_inverse=True)
    rows = np.arange(len(topic_ids))
    return scipy.sparse.csr_matrix((np.ones(len(topic_ids)), (rows, positions)), shape=(len(topic_ids), len(topics)))


def standardised(columns: np.ndarray) -> np.ndarray:
    centred = columns - columns.mean(axis=0)
    scale = centred.std(axis=0)
    return centred / np.where(scale > 0, scale, 1.0)


def content_features(items: pd.DataFrame) -> scipy.sparse.csr_matrix:
    """Item content matrix (n_items × D, sparse): word TF-IDF, topic indicators, system rating, 1."""
    system_rating = items["rating_sys"].to_numpy(np.float64)
    known = np.isfinite(system_rating)
    system_rating = np.where(known, system_rating, system_rating[known].mean() if known.any() else 0.0)
    return scipy.sparse.hstack([
        word_features(items["comment"].tolist()),
        topic_indicators(items["topic_id"].to_numpy()),
        standardised(system_rating[:, None]),
        np.ones((len(items), 1)),
    ], format="csr")


def attribute_values(cell: str) -> list[str]:
    """The values in one raters.csv cell; multi-valued attributes are joined by ``;``."""
    return [value.strip() for value in str(cell).split(MULTI_VALUE_SEPARATOR) if value.strip()]


def attribute_levels(raters: pd.DataFrame, attributes: Sequence[str]) -> list[tuple[str, str]]:
    """The (attribute, value) of each indicator column, attributes in order, values sorted."""
    levels = []
    for attribute in attributes:
        cells = raters[attribute].map(attribute_values)
        levels.extend((attribute, value) for value in sorted({value for values in cells for value in values}))
    return levels


def attribute_indicators(raters: pd.DataFrame, attributes: Sequence[str]) -> np.ndarray:
    """One 0/1 column per value an attribute takes (n_raters × L), in :func:`attribute_levels` order."""
    cells = {attribute: raters[attribute].map(attribute_values) for attribute in attributes}
    columns = [cells[attribute].map(lambda values, value=value: value in values).to_numpy(np.float64)
               for attribute, value in attribute_levels(raters, attributes)]
    return np.column_stack(columns) if columns else np.zeros((len(raters), 0))


def matching_raters(raters: pd.DataFrame, selection: Mapping[str, Sequence[str]]) -> np.ndarray:
    """Boolean mask of raters matching every attribute of ``selection`` (any of its listed values).

    An attribute given with no values does not restrict the group. Raises ValueError for an attribute
    the raters do not have.
    """
    mask = np.ones(len(raters), dtype=bool)
    for attribute, wanted in selection.items():
        if attribute == "rater_id" or attribute not in raters.columns:
            known = ", ".join(c for c in raters.columns if c != "rater_id") or "none"
            raise ValueError(f"unknown rater attribute {attribute!r} (known: {known})")
        if isinstance(wanted, str):
            wanted = [wanted]
        wanted = {str(value) for value in wanted}
        if wanted:
            cells = raters[attribute].map(attribute_values)
            mask &= cells.map(lambda values: not wanted.isdisjoint(values)).to_numpy(bool)
    return mask
