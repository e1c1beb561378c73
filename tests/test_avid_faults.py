"""AVID outages: a fake AVID on 127.0.0.1 that times out, answers 500, answers nonsense or refuses
connections. Submitting answers at once and sends in the background; a report that surely never
reached AVID ends `failed`, one that may have ends `unconfirmed`, `python -m indielabel avid retry
[--unconfirmed]` delivers them later, and no report AVID acknowledged is sent twice."""

from __future__ import annotations

import threading
import time
from datetime import datetime, timedelta, timezone

import pytest
import requests

from bench.crash_soak import ServeProcess
from indielabel.avid import outbox
from indielabel.avid.api import BEING_SENT
from indielabel.avid.convert import AuditContext, Credit
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
def client_for(real_dataset_dir, output_dir, tmp_path):
    """A test client of an app that sends reports to ``avid_url``, with saved complete reports."""
    def make(avid_url: str, timeout: float = TIMEOUT_SECONDS, reports: int = 1):
        app = create_app({"dataset": str(real_dataset_dir), "output_dir": output_dir,
                          "flagging_dir": tmp_path / "flagged", "avid_api_url": avid_url, "avid_api_key": API_KEY,
                          "avid_timeout_seconds": timeout, "avid_retries": 1})
        client = app.test_client()
        documents = [complete_report(f"report{number}") for number in range(1, reports + 1)]
        saved = client.post("/save_reports", json={"user": USER, "revision": 0, "reports": documents})
        assert saved.status_code == 200, saved.get_json()
        return client
    return make


@pytest.fixture
def retry(monkeypatch, output_dir, real_dataset_dir, capsys):
    """Runs `python -m indielabel avid retry [options]` against ``avid_url``: exit code, standard output
    and error."""
    def run(avid_url: str | None, *options: str) -> tuple[int, str, str]:
        monkeypatch.setenv("INDIELABEL_OUTPUT_DIR", str(output_dir))
        monkeypatch.setenv("INDIELABEL_DATASET", str(real_dataset_dir))
        monkeypatch.setenv("INDIELABEL_AVID_TIMEOUT_SECONDS", str(TIMEOUT_SECONDS))
        monkeypatch.setenv("AVID_API_KEY", API_KEY)
        if avid_url is None:
            monkeypatch.delenv("AVID_API_URL", raising=False)
            monkeypatch.delenv("INDIELABEL_AVID_API_URL", raising=False)
        else:
            monkeypatch.setenv("AVID_API_URL", avid_url)
        capsys.readouterr()
        code = main(["avid", "retry", *options])
        captured = capsys.readouterr()
        return code, captured.out, captured.err
    return run


def stored_submission(output_dir, user: str = USER, number: int = 1) -> dict:
    _, reports = Store(output_dir).load_reports(user, None)
    return reports[number - 1]["submission"]


def submit(client, report_ids=("report1",)) -> list[dict]:
    """Submit as the browser does: the answer comes at once, with the reports queued."""
    response = client.post("/submit_avid_report", json={"user": USER, "report_ids": list(report_ids), **CREDIT})
    assert response.status_code == 200, response.get_json()
    return response.get_json()["results"]


def settled(output_dir, count: int = 1, timeout: float = 30.0) -> list[dict]:
    """The stored submissions once none is queued any more (the background sender is done)."""
    _wait_until(lambda: all(stored_submission(output_dir, number=n)["state"] != "queued"
                            for n in range(1, count + 1)), timeout)
    return [stored_submission(output_dir, number=n) for n in range(1, count + 1)]


@pytest.mark.parametrize("fault", FAULTS)
def test_a_fault_after_sending_leaves_the_report_unconfirmed_until_the_organizer_resends_it(
        fault, client_for, retry, output_dir):
    behaviour, expected_reason = FAULTS[fault]
    with FakeAvid(api_key=API_KEY, **behaviour) as broken:
        [queued] = submit(client_for(broken.url))
        [unconfirmed] = settled(output_dir)
        assert broken.request_count == 1

    assert queued["state"] == "queued"
    assert unconfirmed["state"] == "unconfirmed" and expected_reason in unconfirmed["reason"]
    with FakeAvid(api_key=API_KEY) as healthy:
        code, output, _ = retry(healthy.url)
        assert code == 0 and output == "" and healthy.request_count == 0
        code, output, _ = retry(healthy.url, "--unconfirmed")

    assert code == 0 and f"{USER}/-/report1: submitted" in output
    delivered = stored_submission(output_dir)
    assert delivered["state"] == "submitted" and delivered["submission_id"] == healthy.issued_ids[0]
    assert delivered["attempts"] == 2 and healthy.request_count == 1
    assert healthy.received[0]["credit"] == [{"lang": "eng", "value": CREDIT["name"]}]


def test_a_refused_connection_leaves_the_report_failed_and_the_retry_command_delivers_it(
        client_for, retry, output_dir):
    submit(client_for(refused_url()))
    [failed] = settled(output_dir)
    assert failed["state"] == "failed" and "could not connect" in failed["reason"] and failed["attempts"] == 1

    with FakeAvid(api_key=API_KEY) as healthy:
        code, output, _ = retry(healthy.url)

    assert code == 0 and f"{USER}/-/report1: submitted" in output
    assert stored_submission(output_dir)["submission_id"] == healthy.issued_ids[0]


def test_a_12_s_avid_with_a_10_s_timeout_gets_exactly_one_post_per_report_per_submit(client_for, output_dir):
    with FakeAvid(api_key=API_KEY, behaviour="hang", hang_seconds=12) as slow:
        client = client_for(slow.url, timeout=10, reports=2)
        started = time.monotonic()
        first = submit(client, ("report1", "report2"))
        answered_after = time.monotonic() - started
        states = settled(output_dir, count=2, timeout=40)
        again = submit(client, ("report1", "report2"))
        posts = slow.request_count

    assert answered_after < 2 and [result["state"] for result in first] == ["queued", "queued"]
    assert [state["state"] for state in states] == ["unconfirmed", "unconfirmed"]
    assert [result["state"] for result in again] == ["unconfirmed", "unconfirmed"]
    assert posts == 2


def test_the_retry_command_reports_what_is_still_unsent_and_exits_1(client_for, retry, output_dir):
    submit(client_for(refused_url()))
    settled(output_dir)

    code, output, _ = retry(refused_url())

    assert code == 1 and "report1: failed (could not connect to AVID" in output
    assert stored_submission(output_dir)["attempts"] == 2


def test_a_report_avid_acknowledged_is_never_submitted_twice(client_for, retry, output_dir):
    with FakeAvid(api_key=API_KEY) as avid:
        client = client_for(avid.url)
        submit(client)
        [first] = settled(output_dir)
        [again] = submit(client)
        code, output, _ = retry(avid.url, "--unconfirmed")

    assert first["state"] == "submitted" and again["state"] == "already submitted"
    assert again["submission_id"] == first["submission_id"]
    assert code == 0 and output == ""
    assert avid.request_count == 1


CONTEXT = AuditContext.from_settings(load_settings({}, environ={}), {"name": "acme-forum", "system": "Acme filter"})


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
                results.extend(outbox.submit_stored(store, settings, CONTEXT, USER, None, [report_id], Credit()))

            senders = [threading.Thread(target=send) for _ in range(2)]
            for sender in senders:
                sender.start()
            for sender in senders:
                sender.join()

            assert sorted(result.state for result in results) == ["failed", "submitted"]
            assert [result.reason for result in results if result.state == "failed"] == [BEING_SENT]
        assert avid.request_count == 5


def test_a_report_cut_off_mid_send_stays_queued_and_is_resent_once_its_sender_is_surely_gone(
        real_dataset_dir, tmp_path, retry, output_dir):
    with FakeAvid(api_key=API_KEY, behaviour="hang", hang_seconds=30) as hanging:
        serve = ServeProcess(real_dataset_dir, tmp_path, avid_api_url=hanging.url, avid_api_key=API_KEY,
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


def test_a_report_taken_by_another_sender_while_it_waited_for_its_turn_is_not_sent_again(output_dir):
    store = Store(output_dir)
    store.update_reports(USER, None, lambda reports: [complete_report(f"report{n}") for n in range(1, 4)])
    with FakeAvid(api_key=API_KEY, behaviour="hang", hang_seconds=1.0) as avid:
        settings = load_settings({"output_dir": output_dir, "avid_api_url": avid.url, "avid_api_key": API_KEY,
                                  "avid_timeout_seconds": 5}, environ={})
        results = outbox.queue_stored(store, settings, CONTEXT, USER, None, ["report1", "report2", "report3"], Credit())
        # Both senders are busy with the first two; the third is delivered by someone else meanwhile.
        store.update_reports(USER, None, lambda reports: [
            {**report, "submission": {"state": "submitted", "attempts": 1,
                                      "submission_id": "6f1c0bd2-4c5e-4a4e-9f0e-3d2b7c1a9e10"}}
            if report["id"] == "report3" else report for report in reports])
        _wait_until(lambda: all(state["state"] == "submitted" for state in settled(output_dir, count=3)))
        time.sleep(1.5)  # long enough for a third POST, were one on its way

    assert [result.state for result in results] == ["queued"] * 3
    assert stored_submission(output_dir, number=3)["submission_id"] == "6f1c0bd2-4c5e-4a4e-9f0e-3d2b7c1a9e10"
    assert avid.request_count == 2
