"""The topic model on generated comments: recovery of the generator's topics, naming, outliers, odd inputs."""

from __future__ import annotations

import re

import numpy as np
import pandas as pd
import pytest
from sklearn.feature_extraction.text import ENGLISH_STOP_WORDS
from sklearn.metrics import adjusted_mutual_info_score

from indielabel.data import dataset
from indielabel.data.topics import MAX_TOPICS, MIN_TOPICS, assign_topics
from indielabel.synth import generator as synth

TOPIC_NAME = re.compile(r"^(0|[1-9]\d*)(_[^\W\d_]{2,}){4}$")
OUTLIER_NAME = re.compile(r"^-1(_[^\W\d_]{2,}){1,4}$")


@pytest.fixture(scope="module")
def small_comments(small_dataset) -> list[str]:
    return small_dataset.items["comment"].tolist()


@pytest.fixture(scope="module")
def small_topics(small_comments) -> pd.DataFrame:
    return assign_topics(small_comments, seed=0)


@pytest.mark.slow
def test_topics_recover_generated_topics_on_default(tmp_path_factory):
    directory = tmp_path_factory.mktemp("datasets") / "default"
    synth.generate_dataset("default", 0, directory, quiet=True)
    items = dataset.load(directory).items

    topics = assign_topics(items["comment"].tolist(), seed=0)

    assert adjusted_mutual_info_score(items["true_topic"], topics["topic_id"]) >= 0.6
    assert MIN_TOPICS <= topics["topic_id"].max() + 1 <= MAX_TOPICS
    assert (topics["topic_id"] == -1).mean() < 0.1


def test_one_row_per_text_in_order_with_the_documented_columns(small_comments, small_topics):
    assert list(small_topics.columns) == ["topic_id", "topic"]
    assert len(small_topics) == len(small_comments)
    assert list(small_topics.index) == list(range(len(small_comments)))
    assert small_topics["topic_id"].dtype == np.int64


def test_topics_match_the_generator_on_small(small_dataset, small_topics):
    ami = adjusted_mutual_info_score(small_dataset.items["true_topic"], small_topics["topic_id"])
    assert ami >= 0.6


def test_same_texts_and_seed_give_the_same_topics(small_comments, small_topics):
    pd.testing.assert_frame_equal(assign_topics(small_comments, seed=0), small_topics)


def test_topic_ids_run_from_the_largest_topic_down(small_topics):
    sizes = small_topics.loc[small_topics["topic_id"] >= 0, "topic_id"].value_counts().sort_index()
    assert list(sizes.index) == list(range(len(sizes)))
    assert sizes.is_monotonic_decreasing


def test_each_topic_id_has_one_name_of_id_and_four_terms(small_topics):
    names_per_id = small_topics.groupby("topic_id")["topic"].unique()
    assert all(len(names) == 1 for names in names_per_id)
    for topic_id, (name,) in names_per_id.items():
        assert name.split("_", 1)[0] == str(topic_id)
        assert (OUTLIER_NAME if topic_id == -1 else TOPIC_NAME).match(name), name


def test_top_terms_are_informative_and_distinct_across_topics(small_topics):
    names = small_topics.loc[small_topics["topic_id"] >= 0, "topic"].unique()
    terms = [term for name in names for term in name.split("_")[1:]]
    assert not set(terms) & ENGLISH_STOP_WORDS
    assert not any(any(character.isdigit() for character in term) for term in terms)
    assert len(terms) == len(set(terms))


def test_empty_and_number_only_comments_are_outliers_named_minus_one(small_comments):
    texts = small_comments[:300] + ["", "   ", "12345 678", "!!! ???"]

    topics = assign_topics(texts, seed=0)

    assert (topics["topic_id"].iloc[-4:] == -1).all()
    assert topics["topic"].iloc[-4:].map(OUTLIER_NAME.match).all()
    assert (topics["topic_id"] >= 0).mean() > 0.8


def test_a_requested_topic_count_is_honoured(small_comments):
    topics = assign_topics(small_comments, seed=0, n_topics=np.int64(12))

    assert set(topics["topic_id"]) - {-1} == set(range(12))


def test_a_few_texts_get_a_valid_answer():
    texts = ["The striker missed a penalty again", "Great recipe, the garlic bread was perfect", "ok"]

    topics = assign_topics(texts, seed=3)

    assert len(topics) == 3
    assert topics["topic_id"].iloc[2] == -1
    for topic_id, name in zip(topics["topic_id"], topics["topic"]):
        assert name.startswith(f"{topic_id}_")


def test_more_topics_requested_than_texts_gives_at_most_one_per_text():
    topics = assign_topics(["solar panels on the roof", "solar panels on the shed"], n_topics=10)

    assert topics["topic_id"].nunique() <= 2
    assert (topics["topic_id"] >= 0).all()


def test_all_empty_texts_are_all_outliers():
    topics = assign_topics(["", "   ", "42", "the and of"])

    assert (topics["topic_id"] == -1).all()
    assert (topics["topic"] == "-1_outliers").all()


def test_no_texts_give_an_empty_table():
    topics = assign_topics([])

    assert list(topics.columns) == ["topic_id", "topic"]
    assert topics.empty


@pytest.mark.parametrize(
    ("texts", "n_topics", "error"),
    [
        (["fine", None], None, TypeError),
        ("a single string", None, TypeError),
        (["fine"], 0, ValueError),
        (["fine"], 2.5, ValueError),
        (["fine"], True, ValueError),
    ],
)
def test_bad_input_gets_a_clear_error(texts, n_topics, error):
    with pytest.raises(error, match="texts|n_topics"):
        assign_topics(texts, n_topics=n_topics)
