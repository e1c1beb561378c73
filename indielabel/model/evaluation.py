"""`python -m indielabel evaluate`: check the personal model on raters it has never seen.

Some raters are held out of the fit (the base model is refitted on the others, in memory). Each
held-out rater plays a new user: the model gets ``labels`` of their ratings, chosen at random or, like
the app's labelling page, across the system's rating bins, and predicts their other ratings. The
pooled MAE on those is compared with three baselines that need no model: the item's crowd mean, the
item mean shifted by the user's mean offset on their labels, and the global mean.
"""

from __future__ import annotations

import sys
from dataclasses import dataclass

import numpy as np
import pandas as pd

from indielabel.data import dataset as datasets
from indielabel.data.dataset import RATING_MAX, RATING_MIN, Dataset
from indielabel.model import personal as personal_model
from indielabel.model.label_selection import sample_to_label
from indielabel.progress import step

METHODS = ("personal", "item_mean_user_offset", "item_mean", "global_mean")
METHOD_NAMES = {
    "personal": "personal model",
    "item_mean_user_offset": "item mean + your offset",
    "item_mean": "item mean",
    "global_mean": "global mean",
}
BOOTSTRAP_SAMPLES = 2000


@dataclass
class EvaluationResult:
    """Pooled MAE per method, and the personal model's paired gain over the best baseline.

    ``predictions`` has one row per held-out rating that was not given as a label: rater_id, item_id,
    rating, and one column per method.
    """

    mae: dict[str, float]
    best_baseline: str
    difference: float
    difference_interval: tuple[float, float]
    n_raters: int
    n_ratings: int
    predictions: pd.DataFrame

    def report(self) -> str:
        lines = [f"held-out raters: {self.n_raters}, predicted ratings: {self.n_ratings}", "pooled MAE:"]
        lines += [f"  {METHOD_NAMES[method]:<26}{self.mae[method]:.4f}" for method in METHODS]
        low, high = self.difference_interval
        lines.append(f"personal - {METHOD_NAMES[self.best_baseline]}: {self.difference:+.4f} "
                     f"(95% bootstrap interval over raters {low:+.4f} to {high:+.4f})")
        return "\n".join(lines)


def held_out_raters(dataset: Dataset, labels: int, count: int, rng: np.random.Generator) -> np.ndarray:
    """Up to ``count`` rater ids with more than ``labels`` ratings (some left to predict)."""
    per_rater = dataset.ratings["rater_id"].value_counts()
    eligible = np.sort(per_rater.index[per_rater > labels].to_numpy())
    if len(eligible) == 0:
        raise ValueError(f"no rater has more than {labels} ratings to hold out")
    return rng.choice(eligible, size=min(count, len(eligible)), replace=False)


def without_raters(dataset: Dataset, rater_ids) -> Dataset:
    kept = dataset.ratings[~dataset.ratings["rater_id"].isin(rater_ids)]
    return datasets.build(dataset.items, kept, dataset.raters, dataset.meta)


def pick_labels(rated: pd.DataFrame, labels: int, stratified: bool, rng: np.random.Generator) -> np.ndarray:
    """Positions in ``rated`` (one rater's ratings with the items' rating_sys) to give as labels."""
    if stratified:
        picked = sample_to_label(rated.reset_index(drop=True), labels, rng)
        return picked.index.to_numpy()
    return rng.choice(len(rated), size=labels, replace=False)


def rater_predictions(base, item_mean: np.ndarray, global_mean: float, rated: pd.DataFrame,
                      given: np.ndarray) -> pd.DataFrame:
    """Every method's prediction of one rater's ratings that are not among the ``given`` labels.

    ``item_mean`` is the training crowd's mean rating per item (the global mean where none).
    """
    is_label = np.zeros(len(rated), dtype=bool)
    is_label[given] = True
    label_rows, other_rows = rated[is_label], rated[~is_label]
    labels = dict(zip(label_rows["item_id"].tolist(), label_rows["rating"].tolist()))
    predicted = personal_model.predict_all(base, personal_model.fold_in(base, labels))
    offset = float(np.mean(label_rows["rating"].to_numpy() - item_mean[label_rows["item_index"]]))
    other_means = item_mean[other_rows["item_index"]]
    return pd.DataFrame({
        "rater_id": other_rows["rater_id"].to_numpy(),
        "item_id": other_rows["item_id"].to_numpy(),
        "rating": other_rows["rating"].to_numpy(np.float64),
        "personal": predicted[other_rows["item_index"]].astype(np.float64),
        "item_mean_user_offset": np.clip(other_means + offset, RATING_MIN, RATING_MAX),
        "item_mean": other_means,
        "global_mean": global_mean,
    })


def bootstrap_interval(errors: pd.DataFrame, method: str, baseline: str, rng: np.random.Generator):
    """95% percentile interval of the pooled MAE difference, resampling raters."""
    per_rater = errors.groupby("rater_id")[[method, baseline]].agg(["sum", "count"])
    gaps = per_rater[(method, "sum")].to_numpy() - per_rater[(baseline, "sum")].to_numpy()
    counts = per_rater[(method, "count")].to_numpy()
    draws = rng.integers(0, len(gaps), size=(BOOTSTRAP_SAMPLES, len(gaps)))
    differences = gaps[draws].sum(axis=1) / counts[draws].sum(axis=1)
    low, high = np.percentile(differences, [2.5, 97.5])
    return float(low), float(high)


def held_out_predictions(dataset: Dataset, training: Dataset, base, held_out: np.ndarray, labels: int,
                         stratified: bool, rng: np.random.Generator) -> pd.DataFrame:
    """Each held-out rater's labels folded in, and every method's predictions of their other ratings."""
    global_mean = float(training.ratings["rating"].mean())
    item_mean = training.items["crowd_mean"].fillna(global_mean).to_numpy()
    item_columns = {name: dataset.items[name].to_numpy() for name in ("rating_sys", "comment")}
    frames = []
    held_out_ratings = dataset.ratings[dataset.ratings["rater_id"].isin(held_out)]
    for _, rated in held_out_ratings.groupby("rater_id", sort=True):
        rated = rated.assign(**{name: values[rated["item_index"]] for name, values in item_columns.items()})
        given = pick_labels(rated, labels, stratified, rng)
        frames.append(rater_predictions(base, item_mean, global_mean, rated, given))
    return pd.concat(frames, ignore_index=True)


def evaluate(dataset: Dataset, labels: int = 20, holdout_raters: int = 200, seed: int = 0,
             stratified: bool = False, quiet: bool = True) -> EvaluationResult:
    """Hold out raters, refit, fold in ``labels`` of each one's ratings and score the rest."""
    if labels < 1 or holdout_raters < 1:
        raise ValueError("labels and holdout_raters must be at least 1")
    rng = np.random.default_rng(seed)
    held_out = held_out_raters(dataset, labels, holdout_raters, rng)
    training = without_raters(dataset, held_out)
    base = personal_model.fit(training, quiet=quiet)
    predictions = held_out_predictions(dataset, training, base, held_out, labels, stratified, rng)
    errors = predictions[["rater_id"]].assign(
        **{method: (predictions[method] - predictions["rating"]).abs() for method in METHODS})
    mae = {method: float(errors[method].mean()) for method in METHODS}
    best = min(METHODS[1:], key=mae.get)
    return EvaluationResult(
        mae=mae,
        best_baseline=best,
        difference=mae["personal"] - mae[best],
        difference_interval=bootstrap_interval(errors, "personal", best, rng),
        n_raters=len(held_out),
        n_ratings=len(predictions),
        predictions=predictions,
    )


def run_evaluate(args) -> int:
    data = datasets.load(args.dataset)
    try:
        with step(f"Evaluating on {args.holdout_raters} held-out raters with {args.labels} labels each"):
            result = evaluate(data, labels=args.labels, holdout_raters=args.holdout_raters, seed=args.seed,
                              stratified=args.stratified, quiet=False)
    except ValueError as error:
        print(f"error: {error}", file=sys.stderr)
        return 2
    print(result.report(), file=sys.stdout)
    return 0
