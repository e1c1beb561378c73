"""Where a predicted rating lands on the dataset's own scale."""

from __future__ import annotations

import numpy as np

from indielabel.data.dataset import Dataset

MAX_RATING_LEVELS = 100  # more distinct ratings than this: a continuous scale


def rating_levels(dataset: Dataset) -> np.ndarray:
    """The dataset's rating levels when its scale is discrete (at most MAX_RATING_LEVELS), else none."""
    levels = np.unique(dataset.ratings["rating"].to_numpy(np.float32))
    return levels if len(levels) <= MAX_RATING_LEVELS else np.zeros(0, dtype=np.float32)


def on_scale(expected: np.ndarray, levels: np.ndarray) -> np.ndarray:
    """The rating level nearest to each expected rating, or the expected rating on a continuous scale.

    Why. The fold-in predicts a rating's mean. A person answers on the dataset's levels (0/4 on a
    binary dataset, whole numbers on a 0-4 one), and the level nearest the mean is the median of the
    predictive distribution (the rating is the mean plus symmetric noise, rounded to a level; on a
    binary scale the mean is 4 × the chance of "toxic"). The median is the prediction with the least
    expected absolute error, and "median above 2.0" is the likelier side of the toxic decision; the
    mean would put a comment one in three people call toxic (mean 1.3 of 0/4) at "somewhat toxic".
    """
    if len(levels) < 2:
        return expected
    steps = np.diff(levels)
    if np.allclose(steps, steps[0]):  # evenly spaced, as most scales are: arithmetic, no search
        position = np.ceil((expected - levels[0]) / steps[0] - 0.5)  # a tie goes down: 2.0 of 0/4 is not toxic
        return levels[np.clip(position, 0, len(levels) - 1).astype(np.intp)].astype(np.float32)
    midpoints = (levels[1:] + levels[:-1]) / 2
    return levels[np.searchsorted(midpoints, expected, side="left")].astype(np.float32)
