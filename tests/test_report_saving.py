"""Saving reports: evidence is the dataset's, a report sent to AVID is frozen, and what may be saved
fits in the next save request."""

from __future__ import annotations

import json

import pytest

from indielabel.storage.store import Store
from server import create_app
from tests.conftest import create_user

USER = "saver"
MAX_REQUEST_BYTES = 300_000


@pytest.fixture
def output_dir(tmp_path):
    return tmp_path / "output"


@pytest.fixture
def client(small_dataset_dir, small_base_model, output_dir, tmp_path):
    app = create_app({"dataset": str(small_dataset_dir), "output_dir": output_dir,
                      "flagging_dir": tmp_path / "flagged", "max_request_bytes": MAX_REQUEST_BYTES})
    return app.test_client()


@pytest.fixture
def item(small_dataset):
    """A real comment of the dataset, as the audit shows it."""
    row = small_dataset.items.iloc[7]
    return {"item_id": int(row["item_id"]), "comment": row["comment"], "topic": row["topic"],
            "system_rating": float(row["rating_sys"])}


def report_with(evidence: list[dict], **changes) -> dict:
    return {"id": "r1", "title": "Threats pass", "error_type": "under-sensitive", "evidence": evidence,
            "summary": "Threats are not flagged.", "category": "Toxicity", **changes}


def made_up(item_id: int, comment: str = "a comment nobody wrote") -> dict:
    return {"item_id": item_id, "comment": comment, "topic": "0_invented", "system_rating": 0.0,
            "system_decision": "Non-toxic", "predicted_rating": 3.5, "predicted_decision": "Toxic",
            "error_type": "under-sensitive"}


def save(client, reports, revision=0):
    return client.post("/save_reports", json={"user": USER, "revision": revision, "reports": reports})


def test_saved_evidence_takes_comment_topic_and_system_rating_from_the_dataset(client, item):
    saved = save(client, [report_with([made_up(item["item_id"])])])

    assert saved.status_code == 200, saved.get_json()
    [entry] = saved.get_json()["reports"][0]["evidence"]
    assert (entry["comment"], entry["topic"]) == (item["comment"], item["topic"])
    assert entry["system_rating"] == round(item["system_rating"], 2)
    assert entry["system_decision"] == ("Toxic" if item["system_rating"] > 2 else "Non-toxic")
    assert entry["predicted_rating"] == 3.5


def test_evidence_the_dataset_does_not_have_is_a_400_naming_it(client, item, output_dir):
    refused = save(client, [report_with([made_up(item["item_id"]), made_up(987_654_321)])])

    assert refused.status_code == 400
    assert refused.get_json()["error"]["field"] == "reports[0].evidence[1].item_id"
    assert Store(output_dir).load_reports(USER, None) == (0, [])


def test_a_report_sent_to_avid_is_read_only_and_cannot_be_deleted(client, item, output_dir):
    report = report_with([made_up(item["item_id"])])
    revision = save(client, [report]).get_json()["revision"]
    Store(output_dir).update_reports(USER, None, lambda reports: [
        {**reports[0], "submission": {"state": "submitted", "submission_id": "6f1c0bd2-4c5e-4a4e-9f0e-3d2b7c1a9e10",
                                      "attempts": 1}}])
    revision += 1

    edited = save(client, [{**report, "summary": "Changed after sending."}], revision)
    deleted = save(client, [], revision)
    amended = save(client, [report, report_with([made_up(item["item_id"])], id="r2", amends="r1",
                                                summary="Changed after sending.")], revision)

    assert edited.status_code == 400 and "read-only" in edited.get_json()["error"]["message"]
    assert deleted.status_code == 400 and "cannot be deleted" in deleted.get_json()["error"]["message"]
    assert amended.status_code == 200, amended.get_json()
    first, second = amended.get_json()["reports"]
    assert first["summary"] == "Threats are not flagged." and first["submission"]["state"] == "submitted"
    assert second["amends"] == "r1" and second["submission"]["state"] == "draft"


def test_reports_that_would_not_fit_in_the_next_save_are_refused_with_the_reason(client, small_dataset, output_dir):
    item_ids = small_dataset.items["item_id"].astype(int).tolist()
    reports = []
    while len(json.dumps(reports)) < MAX_REQUEST_BYTES - 50_000:
        start = len(reports) * 100
        reports.append(report_with([made_up(item_id) for item_id in item_ids[start:start + 100]], id=f"r{start}"))

    refused = save(client, reports)

    assert refused.status_code == 400
    assert "more than the 200 kB a save may carry" in refused.get_json()["error"]["message"]
    assert Store(output_dir).load_reports(USER, None) == (0, [])


def train(client, user: str, model: str) -> None:
    comments = client.get("/get_comments_to_label?n=20").get_json()["to_label"]
    ratings = {str(c["item_id"]): index % 5 for index, c in enumerate(comments)}
    response = client.post("/get_personalized_model", json={"user": user, "model_name": model, "ratings": ratings})
    assert response.status_code == 200, response.get_json()


def test_one_list_across_models_keeps_a_pre_model_report_and_names_each_reports_model(client, item):
    user = create_user(client)
    before = client.post("/save_reports", json={"user": user, "revision": 0, "reports": [
        report_with([], id="before", title="Written before any model")]}).get_json()
    train(client, user, "mine")
    loaded = client.get("/get_reports", query_string={"user": user, "model": "mine"}).get_json()
    saved = client.post("/save_reports", json={"user": user, "model": "mine", "revision": loaded["revision"],
                                               "reports": [*loaded["reports"], report_with([], id="after")]})

    assert [report["id"] for report in loaded["reports"]] == ["before"]
    assert saved.status_code == 200, saved.get_json()
    by_id = {report["id"]: report for report in saved.get_json()["reports"]}
    assert (by_id["before"]["model"], by_id["before"]["model_version"]) == (None, None)
    assert (by_id["after"]["model"], by_id["after"]["model_version"]) == ("mine", 1)
    assert before["revision"] == 1


def test_reports_kept_per_model_by_an_earlier_version_join_the_one_list(client, output_dir):
    user = create_user(client)
    train(client, user, "old")
    Store(output_dir).update_reports(user, "old", lambda reports: [report_with([], id="kept")])

    loaded = client.get("/get_reports", query_string={"user": user}).get_json()

    assert [(report["id"], report["model"]) for report in loaded["reports"]] == [("kept", "old")]
    assert Store(output_dir).load_reports(user, "old")[1] == []
