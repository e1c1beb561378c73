"""The auditor's whole journey over real HTTP against a running server and a fake AVID on 127.0.0.1."""

from __future__ import annotations

import json
import time

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
    report.update(title=report["title"] or "Hostility without swear words passes",
                  summary="The system misses hostility without swear words.", category="Toxicity",
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


def test_a_new_auditor_goes_from_labels_to_an_avid_submission(real_dataset_dir, tmp_path):
    with FakeAvid(api_key="journey-key") as avid, \
            live_server(real_dataset_dir, tmp_path, avid_api_url=avid.url, avid_api_key="journey-key") as url:
        session = requests.Session()  # keeps the cookie that makes this auditor the owner of the user
        user, report, _ = _journey_until_saved(url, session)
        result = session.post(f"{url}/submit_avid_report", json={
            "user": user, "model": "journey", "report_ids": [report["id"]], "name": "A. Auditor"}).json()
        assert result["results"][0]["state"] == "queued"
        submission = _settled(session, url, user)
        assert submission["state"] == "submitted"
        assert submission["submission_id"] == avid.issued_ids[0]
        assert len(avid.received) == 1
        sent = avid.received[0]
        assert sent["affects"]["artifacts"][0]["name"] == "Acme comment filter"
        assert sent["affects"]["artifacts"][1] == {"type": "Dataset", "name": "acme-forum"}
        assert sent["problemtype"]["description"]["value"] == report["title"]
        assert int(sent["metrics"][0]["results"]["topic_comments"]) > 0
        again = session.post(f"{url}/submit_avid_report", json={
            "user": user, "model": "journey", "report_ids": [report["id"]]}).json()
        assert again["results"][0]["state"] == "already submitted"
        assert len(avid.received) == 1
        _wait(lambda: _settled(session, url, user).get("review_status") == "draft")


@pytest.mark.usefixtures("small_base_model")
def test_reports_about_a_synthetic_dataset_are_refused_for_avid_and_downloaded_marked_synthetic(
        small_dataset_dir, tmp_path):
    with FakeAvid(api_key="k") as avid, \
            live_server(small_dataset_dir, tmp_path, avid_api_url=avid.url, avid_api_key="k") as url:
        session = requests.Session()
        user, report, _ = _journey_until_saved(url, session)
        refused = session.post(f"{url}/submit_avid_report", json={
            "user": user, "model": "journey", "report_ids": [report["id"]]})
        download = session.get(f"{url}/export_avid_reports", params={"user": user, "model": "journey"})

    assert refused.status_code == 400 and "synthetic" in refused.json()["error"]["message"]
    assert avid.request_count == 0
    assert download.headers["Content-Type"].startswith("application/x-ndjson")
    [line] = download.text.splitlines()
    assert json.loads(line)["description"]["value"].startswith("SYNTHETIC DATA")


def _settled(session: requests.Session, url: str, user: str) -> dict:
    """The report's submission once the background sender is done with it."""
    def current() -> dict:
        stored = session.get(f"{url}/get_reports", params={"user": user, "model": "journey"}).json()
        return stored["reports"][0]["submission"]

    _wait(lambda: current()["state"] != "queued")
    return current()


def _wait(condition, timeout: float = 20.0) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        assert time.monotonic() < deadline, "timed out"
        time.sleep(0.05)
