"""AVID outages: a fake AVID on 127.0.0.1 that times out, answers 500, answers nonsense or refuses
connections. Reports end `failed` with a reason (or stay `queued` when the server dies mid-send),
`python -m indielabel avid retry` delivers them later, and no report AVID acknowledged is sent twice."""

from __future__ import annotations

import threading
import time
from datetime import datetime, timedelta, timezone

import pytest
import requests

from bench.crash_soak import ServeProcess
from indielabel.avid import outbox
from indielabel.avid.api import BEING_SENT
from indielabel.cli import main
from indielabel.config import load_settings
from indielabel.storage.store import Store
from server import create_app
from tests.fake_avid import FakeAvid, refused_url

API_KEY = "faults-key"
USER = "outage_auditor"
TIMEOUT_SECONDS = 0.3
CREDIT = {"name": "A. Auditor", "email": "auditor@example.org"}
FAULTS = {
    "timeout": ({"behaviour": "hang", "hang_seconds": 5.0}, "did not answer within"),
    "server error": ({"behaviour": "fail-first", "failures": 100}, "HTTP 500"),
    "malformed answer": ({"behaviour": "malformed"}, "not valid JSON"),
}


def complete_report(report_id: str = "report1") -> dict:
    evidence = {"item_id": 3, "comment": "you will regret this", "topic": "0_city_council", "system_rating": 0.4,
                "system_decision": "Non-toxic", "predicted_rating": 3.1, "predicted_decision": "Toxic",
                "error_type": "System may be under-sensitive"}
    return {"id": report_id, "title": "Veiled threats pass", "error_type": "under-sensitive",
            "evidence": [evidence], "summary": "Threats without swear words are not flagged.",
            "category": "Toxicity"}


@pytest.fixture
def output_dir(tmp_path):
    return tmp_path / "output"


@pytest.fixture
def client_for(small_dataset_dir, small_base_model, output_dir, tmp_path):
    """A test client of an app that sends reports to ``avid_url``, with one saved complete report."""
    def make(avid_url: str):
        app = create_app({"dataset": str(small_dataset_dir), "output_dir": output_dir,
                          "flagging_dir": tmp_path / "flagged", "avid_api_url": avid_url, "avid_api_key": API_KEY,
                          "avid_timeout_seconds": TIMEOUT_SECONDS, "avid_retries": 1})
        client = app.test_client()
        saved = client.post("/save_reports", json={"user": USER, "revision": 0, "reports": [complete_report()]})
        assert saved.status_code == 200, saved.get_json()
        return client
    return make


@pytest.fixture
def retry(monkeypatch, output_dir, capsys):
    """Runs `python -m indielabel avid retry` against ``avid_url``: exit code, standard output and error."""
    def run(avid_url: str | None) -> tuple[int, str, str]:
        monkeypatch.setenv("INDIELABEL_OUTPUT_DIR", str(output_dir))
        monkeypatch.setenv("INDIELABEL_AVID_TIMEOUT_SECONDS", str(TIMEOUT_SECONDS))
        monkeypatch.setenv("AVID_API_KEY", API_KEY)
        if avid_url is None:
            monkeypatch.delenv("AVID_API_URL", raising=False)
            monkeypatch.delenv("INDIELABEL_AVID_API_URL", raising=False)
        else:
            monkeypatch.setenv("AVID_API_URL", avid_url)
        capsys.readouterr()
        code = main(["avid", "retry"])
        captured = capsys.readouterr()
        return code, captured.out, captured.err
    return run


def stored_submission(output_dir, user: str = USER) -> dict:
    _, reports = Store(output_dir).load_reports(user, None)
    return reports[0]["submission"]


def submit(client) -> dict:
    response = client.post("/submit_avid_report", json={"user": USER, "report_ids": ["report1"], **CREDIT})
    assert response.status_code == 200, response.get_json()
    return response.get_json()["results"][0]


@pytest.mark.parametrize("fault", [*FAULTS, "refused connection"])
def test_an_avid_fault_leaves_the_report_failed_with_a_reason_and_the_retry_command_delivers_it(
        fault, client_for, retry, output_dir):
    if fault == "refused connection":
        result = submit(client_for(refused_url()))
        expected_reason = "could not connect"
    else:
        behaviour, expected_reason = FAULTS[fault]
        with FakeAvid(api_key=API_KEY, **behaviour) as broken:
            result = submit(client_for(broken.url))

    assert result["state"] == "failed" and expected_reason in result["reason"]
    failed = stored_submission(output_dir)
    assert failed["state"] == "failed" and expected_reason in failed["reason"] and failed["attempts"] == 1

    with FakeAvid(api_key=API_KEY) as healthy:
        code, output, _ = retry(healthy.url)

    assert code == 0 and f"{USER}/-/report1: submitted" in output
    delivered = stored_submission(output_dir)
    assert delivered["state"] == "submitted" and delivered["avid_id"] == healthy.issued_ids[0]
    assert delivered["attempts"] == 2
    assert healthy.request_count == 1
    credit = [entry["value"] for entry in healthy.received[0]["credit"]]
    assert credit == [f"Username: {USER}", f"Name: {CREDIT['name']}", f"Email: {CREDIT['email']}"]


def test_the_retry_command_reports_what_is_still_unsent_and_exits_1(client_for, retry, output_dir):
    submit(client_for(refused_url()))

    code, output, _ = retry(refused_url())

    assert code == 1 and "report1: failed (could not connect to AVID" in output
    assert stored_submission(output_dir)["attempts"] == 2


def test_a_report_avid_acknowledged_is_never_submitted_twice(client_for, retry, output_dir):
    with FakeAvid(api_key=API_KEY) as avid:
        client = client_for(avid.url)
        first = submit(client)
        again = submit(client)
        code, output, _ = retry(avid.url)

    assert first["state"] == "submitted" and again["state"] == "already submitted"
    assert again["avid_id"] == first["avid_id"]
    assert code == 0 and output == ""
    assert avid.request_count == 1


def test_two_senders_at_once_send_a_report_once(output_dir):
    store = Store(output_dir)
    with FakeAvid(api_key=API_KEY, behaviour="hang", hang_seconds=0.5) as avid:
        settings = load_settings({"output_dir": output_dir, "avid_api_url": avid.url, "avid_api_key": API_KEY,
                                  "avid_timeout_seconds": 5}, environ={})
        for number in range(5):
            report_id = f"report{number}"
            store.update_reports(USER, None, lambda reports: [*reports, complete_report(report_id)])
            results = []
            start = threading.Barrier(2)

            def send():
                start.wait()
                results.extend(outbox.submit_stored(store, settings, USER, None, [report_id]))

            senders = [threading.Thread(target=send) for _ in range(2)]
            for sender in senders:
                sender.start()
            for sender in senders:
                sender.join()

            assert sorted(result.state for result in results) == ["failed", "submitted"]
            assert [result.reason for result in results if result.state == "failed"] == [BEING_SENT]
        assert avid.request_count == 5


@pytest.mark.usefixtures("small_base_model")
def test_a_report_cut_off_mid_send_stays_queued_and_is_resent_once_its_sender_is_surely_gone(
        small_dataset_dir, tmp_path, retry, output_dir):
    with FakeAvid(api_key=API_KEY, behaviour="hang", hang_seconds=30) as hanging:
        serve = ServeProcess(small_dataset_dir, tmp_path, avid_api_url=hanging.url, avid_api_key=API_KEY,
                             avid_timeout_seconds=TIMEOUT_SECONDS * 10, avid_retries=0)
        url, _ = serve.start()
        session = requests.Session()
        session.post(f"{url}/save_reports", json={"user": USER, "revision": 0, "reports": [complete_report()]},
                     timeout=30).raise_for_status()
        sender = threading.Thread(target=_post_quietly, args=(
            session, f"{url}/submit_avid_report", {"user": USER, "report_ids": ["report1"], **CREDIT}))
        sender.start()
        _wait_until(lambda: hanging.request_count == 1)
        serve.kill()
        sender.join()

    queued = stored_submission(output_dir)
    assert queued["state"] == "queued" and queued["attempts"] == 1 and queued["credit_email"] == CREDIT["email"]
    with FakeAvid(api_key=API_KEY) as healthy:
        code, output, _ = retry(healthy.url)
        assert code == 1 and BEING_SENT in output and healthy.request_count == 0

        an_hour_ago = (datetime.now(timezone.utc) - timedelta(hours=1)).isoformat(timespec="seconds")
        Store(output_dir).update_reports(USER, None, lambda reports: [
            {**reports[0], "submission": {**reports[0]["submission"], "queued_at": an_hour_ago}}])
        code, output, _ = retry(healthy.url)

    assert code == 0 and healthy.request_count == 1
    assert stored_submission(output_dir)["state"] == "submitted"


def test_the_retry_command_without_avid_settings_exits_2(retry):
    code, _, error = retry(None)

    assert code == 2 and "AVID submission is not configured" in error


def _post_quietly(session: requests.Session, url: str, body: dict) -> None:
    try:
        session.post(url, json=body, timeout=60)
    except requests.ConnectionError:
        pass  # the server was killed while it waited for AVID


def _wait_until(condition, timeout: float = 30.0) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        assert time.monotonic() < deadline, "timed out"
        time.sleep(0.02)


def test_a_report_deleted_while_avid_has_it_keeps_its_avid_id_when_put_back_and_is_not_resent(
        small_dataset_dir, small_base_model, output_dir, tmp_path):
    with FakeAvid(api_key=API_KEY, behaviour="hang", hang_seconds=1.0) as avid:
        app = create_app({"dataset": str(small_dataset_dir), "output_dir": output_dir,
                          "flagging_dir": tmp_path / "flagged", "avid_api_url": avid.url, "avid_api_key": API_KEY,
                          "avid_timeout_seconds": 5, "avid_retries": 0})
        author, other_tab = app.test_client(), app.test_client()
        assert author.post("/save_reports", json={"user": USER, "revision": 0,
                                                  "reports": [complete_report()]}).status_code == 200
        other_tab.set_cookie("indielabel_owner", author.get_cookie("indielabel_owner").value)
        sent = []
        sender = threading.Thread(target=lambda: sent.append(author.post(
            "/submit_avid_report", json={"user": USER, "report_ids": ["report1"], **CREDIT})))
        sender.start()
        _wait_until(lambda: avid.request_count == 1)
        revision = other_tab.get(f"/get_reports?user={USER}").get_json()["revision"]
        assert other_tab.post("/save_reports", json={"user": USER, "revision": revision,
                                                     "reports": []}).status_code == 200
        sender.join()
        assert sent[0].status_code == 200
        revision = other_tab.get(f"/get_reports?user={USER}").get_json()["revision"]
        back = other_tab.post("/save_reports", json={"user": USER, "revision": revision,
                                                     "reports": [complete_report()]}).get_json()
        submission = back["reports"][0]["submission"]
        assert submission["state"] == "submitted" and submission["avid_id"]
        again = other_tab.post("/submit_avid_report", json={"user": USER, "report_ids": ["report1"], **CREDIT})
        assert again.status_code == 200
        assert avid.request_count == 1
