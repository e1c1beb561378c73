"""Folding in a self-described attribute profile: the prior conditioned on known group indicators."""

from __future__ import annotations

import numpy as np
import pytest

from indielabel.model import personal as personal_model
from indielabel.model.features import attribute_values
from indielabel.model.personal import BaseModel


def member_ratings(data, attribute: str, value: str):
    members = data.raters["rater_id"][data.raters[attribute].map(lambda cell: value in attribute_values(cell))]
    return data.ratings[data.ratings["rater_id"].isin(members)]


@pytest.mark.parametrize("attribute, value", [
    ("religion_important", "Very important"), ("political_affiliation", "Conservative"),
    ("lgbtq_status", "Homosexual"), ("age_range", "65 or older"),
])
def test_a_profile_moves_predictions_toward_the_groups_ratings(small_base_model, small_dataset, attribute, value):
    ratings = member_ratings(small_dataset, attribute, value)
    rows = small_base_model.positions(ratings["item_id"])
    actual = ratings["rating"].to_numpy()
    anonymous = personal_model.predict_all(small_base_model, personal_model.fold_in(small_base_model, {}))[rows]
    described = personal_model.predict_all(
        small_base_model, personal_model.fold_in(small_base_model, {}, {attribute: value}))[rows]
    assert np.mean(np.abs(actual - described)) < np.mean(np.abs(actual - anonymous))
    assert np.corrcoef(actual - anonymous, described - anonymous)[0, 1] > 0.2


def test_no_profile_and_an_empty_profile_give_the_same_model(small_base_model, small_dataset):
    rated = small_dataset.ratings.head(8)
    labels = dict(zip(rated["item_id"].tolist(), rated["rating"].astype(float).tolist()))
    without = personal_model.train_personal(small_base_model, labels)
    for profile in ({}, None):
        result = personal_model.train_personal(small_base_model, labels, profile)
        np.testing.assert_array_equal(result.predictions, without.predictions)
        assert result.cv_mae == without.cv_mae


def test_a_profile_fixes_its_indicators_and_conditions_the_rest_like_a_very_strong_observation(
        small_base_model, small_dataset):
    base = small_base_model
    rated = small_dataset.ratings.head(6)
    labels = dict(zip(rated["item_id"].tolist(), rated["rating"].astype(float).tolist()))
    profile = {"gender": "Female", "religion_important": "Very important"}
    user = personal_model.fold_in(base, labels, profile)
    columns = [column for column, (name, _) in enumerate(base.profile_levels) if name in profile]
    indicators = np.array([float(base.profile_levels[column][1] in profile.values()) for column in columns])
    np.testing.assert_allclose(user.weights[columns], indicators - base.profile_means[columns])
    # The same posterior by brute force: the full ridge problem with an enormous penalty pulling the
    # known positions to the person's indicators.
    rows = base.positions(labels)
    design = np.hstack([np.ones((len(rows), 1)), base.item_factors[rows].astype(np.float64)])
    prior_mean = np.concatenate([[0.0], base.prior_mean])
    targets = np.array(list(labels.values())) - base.item_offset[rows] - design @ prior_mean
    pull = np.zeros(len(prior_mean))
    pull[1 + np.array(columns)] = 1e9
    wanted = np.zeros(len(prior_mean))
    wanted[1 + np.array(columns)] = indicators - base.profile_means[columns] - base.prior_mean[columns]
    solution = np.linalg.solve(design.T @ design + base.prior_penalty + np.diag(pull),
                               design.T @ targets + pull * wanted)
    np.testing.assert_allclose(user.bias, solution[0], atol=1e-5)
    np.testing.assert_allclose(user.weights, base.prior_mean + solution[1:], atol=1e-5)


def test_a_multi_valued_answer_sets_each_of_its_values():
    base = BaseModel(
        item_ids=np.array([1, 2]), item_offset=np.array([2.0, 2.0], dtype=np.float32),
        item_factors=np.array([[1.0, 0.0, 0.5], [0.0, 1.0, 0.5]], dtype=np.float32),
        system_rating=np.array([1.0, 3.0], dtype=np.float32), prior_mean=np.zeros(3),
        prior_penalty=np.eye(4), noise_variance=0.5, fingerprint="hand-built",
        profile_levels=[("race", "Asian"), ("race", "White")], profile_means=np.array([0.25, 0.75]))
    user = personal_model.fold_in(base, {}, {"race": "Asian;White"})
    np.testing.assert_allclose(user.weights[:2], [0.75, 0.25])
    np.testing.assert_allclose(user.weights[2], 0.0)


@pytest.mark.parametrize("profile, message", [
    ({"shoe_size": "42"}, "unknown rater attribute 'shoe_size' \\(known: gender, race"),
    ({"gender": "Robot"}, "unknown value 'Robot' for attribute 'gender' \\(known: Female, Male, Nonbinary\\)"),
    ({"gender": " "}, "unknown value ' ' for attribute 'gender'"),
])
def test_an_unknown_attribute_or_value_is_a_clear_error(small_base_model, profile, message):
    with pytest.raises(ValueError, match=message):
        personal_model.fold_in(small_base_model, {}, profile)


def test_the_profile_columns_survive_saving_and_loading(small_base_model, tmp_path):
    loaded = BaseModel.load(small_base_model.save(tmp_path / "model.npz"))
    assert loaded.profile_levels == small_base_model.profile_levels
    assert ("religion_important", "Very important") in loaded.profile_levels
    np.testing.assert_array_equal(loaded.profile_means, small_base_model.profile_means)
    profile = {"age_range": "18 - 24"}
    np.testing.assert_array_equal(
        personal_model.predict_all(loaded, personal_model.fold_in(loaded, {}, profile)),
        personal_model.predict_all(small_base_model, personal_model.fold_in(small_base_model, {}, profile)))
