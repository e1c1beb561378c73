"""Which comments a person is asked to label.

Two samplers. ``stratified`` is the paper's: comments drawn across the system's rating bins in
2/4/8/4/2 proportion. ``adaptive`` (the default) asks what tells the most about this person: the
fold-in is Bayesian ridge regression, so a label of comment x shrinks the posterior covariance of
the person's parameters from S to S − S x xᵀ S / (1 + xᵀ S x) (in units of the noise variance),
whatever the answer turns out to be. Each next comment is the one whose label would most reduce the
summed predictive variance over the target comments, Σ_j x_jᵀ S x_j = tr(S M) with M = Σ_j x_j x_jᵀ;
that reduction is xᵀ S M S x / (1 + xᵀ S x). Because the answer does not enter, comments already
asked (shown) count as evidence before any is rated, and one request can plan a whole page.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

# Comments to label are drawn across the system's rating bins in the paper's 2/4/8/4/2 proportion, so a
# user sees clear cases at both ends and many borderline ones.
SCORE_BIN_EDGES = (0.0, 0.5, 1.5, 2.5, 3.5, 4.0001)
SCORE_BIN_SHARES = (2, 4, 8, 4, 2)
# The adaptive sampler starts from the most informative comment of each system-score bin (a person's
# own scale shows across the range), then plans batches of BATCH comments, each with the most informative comment of the
# lowest and of the highest bin so that every batch still shows clear cases at both ends.
CALIBRATION = len(SCORE_BIN_SHARES)
BATCH = 5
# Candidates scored per request: a random subsample keeps a request in milliseconds on any dataset,
# and among thousands of comments the best few are nearly as informative as the very best.
MAX_CANDIDATES = 3000


def sample_to_label(items: pd.DataFrame, n: int, rng: np.random.Generator,
                    exclude: set[int] | frozenset = frozenset()) -> pd.DataFrame:
    """``n`` comments spread across the system's rating bins in 2/4/8/4/2 proportion."""
    pool = items[~items["item_id"].isin(exclude)]
    bins = score_bins(pool["rating_sys"].to_numpy())
    wanted = _bin_quotas(n)
    chosen: list[int] = []
    for bin_index, quota in enumerate(wanted):
        candidates = np.flatnonzero(bins == bin_index)
        take = min(quota, len(candidates))
        chosen.extend(rng.choice(candidates, size=take, replace=False).tolist())
    shortfall = n - len(chosen)
    if shortfall > 0:  # thin bins: top up from anywhere not yet chosen
        rest = np.setdiff1d(np.arange(len(pool)), chosen)
        chosen.extend(rng.choice(rest, size=min(shortfall, len(rest)), replace=False).tolist())
    picked = pool.iloc[chosen]
    return picked.iloc[rng.permutation(len(picked))][["item_id", "comment"]]


def score_bins(system_rating: np.ndarray) -> np.ndarray:
    return np.digitize(system_rating, SCORE_BIN_EDGES[1:-1])


def _bin_quotas(n: int) -> list[int]:
    total = sum(SCORE_BIN_SHARES)
    quotas = [n * share // total for share in SCORE_BIN_SHARES]
    order = np.argsort([-(n * share % total) for share in SCORE_BIN_SHARES], kind="stable")
    for index in order[: n - sum(quotas)]:
        quotas[index] += 1
    return quotas


def fold_in_design(item_factors: np.ndarray, rows, free: np.ndarray | None = None) -> np.ndarray:
    """The fold-in's design rows [1, phi_i] of the items at ``rows``, only the ``free`` columns when given
    (the positions of θ that a self-described profile leaves to learn)."""
    factors = np.asarray(item_factors[rows], dtype=np.float64)
    design = np.hstack([np.ones((len(factors), 1)), factors])
    return design if free is None else design[:, free]


def design_moment(item_factors: np.ndarray, rows=slice(None)) -> np.ndarray:
    """M = Σ_j x_j x_jᵀ over the target items, divided by their number."""
    design = fold_in_design(item_factors, rows)
    return design.T @ design / len(design)


class InformativePlan:
    """Greedy informative picks among ``candidates`` (item rows), with rank-one updates per pick.

    Keeps, per candidate, its predictive variance xᵀ S x and the gain numerator xᵀ S M S x, so a
    pick costs two matrix-vector products over the candidates instead of a new solve.
    """

    def __init__(self, item_factors, prior_penalty, moment, candidates: np.ndarray, asked_rows,
                 free: np.ndarray | None = None):
        asked = fold_in_design(item_factors, np.asarray(asked_rows, dtype=np.int64), free)
        self.covariance = np.linalg.inv(prior_penalty + asked.T @ asked)
        self.moment = moment if free is None else moment[np.ix_(free, free)]
        self.rows = np.asarray(candidates)
        self.design = fold_in_design(item_factors, self.rows, free)
        projected = self.design @ self.covariance
        self.variance = np.einsum("ij,ij->i", projected, self.design)
        self.numerator = np.einsum("ij,ij->i", projected @ self.moment, projected)
        self.available = np.ones(len(self.rows), dtype=bool)

    def best(self, among: np.ndarray | None = None) -> int | None:
        """Position (in candidates) of the most informative available one, optionally within a mask."""
        usable = self.available if among is None else self.available & among
        if not usable.any():
            return None
        gain = np.where(usable, self.numerator / (1.0 + self.variance), -np.inf)
        return int(np.argmax(gain))

    def take(self, position: int) -> None:
        """Count candidate ``position`` as labelled: S ← S − s sᵀ / (1 + xᵀ s), s = S x.

        With u_j = S x_j: u_j ← u_j − c (x_jᵀ s) s, so xᵀ S x drops by c (x_jᵀ s)² and
        u_jᵀ M u_j by 2c (x_jᵀ s)(x_jᵀ S M s) − c² (x_jᵀ s)² sᵀ M s.
        """
        direction = self.covariance @ self.design[position]
        scale = 1.0 / (1.0 + self.design[position] @ direction)
        moved = self.moment @ direction
        along = self.design @ direction
        toward = self.design @ (self.covariance @ moved)
        self.numerator -= 2 * scale * along * toward - scale**2 * along**2 * (direction @ moved)
        self.variance -= scale * along**2
        self.covariance -= scale * np.outer(direction, direction)
        self.available[position] = False


def informative_rows(item_factors, prior_penalty, moment, system_rating: np.ndarray, pool_rows: np.ndarray,
                     n: int, rng: np.random.Generator, asked_rows=(), free: np.ndarray | None = None) -> np.ndarray:
    """``n`` item rows from ``pool_rows`` picked by the adaptive sampler (see the module docstring).

    ``asked_rows`` were shown before; ``system_rating`` is per item row; with a self-described
    profile, ``prior_penalty`` is its conditioned penalty over the ``free`` positions of θ.
    """
    pool_rows = np.asarray(pool_rows)
    if len(pool_rows) > MAX_CANDIDATES:
        pool_rows = rng.choice(pool_rows, size=MAX_CANDIDATES, replace=False)
    n = min(n, len(pool_rows))
    bins = score_bins(system_rating[pool_rows])
    plan = InformativePlan(item_factors, prior_penalty, moment, pool_rows, asked_rows, free)
    picked: list[int] = []
    already = len(asked_rows)
    while len(picked) < n:
        position = plan.best(_wanted_bin(already + len(picked), bins))
        position = plan.best() if position is None else position
        plan.take(position)
        picked.append(position)
    return plan.rows[picked]


def _wanted_bin(count: int, bins: np.ndarray) -> np.ndarray | None:
    """Candidates of the system-score bin the pick number ``count`` must come from (None: any)."""
    if count < CALIBRATION:
        return bins == count
    edge = {0: 0, 1: len(SCORE_BIN_SHARES) - 1}.get((count - CALIBRATION) % BATCH)
    return None if edge is None else bins == edge
