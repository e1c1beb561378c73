"""The personal model: label merging, fold-in, predictions, metrics, caching and group labels."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest
import scipy.optimize

from indielabel import cli
from indielabel.data import dataset as datasets
from indielabel.model import features as model_features
from indielabel.model import fit as model_fit
from indielabel.model import personal as personal_model
from indielabel.model.personal import BaseModel


def hand_built_model() -> BaseModel:
    """Four items with known offsets and one factor: small enough to reason about by hand."""
    return BaseModel(
        item_ids=np.array([10, 20, 30, 40], dtype=np.int64),
        item_offset=np.array([3.8, 0.2, 2.0, 1.0], dtype=np.float32),
        item_factors=np.array([[1.0], [-1.0], [0.5], [0.0]], dtype=np.float32),
        system_rating=np.array([4.0, 0.0, 2.0, 1.0], dtype=np.float32),
        prior_mean=np.zeros(1),
        prior_penalty=np.eye(2),
        noise_variance=0.5,
        fingerprint="hand-built",
        params={"factors": 1},
    )


def labels_of(data: datasets.Dataset, count: int, seed: int = 0) -> dict[int, float]:
    """``count`` ratings of one crowd rater, as labels."""
    rater = data.ratings["rater_id"].iloc[0]
    rated = data.ratings[data.ratings["rater_id"] == rater].sample(count, random_state=seed)
    return dict(zip(rated["item_id"].tolist(), rated["rating"].astype(float).tolist()))


def test_newest_label_wins_when_merging():
    merged = personal_model.merge_labels({1: 0.0, 2: 3.0}, {1: 4.0, 3: 2.0})
    assert merged == {1: 4.0, 2: 3.0, 3: 2.0}


@pytest.mark.parametrize("unsure", [None, -1, -1.0])
def test_unsure_drops_the_items_label(unsure):
    merged = personal_model.merge_labels({1: 2.0, 2: 3.0}, {1: unsure, 5: unsure})
    assert merged == {2: 3.0}


@pytest.mark.parametrize("bad", [4.5, -0.5, "high", float("nan")])
def test_merge_rejects_a_label_off_the_scale(bad):
    with pytest.raises(ValueError, match="item 7"):
        personal_model.merge_labels({}, {7: bad})


def test_fold_in_rejects_an_unknown_item():
    with pytest.raises(ValueError, match="unknown item_id 99"):
        personal_model.fold_in(hand_built_model(), {10: 2.0, 99: 1.0})


def test_fold_in_rejects_an_unsure_label_left_in():
    with pytest.raises(ValueError, match="item 10"):
        personal_model.fold_in(hand_built_model(), {10: None})


def test_predictions_are_float32_and_clipped_to_the_scale():
    base = hand_built_model()
    severe = personal_model.predict_all(base, personal_model.fold_in(base, {10: 4.0, 20: 4.0, 30: 4.0}))
    lenient = personal_model.predict_all(base, personal_model.fold_in(base, {20: 0.0, 30: 0.0, 40: 0.0}))
    assert severe.dtype == np.float32 and len(severe) == 4
    assert severe[0] == 4.0  # 3.8 plus a clearly positive bias, clipped
    assert lenient[1] == 0.0  # 0.2 plus a clearly negative bias, clipped
    assert severe.max() <= 4.0 and lenient.min() >= 0.0


def test_no_labels_predicts_the_item_offsets():
    base = hand_built_model()
    predicted = personal_model.predict_all(base, personal_model.fold_in(base, {}))
    np.testing.assert_allclose(predicted, base.item_offset)


def test_labels_pull_predictions_their_way(small_base_model, small_dataset):
    items = small_dataset.items["item_id"].to_numpy()[:20]
    harsh = personal_model.predict_all(small_base_model, personal_model.fold_in(
        small_base_model, {int(item): 4.0 for item in items}))
    mild = personal_model.predict_all(small_base_model, personal_model.fold_in(
        small_base_model, {int(item): 0.0 for item in items}))
    assert harsh.mean() > mild.mean() + 0.5


def test_leave_one_out_mae_matches_refitting_without_each_label(small_base_model, small_dataset):
    labels = labels_of(small_dataset, 8)
    errors = []
    for item_id, rating in labels.items():
        others = {item: value for item, value in labels.items() if item != item_id}
        predicted = personal_model.predict_all(small_base_model, personal_model.fold_in(small_base_model, others))
        errors.append(abs(rating - predicted[small_base_model.positions([item_id])[0]]))
    assert personal_model.cross_validated_mae(small_base_model, labels) == pytest.approx(np.mean(errors), rel=1e-4)


def test_leave_one_out_needs_two_labels():
    base = hand_built_model()
    assert personal_model.cross_validated_mae(base, {}) is None
    assert personal_model.cross_validated_mae(base, {10: 3.0}) is None
    assert personal_model.cross_validated_mae(base, {10: 3.0, 20: 1.0}) is not None


def test_system_distance_keeps_the_sign_of_the_difference():
    above = personal_model.system_distance([3.0, 3.0, 1.0], [1.0, 1.0, 1.0])
    assert above == pytest.approx({"mae": 4 / 3, "mse": 8 / 3, "rmse": math.sqrt(8 / 3), "mean_signed_diff": 4 / 3})
    below = personal_model.system_distance([1.0, 1.0, 1.0], [3.0, 3.0, 1.0])
    assert below["mean_signed_diff"] == pytest.approx(-4 / 3)
    assert below["mae"] == pytest.approx(4 / 3)


@pytest.mark.parametrize("mae, band", [(0.0, "Good"), (0.99, "Good"), (1.0, "Okay"), (1.19, "Okay"),
                                       (1.2, "Needs improvement"), (3.0, "Needs improvement")])
def test_mae_bands(mae, band):
    assert personal_model.mae_band(mae) == band


def test_train_personal_gives_predictions_and_both_metrics(small_base_model, small_dataset):
    labels = labels_of(small_dataset, 12)
    result = personal_model.train_personal(small_base_model, labels)
    assert result.predictions.shape == (len(small_dataset.items),)
    assert result.n_labels == 12
    assert result.cv_mae == pytest.approx(personal_model.cross_validated_mae(small_base_model, labels))
    assert result.band == personal_model.mae_band(result.cv_mae)
    assert result.system_metrics == pytest.approx(personal_model.system_distance(
        result.predictions, small_dataset.items["rating_sys"].to_numpy()))


def test_train_personal_with_one_label_has_no_cross_validated_mae(small_base_model, small_dataset):
    result = personal_model.train_personal(small_base_model, labels_of(small_dataset, 1))
    assert result.cv_mae is None and result.band is None


def test_cached_base_model_gives_identical_predictions(small_base_model, small_dataset):
    path = personal_model.cache_path(small_dataset)
    assert path.is_file()
    assert not list(path.parent.glob("*.tmp"))
    labels = labels_of(small_dataset, 10)
    cached = personal_model.load_or_fit(small_dataset, quiet=True)
    loaded = BaseModel.load(path)
    expected = personal_model.predict_all(small_base_model, personal_model.fold_in(small_base_model, labels))
    for model in (cached, loaded):
        np.testing.assert_array_equal(personal_model.predict_all(model, personal_model.fold_in(model, labels)),
                                      expected)
        assert model.params == small_base_model.params
        assert model.fingerprint == small_dataset.fingerprint()


def test_save_and_load_round_trip(tmp_path):
    base = hand_built_model()
    loaded = BaseModel.load(base.save(tmp_path / "model.npz"))
    for name in ("item_ids", "item_offset", "item_factors", "system_rating", "prior_mean", "prior_penalty"):
        np.testing.assert_array_equal(getattr(loaded, name), getattr(base, name))
        assert getattr(loaded, name).dtype == getattr(base, name).dtype
    assert (loaded.noise_variance, loaded.fingerprint, loaded.params) == (0.5, "hand-built", {"factors": 1})


def test_loading_something_that_is_not_a_model_is_a_dataset_error(tmp_path):
    path = tmp_path / "model.npz"
    path.write_bytes(b"not a model")
    with pytest.raises(datasets.DatasetError, match="not a usable base model"):
        BaseModel.load(path)


def test_cache_key_changes_with_the_parameters(small_dataset):
    default = personal_model.cache_path(small_dataset)
    assert personal_model.cache_path(small_dataset, {"factors": 3}) != default
    assert default.name.startswith(f"base_model_{small_dataset.fingerprint()}_")


def test_unknown_model_parameter_is_rejected(small_dataset):
    with pytest.raises(ValueError, match="unknown model parameter"):
        personal_model.fit(small_dataset, {"factor": 3})


def tiny_dataset(with_ratings: bool = True) -> datasets.Dataset:
    """Five raters with known attributes, two items; rater r1 has two races."""
    items = pd.DataFrame({"item_id": [1, 2], "comment": ["first comment", "second comment"],
                          "system_score": [0.1, 0.9], "topic_id": [0, 0], "topic": ["0_a_b_c_d"] * 2})
    raters = pd.DataFrame({
        "rater_id": ["r1", "r2", "r3", "r4", "r5"],
        "gender": ["Female", "Female", "Male", "Female", "Male"],
        "race": ["Black;White", "White", "Asian", "Asian", "White"],
    })
    rows = [("r1", 1, 4), ("r2", 1, 2), ("r3", 1, 0), ("r4", 1, 1), ("r1", 2, 3), ("r3", 2, 1), ("r5", 2, 2)]
    ratings = pd.DataFrame(rows if with_ratings else [], columns=["rater_id", "item_id", "rating"])
    return datasets.build(items, ratings, raters, {"name": "tiny"})


@pytest.mark.parametrize("selection, labels, size", [
    ({"gender": ["Female"]}, {1: 2.0, 2: 3.0}, 3),
    ({"race": ["White"]}, {1: 3.0, 2: 2.5}, 3),
    ({"race": ["Black", "Asian"]}, {1: 1.0, 2: 2.0}, 3),
    ({"gender": ["Female"], "race": ["Asian"]}, {1: 1.0}, 1),
    ({"gender": ["Female"], "race": []}, {1: 2.0, 2: 3.0}, 3),
    ({"gender": ["Nonbinary"]}, {}, 0),
])
def test_group_labels_are_medians_of_the_matching_raters(selection, labels, size):
    data = tiny_dataset()
    assert personal_model.group_labels(data, selection) == (labels, size)
    assert personal_model.group_size(data, selection) == size


def test_group_with_an_unknown_attribute_is_rejected():
    with pytest.raises(ValueError, match="unknown rater attribute 'shoe_size'"):
        personal_model.group_size(tiny_dataset(), {"shoe_size": ["42"]})


def test_fitting_without_ratings_is_a_dataset_error():
    with pytest.raises(datasets.DatasetError, match="no ratings"):
        personal_model.fit(tiny_dataset(with_ratings=False))


def test_a_tiny_in_memory_dataset_fits_and_folds_in():
    base = personal_model.load_or_fit(tiny_dataset(), quiet=True)
    predicted = personal_model.predict_all(base, personal_model.fold_in(base, {1: 4.0}))
    assert predicted.shape == (2,) and np.all((predicted >= 0) & (predicted <= 4))


def test_a_dataset_without_rater_attributes_fits_on_free_tastes_alone():
    data = tiny_dataset()
    anonymous = datasets.build(data.items, data.ratings, data.raters[["rater_id"]], {"name": "anonymous"})
    base = personal_model.fit(anonymous, {"factors": 3}, quiet=True)
    assert base.item_factors.shape == (2, 3)
    assert np.isfinite(personal_model.predict_all(base, personal_model.fold_in(base, {1: 4.0}))).all()


def test_fit_command_reports_the_cached_model(small_base_model, small_dataset_dir, capsys):
    assert cli.main(["fit", str(small_dataset_dir)]) == 0
    assert "base_model_" in capsys.readouterr().out


def test_fit_gradient_matches_finite_differences():
    data = tiny_dataset()
    profiles, _, _ = model_fit.centred_profiles(data)
    params = personal_model.resolved_params({"factors": 2})
    problem = model_fit.RatingProblem(model_features.content_features(data.items), profiles, data.ratings, params)
    point = np.random.default_rng(1).normal(0.0, 0.3, problem.layout.size)
    error = scipy.optimize.check_grad(lambda x: problem.loss_and_gradient(x)[0],
                                      lambda x: problem.loss_and_gradient(x)[1], point)
    assert error < 1e-5 * np.linalg.norm(problem.loss_and_gradient(point)[1])


def test_fit_gradient_matches_finite_differences_with_one_penalty_per_row_of_group_leans():
    data = tiny_dataset()
    profiles, _, _ = model_fit.centred_profiles(data)
    params = personal_model.resolved_params({"factors": 2})
    problem = model_fit.RatingProblem(model_features.content_features(data.items), profiles, data.ratings, params)
    rows = problem.layout.shapes["group_lean"][0]
    problem.penalties["group_lean"] = np.linspace(0.5, 20.0, rows)[:, None]
    point = np.random.default_rng(2).normal(0.0, 0.3, problem.layout.size)
    error = scipy.optimize.check_grad(lambda x: problem.loss_and_gradient(x)[0],
                                      lambda x: problem.loss_and_gradient(x)[1], point)
    assert error < 1e-5 * np.linalg.norm(problem.loss_and_gradient(point)[1])


def test_row_penalties_spare_the_words_that_carry_a_group_lean_and_keep_the_typical_penalty():
    leans = np.zeros((4, 3))
    leans[0] = [3.0, 0.0, 4.0]  # norm 5: the one word a group's view rides on
    leans[1] = [0.6, 0.8, 0.0]  # norm 1
    leans[2] = [0.0, 0.0, 1.0]  # norm 1; leans[3] stayed at zero
    penalties = model_fit.row_penalties(leans, 10.0).ravel()
    typical = 7.0 / 4
    assert penalties[0] == pytest.approx(10.0 * typical / 5) and penalties[0] < 10.0
    assert penalties[1] == penalties[2] == pytest.approx(10.0 * typical)
    assert penalties[3] == pytest.approx(10.0 / model_fit.MIN_ROW_SHARE)
    assert np.all(model_fit.row_penalties(np.zeros((3, 2)), 10.0) == 10.0)
