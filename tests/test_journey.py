"""The auditor's whole journey over real HTTP against a running server and a fake AVID on 127.0.0.1."""

from __future__ import annotations

import pytest
import requests

from tests.conftest import create_user
from tests.fake_avid import FakeAvid
from tests.live_server import live_server


def _evidence(row: dict) -> dict:
    fields = ("item_id", "comment", "topic", "system_rating", "system_decision", "predicted_rating",
              "predicted_decision", "error_type")
    return {field: row[field] for field in fields}


def _complete_report(reports: list[dict], rows: list[dict]) -> dict:
    report = reports[0]
    report.update(summary="The system misses hostility without swear words.", category="Toxicity",
                  error_type="under-sensitive", evidence=[_evidence(r) for r in rows[:2]])
    return report


def _journey_until_saved(url: str, session: requests.Session) -> tuple[str, dict, int]:
    user = create_user(session, url)
    comments = session.get(f"{url}/get_comments_to_label", params={"n": 20}).json()["to_label"]
    ratings = {str(c["item_id"]): (i * 3) % 5 for i, c in enumerate(comments)}
    trained = session.post(f"{url}/get_personalized_model",
                           json={"user": user, "model_name": "journey", "ratings": ratings}).json()
    assert trained["version"] == 1
    viewed = session.post(f"{url}/get_personalized_model",
                          json={"user": user, "model_name": "journey", "mode": "view"}).json()
    assert viewed["n_labels"] == 20
    base = {"user": user, "model": "journey"}
    overview = session.get(f"{url}/get_audit", params=base).json()
    topic = overview["topics"][0]["topic"]
    cluster = session.get(f"{url}/get_cluster_results", params={**base, "topic": topic, "error_type": "all"}).json()
    assert cluster["cluster_comments"]
    word = cluster["cluster_comments"][0]["comment"].split()[0]
    keyword = session.get(f"{url}/get_cluster_results",
                          params={**base, "search_type": "keyword", "keyword": word, "error_type": "all"}).json()
    assert keyword["n_total"] >= 1
    reports = session.get(f"{url}/get_reports", params=base).json()
    report = _complete_report(reports["reports"], cluster["cluster_comments"])
    saved = session.post(f"{url}/save_reports", json={**base, "revision": 0, "reports": [report]})
    assert saved.status_code == 200
    stale = session.post(f"{url}/save_reports", json={**base, "revision": 0, "reports": []})
    assert stale.status_code == 409
    assert stale.json()["error"]["current"]["reports"][0]["id"] == report["id"]
    return user, report, saved.json()["revision"]


@pytest.mark.usefixtures("small_base_model")  # fitted and cached before the server starts
def test_a_new_auditor_goes_from_labels_to_an_avid_submission(small_dataset_dir, tmp_path):
    with FakeAvid(api_key="journey-key") as avid, \
            live_server(small_dataset_dir, tmp_path, avid_api_url=avid.url, avid_api_key="journey-key") as url:
        session = requests.Session()  # keeps the cookie that makes this auditor the owner of the user
        user, report, _ = _journey_until_saved(url, session)
        result = session.post(f"{url}/submit_avid_report", json={
            "user": user, "model": "journey", "report_ids": [report["id"]], "name": "A. Auditor"}).json()
        assert result["results"][0]["state"] == "submitted"
        assert len(avid.received) == 1
        stored = session.get(f"{url}/get_reports", params={"user": user, "model": "journey"}).json()
        submission = stored["reports"][0]["submission"]
        assert submission["state"] == "submitted"
        assert submission["avid_id"] == avid.issued_ids[0]
        again = session.post(f"{url}/submit_avid_report", json={
            "user": user, "model": "journey", "report_ids": [report["id"]]}).json()
        assert again["results"][0]["state"] == "already submitted"
        assert len(avid.received) == 1


@pytest.mark.usefixtures("small_base_model")
def test_an_avid_outage_that_recovers_ends_submitted_and_loses_nothing(small_dataset_dir, tmp_path):
    with FakeAvid(api_key="k", behaviour="fail-first", failures=2) as avid, \
            live_server(small_dataset_dir, tmp_path, avid_api_url=avid.url, avid_api_key="k",
                        avid_retries="3") as url:
        session = requests.Session()  # keeps the cookie that makes this auditor the owner of the user
        user, report, _ = _journey_until_saved(url, session)
        result = session.post(f"{url}/submit_avid_report", json={
            "user": user, "model": "journey", "report_ids": [report["id"]]}).json()
        assert result["results"][0]["state"] == "submitted"
        assert avid.request_count == 3
        stored = session.get(f"{url}/get_reports", params={"user": user, "model": "journey"}).json()
        assert stored["reports"][0]["summary"] == report["summary"]
        assert stored["reports"][0]["submission"]["state"] == "submitted"
