"""The adaptive sampler: each pick is the comment whose label most reduces the person's summed
predictive variance, computed by rank-one updates that must match a direct computation."""

from __future__ import annotations

import numpy as np

from indielabel.model import label_selection


def total_predictive_variance(item_factors, prior_penalty, asked_rows) -> float:
    """tr(S M) over all items, S the posterior covariance after labels of ``asked_rows`` (noise units)."""
    asked = label_selection.fold_in_design(item_factors, asked_rows)
    covariance = np.linalg.inv(prior_penalty + asked.T @ asked)
    everything = label_selection.fold_in_design(item_factors, slice(None))
    return float(np.einsum("ij,jk,ik->", everything, covariance, everything)) / len(everything)


def synthetic_model(n_items=400, n_factors=6, seed=0):
    rng = np.random.default_rng(seed)
    factors = rng.normal(size=(n_items, n_factors)) * rng.uniform(0.2, 2.0, n_factors)
    penalty = np.diag(rng.uniform(0.5, 5.0, n_factors + 1))
    system_rating = rng.uniform(0, 4, n_items)
    return factors, penalty, system_rating


def test_each_greedy_pick_is_the_largest_drop_in_predictive_variance():
    factors, penalty, _ = synthetic_model()
    moment = label_selection.design_moment(factors)
    candidates = np.arange(len(factors))
    plan = label_selection.InformativePlan(factors, penalty, moment, candidates, asked_rows=[3, 7])
    asked = [3, 7]
    for _ in range(6):
        before = total_predictive_variance(factors, penalty, asked)
        drops = np.array([before - total_predictive_variance(factors, penalty, asked + [row]) if row not in asked
                          else -np.inf for row in candidates])
        position = plan.best()
        assert candidates[position] == int(np.argmax(drops))
        plan.take(position)
        asked.append(int(candidates[position]))


def test_adaptive_picks_start_with_one_per_score_bin_and_keep_both_ends_in_every_batch():
    factors, penalty, system_rating = synthetic_model()
    rows = label_selection.informative_rows(factors, penalty, label_selection.design_moment(factors), system_rating,
                                            np.arange(len(factors)), 20, np.random.default_rng(0))
    bins = label_selection.score_bins(system_rating[rows])
    assert len(set(rows.tolist())) == 20
    assert bins[:5].tolist() == [0, 1, 2, 3, 4]
    for batch in range(3):
        picks = bins[5 + 5 * batch: 10 + 5 * batch]
        assert picks[0] == 0 and picks[1] == 4


def test_adaptive_picks_never_repeat_a_comment_already_shown():
    factors, penalty, system_rating = synthetic_model()
    shown = np.arange(0, 400, 3)
    rows = label_selection.informative_rows(factors, penalty, label_selection.design_moment(factors), system_rating,
                                            np.setdiff1d(np.arange(400), shown), 30, np.random.default_rng(1),
                                            asked_rows=shown)
    assert not set(rows.tolist()) & set(shown.tolist())
    assert len(set(rows.tolist())) == 30


def test_with_nothing_asked_yet_the_plan_starts_from_the_prior():
    factors, penalty, _ = synthetic_model()
    plan = label_selection.InformativePlan(factors, penalty, label_selection.design_moment(factors),
                                           np.arange(len(factors)), asked_rows=())
    np.testing.assert_allclose(plan.covariance, np.linalg.inv(penalty))
