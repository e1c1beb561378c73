"""Simulated crowd raters of the synthetic dataset: demographics, who rates what, and the ratings.

Rating model, on the 0-4 scale, for rater r and comment i::

    latent = toxicity_i + leniency_r + sum_k loads_ik * (shift_k * member_rk + taste_rk) + noise_r * e
    rating = clip(round(latent), 0, 4)

``toxicity_i`` comes from the comment's content (its kind plus item noise), ``leniency_r`` and
``noise_r`` are per rater. Each *taste* k is a kind of content (``loads_ik`` is 1 on such comments)
on which one demographic group rates consistently higher or lower by ``shift_k``; ``taste_rk`` is a
small individual variation around it. Because the shift is the same on every comment of a taste, a
few labels of a group member reveal it, which is what a personal model must learn.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import pandas as pd

from indielabel.data.dataset import MULTI_VALUE_SEPARATOR

RATINGS_PER_ITEM = 5
GENDERS = (("Female", 0.5), ("Male", 0.47), ("Nonbinary", 0.03))
RACES = (("White", 0.62), ("Black or African American", 0.13), ("Hispanic", 0.1), ("Asian", 0.08),
         ("American Indian or Alaskan Native", 0.02), ("Native Hawaiian or Pacific Islander", 0.01), ("Other", 0.04))
SECOND_RACE_SHARE = 0.07
POLITICS = (("Liberal", 0.38), ("Conservative", 0.27), ("Independent", 0.28), ("Other", 0.07))
RELIGION_LEVELS = ("Not important", "Not too important", "Somewhat important", "Very important")
# Religion matters more to conservatives here, as in surveys; the two attributes are not independent.
RELIGION_BY_POLITICS = {"Liberal": (0.4, 0.2, 0.25, 0.15), "Conservative": (0.12, 0.1, 0.3, 0.48),
                        "Independent": (0.3, 0.18, 0.27, 0.25), "Other": (0.35, 0.2, 0.25, 0.2)}
AGES = (("18 - 24", 0.12), ("25 - 34", 0.3), ("35 - 44", 0.23), ("45 - 54", 0.15), ("55 - 64", 0.12),
        ("65 or older", 0.08))
LGBTQ = (("Heterosexual", 0.8), ("Bisexual", 0.1), ("Homosexual", 0.06), ("Other", 0.04))
EDUCATION = (("High school or less", 0.2), ("Some college", 0.25), ("Associate degree", 0.1),
             ("Bachelor's degree", 0.3), ("Graduate degree", 0.15))

LENIENCY_SD = 0.45
TASTE_SD = 0.25
NOISE_SD_RANGE = (0.35, 0.8)
ITEM_NOISE_SD = 0.3


@dataclass(frozen=True)
class Taste:
    """A kind of content on which the raters whose ``attribute`` is one of ``values`` rate ``shift`` higher."""

    name: str
    attribute: str
    values: tuple[str, ...]
    shift: float


def _draw(rng: np.random.Generator, options: Sequence[tuple[str, float]], size: int) -> np.ndarray:
    labels = np.array([label for label, _ in options], dtype=object)
    weights = np.array([weight for _, weight in options])
    return labels[rng.choice(len(options), size=size, p=weights / weights.sum())]


def _races(rng: np.random.Generator, size: int) -> np.ndarray:
    first = _draw(rng, RACES, size)
    second = _draw(rng, RACES, size)
    mixed = (rng.random(size) < SECOND_RACE_SHARE) & (first != second)
    order = [label for label, _ in RACES]
    races = first.copy()
    for index in np.flatnonzero(mixed):
        pair = sorted((first[index], second[index]), key=order.index)
        races[index] = MULTI_VALUE_SEPARATOR.join(pair)
    return races


def make_raters(n_raters: int, rng: np.random.Generator) -> pd.DataFrame:
    """``n_raters`` raters ("r00000", ...) with every attribute of ``dataset.RATER_ATTRIBUTES``."""
    politics = _draw(rng, POLITICS, n_raters)
    religion = np.empty(n_raters, dtype=object)
    for affiliation, weights in RELIGION_BY_POLITICS.items():
        chosen = np.flatnonzero(politics == affiliation)
        religion[chosen] = _draw(rng, tuple(zip(RELIGION_LEVELS, weights)), len(chosen))
    width = max(5, len(str(n_raters - 1)))
    return pd.DataFrame({
        "rater_id": [f"r{number:0{width}d}" for number in range(n_raters)],
        "gender": _draw(rng, GENDERS, n_raters),
        "race": _races(rng, n_raters),
        "religion_important": religion,
        "political_affiliation": politics,
        "lgbtq_status": _draw(rng, LGBTQ, n_raters),
        "age_range": _draw(rng, AGES, n_raters),
        "education": _draw(rng, EDUCATION, n_raters),
    })


def is_member(raters: pd.DataFrame, attribute: str, values: Sequence[str]) -> np.ndarray:
    """Which raters belong to the group; a multi-valued attribute matches when any of its values does."""
    wanted = set(values)
    cells = raters[attribute].astype(str)
    return np.array([bool(wanted.intersection(cell.split(MULTI_VALUE_SEPARATOR))) for cell in cells])


def assign_raters(n_items: int, n_raters: int, rng: np.random.Generator) -> np.ndarray:
    """An (n_items, 5) array of rater indexes: distinct raters per item, every rater within one rating of the rest.

    The raters are dealt out in rounds, each round a fresh permutation of all raters; a round is
    redrawn when its first raters would repeat one of the previous round's last raters on one item.
    """
    if n_raters < 2 * RATINGS_PER_ITEM:
        raise ValueError(f"need at least {2 * RATINGS_PER_ITEM} raters, got {n_raters}")
    needed = n_items * RATINGS_PER_ITEM
    rounds, dealt = [], 0
    while dealt < needed:
        order = rng.permutation(n_raters)
        carried = dealt % RATINGS_PER_ITEM  # raters of the previous round on the item that straddles the seam
        if carried:
            while np.isin(order[:RATINGS_PER_ITEM - carried], rounds[-1][-carried:]).any():
                order = rng.permutation(n_raters)
        rounds.append(order)
        dealt += n_raters
    return np.concatenate(rounds)[:needed].reshape(n_items, RATINGS_PER_ITEM)


@dataclass(frozen=True)
class Crowd:
    """Everything of the rating model but the rating noise: each comment's level and taste loads, each
    rater's leniency, noise spread and tastes (group shift plus their own variation)."""

    item_level: np.ndarray
    loads: np.ndarray
    leniency: np.ndarray
    noise_sd: np.ndarray
    taste: np.ndarray

    def expected_latent(self, items: np.ndarray, raters: np.ndarray) -> np.ndarray:
        """The latent rating without noise, shaped like ``raters`` (n_items, per item) for ``items`` (n_items,)."""
        latent = self.item_level[items][:, None] + self.leniency[raters]
        latent += np.einsum("ik,ijk->ij", self.loads[items], self.taste[raters])
        return latent

    def answers(self, rater: int, items: np.ndarray, seed: int) -> np.ndarray:
        """Rater ``rater``'s ratings of ``items``, each with its own noise drawn from (seed, rater, item).

        Seeding per pair makes an answer the same whichever comments are asked and in which order.
        """
        items = np.asarray(items, dtype=np.int64)
        noise = np.array([np.random.default_rng([seed, rater, int(item)]).standard_normal() for item in items])
        latent = self.expected_latent(items, np.full((len(items), 1), rater))[:, 0]
        return rounded_rating(latent + self.noise_sd[rater] * noise)


def rounded_rating(latent: np.ndarray) -> np.ndarray:
    return np.clip(np.rint(latent), 0, 4).astype(np.int8)


def draw_crowd(toxicity: np.ndarray, loads: np.ndarray, tastes: Sequence[Taste], raters: pd.DataFrame,
               rng: np.random.Generator) -> Crowd:
    """The raters' and comments' parameters of the model in the module docstring.

    ``toxicity`` is the per-comment content level, ``loads`` an (n_items, n_tastes) 0/1 matrix.
    """
    n_raters = len(raters)
    leniency = rng.normal(0.0, LENIENCY_SD, n_raters)
    noise_sd = rng.uniform(*NOISE_SD_RANGE, n_raters)
    personal_taste = rng.normal(0.0, TASTE_SD, (n_raters, len(tastes)))
    group_shift = np.column_stack([taste.shift * is_member(raters, taste.attribute, taste.values) for taste in tastes])
    item_level = toxicity + rng.normal(0.0, ITEM_NOISE_SD, len(toxicity))
    return Crowd(item_level=item_level, loads=loads, leniency=leniency, noise_sd=noise_sd,
                 taste=group_shift + personal_taste)


def simulate_ratings(crowd: Crowd, assignment: np.ndarray, rng: np.random.Generator) -> np.ndarray:
    """Integer ratings 0-4, shaped like ``assignment`` (an (n_items, 5) array of rater indexes)."""
    latent = crowd.expected_latent(np.arange(len(assignment)), assignment)
    latent += crowd.noise_sd[assignment] * rng.standard_normal(assignment.shape)
    return rounded_rating(latent)


def category_fractions(marking_chance: np.ndarray, follows_rating: np.ndarray, ratings: np.ndarray,
                       rng: np.random.Generator) -> np.ndarray:
    """Share of each comment's raters who mark each category, shaped (n_items, n_categories).

    ``marking_chance`` (n_items, n_categories) is the chance that a rater marks the comment; for
    the categories where ``follows_rating`` is true it is the chance for a rater who rates it 2, and
    raters who rate it higher mark it more often, raters who rate it lower less often.
    """
    scale = np.where(follows_rating, 0.4 + 0.3 * ratings[:, :, None], 1.0)
    chance = np.clip(marking_chance[:, None, :] * scale, 0.0, 1.0)
    marks = rng.random(chance.shape) < chance
    return marks.mean(axis=1)
