"""The personal model: a base model fitted once on the crowd, and a per-user fold-in of a few labels.

Model. A rater u's rating of comment i is predicted as

    rating(u, i) = b_i + b_u + phi_i · w_u
    b_i   = mu + c · z_i + e_i                    (item bias, shrunk toward its content prediction)
    phi_i = [A^T z_i, F^T z_i]                    (L group leans, k free tastes)
    w_u   = [a_u, v_u]                            (the rater's attribute profile, free tastes)

z_i describes the comment's content (TF-IDF of its words, its topic, the system's score; see
model_features) and a_u is the rater's attribute indicators, one per value (gender=Female, ...),
centred over the crowd. Column l of A turns content into "how much raters with attribute value l
rate this comment above or below everyone else"; F and v_u carry the taste that attributes do not
explain (and all of it for a dataset without attributes).

Why this shape. With ~5 ratings per comment, a factorisation of the rating matrix alone has nothing
to learn factors from: they shrink to zero and every user becomes item mean + leniency, so every
audit would show the same topics, only shifted. Here the item side is tied to content, which pools
the evidence of every comment with similar words or the same topic, and the crowd side to
attributes, which pools every rater of a group: a group lean is learned from all of that group's
ratings of all comments alike. Measured on the synthetic data (`python -m indielabel evaluate`), this
learns the planted disagreements (in-group terms, veiled hostility, threats, ...) that ratings alone
cannot, and the item bias shrunk toward its content prediction beats the raw crowd mean.

Fit. Item side and crowd raters together by L-BFGS on the squared error plus ridge penalties
(model_fit; one group-lean penalty per word): first on 90% of the raters, then, after the prior is
calibrated on the other 10%, a shorter pass on everyone.

Fold-in. A new user's θ = (b_u, w_u) is unknown, with the population prior N(0, C). C's profile block is the crowd's own covariance of attribute profiles (so groups
that go together, such as religion and politics, stay together), scaled; the bias and the free
tastes get one variance each. These spreads and the noise variance are calibrated by EM on the 10%
of raters the fit never saw, so the prior reflects how much a new user's labels really say. The
labels then give the posterior mean of θ by one small ridge solve toward the prior: labels that
lean like a group's move the user along that group's direction, and that view reaches every
comment with similar content. Predicting every item is one matrix-vector product, then the rating
level nearest to it (rating_scale). A user may also describe themselves (which groups they belong
to); the prior is then conditioned on those known attribute indicators (see self_description).
"""

from __future__ import annotations

import hashlib
import json
import os
import tempfile
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from indielabel.data import dataset as datasets
from indielabel.data.dataset import RATING_MAX, RATING_MIN, Dataset
from indielabel.model.features import attribute_levels, matching_raters
from indielabel.model.fit import fit_parameters
from indielabel.model.mapped_arrays import load_npz, save_npz
from indielabel.model.rating_scale import on_scale, rating_levels
from indielabel.model.self_description import ConditionedPrior, conditioned_prior
from indielabel.progress import step

MODEL_FORMAT = 4  # 2: profile columns and crowd means; 3: rating levels; 4: per-word group-lean penalties
DEFAULT_PARAMS = {
    "factors": 8,
    "item_penalty": 2.0,
    "user_penalty": 5.0,
    "taste_penalty": 10.0,
    "content_bias_penalty": 0.1,
    "content_factor_penalty": 10.0,
    "max_iterations": 200, "final_iterations": 100,
    "prior_iterations": 100,
    "calibration_share": 0.1,
    "seed": 0,
}
UNSURE = -1
BANDS = ((1.0, "Good"), (1.2, "Okay"))
WORST_BAND = "Needs improvement"


@dataclass
class BaseModel:
    """The crowd model of one dataset, everything a fold-in and a prediction need.

    ``item_offset`` is the rating expected from a user about whom nothing is known (b_i plus the
    crowd's mean leniency); ``item_factors`` are phi_i (n_items × (L + k)); ``prior_mean`` is the
    population mean of w_u (zero here: profiles are centred and free tastes symmetric) and
    ``prior_penalty`` the ridge penalty on (b_u, w_u − prior_mean) that the population prior implies
    (noise variance × inverse prior covariance). ``profile_levels`` names the (attribute, value) of
    each of the first L factor columns and ``profile_means`` is the crowd's share of each, the
    centring of a self-described profile.
    """

    item_ids: np.ndarray
    item_offset: np.ndarray
    item_factors: np.ndarray
    system_rating: np.ndarray
    prior_mean: np.ndarray
    prior_penalty: np.ndarray
    noise_variance: float
    fingerprint: str
    params: dict = field(default_factory=dict)
    profile_levels: list[tuple[str, str]] = field(default_factory=list)
    profile_means: np.ndarray = field(default_factory=lambda: np.zeros(0))
    rating_levels: np.ndarray = field(default_factory=lambda: np.zeros(0, dtype=np.float32))

    @property
    def n_factors(self) -> int:
        return self.item_factors.shape[1]

    def positions(self, item_ids) -> np.ndarray:
        """Row of each item id; ValueError naming the first unknown id."""
        wanted = np.asarray(list(item_ids), dtype=np.int64)
        rows = np.searchsorted(self.item_ids, wanted)
        rows = np.minimum(rows, len(self.item_ids) - 1)
        unknown = self.item_ids[rows] != wanted
        if unknown.any():
            raise ValueError(f"unknown item_id {int(wanted[unknown][0])}")
        return rows

    def save(self, path: str | Path) -> Path:
        """Write one .npz file atomically (a temporary file renamed into place)."""
        path = Path(path)
        path.parent.mkdir(parents=True, exist_ok=True)
        handle, temporary = tempfile.mkstemp(dir=path.parent, prefix=path.name, suffix=".tmp")
        try:
            os.chmod(temporary, 0o644)  # a cache file, readable like any other file of the dataset
            with os.fdopen(handle, "wb") as stream:
                save_npz(
                    stream,
                    item_ids=self.item_ids,
                    item_offset=self.item_offset,
                    item_factors=self.item_factors,
                    system_rating=self.system_rating,
                    prior_mean=self.prior_mean,
                    prior_penalty=self.prior_penalty,
                    noise_variance=np.float64(self.noise_variance),
                    fingerprint=np.str_(self.fingerprint),
                    params_json=np.str_(json.dumps(self.params, sort_keys=True)),
                    profile_levels=np.array(self.profile_levels, dtype=np.str_).reshape(-1, 2),
                    profile_means=self.profile_means,
                    rating_levels=self.rating_levels,
                    model_format=np.int64(MODEL_FORMAT),
                )
            os.replace(temporary, path)
        except BaseException:
            Path(temporary).unlink(missing_ok=True)
            raise
        return path

    @classmethod
    def load(cls, path: str | Path) -> BaseModel:
        try:
            stored = load_npz(path)  # mapped read-only: server workers share one copy
            if int(stored["model_format"]) != MODEL_FORMAT:
                raise ValueError(f"model format {int(stored['model_format'])}, expected {MODEL_FORMAT}")
            return cls(
                item_ids=stored["item_ids"],
                item_offset=stored["item_offset"],
                item_factors=stored["item_factors"],
                system_rating=stored["system_rating"],
                prior_mean=stored["prior_mean"],
                prior_penalty=stored["prior_penalty"],
                noise_variance=float(stored["noise_variance"]),
                fingerprint=str(stored["fingerprint"]),
                params=json.loads(str(stored["params_json"])),
                profile_levels=[(str(attribute), str(value)) for attribute, value in stored["profile_levels"]],
                profile_means=stored["profile_means"],
                rating_levels=stored["rating_levels"],
            )
        except (OSError, KeyError, ValueError) as error:
            raise datasets.DatasetError(f"{path}: not a usable base model ({error})") from error


@dataclass
class UserModel:
    """One user's folded-in parameters: leniency ``bias`` and ``weights`` on the item factors (L + k)."""

    bias: float
    weights: np.ndarray
    n_labels: int


@dataclass
class PersonalResult:
    predictions: np.ndarray
    cv_mae: float | None
    band: str | None
    n_labels: int
    system_metrics: dict


def resolved_params(params: Mapping | None) -> dict:
    unknown = set(params or {}) - set(DEFAULT_PARAMS)
    if unknown:
        raise ValueError(f"unknown model parameter(s): {', '.join(sorted(unknown))}")
    return {**DEFAULT_PARAMS, **(params or {})}


def fit(dataset: Dataset, params: dict | None = None, quiet: bool = False) -> BaseModel:
    """Fit the base model on all of ``dataset``'s ratings."""
    params = resolved_params(params)
    if dataset.ratings.empty:
        raise datasets.DatasetError(f"{dataset.name}: no ratings to fit a model on")
    fitted = fit_parameters(dataset, params, quiet=quiet)
    return BaseModel(
        item_ids=dataset.items["item_id"].to_numpy(np.int64),
        item_offset=fitted.item_offset.astype(np.float32),
        item_factors=fitted.item_factors.astype(np.float32),
        system_rating=dataset.items["rating_sys"].to_numpy(np.float32),
        prior_mean=fitted.prior_mean,
        prior_penalty=fitted.prior_penalty,
        noise_variance=fitted.noise_variance,
        fingerprint=dataset.fingerprint(),
        params=params,
        profile_levels=attribute_levels(dataset.raters, dataset.attribute_columns),
        profile_means=fitted.profile_means,
        rating_levels=rating_levels(dataset),
    )


def cache_path(dataset: Dataset, params: Mapping | None = None) -> Path:
    params_text = json.dumps({"format": MODEL_FORMAT, **resolved_params(params)}, sort_keys=True)
    key = f"{dataset.fingerprint()}_{hashlib.sha256(params_text.encode()).hexdigest()[:12]}"
    return dataset.cache_dir() / f"base_model_{key}.npz"


def load_or_fit(dataset: Dataset, quiet: bool = False, force: bool = False) -> BaseModel:
    """The cached base model of ``dataset``, fitting (and caching) it when missing or forced."""
    if dataset.path is None:
        return fit(dataset, quiet=quiet)
    path = cache_path(dataset)
    if path.is_file() and not force:
        if quiet:
            return BaseModel.load(path)
        with step(f"Loading base model {path.name}"):
            return BaseModel.load(path)
    model = fit(dataset, quiet=quiet)
    model.save(path)
    return model


def run_fit(args) -> int:
    data = datasets.load(args.dataset)
    model = load_or_fit(data, force=args.force)
    print(f"base model: {len(model.item_ids)} items, {model.n_factors} factors, "
          f"noise sd {np.sqrt(model.noise_variance):.3f} -> {cache_path(data)}")
    return 0


def label_value(item_id, value) -> float:
    """A label as a float in 0..4; ValueError naming the item otherwise."""
    try:
        number = float(value)
    except (TypeError, ValueError):
        raise ValueError(f"label for item {item_id}: {value!r} is not a number") from None
    if not RATING_MIN <= number <= RATING_MAX:
        raise ValueError(f"label for item {item_id}: {number} is outside 0-4")
    return number


def label_array(labels: Mapping[int, float]) -> np.ndarray:
    """All label values as float64, checked at once (a group model folds in every item's label)."""
    try:
        values = np.fromiter(labels.values(), dtype=np.float64, count=len(labels))
        if np.all((values >= RATING_MIN) & (values <= RATING_MAX)):
            return values
    except (TypeError, ValueError):
        pass
    return np.array([label_value(item_id, value) for item_id, value in labels.items()], dtype=np.float64)


def is_unsure(value) -> bool:
    return value is None or (not isinstance(value, str) and value == UNSURE)


def merge_labels(previous: Mapping[int, float], new: Mapping[int, float | None]) -> dict[int, float]:
    """``previous`` updated by ``new``: a new label replaces the old one, "unsure" removes it."""
    merged = {int(item_id): label_value(item_id, value) for item_id, value in previous.items()}
    for item_id, value in new.items():
        if is_unsure(value):
            merged.pop(int(item_id), None)
        else:
            merged[int(item_id)] = label_value(item_id, value)
    return merged


@dataclass
class FoldInProblem:
    """The ridge problem of one fold-in: θ's free part (the positions a profile does not fix) is
    the conditioned prior mean + δ, δ = argmin ‖design δ − targets‖² + δᵀ penalty δ."""

    ratings: np.ndarray
    design: np.ndarray
    targets: np.ndarray
    prior: ConditionedPrior


def fold_in_problem(base: BaseModel, labels: Mapping[int, float],
                    profile: Mapping[str, str] | None = None) -> FoldInProblem:
    """Design [1, phi] of the labelled items at the free positions and the targets net of the
    (profile-conditioned) prior mean."""
    prior = conditioned_prior(base.prior_mean, base.prior_penalty, base.profile_levels, base.profile_means, profile)
    rows = base.positions(labels.keys())
    ratings = label_array(labels)
    design = np.hstack([np.ones((len(rows), 1)), base.item_factors[rows].astype(np.float64)])
    targets = ratings - base.item_offset[rows] - design @ prior.mean
    return FoldInProblem(ratings, design[:, prior.free], targets, prior)


def fold_in(base: BaseModel, labels: Mapping[int, float], profile: Mapping[str, str] | None = None) -> UserModel:
    """The user's parameters from their labels (item_id -> 0..4) and optional self-described
    ``profile`` (attribute -> value, partial allowed), the base model held fixed."""
    problem = fold_in_problem(base, labels, profile)
    design = problem.design
    solution = np.linalg.solve(design.T @ design + problem.prior.penalty, design.T @ problem.targets)
    theta = problem.prior.mean.copy()
    theta[problem.prior.free] += solution
    return UserModel(bias=float(theta[0]), weights=theta[1:], n_labels=len(problem.targets))


def predict_all(base: BaseModel, user: UserModel) -> np.ndarray:
    """The user's predicted rating of every item (dataset order), float32 on the dataset's scale."""
    predicted = base.item_offset + base.item_factors @ user.weights.astype(np.float32) + np.float32(user.bias)
    return on_scale(np.clip(predicted, RATING_MIN, RATING_MAX).astype(np.float32), base.rating_levels)


def cross_validated_mae(base: BaseModel, labels: Mapping[int, float],
                        profile: Mapping[str, str] | None = None) -> float | None:
    """Leave-one-out MAE of the fold-in on the user's own labels; None with fewer than 2 labels.

    For a ridge solve the prediction without label j is exact in closed form: the in-sample residual
    divided by 1 − h_jj, h_jj the leverage of label j.
    """
    if len(labels) < 2:
        return None
    problem = fold_in_problem(base, labels, profile)
    design, targets, ratings = problem.design, problem.targets, problem.ratings
    inverse = np.linalg.inv(design.T @ design + problem.prior.penalty)
    residuals = targets - design @ (inverse @ (design.T @ targets))
    leverage = np.einsum("ij,jk,ik->i", design, inverse, design)
    left_out_residuals = residuals / (1.0 - leverage)
    left_out_predictions = on_scale(np.clip(ratings - left_out_residuals, RATING_MIN, RATING_MAX), base.rating_levels)
    return float(np.mean(np.abs(ratings - left_out_predictions)))


def system_distance(predicted, system_rating) -> dict:
    """How far the system is from the user over all items; the signed mean is predicted − system."""
    difference = np.asarray(predicted, dtype=np.float64) - np.asarray(system_rating, dtype=np.float64)
    known = np.isfinite(difference)
    if not known.any():
        raise ValueError("no item has both a predicted and a system rating")
    difference = difference[known]
    mse = float(np.mean(difference**2))
    return {
        "mae": float(np.mean(np.abs(difference))),
        "mse": mse,
        "rmse": float(np.sqrt(mse)),
        "mean_signed_diff": float(np.mean(difference)),
    }


def mae_band(mae: float) -> str:
    """The advice band of a cross-validated MAE."""
    for upper, band in BANDS:
        if mae < upper:
            return band
    return WORST_BAND


def train_personal(base: BaseModel, labels: Mapping[int, float],
                   profile: Mapping[str, str] | None = None) -> PersonalResult:
    """Fold in, predict every item and compute both metrics: everything one training needs."""
    user = fold_in(base, labels, profile)
    predictions = predict_all(base, user)
    cv_mae = cross_validated_mae(base, labels, profile)
    return PersonalResult(
        predictions=predictions,
        cv_mae=cv_mae,
        band=None if cv_mae is None else mae_band(cv_mae),
        n_labels=user.n_labels,
        system_metrics=system_distance(predictions, base.system_rating),
    )


def group_size(dataset: Dataset, selection: Mapping[str, Sequence[str]]) -> int:
    """How many raters match ``selection`` (see :func:`group_labels`)."""
    return int(matching_raters(dataset.raters, selection).sum())


def group_labels(dataset: Dataset, selection: Mapping[str, Sequence[str]]) -> tuple[dict[int, float], int]:
    """The group's median rating of every item its members rated, and the group's size.

    A rater belongs to the group when, for every attribute in ``selection``, one of their values is
    among the listed ones (AND across attributes, OR within one; multi-valued cells such as race
    match on any of their values). ValueError for an attribute the dataset's raters do not have.
    """
    members = matching_raters(dataset.raters, selection)
    ratings = dataset.ratings[members[dataset.ratings["rater_index"].to_numpy()]]
    medians = ratings.groupby("item_id", sort=True)["rating"].median()
    labels = dict(zip(medians.index.astype(int).tolist(), medians.astype(float).tolist()))
    return labels, int(members.sum())
