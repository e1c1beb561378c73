"""Readable labels for the topic model's names, for dropdowns, charts and report titles.

The topic model names a topic ``"<id>_<w1>_<w2>_<w3>_<w4>"`` (BERTopic's style); that name stays the
topic's key in the data and in URLs, and people read its label. A module of its own so the server
can label topics without importing the topic model (and scikit-learn).
"""

from __future__ import annotations

import pandas as pd

OUTLIER_ID = -1

LABEL_TERMS = 3  # "advice · critical · taking": enough to recognise a topic, short enough for a dropdown
OUTLIER_LABEL = "Comments with no clear topic"


def topic_label(name: str) -> str:
    """A short human label for a topic name: ``"39_advice_critical_taking_tales"`` -> ``"advice · critical · taking"``.

    The outlier bucket (id -1) is labelled as what it is; a name that is not ``<id>_<terms>`` is kept.
    """
    head, _, terms = name.partition("_")
    if not head.lstrip("-").isdigit() or not terms:
        return name
    if int(head) == OUTLIER_ID:
        return OUTLIER_LABEL
    return " · ".join(terms.split("_")[:LABEL_TERMS])


def topic_labels(names) -> dict[str, str]:
    """Each topic name's label, made unique: a label two topics share gets the topic's id after it."""
    labels = {name: topic_label(name) for name in names}
    counts = pd.Series(list(labels.values())).value_counts()
    return {name: f"{label} (#{name.partition('_')[0]})" if counts[label] > 1 else label
            for name, label in labels.items()}
