"""Which comments a person is asked to label."""

from __future__ import annotations

import numpy as np
import pandas as pd

# Comments to label are drawn across the system's rating bins in the paper's 2/4/8/4/2 proportion, so a
# user sees clear cases at both ends and many borderline ones.
SCORE_BIN_EDGES = (0.0, 0.5, 1.5, 2.5, 3.5, 4.0001)
SCORE_BIN_SHARES = (2, 4, 8, 4, 2)

def sample_to_label(items: pd.DataFrame, n: int, rng: np.random.Generator,
                    exclude: set[int] | frozenset = frozenset()) -> pd.DataFrame:
    """``n`` comments spread across the system's rating bins in 2/4/8/4/2 proportion."""
    pool = items[~items["item_id"].isin(exclude)]
    bins = np.digitize(pool["rating_sys"].to_numpy(), SCORE_BIN_EDGES[1:-1])
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


def _bin_quotas(n: int) -> list[int]:
    total = sum(SCORE_BIN_SHARES)
    quotas = [n * share // total for share in SCORE_BIN_SHARES]
    order = np.argsort([-(n * share % total) for share in SCORE_BIN_SHARES], kind="stable")
    for index in order[: n - sum(quotas)]:
        quotas[index] += 1
    return quotas
