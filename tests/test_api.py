"""Every JSON route: its normal answer and its answers to bad input (Flask test client, real components)."""

from __future__ import annotations

import numpy as np
import pytest

from indielabel.config import ConfigError, load_settings
from server import create_app
from tests.conftest import create_user


@pytest.fixture(scope="module")
def app(small_dataset_dir, small_base_model, tmp_path_factory):
    root = tmp_path_factory.mktemp("api")
    return create_app({"dataset": str(small_dataset_dir), "output_dir": root / "output",
                       "flagging_dir": root / "flagged", "avid_api_url": None, "avid_api_key": None})


@pytest.fixture(scope="module")
def client(app):
    return app.test_client()


@pytest.fixture(scope="module")
def trained(client):
    """A user with one trained model, labelled from 20 suggested comments."""
    user = create_user(client)
    comments = client.get("/get_comments_to_label?n=20").get_json()["to_label"]
    ratings = {str(c["item_id"]): index % 5 for index, c in enumerate(comments)}
    response = client.post("/get_personalized_model",
                           json={"user": user, "model_name": "mine", "ratings": ratings, "mode": "train"})
    assert response.status_code == 200, response.get_json()
    return {"user": user, "model": "mine", "comments": comments, "training": response.get_json()}


def error_of(response, status):
    assert response.status_code == status, response.get_data(as_text=True)
    assert response.is_json
    return response.get_json()["error"]


def test_starting_an_audit_without_a_user_creates_a_two_word_id(client):
    started = client.post("/users", json={"user": "null"}).get_json()
    assert started["created"] is True
    assert len(started["user"].split("_")) == 2
    body = client.get("/audit_settings", query_string={"user": started["user"]}).get_json()
    assert body["personalized_models"] == []
    assert body["clusters"][0]["options"]
    assert body["group_attributes"]["gender"]


def test_starting_an_audit_keeps_a_given_user(client):
    started = client.post("/users", json={"user": "study_participant_1"}).get_json()
    assert started == {"user": "study_participant_1", "created": False}
    assert client.get("/audit_settings?user=study_participant_1").get_json()["user"] == "study_participant_1"


def test_a_hostile_user_name_is_rejected_before_touching_files(client, app):
    for name in ("../etc", "a/b", "a\x00b", "x" * 65, "ｆｕｌｌ", "аdmin"):
        error = error_of(client.get("/get_labeling", query_string={"user": name}), 400)
        assert error["field"] == "user"
    assert not (app.config["SETTINGS"].user_output_dir.parent / "etc").exists()


def test_comments_to_label_follow_the_score_bins(client):
    comments = client.get("/get_comments_to_label?n=20").get_json()["to_label"]
    assert len(comments) == 20
    assert len({c["item_id"] for c in comments}) == 20
    assert all(c["comment"] for c in comments)


@pytest.mark.parametrize("n", ["0", "101", "many"])
def test_comments_to_label_rejects_a_bad_count(client, n):
    assert error_of(client.get(f"/get_comments_to_label?n={n}"), 400)["field"] == "n"


def test_comments_to_label_in_a_topic_come_from_that_topic(client, small_dataset):
    topic = small_dataset.items["topic"][small_dataset.items["topic_id"] == 0].iloc[0]
    comments = client.get("/get_comments_to_label_topic", query_string={"topic": topic, "n": 10}).get_json()
    ids = {c["item_id"] for c in comments["to_label"]}
    topics = set(small_dataset.items.set_index("item_id").loc[list(ids), "topic"])
    assert topics == {topic}
    assert error_of(client.get("/get_comments_to_label_topic?topic=nope"), 404)["field"] == "topic"


def test_training_answers_both_metrics_and_the_history_chart(trained):
    body = trained["training"]
    assert body["version"] == 1
    assert body["n_labels"] == 20
    assert body["model_quality"]["band"] in ("Good", "Okay", "Needs improvement")
    assert set(body["system_distance"]) >= {"mae", "mse", "rmse", "mean_signed_diff"}
    assert body["perf_plot_json"]["$schema"].startswith("https://vega.github.io/schema/vega-lite/")


def test_retraining_merges_labels_and_the_newest_label_wins(client, trained):
    first = trained["comments"][0]["item_id"]
    body = client.post("/get_personalized_model", json={
        "user": trained["user"], "model_name": "mine", "ratings": {str(first): 4}}).get_json()
    assert body["version"] >= 2
    assert body["n_labels"] == 20
    assert body["ratings_prev"][str(first)] == 4


def test_viewing_a_model_returns_its_latest_labels(client, trained):
    body = client.post("/get_personalized_model", json={
        "user": trained["user"], "model_name": "mine", "mode": "view"}).get_json()
    assert body["n_labels"] == 20
    assert len(body["labels"]) == 20


@pytest.mark.parametrize("payload, field", [
    ({"model_name": "m", "ratings": {"1": 2}}, "user"),
    ({"user": "u1", "model_name": "../m", "ratings": {"1": 2}}, "model_name"),
    ({"user": "u1", "model_name": "m", "ratings": {"1": 7}}, "ratings"),
    ({"user": "u1", "model_name": "m", "ratings": {"abc": 2}}, "ratings.abc.[key]"),
    ({"user": "u1", "model_name": "m", "ratings": {"1": 2}, "mode": "explode"}, "mode"),
    ({"user": "u1", "model_name": "m", "ratings": {"1": 2}, "surprise": 1}, "surprise"),
])
def test_training_rejects_bad_input(client, payload, field):
    assert error_of(client.post("/get_personalized_model", json=payload), 400)["field"] == field


def test_training_on_only_unsure_labels_is_a_clear_400(client, trained):
    item = trained["comments"][0]["item_id"]
    error = error_of(client.post("/get_personalized_model", json={
        "user": "only_unsure", "model_name": "m", "ratings": {str(item): -1}}), 400)
    assert "unsure" in error["message"]


def test_training_on_an_unknown_item_is_a_400(client):
    error = error_of(client.post("/get_personalized_model", json={
        "user": "u2", "model_name": "m", "ratings": {"999999999": 2}}), 400)
    assert "999999999" in error["message"]


def test_viewing_a_missing_model_is_a_404(client):
    error_of(client.post("/get_personalized_model", json={"user": "nobody", "model_name": "m", "mode": "view"}),
             404)


def test_a_get_on_a_write_route_is_a_405(client):
    assert error_of(client.get("/save_reports"), 405)["code"] == "method_not_allowed"


def test_a_body_that_is_not_json_is_a_400(client):
    response = client.post("/save_reports", data="not json", content_type="application/json")
    assert "JSON object" in error_of(response, 400)["message"]


def test_an_oversized_body_is_a_413(client):
    error_of(client.post("/save_reports", data="x" * 2_000_000, content_type="application/json"), 413)


def test_overview_has_one_row_per_topic_and_a_chart(client, trained, small_dataset):
    body = client.get("/get_audit", query_string={"user": trained["user"], "model": "mine"}).get_json()
    n_topics = small_dataset.items.loc[small_dataset.items["topic_id"] >= 0, "topic_id"].nunique()
    assert len(body["topics"]) == n_topics
    assert body["topic_overview_plot_json"]["layer"]
    mean = client.get("/get_audit", query_string={"user": trained["user"], "model": "mine",
                                                  "topic_vis_method": "mean"}).get_json()
    assert mean["topic_vis_method"] == "mean"
    assert error_of(client.get("/get_audit", query_string={"user": trained["user"], "model": "mine",
                                                           "topic_vis_method": "max"}), 400)


def test_overview_without_a_model_is_empty(client, trained):
    body = client.get("/get_audit", query_string={"user": trained["user"]}).get_json()
    assert body["topic_overview_plot_json"] is None


def test_cluster_results_for_a_topic_are_sorted_by_disagreement(client, trained, small_dataset):
    topic = small_dataset.items["topic"][small_dataset.items["topic_id"] == 0].iloc[0]
    body = client.get("/get_cluster_results", query_string={
        "user": trained["user"], "model": "mine", "topic": topic, "error_type": "all"}).get_json()
    rows = body["cluster_comments"]
    assert body["n_total"] == int((small_dataset.items["topic"] == topic).sum())
    assert [r["disagreement"] for r in rows] == sorted((r["disagreement"] for r in rows), reverse=True)
    assert {r["topic"] for r in rows} == {topic}
    assert body["cluster_overview_plot_json"] is not None


def test_error_focus_keeps_only_that_error_type(client, trained, small_dataset):
    topic = small_dataset.items["topic"][small_dataset.items["topic_id"] == 0].iloc[0]
    for focus in ("under-sensitive", "over-sensitive"):
        body = client.get("/get_cluster_results", query_string={
            "user": trained["user"], "model": "mine", "topic": topic, "error_type": focus}).get_json()
        assert {r["error_type"] for r in body["cluster_comments"]} <= {focus}


def test_keyword_search_is_case_insensitive_with_a_whole_word_option(client, trained, small_dataset):
    word = small_dataset.items["comment"].iloc[0].split()[0].strip(".,!?").upper()
    loose = client.get("/get_cluster_results", query_string={
        "user": trained["user"], "model": "mine", "search_type": "keyword", "keyword": word,
        "error_type": "all"}).get_json()
    strict = client.get("/get_cluster_results", query_string={
        "user": trained["user"], "model": "mine", "search_type": "keyword", "keyword": word,
        "whole_word": "true", "error_type": "all"}).get_json()
    assert loose["n_total"] >= strict["n_total"] >= 1
    assert all(word.lower() in r["comment"].lower() for r in loose["cluster_comments"])


def test_cluster_results_reject_a_missing_topic_or_keyword(client, trained):
    base = {"user": trained["user"], "model": "mine"}
    assert error_of(client.get("/get_cluster_results", query_string=base), 400)["field"] == "topic"
    assert error_of(client.get("/get_cluster_results", query_string={**base, "search_type": "keyword"}),
                    400)["field"] == "keyword"
    assert error_of(client.get("/get_cluster_results", query_string={**base, "topic": "no_such"}), 404)
    assert error_of(client.get("/get_cluster_results", query_string={**base, "topic": "x", "limit": "0"}),
                    400)["field"] == "limit"


def test_no_model_cluster_results_are_keyed_by_system_rating(client, trained, small_dataset):
    topic = small_dataset.items["topic"][small_dataset.items["topic_id"] == 0].iloc[0]
    body = client.get("/get_cluster_results", query_string={"user": trained["user"], "topic": topic}).get_json()
    ratings = [r["system_rating"] for r in body["cluster_comments"]]
    assert ratings == sorted(ratings)
    assert all(r["predicted_rating"] is None for r in body["cluster_comments"])


def test_group_size_and_group_model(client, small_dataset):
    gender = sorted(small_dataset.raters["gender"].unique())[0]
    size = client.get("/get_group_size", query_string={"gender": gender}).get_json()["group_size"]
    assert size == int((small_dataset.raters["gender"] == gender).sum())
    body = client.post("/get_group_model", json={
        "user": "group_user", "model_name": "grp", "selection": {"gender": [gender]}}).get_json()
    assert body["group_size"] == size
    assert body["n_labels"] > 20
    settings = client.get("/audit_settings?user=group_user").get_json()
    assert settings["personalized_model_grp"] == ["grp"]
    assert error_of(client.get("/get_group_size?planet=mars"), 400)


def test_topic_tuning_saves_a_new_model_with_the_parent_labels(client, trained, small_dataset):
    topic = small_dataset.items["topic"][small_dataset.items["topic_id"] == 1].iloc[0]
    comments = client.get("/get_comments_to_label_topic", query_string={"topic": topic, "n": 5}).get_json()
    ratings = {str(c["item_id"]): 3 for c in comments["to_label"]}
    body = client.post("/get_personalized_model_topic", json={
        "user": trained["user"], "model_name": "mine", "topic": topic, "ratings": ratings}).get_json()
    assert body["success"] is True
    assert body["new_model_name"] == "mine_topic1"
    assert body["n_labels"] >= 20 + len(ratings) - 5
    groups = client.get("/audit_settings", query_string={"user": trained["user"]}).get_json()["clusters"]
    assert groups[0]["label"] == "Topics with tuned models"


def test_reports_start_from_a_scaffold_and_save_with_revisions(client, trained):
    base = {"user": trained["user"], "model": "mine"}
    scaffold = client.get("/get_reports", query_string={**base, "scaffold_method": "personal"}).get_json()
    assert scaffold["revision"] == 0
    assert scaffold["reports"] and all(r["title"].startswith("Topic: ") for r in scaffold["reports"])
    saved = client.post("/save_reports", json={**base, "revision": 0, "reports": scaffold["reports"]}).get_json()
    assert saved["revision"] == 1
    stale = error_of(client.post("/save_reports", json={**base, "revision": 0, "reports": []}), 409)
    assert stale["current"]["revision"] == 1
    assert len(stale["current"]["reports"]) == len(scaffold["reports"])
    assert client.get("/get_reports", query_string=base).get_json()["revision"] == 1


@pytest.mark.parametrize("scaffold, count", [("prompts", 5), ("", 1), ("tutorial", 1)])
def test_other_scaffolds(client, scaffold, count):
    create_user(client, user="scaffold_user")
    body = client.get("/get_reports", query_string={"user": "scaffold_user", "scaffold_method": scaffold})
    assert len(body.get_json()["reports"]) == count


def test_a_client_cannot_mark_a_report_submitted(client):
    report = {"id": "r1", "title": "t", "submission": {"state": "submitted", "avid_id": "fake"}}
    saved = client.post("/save_reports", json={"user": "forger", "revision": 0, "reports": [report]}).get_json()
    assert saved["reports"][0]["submission"]["state"] == "draft"


def test_bad_reports_name_the_field(client):
    error = error_of(client.post("/save_reports", json={
        "user": "u3", "revision": 0, "reports": [{"title": 5}]}), 400)
    assert error["field"] == "reports[0].title"


def test_submission_without_avid_settings_is_a_503_that_offers_the_download(client):
    error = error_of(client.post("/submit_avid_report", json={"user": "u4", "report_ids": ["r1"]}), 503)
    assert error["download"] == "/export_avid_reports"


def test_explore_examples(client):
    examples = client.get("/get_explore_examples?n_examples=7").get_json()["examples"]
    assert len(examples) == 7
    assert {e["system_decision"] for e in examples} <= {"Toxic", "Non-toxic"}
    assert error_of(client.get("/get_explore_examples?n_examples=-1"), 400)["field"] == "n_examples"


def test_flagging_records_the_row_and_lists_it_for_the_user(client, trained):
    item = trained["comments"][0]["item_id"]
    body = client.post("/flag", json={"user": trained["user"], "model": "mine", "item_id": item}).get_json()
    assert body["total"] >= 1
    assert body["flagged"]["predicted_rating"] is not None
    flags = client.get("/get_flags", query_string={"user": trained["user"], "model": "mine"}).get_json()["flags"]
    assert flags[0]["item_id"] == item
    assert flags[0]["predicted_rating"] == body["flagged"]["predicted_rating"]
    assert flags[0]["error_type"] in ("under-sensitive", "over-sensitive", "agree-toxic", "agree-non-toxic")
    assert error_of(client.post("/flag", json={"user": trained["user"], "item_id": 10**12}), 404)


def test_openapi_describes_every_route(client, app):
    document = client.get("/openapi.json").get_json()
    rules = {rule.rule for rule in app.url_map.iter_rules()} - {"/", "/<static_file:path>", "/openapi.json"}
    assert rules <= set(document["paths"])


def test_comments_to_label_leave_out_the_ones_already_shown(client):
    first = client.get("/get_comments_to_label?n=20").get_json()["to_label"]
    shown = ",".join(str(c["item_id"]) for c in first)
    more = client.get("/get_comments_to_label", query_string={"n": 20, "exclude": shown}).get_json()["to_label"]
    assert not {c["item_id"] for c in first} & {c["item_id"] for c in more}
    assert error_of(client.get("/get_comments_to_label?exclude=1;2"), 400)["field"] == "exclude"


def test_settings_list_models_most_recently_updated_first(client, trained):
    client.post("/get_personalized_model", json={"user": trained["user"], "model_name": "zz_newer",
                                                 "ratings": {str(trained["comments"][0]["item_id"]): 1}})
    models = client.get("/audit_settings", query_string={"user": trained["user"]}).get_json()["models"]
    assert models[0]["name"] == "zz_newer"
    assert {m["kind"] for m in models} >= {"personal"}


def system_bins(small_dataset, comments) -> list[int]:
    system_rating = small_dataset.items.set_index("item_id").loc[[c["item_id"] for c in comments], "rating_sys"]
    return np.bincount(np.digitize(system_rating.to_numpy(), [0.5, 1.5, 2.5, 3.5]), minlength=5).tolist()


def test_the_stratified_sampler_asks_for_the_papers_two_four_eight_four_two(client, small_dataset):
    answer = client.get("/get_comments_to_label", query_string={"n": 20, "sampler": "stratified"}).get_json()
    assert answer["sampler"] == "stratified"
    assert system_bins(small_dataset, answer["to_label"]) == [2, 4, 8, 4, 2]


def test_the_adaptive_sampler_is_the_default_and_shows_clear_cases_at_both_ends(client, small_dataset):
    answer = client.get("/get_comments_to_label?n=20").get_json()
    assert answer["sampler"] == "adaptive"
    assert len({c["item_id"] for c in answer["to_label"]}) == 20
    bins = system_bins(small_dataset, answer["to_label"])
    # One calibration comment per bin, then each batch of 5 has one at each end.
    assert bins[0] >= 4 and bins[4] >= 4 and all(count >= 1 for count in bins), bins


def test_comments_to_label_reject_an_unknown_sampler(client):
    assert error_of(client.get("/get_comments_to_label?sampler=best"), 400)["field"] == "sampler"
def test_the_organizers_feedback_link_reaches_the_page_and_a_script_link_is_refused(small_dataset_dir,
                                                                                     small_base_model, tmp_path):
    with pytest.raises(ConfigError, match="feedback_url"):
        load_settings({"feedback_url": "javascript:alert(1)"}, environ={})
    app = create_app({"dataset": str(small_dataset_dir), "output_dir": tmp_path / "output",
                      "flagging_dir": tmp_path / "flagged", "feedback_url": "mailto:organizers@example.org"})
    client = app.test_client()
    user = create_user(client)
    settings = client.get("/audit_settings", query_string={"user": user}).get_json()
    assert settings["feedback_url"] == "mailto:organizers@example.org"
