"""`python -m indielabel evaluate`: check the personal model on raters it has never seen.

Raters are held out of the fit (the base model is refitted on the others, in memory): once, for
``holdout_raters`` of them, or in ``folds`` so that every eligible rater is held out exactly once.
Each held-out rater plays a new user: the model gets ``labels`` of their ratings, picked by the
app's ``adaptive`` sampler, the paper's ``stratified`` one or at ``random``, and predicts their other
ratings. On real data a rater can only be asked about the comments they rated; on a generated
dataset they answer any comment, from the generator's own rating model (their taste and noise
exactly as generated), so the sampler is measured the way the app uses it. Three baselines need no
model: the item's crowd mean, the item mean shifted by the user's mean offset on their labels, and
the global mean; a fourth, the base model's own item prediction shifted by that offset, shows what
the fold-in adds beyond a shift.
"""

from __future__ import annotations

import json
import sys
from contextlib import nullcontext
from dataclasses import dataclass

import numpy as np
import pandas as pd

from indielabel.data import dataset as datasets
from indielabel.data.dataset import RATING_MAX, RATING_MIN, Dataset
from indielabel.model import evaluation_metrics as metrics
from indielabel.model import label_selection
from indielabel.model import personal as personal_model
from indielabel.model.features import matching_raters
from indielabel.model.rating_scale import on_scale
from indielabel.model.self_description import conditioned_prior
from indielabel.progress import step
from indielabel.synth import generator as synth_generator

SAMPLERS = ("adaptive", "stratified", "random")


@dataclass(frozen=True)
class Protocol:
    """How a held-out rater is asked: how many labels, by which sampler, with their attributes or
    not, and (on a generated dataset) whether they may be asked beyond the comments they rated."""

    labels: int = 20
    sampler: str = "adaptive"
    attributes: bool = False
    pool_only: bool = False


def held_out_raters(dataset: Dataset, labels: int, count: int, rng: np.random.Generator) -> np.ndarray:
    """Up to ``count`` rater ids with more than ``labels`` ratings (some left to predict)."""
    eligible = eligible_raters(dataset, labels)
    return rng.choice(eligible, size=min(count, len(eligible)), replace=False)


def eligible_raters(dataset: Dataset, labels: int) -> np.ndarray:
    per_rater = dataset.ratings["rater_id"].value_counts()
    eligible = np.sort(per_rater.index[per_rater > labels].to_numpy())
    if len(eligible) == 0:
        raise ValueError(f"no rater has more than {labels} ratings to hold out")
    return eligible


def without_raters(dataset: Dataset, rater_ids) -> Dataset:
    kept = dataset.ratings[~dataset.ratings["rater_id"].isin(rater_ids)]
    return datasets.build(dataset.items, kept, dataset.raters, dataset.meta)


def pick_labels(rated: pd.DataFrame, labels: int, stratified: bool, rng: np.random.Generator) -> np.ndarray:
    """Positions in ``rated`` (one rater's ratings with the items' rating_sys) to give as labels."""
    if stratified:
        picked = label_selection.sample_to_label(rated.reset_index(drop=True), labels, rng)
        return picked.index.to_numpy()
    return rng.choice(len(rated), size=labels, replace=False)


def rater_predictions(base, item_mean: np.ndarray, global_mean: float, rated: pd.DataFrame,
                      given: np.ndarray) -> pd.DataFrame:
    """Every method's prediction of one rater's ratings that are not among the ``given`` labels.

    ``item_mean`` is the training crowd's mean rating per item (the global mean where none).
    """
    is_label = np.zeros(len(rated), dtype=bool)
    is_label[given] = True
    label_rows = rated[is_label]
    labels = dict(zip(label_rows["item_id"].tolist(), label_rows["rating"].tolist()))
    predicted = personal_model.predict_all(base, personal_model.fold_in(base, labels))
    return method_predictions(predicted, labels, base, item_mean, global_mean, rated[~is_label])


def method_predictions(predicted: np.ndarray, labels: dict[int, float], base, item_mean: np.ndarray,
                       global_mean: float, targets: pd.DataFrame) -> pd.DataFrame:
    """Every method's prediction of the ``targets`` ratings (rows with rater_id, item_id, rating, item_index)."""
    label_rows, label_values = base.positions(labels.keys()), np.fromiter(labels.values(), float)
    offset = float(np.mean(label_values - item_mean[label_rows]))
    other_means = item_mean[targets["item_index"]]
    # The fold-in's own item side shifted by the rater's mean offset: what a fold-in adds beyond a shift.
    model_offset = float(np.mean(label_values - base.item_offset[label_rows]))
    shifted = np.clip(base.item_offset[targets["item_index"]] + model_offset, RATING_MIN, RATING_MAX)
    return pd.DataFrame({
        "rater_id": targets["rater_id"].to_numpy(),
        "item_id": targets["item_id"].to_numpy(),
        "rating": targets["rating"].to_numpy(np.float64),
        "personal": predicted[targets["item_index"]].astype(np.float64),
        "model_item_user_offset": on_scale(shifted.astype(np.float32), base.rating_levels).astype(np.float64),
        "item_mean_user_offset": np.clip(other_means + offset, RATING_MIN, RATING_MAX),
        "item_mean": other_means,
        "global_mean": global_mean,
    })


class Answers:
    """Where held-out raters' labels come from: the generator's rating model (any comment), or only
    their own stored ratings."""

    def __init__(self, dataset: Dataset, pool_only: bool):
        self.crowd = None
        if not pool_only and dataset.meta.get("source") == "synthetic":
            self.crowd, raters = synth_generator.replay_crowd(dataset)
            self.crowd_index = dict(zip(raters["rater_id"], range(len(raters))))
            self.seed = int(dataset.meta["seed"])

    @property
    def description(self) -> str:
        if self.crowd is None:
            return "each held-out rater labels only comments they rated"
        return "held-out raters answer any comment from the generator's rating model (their own ratings where they rated it)"

    def ask(self, rater_id: str, rated: pd.DataFrame, item_rows: np.ndarray, base) -> dict[int, float]:
        """The rater's labels of the items at ``item_rows`` (base model rows)."""
        item_ids = base.item_ids[item_rows]
        stored = dict(zip(rated["item_id"].tolist(), rated["rating"].tolist()))
        if self.crowd is None:
            return {int(item_id): float(stored[item_id]) for item_id in item_ids}
        fresh = [item_id for item_id in item_ids if item_id not in stored]
        generated = self.crowd.answers(self.crowd_index[rater_id], np.array(fresh, dtype=np.int64), self.seed)
        answered = dict(zip(fresh, generated.tolist()))
        return {int(item_id): float(stored.get(item_id, answered.get(item_id))) for item_id in item_ids}

    def pool(self, rated: pd.DataFrame, base) -> np.ndarray:
        """Base-model rows of the comments a rater may be asked about."""
        return np.arange(len(base.item_ids)) if self.crowd is not None else base.positions(rated["item_id"])


def choose_rows(protocol: Protocol, base, pool: np.ndarray, moment: np.ndarray, items: pd.DataFrame,
                profile: dict | None, rng: np.random.Generator) -> np.ndarray:
    """Base-model rows of the comments to ask about, by the protocol's sampler (the adaptive one
    knowing what a self-described ``profile`` already tells)."""
    if protocol.sampler == "adaptive":
        prior = conditioned_prior(base.prior_mean, base.prior_penalty, base.profile_levels, base.profile_means, profile)
        return label_selection.informative_rows(base.item_factors, prior.penalty, moment, base.system_rating,
                                                pool, protocol.labels, rng, free=prior.free)
    if protocol.sampler == "stratified":
        picked = label_selection.sample_to_label(items.iloc[pool], protocol.labels, rng)
        return base.positions(picked["item_id"])
    return rng.choice(pool, size=min(protocol.labels, len(pool)), replace=False)


def rater_profile(dataset: Dataset, rater_id: str) -> dict[str, str]:
    """A rater's own attributes, as they would describe themselves."""
    row = dataset.raters.set_index("rater_id").loc[rater_id, list(dataset.attribute_columns)]
    return {name: str(value) for name, value in row.items() if pd.notna(value) and str(value)}


@dataclass
class EvaluationResult:
    """One protocol's figures (``summary``, JSON-ready) and every held-out prediction.

    ``predictions`` has one row per held-out rating that was not given as a label: rater_id, item_id,
    rating, and one column per method.
    """

    summary: dict
    predictions: pd.DataFrame

    def report(self) -> str:
        return metrics.format_report(self.summary)


@dataclass
class Fold:
    """One base fit without the held-out raters, and what every method needs from it."""

    base: personal_model.BaseModel
    item_mean: np.ndarray
    global_mean: float
    moment: np.ndarray


def fit_fold(dataset: Dataset, held_out: np.ndarray, quiet: bool) -> Fold:
    training = without_raters(dataset, held_out)
    base = personal_model.fit(training, quiet=quiet)
    global_mean = float(training.ratings["rating"].mean())
    return Fold(base=base, item_mean=training.items["crowd_mean"].fillna(global_mean).to_numpy(),
                global_mean=global_mean, moment=label_selection.design_moment(base.item_factors))


def planted_groups(dataset: Dataset) -> list[tuple[dict, set, np.ndarray]]:
    """Per planted phenomenon: its entry in dataset.json, its group's rater ids and its item rows."""
    groups = []
    phenomena = dataset.items["phenomenon"].to_numpy() if "phenomenon" in dataset.items else None
    for planted in dataset.meta.get("planted", []) if phenomena is not None else []:
        group = planted["group"]
        members = matching_raters(dataset.raters, {group["attribute"]: group["values"]})
        groups.append((planted, set(dataset.raters["rater_id"][members]), np.flatnonzero(phenomena == planted["phenomenon"])))
    return groups


def evaluate_rater(dataset: Dataset, fold: Fold, protocol: Protocol, answers: Answers, planted, rater_id: str,
                   rated: pd.DataFrame, rng: np.random.Generator) -> tuple[pd.DataFrame, dict]:
    """One held-out rater's predictions of their other ratings, and their view of each phenomenon."""
    base = fold.base
    profile = rater_profile(dataset, rater_id) if protocol.attributes else None
    rows = choose_rows(protocol, base, answers.pool(rated, base), fold.moment, dataset.items, profile, rng)
    labels = answers.ask(rater_id, rated, rows, base)
    user = personal_model.fold_in(base, labels, profile=profile)
    predicted = personal_model.predict_all(base, user)
    targets = rated[~rated["item_id"].isin(labels)]
    frame = method_predictions(predicted, labels, base, fold.item_mean, fold.global_mean, targets)
    view = {"rater_id": rater_id}
    for entry, members, item_rows in planted:
        name = entry["phenomenon"]
        view[f"member:{name}"] = rater_id in members
        view[f"mean:{name}"], view[f"marked:{name}"] = metrics.phenomenon_view(
            predicted, base.system_rating, item_rows, entry["direction"])
    return frame, view


def split_raters(dataset: Dataset, labels: int, folds: int | None, holdout_raters: int,
                 rng: np.random.Generator) -> list[np.ndarray]:
    """The held-out raters of each base fit: every eligible rater once over ``folds``, or one split."""
    if folds is None:
        return [held_out_raters(dataset, labels, holdout_raters, rng)]
    eligible = rng.permutation(eligible_raters(dataset, labels))
    return [part for part in np.array_split(eligible, min(folds, len(eligible)))]


def evaluate(dataset: Dataset, protocols: list[Protocol], folds: int | None = None, holdout_raters: int = 200,
             seed: int = 0, quiet: bool = True) -> list[EvaluationResult]:
    """Every protocol on the same held-out raters and base fits (one per fold)."""
    if any(protocol.labels < 1 for protocol in protocols) or holdout_raters < 1 or (folds is not None and folds < 1):
        raise ValueError("labels, holdout_raters and folds must be at least 1")
    if any(protocol.sampler not in SAMPLERS for protocol in protocols):
        raise ValueError(f"the sampler must be one of {', '.join(SAMPLERS)}")
    if any(protocol.attributes for protocol in protocols) and not dataset.attribute_columns:
        raise ValueError(f"{dataset.name}: its raters have no attributes to describe themselves with")
    rng = np.random.default_rng(seed)
    splits = split_raters(dataset, max(protocol.labels for protocol in protocols), folds, holdout_raters, rng)
    answers = {protocol.pool_only: Answers(dataset, protocol.pool_only) for protocol in protocols}
    planted = planted_groups(dataset)
    collected = [([], []) for _ in protocols]
    for number, held_out in enumerate(splits):
        with (step(f"Fold {number + 1} of {len(splits)}: fitting without {len(held_out)} raters") if not quiet
              else nullcontext()):
            fold = fit_fold(dataset, held_out, quiet=True)
        ratings = dataset.ratings[dataset.ratings["rater_id"].isin(held_out)]
        for position, (rater_id, rated) in enumerate(ratings.groupby("rater_id", sort=True)):
            for index, protocol in enumerate(protocols):
                rater_rng = np.random.default_rng([seed, number, position, index])
                frame, view = evaluate_rater(dataset, fold, protocol, answers[protocol.pool_only], planted,
                                             rater_id, rated, rater_rng)
                collected[index][0].append(frame)
                collected[index][1].append(view)
    return [_result(protocol, answers[protocol.pool_only], planted, frames, views, len(splits), seed)
            for protocol, (frames, views) in zip(protocols, collected)]


def _result(protocol: Protocol, answers: Answers, planted, frames, views, n_folds: int, seed: int) -> EvaluationResult:
    predictions = pd.concat(frames, ignore_index=True)
    rng = np.random.default_rng(seed)
    summary = {
        "labels": protocol.labels, "sampler": protocol.sampler, "attributes": protocol.attributes,
        "answers": answers.description, "folds": n_folds, "n_raters": len(views), "n_ratings": len(predictions),
        "metrics": metrics.metric_table(predictions, rng),
        "planted": metrics.planted_rows(pd.DataFrame(views), [entry for entry, _, _ in planted], rng),
    }
    return EvaluationResult(summary=summary, predictions=predictions)


def run_evaluate(args) -> int:
    data = datasets.load(args.dataset)
    protocol = Protocol(labels=args.labels, sampler=args.sampler, attributes=args.attributes,
                        pool_only=args.pool_only)
    try:
        (result,) = evaluate(data, [protocol], folds=args.folds, holdout_raters=args.holdout_raters,
                             seed=args.seed, quiet=args.json)
    except ValueError as error:
        print(f"error: {error}", file=sys.stderr)
        return 2
    print(json.dumps(result.summary, indent=2) if args.json else result.report())
    return 0
