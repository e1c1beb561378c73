"""Fitting the base model (see personal_model for the model and why it has this shape).

Item side and crowd raters are fitted together by L-BFGS on

    0.5 Σ (predicted − rating)²  +  0.5 Σ penalty · ‖parameter‖²

with the analytic gradient; per-item and per-rater sums go through sparse incidence matrices, so one
evaluation costs a few passes over the ratings. Then the prior of a new user is calibrated by EM on
raters that fit never saw.

The group leans get one penalty per content feature (a row of A), not one for all: most words say
nothing about any group, and a few (the terms of a community's own concern) say much. One ridge
penalty for every row shrinks both alike, and the few rows that carry a group's view lose most of it
(measured on the synthetic data: with a rater's groups known, a quarter of the planted group shifts
was lost). So the fit first runs with the configured penalty, then each row's penalty becomes the
configured one scaled by typical row size / this row's size, and the fit goes on: one step of
iteratively reweighted ridge toward a group lasso over the rows, which keeps the leans that the
data support across groups and shrinks the rest harder. The typical penalty stays the configured one,
so nothing new is tuned.
"""

from __future__ import annotations

from contextlib import nullcontext
from dataclasses import dataclass

import numpy as np
import pandas as pd
import scipy.optimize
import scipy.sparse
from threadpoolctl import threadpool_limits

from indielabel.data.dataset import Dataset, DatasetError
from indielabel.model.features import attribute_indicators, content_features
from indielabel.progress import step

# Keeps the prior covariance of attribute profiles invertible: the indicators of one attribute's
# values sum to one, so one direction per attribute has no spread at all.
PROFILE_JITTER = 1e-4
# A row of group leans this much smaller than the typical row gets this much more penalty at most:
# rows that the first pass left at zero are not given an infinite penalty.
MIN_ROW_SHARE = 1e-3
# Floor for the calibrated variances, so that a handful of calibration raters cannot make the prior
# covariance singular.
MIN_VARIANCE = 1e-6


@dataclass
class FittedParameters:
    item_offset: np.ndarray
    item_factors: np.ndarray
    prior_mean: np.ndarray
    prior_penalty: np.ndarray
    noise_variance: float
    profile_means: np.ndarray


def incidence(index: np.ndarray, size: int) -> scipy.sparse.csr_matrix:
    """Sparse (size × n) 0/1 matrix: ``incidence @ values`` sums values per index."""
    n = len(index)
    return scipy.sparse.csr_matrix((np.ones(n), (index, np.arange(n))), shape=(size, n))


class ParameterLayout:
    """Named blocks of the flat parameter vector that L-BFGS works on."""

    def __init__(self, shapes: dict[str, tuple[int, ...]]):
        self.slices, self.shapes, start = {}, shapes, 0
        for name, shape in shapes.items():
            size = int(np.prod(shape))
            self.slices[name] = slice(start, start + size)
            start += size
        self.size = start

    def unpack(self, flat: np.ndarray) -> dict[str, np.ndarray]:
        return {name: flat[part].reshape(self.shapes[name]) for name, part in self.slices.items()}

    def pack(self, blocks: dict[str, np.ndarray]) -> np.ndarray:
        flat = np.zeros(self.size)
        for name, part in self.slices.items():
            flat[part] = np.ravel(blocks[name])
        return flat


class RatingProblem:
    """Crowd ratings with item content and rater profiles, and the penalised loss over them.

    ``profiles`` are the raters' attribute indicators centred over the raters (n_raters × L).
    """

    def __init__(self, content, profiles: np.ndarray, ratings: pd.DataFrame, params: dict):
        self.params, self.content, self.profiles = params, content, profiles
        self.item_index = ratings["item_index"].to_numpy(np.int64)
        self.rater_index = ratings["rater_index"].to_numpy(np.int64)
        self.ratings = ratings["rating"].to_numpy(np.float64)
        self.n_items, self.n_raters = content.shape[0], profiles.shape[0]
        self.item_sum = incidence(self.item_index, self.n_items)
        self.rater_sum = incidence(self.rater_index, self.n_raters)
        k, d, n_levels = params["factors"], content.shape[1], profiles.shape[1]
        self.layout = ParameterLayout({
            "mean": (1,),
            "content_bias": (d,),
            "item_deviation": (self.n_items,),
            "rater_bias": (self.n_raters,),
            "group_lean": (d, n_levels),
            "content_taste": (d, k),
            "rater_taste": (self.n_raters, k),
        })
        # Reused on every evaluation: fresh n_ratings × (L + k) arrays cost more in page faults than
        # in arithmetic at the largest dataset size.
        self.factor_buffer = np.empty((len(self.ratings), n_levels + k))
        self.weight_buffer = np.empty((len(self.ratings), n_levels + k))
        self.penalties = {
            "mean": 0.0,
            "content_bias": params["content_bias_penalty"],
            "item_deviation": params["item_penalty"],
            "rater_bias": params["user_penalty"],
            "group_lean": params["content_factor_penalty"],
            "content_taste": params["content_factor_penalty"],
            "rater_taste": params["taste_penalty"],
        }

    def initial(self) -> np.ndarray:
        """Mean rating for the intercept, small random tastes (zero would be a saddle point)."""
        rng = np.random.default_rng(self.params["seed"])
        blocks = {name: np.zeros(shape) for name, shape in self.layout.shapes.items()}
        blocks["mean"][0] = self.ratings.mean()
        for name in ("content_taste", "rater_taste"):
            blocks[name] = rng.normal(0.0, 0.05, self.layout.shapes[name])
        return self.layout.pack(blocks)

    def item_parts(self, blocks: dict[str, np.ndarray]) -> tuple[np.ndarray, np.ndarray]:
        """Item bias and item factors [group leans, free tastes] (n_items × (L + k))."""
        item_bias = blocks["mean"][0] + self.content @ blocks["content_bias"] + blocks["item_deviation"]
        item_factors = self.content @ np.hstack([blocks["group_lean"], blocks["content_taste"]])
        return item_bias, item_factors

    def rater_weights(self, blocks: dict[str, np.ndarray]) -> np.ndarray:
        """Each crowd rater's weights on the item factors: their profile, then their free tastes."""
        return np.hstack([self.profiles, blocks["rater_taste"]])

    def loss_and_gradient(self, flat: np.ndarray) -> tuple[float, np.ndarray]:
        blocks = self.layout.unpack(flat)
        item_bias, item_factors = self.item_parts(blocks)
        rating_factors = np.take(item_factors, self.item_index, axis=0, out=self.factor_buffer)
        rating_weights = np.take(self.rater_weights(blocks), self.rater_index, axis=0, out=self.weight_buffer)
        residual = (item_bias[self.item_index] + blocks["rater_bias"][self.rater_index]
                    + np.einsum("nk,nk->n", rating_factors, rating_weights) - self.ratings)
        per_item = self.item_sum @ residual
        weighted = np.multiply(rating_weights, residual[:, None], out=self.weight_buffer)
        factor_gradient = self.content.T @ (self.item_sum @ weighted)
        n_levels = self.profiles.shape[1]
        gradient = {
            "mean": np.array([residual.sum()]),
            "content_bias": self.content.T @ per_item,
            "item_deviation": per_item,
            "rater_bias": self.rater_sum @ residual,
            "group_lean": factor_gradient[:, :n_levels],
            "content_taste": factor_gradient[:, n_levels:],
            "rater_taste": self.rater_sum @ (residual[:, None] * rating_factors[:, n_levels:]),
        }
        loss = 0.5 * residual @ residual
        for name, penalty in self.penalties.items():  # a penalty is a number, or one per row of its block
            loss += 0.5 * np.sum(penalty * blocks[name] ** 2)
            gradient[name] = gradient[name] + penalty * blocks[name]
        return float(loss), self.layout.pack(gradient)


def row_penalties(group_lean: np.ndarray, penalty: float) -> np.ndarray:
    """One penalty per content feature's group leans (d × 1): ``penalty`` × typical row norm / row norm."""
    norms = np.sqrt(np.sum(group_lean**2, axis=1))
    typical = norms.mean()
    if typical == 0:
        return np.full((len(norms), 1), penalty)
    return (penalty * typical / np.maximum(norms, MIN_ROW_SHARE * typical))[:, None]


def rater_moments(problem: RatingProblem, offsets: np.ndarray, factors: np.ndarray):
    """Per rater: X^T X, X^T y and y·y of the design x = [1, phi_i] and the targets y = rating − offset."""
    design = np.hstack([np.ones((problem.n_items, 1)), factors])[problem.item_index]
    targets = problem.ratings - offsets[problem.item_index]
    rated = np.unique(problem.rater_index)
    rater_sum = problem.rater_sum[rated]
    width = design.shape[1]
    gram = np.empty((len(rated), width, width))
    for column in range(width):  # column by column: the full n × width² outer product can be large
        gram[:, :, column] = rater_sum @ (design * design[:, [column]])
    cross = np.asarray(rater_sum @ (design * targets[:, None]))
    squares = np.asarray(rater_sum @ targets**2)
    return gram, cross, squares


class StructuredPrior:
    """Prior covariance of a new user's (b_u, group profile, free tastes), up to three spreads.

    The profile block is the crowd's own covariance of attribute profiles (who tends to belong to
    which groups together), scaled; the bias and the free tastes get one variance each.
    """

    def __init__(self, profile_covariance: np.ndarray, n_free: int):
        self.profile_covariance = profile_covariance
        self.profile_precision = np.linalg.inv(profile_covariance)
        self.n_levels, self.n_free = len(profile_covariance), n_free
        # EM's starting point: a leniency spread of half a point, profiles as learned, mild free tastes.
        self.bias_variance, self.profile_scale, self.taste_variance = 0.25, 1.0, 0.05

    def covariance(self) -> np.ndarray:
        width = 1 + self.n_levels + self.n_free
        covariance = np.zeros((width, width))
        covariance[0, 0] = self.bias_variance
        profile = slice(1, 1 + self.n_levels)
        covariance[profile, profile] = self.profile_scale * self.profile_covariance
        covariance[1 + self.n_levels:, 1 + self.n_levels:] = self.taste_variance * np.eye(self.n_free)
        return covariance

    def update(self, second_moment: np.ndarray) -> None:
        """The spreads that maximise the expected log-likelihood, given E[θθᵀ] averaged over raters."""
        profile = slice(1, 1 + self.n_levels)
        self.bias_variance = max(second_moment[0, 0], MIN_VARIANCE)
        if self.n_levels:
            scale = np.trace(self.profile_precision @ second_moment[profile, profile]) / self.n_levels
            self.profile_scale = max(scale, MIN_VARIANCE)
        if self.n_free:
            free = slice(1 + self.n_levels, None)
            self.taste_variance = max(np.trace(second_moment[free, free]) / self.n_free, MIN_VARIANCE)


def calibrate_prior(problem: RatingProblem, offsets: np.ndarray, factors: np.ndarray, prior: StructuredPrior,
                    iterations: int) -> tuple[np.ndarray, float]:
    """EM for the prior's spreads, the mean bias and the noise variance, on ``problem``'s raters.

    Each rater's ratings are a small linear model in θ = (b_u, w_u) with the item side fixed; θ is
    drawn from the prior, and the marginal likelihood of all ratings is maximised. The mean of w_u
    stays zero: profiles are centred over the crowd and free tastes are symmetric.
    Returns (prior mean of θ, noise variance); ``prior``'s spreads are updated in place.
    """
    gram, cross, squares = rater_moments(problem, offsets, factors)
    n_ratings = gram[:, 0, 0].sum()
    mean = np.zeros(gram.shape[1])
    noise_variance = max(float(squares.sum() / n_ratings), MIN_VARIANCE)
    for _ in range(iterations):
        prior_precision = np.linalg.inv(prior.covariance())
        posterior_covariance = np.linalg.inv(gram / noise_variance + prior_precision)
        posterior_mean = np.einsum("rij,rj->ri", posterior_covariance,
                                   cross / noise_variance + prior_precision @ mean)
        mean[0] = posterior_mean[:, 0].mean()
        spread = posterior_mean - mean
        prior.update((posterior_covariance + spread[:, :, None] * spread[:, None, :]).mean(axis=0))
        residual_squares = (squares - 2 * np.einsum("ri,ri->r", posterior_mean, cross)
                            + np.einsum("ri,rij,rj->r", posterior_mean, gram, posterior_mean)
                            + np.einsum("rij,rji->r", posterior_covariance, gram))
        noise_variance = max(float(residual_squares.sum() / n_ratings), MIN_VARIANCE)
    return mean, noise_variance


def calibration_split(ratings: pd.DataFrame, share: float, seed: int) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Ratings of the raters the base fit uses, and of the raters kept aside to calibrate the prior."""
    raters = np.unique(ratings["rater_index"].to_numpy())
    if len(raters) < 2:
        raise DatasetError("fitting the model needs ratings from at least 2 raters")
    count = min(max(1, round(share * len(raters))), len(raters) - 1)
    calibration = np.random.default_rng(seed).choice(raters, size=count, replace=False)
    aside = ratings["rater_index"].isin(calibration).to_numpy()
    return ratings[~aside], ratings[aside]


def centred_profiles(dataset: Dataset) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Raters' attribute indicators centred over the raters who rated, the means removed, and the
    profiles' covariance."""
    indicators = attribute_indicators(dataset.raters, dataset.attribute_columns)
    rated = np.bincount(dataset.ratings["rater_index"], minlength=len(dataset.raters)) > 0
    means = indicators[rated].mean(axis=0)
    profiles = indicators - means
    covariance = np.atleast_2d(np.cov(profiles[rated], rowvar=False, bias=True)).reshape(
        profiles.shape[1], profiles.shape[1])
    jitter = PROFILE_JITTER * max(float(np.trace(covariance)) / max(len(covariance), 1), 1e-3)
    return profiles, means, covariance + jitter * np.eye(len(covariance))


def minimise(problem: RatingProblem, start: np.ndarray, iterations: int) -> np.ndarray:
    result = scipy.optimize.minimize(problem.loss_and_gradient, start, jac=True, method="L-BFGS-B",
                                     options={"maxiter": iterations, "maxcor": 20})
    return result.x


def fitted_with_row_penalties(problem: RatingProblem, params: dict) -> np.ndarray:
    """Minimise with the configured penalties, then (with group leans) go on with one per row of them.

    The two passes share ``max_iterations`` equally, so the fit costs what one pass did.
    """
    if not problem.profiles.shape[1]:
        return minimise(problem, problem.initial(), params["max_iterations"])
    first = params["max_iterations"] // 2
    solution = minimise(problem, problem.initial(), first)
    problem.penalties["group_lean"] = row_penalties(problem.layout.unpack(solution)["group_lean"],
                                                    params["content_factor_penalty"])
    return minimise(problem, solution, params["max_iterations"] - first)


def fit_parameters(dataset: Dataset, params: dict, quiet: bool = False) -> FittedParameters:
    # L-BFGS-B does many small vector operations through BLAS; on a busy machine BLAS threads wait on
    # each other far longer than they compute (measured: a `small` fit went from 17 s to 4 s).
    with threadpool_limits(limits=1, user_api="blas"):
        return _fit_parameters(dataset, params, quiet)


def _fit_parameters(dataset: Dataset, params: dict, quiet: bool) -> FittedParameters:
    """Fit on most raters, calibrate the new-user prior on the others, then refine on everyone.

    Calibrating on unseen raters matters: the item side has absorbed part of the noise of the
    ratings it was fitted on, so those ratings would make labels look far more reliable than a new
    user's are, and the fold-in would chase noise. The final pass over all ratings improves the
    item side a little further, which leaves the calibrated prior slightly cautious.
    """
    def progress(description):
        return nullcontext() if quiet else step(description)

    with progress(f"Describing {len(dataset.items)} comments and {len(dataset.raters)} raters"):
        content = content_features(dataset.items)
        profiles, profile_means, profile_covariance = centred_profiles(dataset)
        fit_ratings, calibration_ratings = calibration_split(
            dataset.ratings, params["calibration_share"], params["seed"])
        problem = RatingProblem(content, profiles, fit_ratings, params)
    with progress(f"Fitting the base model on {len(problem.ratings)} ratings"):
        solution = fitted_with_row_penalties(problem, params)
    with progress(f"Calibrating the new-user prior on {len(calibration_ratings)} ratings of unseen raters"):
        item_bias, item_factors = problem.item_parts(problem.layout.unpack(solution))
        calibration = RatingProblem(content, profiles, calibration_ratings, params)
        prior = StructuredPrior(profile_covariance, params["factors"])
        mean, noise_variance = calibrate_prior(
            calibration, item_bias, item_factors, prior, params["prior_iterations"])
    lean_penalty = problem.penalties["group_lean"]
    del problem  # frees its per-rating buffers before the pass over everyone
    with progress(f"Refining on all {len(dataset.ratings)} ratings"):
        everyone = RatingProblem(content, profiles, dataset.ratings, params)
        everyone.penalties["group_lean"] = lean_penalty
        solution = minimise(everyone, solution, params["final_iterations"])
        item_bias, item_factors = everyone.item_parts(everyone.layout.unpack(solution))
    prior_penalty = noise_variance * np.linalg.inv(prior.covariance())
    return FittedParameters(
        item_offset=item_bias + mean[0],
        item_factors=item_factors,
        prior_mean=mean[1:],
        prior_penalty=(prior_penalty + prior_penalty.T) / 2,
        noise_variance=noise_variance,
        profile_means=profile_means,
    )
