"""The original IndieLabel's per-user training, re-created with scikit-surprise for comparison.

For every training the original appends 75% of the user's labels (shuffled) to the crowd's ratings
and the other 25% to its validation set, refits surprise's SVD() with default parameters on
everything (rating scale 0-4) and predicts every comment through ``test()``.
"""

from __future__ import annotations

import time
from dataclasses import dataclass

import numpy as np
import pandas as pd
from surprise import SVD, Reader, accuracy
from surprise import Dataset as SurpriseDataset

TRAIN_SHARE = 0.75
RATING_SCALE = (0, 4)


@dataclass
class OriginalResult:
    predictions: np.ndarray
    validation_mae: float
    seconds: dict[str, float]

    @property
    def total_seconds(self) -> float:
        return sum(self.seconds.values())


class OriginalMethod:
    """The crowd's ratings (user_id, item_id, rating) and the items to predict, ready for each user."""

    def __init__(self, crowd_ratings: pd.DataFrame, item_ids: np.ndarray, seed: int = 0):
        self.crowd_ratings = crowd_ratings[["user_id", "item_id", "rating"]]
        self.item_ids = np.asarray(item_ids)
        self.seed = seed

    def train_and_predict(self, user_id: str, labels: dict[int, float], rng: np.random.Generator) -> OriginalResult:
        """One training as the original does it: split the labels, refit, predict every item."""
        seconds = {}
        started = time.perf_counter()
        label_rows = pd.DataFrame({"user_id": user_id, "item_id": list(labels), "rating": list(labels.values())})
        label_rows = label_rows.iloc[rng.permutation(len(label_rows))]
        n_train = int(round(TRAIN_SHARE * len(label_rows)))
        train_rows, validation_rows = label_rows.iloc[:n_train], label_rows.iloc[n_train:]
        training = pd.concat([self.crowd_ratings, train_rows], ignore_index=True)
        trainset = SurpriseDataset.load_from_df(training, Reader(rating_scale=RATING_SCALE)).build_full_trainset()
        seconds["build"] = time.perf_counter() - started

        started = time.perf_counter()
        # Default parameters; the seed only makes the random initial factors repeatable.
        algorithm = SVD(random_state=self.seed)
        algorithm.fit(trainset)
        seconds["fit"] = time.perf_counter() - started

        started = time.perf_counter()
        predicted = algorithm.test([(user_id, item_id, 0.0) for item_id in self.item_ids.tolist()])
        predictions = np.fromiter((prediction.est for prediction in predicted), dtype=np.float64,
                                  count=len(self.item_ids))
        validation = algorithm.test(list(validation_rows.itertuples(index=False, name=None)))
        validation_mae = accuracy.mae(validation, verbose=False) if validation else float("nan")
        seconds["predict"] = time.perf_counter() - started
        return OriginalResult(predictions, validation_mae, seconds)
