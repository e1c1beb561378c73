"""The new-user prior given what a person says about themselves.

A person may say which groups they belong to: a profile of attribute -> value (a value may list
several, joined by ``;``, for a multi-valued attribute such as race), any attribute left out. The
indicators of an answered attribute are then known, not inferred: θ's block for those columns is
fixed to the person's centred indicators (1 − crowd mean for their value, − crowd mean for the
others), and the rest of θ gets the population prior N(m, C) conditioned on it, mean

    m_f − Λ_ff⁻¹ Λ_fk (known − m_k),    precision Λ_ff    (Λ = C⁻¹).

So the personal model starts from the group's view, including what tends to go with belonging to
that group (the unanswered attributes and the bias move with the crowd's covariance), and the labels
refine the rest. The base model stores its penalty σ²Λ; σ² cancels in the mean shift.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

import numpy as np

from indielabel.model.features import attribute_values


@dataclass
class ConditionedPrior:
    """``mean`` of all of θ = (b_u, w_u) (the known positions at their fixed values); ``free`` the
    positions left to learn and ``penalty`` their conditional ridge penalty (σ² Λ_ff)."""

    mean: np.ndarray
    free: np.ndarray
    penalty: np.ndarray


def known_indicators(levels: Sequence[tuple[str, str]], means: np.ndarray,
                     profile: Mapping[str, str] | None) -> tuple[np.ndarray, np.ndarray]:
    """Positions in θ of the answered attributes' columns and the person's centred indicators there.

    ``levels`` is the (attribute, value) of each profile column, ``means`` the crowd's share of each.
    ValueError naming an attribute or a value the model does not know.
    """
    positions, indicators = [], []
    for attribute, answer in (profile or {}).items():
        columns = [column for column, (name, _) in enumerate(levels) if name == attribute]
        if not columns:
            known = ", ".join(dict.fromkeys(name for name, _ in levels)) or "none"
            raise ValueError(f"unknown rater attribute {attribute!r} (known: {known})")
        values = set(attribute_values(answer))
        offered = [levels[column][1] for column in columns]
        unknown = sorted(values - set(offered)) or ([] if values else [answer])
        if unknown:
            raise ValueError(f"unknown value {unknown[0]!r} for attribute {attribute!r} (known: {', '.join(offered)})")
        positions.extend(1 + column for column in columns)
        indicators.extend(float(value in values) for value in offered)
    known_positions = np.array(positions, dtype=np.int64)
    return known_positions, np.array(indicators) - np.asarray(means, dtype=np.float64)[known_positions - 1]


def conditioned_prior(prior_mean: np.ndarray, prior_penalty: np.ndarray, levels: Sequence[tuple[str, str]],
                      means: np.ndarray, profile: Mapping[str, str] | None) -> ConditionedPrior:
    """The prior of θ given ``profile``; without one, the population prior itself."""
    known, values = known_indicators(levels, means, profile)
    mean = np.concatenate([[0.0], prior_mean])
    free = np.setdiff1d(np.arange(len(mean)), known)
    penalty = prior_penalty[np.ix_(free, free)]
    if len(known):
        mean[free] -= np.linalg.solve(penalty, prior_penalty[np.ix_(free, known)] @ (values - mean[known]))
        mean[known] = values
    return ConditionedPrior(mean=mean, free=free, penalty=penalty)
