"""The audit routes over HTTP: the overview for every topic_vis_method (an unknown one is a 400),
breakdown by toxicity category, you vs others, similar comments, and counts before and after the focus."""

from __future__ import annotations

import pytest

from indielabel.audit.overview import OVERVIEW_METHODS
from tests.test_api import app, client, error_of, trained  # noqa: F401  (module fixtures shared with test_api)


def audit(client, trained, **params):
    return client.get("/get_audit", query_string={"user": trained["user"], "model": "mine", **params})


def test_the_default_overview_ranks_every_topic_worst_first_with_counts(client, trained, small_dataset):
    body = audit(client, trained).get_json()
    assert body["topic_vis_method"] == "fp_fn"
    topics = body["topics"]
    assert len(topics) == small_dataset.items.loc[small_dataset.items["topic_id"] >= 0, "topic_id"].nunique()
    shares = [topic["error_share"] for topic in topics]
    assert shares == sorted(shares, reverse=True)
    for topic in topics:
        assert topic["n_errors"] == topic["n_under"] + topic["n_over"]
        assert topic["error_share"] == pytest.approx(topic["n_errors"] / topic["n_comments"], abs=1e-4)
        assert topic["status"] == ("agrees" if topic["error_share"] < 0.05 else "problem")
    assert body["n_problems"] == sum(topic["status"] == "problem" for topic in topics)
    assert "5%" in body["agreement_rule"]


@pytest.mark.parametrize("method", OVERVIEW_METHODS)
def test_every_documented_topic_vis_method_answers_with_its_chart(client, trained, method):
    body = audit(client, trained, topic_vis_method=method).get_json()
    assert body["topic_vis_method"] == method
    assert body["topic_overview_plot_json"]["layer"]


def test_the_charts_of_the_methods_all_differ(client, trained):
    specs = {method: audit(client, trained, topic_vis_method=method).get_json()["topic_overview_plot_json"]
             for method in OVERVIEW_METHODS}
    assert len({repr(spec) for spec in specs.values()}) == len(OVERVIEW_METHODS)


@pytest.mark.parametrize("value", ["max", "MEDIAN", "fp-fn", "median "])
def test_an_unknown_topic_vis_method_is_a_400_naming_the_field(client, trained, value):
    assert error_of(audit(client, trained, topic_vis_method=value), 400)["field"] == "topic_vis_method"


@pytest.mark.parametrize("value", ["", "null"])
def test_an_unset_topic_vis_method_is_the_default(client, trained, value):
    assert audit(client, trained, topic_vis_method=value).get_json()["topic_vis_method"] == "fp_fn"


def test_the_overview_breaks_down_by_toxicity_category(client, trained):
    body = audit(client, trained, breakdown_axis="toxicity_category").get_json()
    names = {topic["key"] for topic in body["topics"]}
    assert names <= {"Profanity", "Threat", "Identity Attack", "Insult", "Sexual Harassment", "No category"}
    assert "No category" in names
    assert error_of(audit(client, trained, breakdown_axis="severity"), 400)["field"] == "breakdown_axis"


def test_settings_offer_readable_topic_labels_and_no_outlier_bucket(client, trained, small_dataset):
    settings = client.get("/audit_settings", query_string={"user": trained["user"]}).get_json()
    options = [option for group in settings["clusters"] for option in group["options"]]
    assert not any(option["value"].startswith("-1_") for option in options)
    for option in options:
        assert option["text"] == settings["topic_labels"][option["value"]]
        assert "_" not in option["text"] and " · " in option["text"]
    outlier = small_dataset.items.loc[small_dataset.items["topic_id"] == -1, "topic"]
    if len(outlier):
        response = client.get("/get_cluster_results", query_string={"user": trained["user"], "topic": outlier.iloc[0]})
        assert error_of(response, 404)["field"] == "topic"


def test_you_vs_the_crowd_per_topic_with_blind_spots(client, trained):
    body = client.get("/get_comparison", query_string={"user": trained["user"], "model": "mine"}).get_json()
    assert body["compare_with"] == "crowd"
    assert body["n_blind_spots"] == sum(topic["blind_spot"] for topic in body["topics"])
    for topic in body["topics"]:
        assert topic["difference"] == pytest.approx(topic["your_rating"] - topic["others_rating"], abs=1e-3)
        assert topic["sentence"].startswith("You find this topic ")
    assert body["comparison_plot_json"]["layer"]


def test_comparing_with_a_model_that_is_not_your_group_model_is_a_404(client, trained):
    response = client.get("/get_comparison", query_string={"user": trained["user"], "model": "mine",
                                                          "compare_with": "mine"})
    assert error_of(response, 404)["field"] == "compare_with"


def test_similar_comments_come_with_the_table_columns_most_similar_first(client, trained, small_dataset):
    item_id = int(small_dataset.items["item_id"].iloc[3])
    body = client.get("/get_similar_comments", query_string={"user": trained["user"], "model": "mine",
                                                             "item_id": item_id, "n": 8}).get_json()
    rows = body["similar_comments"]
    assert 1 <= len(rows) <= 8 and body["n_shown"] == len(rows)
    assert item_id not in {row["item_id"] for row in rows}
    similarities = [row["similarity"] for row in rows]
    assert similarities == sorted(similarities, reverse=True) and similarities[0] > 0
    assert {"comment", "predicted_rating", "system_decision", "error_type", "categories"} <= set(rows[0])
    assert body["comment"] == small_dataset.items["comment"].iloc[3]


def test_similar_comments_of_an_unknown_item_is_a_404_and_a_bad_id_a_400(client, trained):
    base = {"user": trained["user"], "model": "mine"}
    assert error_of(client.get("/get_similar_comments", query_string={**base, "item_id": 10**12}), 404)
    assert error_of(client.get("/get_similar_comments", query_string={**base, "item_id": "x"}), 400)
    assert error_of(client.get("/get_similar_comments", query_string={**base, "item_id": 1, "n": 0}), 400)


def test_keyword_counts_say_how_many_match_and_how_many_the_focus_keeps(client, trained, small_dataset):
    word = "the"
    base = {"user": trained["user"], "model": "mine", "search_type": "keyword", "keyword": word}
    both = client.get("/get_cluster_results", query_string={**base, "error_type": "both"}).get_json()
    every = client.get("/get_cluster_results", query_string={**base, "error_type": "all"}).get_json()
    matching = int(small_dataset.items["comment"].str.lower().str.contains(word, regex=False).sum())
    assert both["n_matching"] == every["n_matching"] == every["n_total"] == matching
    assert both["n_total"] <= matching
