"""Predictions land on the dataset's own rating levels: the median of the predictive distribution."""

from __future__ import annotations

import numpy as np

from indielabel.model import personal as personal_model
from indielabel.model.rating_scale import on_scale


def test_on_a_binary_scale_a_prediction_is_the_likelier_answer_and_two_is_not_toxic():
    expected = np.array([0.3, 1.99, 2.0, 2.01, 3.7], dtype=np.float32)
    assert on_scale(expected, np.array([0.0, 4.0], dtype=np.float32)).tolist() == [0, 0, 0, 4, 4]


def test_on_a_whole_number_scale_a_prediction_is_the_nearest_level():
    expected = np.array([0.49, 0.51, 2.4, 2.6, 4.0], dtype=np.float32)
    assert on_scale(expected, np.arange(5, dtype=np.float32)).tolist() == [0, 1, 2, 3, 4]


def test_a_continuous_scale_keeps_the_expected_rating():
    expected = np.array([0.123, 3.21], dtype=np.float32)
    assert on_scale(expected, np.zeros(0, dtype=np.float32)) is expected


def test_the_base_model_predicts_on_the_datasets_levels(small_base_model, small_dataset):
    assert small_base_model.rating_levels.tolist() == sorted(small_dataset.ratings["rating"].unique().tolist())
    labels = dict(zip(small_dataset.items["item_id"].iloc[:20].tolist(), [0, 1, 2, 3, 4] * 4))
    predicted = personal_model.predict_all(small_base_model, personal_model.fold_in(small_base_model, labels))
    assert set(np.unique(predicted).tolist()) <= {0.0, 1.0, 2.0, 3.0, 4.0}


def test_unevenly_spaced_levels_take_the_nearest_one_too():
    expected = np.array([0.4, 0.6, 2.9, 3.1], dtype=np.float32)
    assert on_scale(expected, np.array([0.0, 1.0, 4.0], dtype=np.float32)).tolist() == [0, 1, 4, 4]
    assert on_scale(np.array([2.5], dtype=np.float32), np.array([0.0, 1.0, 4.0], dtype=np.float32)).tolist() == [1]
