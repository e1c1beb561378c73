"""AVID submission over real HTTP to a fake AVID: one POST per report, retried only when it surely
never arrived, only a UUID taken as the submission id."""

from __future__ import annotations

import time

import pytest

from indielabel.avid.api import AvidDisabled, AvidError, review_status, submit, submit_reports
from indielabel.avid.convert import Credit, DatasetReference, to_avid_json
from indielabel.config import load_settings
from indielabel.storage.reports import Submission
from tests.fake_avid import FakeAvid, refused_url
from tests.test_avid_convert import CONTEXT, SYSTEM, complete_report

API_KEY = "test-key"
SHORT_TIMEOUT = 0.3


def make_settings(**overrides):
    values = {"avid_timeout_seconds": 2.0, "avid_retries": 0}
    values.update(overrides)
    return load_settings(values, environ={})


def avid_settings(avid: FakeAvid, **overrides):
    return make_settings(avid_api_url=avid.url, avid_api_key=API_KEY, **overrides)


def send(reports, settings, credit=Credit(), **options):
    return submit_reports(reports, context=CONTEXT, credit=credit, settings=settings, **options)


# The submission client

def test_submit_returns_the_id_and_sends_the_raw_api_key():
    body = to_avid_json(complete_report(), CONTEXT)
    with FakeAvid(api_key=API_KEY) as avid:
        submission_id = submit(body, url=avid.url, api_key=API_KEY, timeout=2, retries=0)

    assert avid.issued_ids == [submission_id]
    assert avid.received == [body]


@pytest.mark.parametrize("trailing", ["", "/"])
def test_submit_joins_a_base_url_with_a_path_and_accepts_an_id_object(trailing):
    body = to_avid_json(complete_report(), CONTEXT)
    with FakeAvid(api_key=API_KEY, id_format="object", path_prefix="/api/v1") as avid:
        submission_id = submit(body, url=avid.url + trailing, api_key=API_KEY, timeout=2, retries=0)

    assert avid.issued_ids == [submission_id]


def test_a_body_avid_rejects_is_reported_and_not_retried():
    invalid = {"credit": {"lang": "eng", "value": "Username: u"}}
    with FakeAvid(api_key=API_KEY) as avid:
        with pytest.raises(AvidError, match="invalid"):
            submit(invalid, url=avid.url, api_key=API_KEY, timeout=2, retries=2)

    assert avid.request_count == 1


def test_a_wrong_api_key_is_reported_and_not_retried():
    body = to_avid_json(complete_report(), CONTEXT)
    with FakeAvid(api_key=API_KEY) as avid:
        with pytest.raises(AvidError, match="API key"):
            submit(body, url=avid.url, api_key="wrong", timeout=2, retries=2)

    assert avid.request_count == 1


def test_a_url_that_is_not_http_is_an_avid_error():
    with pytest.raises(AvidError, match="not an http"):
        submit({}, url="ftp://avid.example", api_key=API_KEY, timeout=1, retries=0)


def test_plain_http_is_refused_except_on_this_machine():
    with pytest.raises(AvidError, match="https"):
        submit({}, url="http://avid.example.org/api", api_key=API_KEY, timeout=1, retries=0)


def test_a_2xx_answer_that_is_not_a_uuid_is_an_error_and_the_report_unconfirmed():
    with FakeAvid(api_key=API_KEY, id_format="text", not_an_id="meow") as avid:
        with pytest.raises(AvidError, match="submission id") as raised:
            submit(to_avid_json(complete_report(), CONTEXT), url=avid.url, api_key=API_KEY, timeout=2, retries=2)
        [result] = send([complete_report()], avid_settings(avid))

    assert raised.value.unconfirmed
    assert result.state == "unconfirmed" and result.submission_id is None
    assert avid.request_count == 2


def test_a_redirect_is_not_followed_and_the_report_is_not_posted_twice():
    with FakeAvid(api_key=API_KEY, behaviour="redirect") as avid:
        with pytest.raises(AvidError, match="redirect") as raised:
            submit(to_avid_json(complete_report(), CONTEXT), url=avid.url, api_key=API_KEY, timeout=2, retries=2)

    assert not raised.value.unconfirmed
    assert avid.request_count == 1


def test_the_review_status_of_a_submission_is_read_from_avid():
    with FakeAvid(api_key=API_KEY, review_status="published") as avid:
        [result] = send([complete_report()], avid_settings(avid))
        status = review_status(result.submission_id, url=avid.url, api_key=API_KEY, timeout=2)

    assert status == "published"


# Submitting reports

def test_submitting_a_report_stores_the_submission_id_on_it():
    report = complete_report()
    updates = []
    with FakeAvid(api_key=API_KEY) as avid:
        [result] = send([report], avid_settings(avid), Credit(name="Ada"),
                        on_update=lambda report_id, sub: updates.append((report_id, sub.state)))

    assert result.state == "submitted"
    assert result.submission_id == avid.issued_ids[0]
    assert result.submission.state == "submitted" and result.submission.submission_id == result.submission_id
    assert result.submission.attempts == 1 and result.submission.submitted_at
    assert updates == [(report.id, "queued"), (report.id, "submitted")]
    assert avid.received[0]["credit"] == [{"lang": "eng", "value": "Ada"}]


@pytest.mark.parametrize("avid_options, reason", [
    ({"behaviour": "fail-first", "failures": 5}, "HTTP 500"),
    ({"behaviour": "malformed"}, "not valid JSON"),
])
def test_a_5xx_or_unreadable_answer_is_not_retried_and_leaves_the_report_unconfirmed(avid_options, reason):
    with FakeAvid(api_key=API_KEY, **avid_options) as avid:
        [result] = send([complete_report()], avid_settings(avid, avid_retries=2))

    assert result.state == "unconfirmed" and result.submission.state == "unconfirmed"
    assert reason in result.reason
    assert avid.request_count == 1


def test_a_read_timeout_is_not_retried_and_leaves_the_report_unconfirmed():
    with FakeAvid(api_key=API_KEY, behaviour="hang", hang_seconds=3) as avid:
        started = time.monotonic()
        [result] = send([complete_report()], avid_settings(avid, avid_timeout_seconds=SHORT_TIMEOUT, avid_retries=2))
        elapsed = time.monotonic() - started

    assert result.state == "unconfirmed"
    assert result.reason.startswith("AVID did not answer within 0.3 s")
    assert avid.request_count == 1 and elapsed < 2


def test_a_refused_connection_is_retried_and_then_fails():
    settings = make_settings(avid_api_url=refused_url(), avid_api_key=API_KEY, avid_retries=1)

    [result] = send([complete_report()], settings)

    assert result.state == "failed"
    assert result.reason == "could not connect to AVID (tried 2 times)"


def test_a_report_avid_acknowledged_is_never_sent_twice():
    report = complete_report()
    with FakeAvid(api_key=API_KEY) as avid:
        settings = avid_settings(avid)
        [first] = send([report], settings)
        stored = report.model_copy(update={"submission": first.submission})
        [second] = send([stored], settings)

    assert second.state == "already submitted"
    assert second.submission_id == first.submission_id and second.submission == first.submission
    assert len(avid.received) == 1 and avid.request_count == 1


def test_an_unconfirmed_report_is_resent_only_when_the_organizer_asks():
    report = complete_report(submission={"state": "unconfirmed", "attempts": 1, "reason": "HTTP 502"})
    with FakeAvid(api_key=API_KEY) as avid:
        [left] = send([report], avid_settings(avid))
        [resent] = send([report], avid_settings(avid), resend_unconfirmed=True)

    assert left.state == "unconfirmed" and "organizer" in left.reason
    assert resent.state == "submitted" and len(avid.received) == 1


@pytest.mark.parametrize("state", ["queued", "failed"])
def test_a_queued_or_failed_report_is_sent_again(state):
    report = complete_report(submission={"state": state, "attempts": 1, "reason": "earlier outage"})
    with FakeAvid(api_key=API_KEY) as avid:
        [result] = send([report], avid_settings(avid))

    assert result.state == "submitted"
    assert result.submission.attempts == 2 and result.submission.reason is None
    assert len(avid.received) == 1


def test_the_credit_of_the_first_send_is_kept():
    report = complete_report(submission={"state": "failed", "attempts": 1, "credit_name": "Ada",
                                         "credit_email": "ada@example.org", "credit_publish_email": True})
    with FakeAvid(api_key=API_KEY) as avid:
        [result] = send([report], avid_settings(avid), Credit())

    assert avid.received[0]["credit"] == [{"lang": "eng", "value": "Ada <ada@example.org>"}]
    assert result.submission.credit_name == "Ada"


def test_an_incomplete_report_is_refused_while_the_others_are_sent():
    incomplete = complete_report(summary="", id="r0")
    with FakeAvid(api_key=API_KEY) as avid:
        results = send([incomplete, complete_report()], avid_settings(avid))

    assert [result.state for result in results] == ["failed", "submitted"]
    assert "a summary" in results[0].reason
    assert results[0].submission.state == "draft"
    assert len(avid.received) == 1


def test_a_bad_email_or_a_synthetic_dataset_is_refused_before_anything_is_sent():
    synthetic = CONTEXT.__class__(system=SYSTEM, dataset=DatasetReference(name="synthetic-small", synthetic=True))
    with FakeAvid(api_key=API_KEY) as avid:
        with pytest.raises(ValueError, match="email"):
            send([complete_report()], avid_settings(avid), Credit(email="nope"))
        with pytest.raises(ValueError, match="synthetic"):
            submit_reports([complete_report()], context=synthetic, credit=Credit(), settings=avid_settings(avid))

    assert avid.request_count == 0


@pytest.mark.parametrize("missing", ["avid_api_url", "avid_api_key"])
def test_without_avid_settings_submission_is_disabled(missing):
    values = {"avid_api_url": "http://127.0.0.1:9", "avid_api_key": API_KEY}
    del values[missing]

    with pytest.raises(AvidDisabled):
        send([complete_report()], make_settings(**values))


def test_submission_state_changes_are_stored_in_order_for_failures_too():
    updates: list[tuple[str, Submission]] = []
    settings = make_settings(avid_api_url=refused_url(), avid_api_key=API_KEY)

    send([complete_report()], settings, on_update=lambda report_id, sub: updates.append((report_id, sub)))

    assert [sub.state for _, sub in updates] == ["queued", "failed"]
    assert updates[1][1].attempts == 1 and updates[1][1].reason
