"""The audit's overview analysis: counts and shares per topic and category, the stated agrees rule,
worst-first order, you vs others with blind spots, counts before and after the error focus, the
charts every topic_vis_method draws, readable topic labels and similar comments."""

from __future__ import annotations

import json
from importlib.resources import files

import jsonschema
import pandas as pd
import pytest

import audit_utils
from indielabel.audit import charts, ranking_charts
from indielabel.audit.overview import OVERVIEW_METHODS, summary_text
from indielabel.data.topic_names import OUTLIER_LABEL, topic_label, topic_labels
from indielabel.model.neighbours import ContentIndex


@pytest.fixture(scope="module")
def vega_lite_validator():
    schema_text = files("altair.vegalite.v6.schema").joinpath("vega-lite-schema.json").read_text()
    return jsonschema.Draft7Validator(json.loads(schema_text))


def audit_frame(rows) -> pd.DataFrame:
    """A frame with predictions from (topic_id, system_rating, predicted_rating) triples."""
    items = pd.DataFrame({
        "item_id": range(len(rows)),
        "comment": [f"comment {index}" for index in range(len(rows))],
        "topic_id": [topic_id for topic_id, _, _ in rows],
        "topic": [f"{topic_id}_word{topic_id}_more_terms_here" for topic_id, _, _ in rows],
        "rating_sys": [system for _, system, _ in rows],
    })
    return audit_utils.with_predictions(audit_utils.base_frame(items), [predicted for _, _, predicted in rows])


# Topic 0: 10 comments, 3 over-sensitive (system 3, you 1), 1 under-sensitive; topic 1: 20 comments,
# all agree; topic 2: 4 comments, 2 under-sensitive; outliers (-1): all errors, never listed.
ROWS = ([(0, 3.0, 1.0)] * 3 + [(0, 1.0, 3.0)] + [(0, 1.0, 1.0)] * 6 + [(1, 0.5, 0.4)] * 20
        + [(2, 0.2, 3.5)] * 2 + [(2, 3.0, 3.0)] * 2 + [(-1, 4.0, 0.0)] * 5)


def test_topic_overview_counts_both_error_types_and_ranks_the_worst_share_first():
    overview = audit_utils.topic_overview(audit_frame(ROWS))
    assert overview["topic_id"].tolist() == [2, 0, 1]
    by_id = overview.set_index("topic_id")
    assert by_id.loc[0, ["n_comments", "n_over", "n_under", "n_errors"]].tolist() == [10, 3, 1, 4]
    assert by_id.loc[0, "over_share"] == pytest.approx(0.3)
    assert by_id.loc[0, "error_share"] == pytest.approx(0.4)
    assert by_id.loc[2, "under_share"] == pytest.approx(0.5)
    assert by_id.loc[0, "mae"] == pytest.approx((3 * 2 + 2) / 10)
    assert by_id.loc[2, "avg_diff"] == pytest.approx((3.3 + 3.3) / 4)


def test_a_topic_agrees_only_below_the_stated_share_and_problems_name_their_direction():
    overview = audit_utils.topic_overview(audit_frame(ROWS)).set_index("topic_id")
    assert overview.loc[1, "status"] == audit_utils.AGREES and overview.loc[1, "direction"] == "agrees"
    assert overview.loc[0, "status"] == audit_utils.PROBLEM and overview.loc[0, "direction"] == audit_utils.OVER
    assert overview.loc[2, "direction"] == audit_utils.UNDER
    mixed = audit_utils.topic_overview(audit_frame([(0, 3.0, 1.0), (0, 1.0, 3.0)] + [(0, 1.0, 1.0)] * 8))
    assert mixed.loc[0, "direction"] == "both"
    # One error in 20 comments is exactly 5%: not below the rule, so a problem.
    edge = audit_utils.topic_overview(audit_frame([(0, 3.0, 1.0)] + [(0, 1.0, 1.0)] * 19))
    assert edge.loc[0, "status"] == audit_utils.PROBLEM
    assert "5%" in audit_utils.AGREEMENT_RULE


def test_the_summary_says_the_finding_in_words_with_its_count():
    overview = audit_utils.topic_overview(audit_frame(ROWS)).set_index("topic_id")
    assert summary_text(overview.loc[0].to_dict()) == "System is over-sensitive for you on 30% (3 of 10)"
    assert summary_text(overview.loc[2].to_dict()) == "System is under-sensitive for you on 50% (2 of 4)"
    assert summary_text(overview.loc[1].to_dict()).startswith("System agrees with you: only 0% (0 of 20)")


def test_the_outlier_bucket_is_not_a_topic_of_the_overview_and_labels_are_used():
    frame = audit_frame(ROWS)
    labels = topic_labels(frame["topic"].unique())
    overview = audit_utils.topic_overview(frame, labels)
    assert -1 not in overview["topic_id"].tolist()
    assert overview.set_index("topic_id").loc[0, "label"] == "word0 · more · terms"


def test_category_breakdown_counts_a_comment_in_each_of_its_categories():
    frame = audit_frame([(0, 3.0, 1.0), (0, 1.0, 1.0), (0, 1.0, 3.0)])
    items = pd.DataFrame({"is_profane_frac": [0.8, 0.0, 0.6], "is_threat_frac": [0.0, 0.0, 0.9],
                          "is_insult_frac": [0.0, 0.1, 0.0]})
    overview = audit_utils.category_overview(frame, items).set_index("key")
    assert overview.loc["Profanity", ["n_comments", "n_over", "n_under"]].tolist() == [2, 1, 1]
    assert overview.loc["Threat", ["n_comments", "n_under"]].tolist() == [1, 1]
    assert overview.loc[audit_utils.NO_CATEGORY, "n_comments"] == 1
    assert "Insult" not in overview.index  # no comment reaches the 0.3 share


def compare(yours: pd.DataFrame, others: pd.DataFrame) -> pd.DataFrame:
    return audit_utils.view_comparison(audit_utils.topic_overview(yours), audit_utils.topic_overview(others))


def test_a_topic_where_you_differ_and_the_system_follows_the_others_is_your_blind_spot():
    # Topic 0: you find it toxic, the crowd and the system do not. Topic 1: you, the crowd and the system agree.
    yours = audit_frame([(0, 0.5, 3.0)] * 10 + [(1, 0.5, 0.5)] * 10)
    crowd = audit_frame([(0, 0.5, 0.8)] * 10 + [(1, 0.5, 0.6)] * 10)
    comparison = compare(yours, crowd).set_index("topic_id")
    assert bool(comparison.loc[0, "blind_spot"]) and not bool(comparison.loc[1, "blind_spot"])
    assert comparison.loc[0, "view"] == "more toxic" and comparison.loc[1, "view"] == "about as toxic"
    assert comparison.loc[0, "difference"] == pytest.approx(2.2)
    assert compare(yours, crowd)["topic_id"].iloc[0] == 0  # blind spots first


def test_a_topic_everyone_disagrees_with_the_system_on_is_a_problem_but_not_your_blind_spot():
    yours = audit_frame([(0, 3.5, 1.0)] * 10)
    crowd = audit_frame([(0, 3.5, 1.2)] * 10)
    assert not compare(yours, crowd)["blind_spot"].any()


def test_scope_counts_all_matching_comments_and_the_focus_keeps_its_error_types():
    frame = audit_frame(ROWS)
    frame["comment_lowercase"] = ["idiot here"] * 4 + ["fine"] * (len(frame) - 4)
    in_scope = audit_utils.scope_rows(frame, keyword="IDIOT")
    assert len(in_scope) == 4
    assert len(audit_utils.focus_rows(in_scope, "both")) == 4
    assert len(audit_utils.focus_rows(in_scope, "over-sensitive")) == 3
    assert len(audit_utils.focus_rows(audit_utils.scope_rows(frame, topic=frame["topic"].iloc[0]), "all")) == 10


def test_topic_labels_are_short_readable_and_unique():
    assert topic_label("39_advice_critical_taking_tales") == "advice · critical · taking"
    assert topic_label("-1_comment_mark_pay_words") == OUTLIER_LABEL
    assert topic_label("not a topic name") == "not a topic name"
    labels = topic_labels(["1_a_b_c_d", "2_a_b_c_e", "3_x_y"])
    assert labels == {"1_a_b_c_d": "a · b · c (#1)", "2_a_b_c_e": "a · b · c (#2)", "3_x_y": "x · y"}


def chart_table() -> pd.DataFrame:
    frame = audit_frame(ROWS)
    overview = audit_utils.topic_overview(frame, topic_labels(frame["topic"].unique()))
    overview["summary"] = [summary_text(record) for record in overview.to_dict(orient="records")]
    return overview


@pytest.mark.parametrize("method", [m for m in OVERVIEW_METHODS if m not in ("median", "mean")])
def test_each_ranking_method_draws_a_valid_chart_in_the_overviews_order(method, vega_lite_validator):
    table = chart_table()
    spec = ranking_charts.ranking_chart(table, method, clickable=True, agree_share=audit_utils.AGREE_MAX_SHARE)
    vega_lite_validator.validate(spec)
    bars = spec["layer"][0]
    assert bars["encoding"]["y"]["sort"] == table["label"].tolist()
    rows = spec["datasets"]["bars"]
    assert {row["href"] for row in rows} == {f"#{key}/#topic" for key in table["key"]}


def test_every_topic_vis_method_draws_a_different_chart():
    table = chart_table()
    titles = {}
    for method in OVERVIEW_METHODS:
        if method in ("median", "mean"):
            dots = table.assign(topic=table["key"], predicted_rating=table[f"predicted_{method}"],
                                system_rating=table[f"system_{method}"])
            spec = charts.overview_chart(dots, x_title=f"Our prediction of your rating ({method})")
        else:
            spec = ranking_charts.ranking_chart(table, method, True, audit_utils.AGREE_MAX_SHARE)
        x_titles = [layer["encoding"]["x"].get("title") for layer in spec["layer"] if "encoding" in layer]
        titles[method] = next(title for title in x_titles if title)
    assert len(set(titles.values())) == len(OVERVIEW_METHODS), titles


def test_the_shares_chart_writes_each_figure_as_share_and_count():
    spec = ranking_charts.ranking_chart(chart_table(), "fp_fn", clickable=True, agree_share=0.05)
    figures = {row["label"]: row["figure"] for row in spec["datasets"]["figures"]}
    assert figures["word0 · more · terms"] == "40% · 4 of 10"
    assert figures["word1 · more · terms"] == "0% · 0 of 20 · agrees"


def test_a_category_chart_has_no_links_to_topics():
    spec = ranking_charts.ranking_chart(chart_table(), "mae", clickable=False, agree_share=0.05)
    assert all("href" not in row for row in spec["datasets"]["bars"])
    assert "href" not in spec["layer"][0]["encoding"]


def test_the_comparison_chart_marks_blind_spots(vega_lite_validator):
    yours = audit_frame([(0, 0.5, 3.0)] * 10 + [(1, 0.5, 0.5)] * 10)
    crowd = audit_frame([(0, 0.5, 0.8)] * 10 + [(1, 0.5, 0.6)] * 10)
    spec = ranking_charts.comparison_chart(compare(yours, crowd), "most raters")
    vega_lite_validator.validate(spec)
    marked = [layer for layer in spec["layer"] if layer["mark"].get("type") == "text"]
    assert [row["blind_spot"] for row in marked[0]["data"]["values"]] == ["Your blind spot"]


def test_similar_comments_share_distinctive_words_most_similar_first_never_the_comment_itself():
    comments = ["the referee missed the penalty again", "that penalty call by the referee was awful",
                "my sourdough starter died", "sourdough bread needs patience", "penalty shootouts are cruel"]
    index = ContentIndex.of_comments(comments)
    found = index.nearest(0, 3)
    assert found.positions[0] == 1 and 0 not in found.positions.tolist()
    assert list(found.similarity) == sorted(found.similarity, reverse=True)
    assert set(found.positions.tolist()) <= {1, 4}  # the sourdough comments share no word with it
    assert len(index.nearest(2, 10).positions) == 1
    with pytest.raises(IndexError):
        index.nearest(99, 3)

