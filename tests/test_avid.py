"""AVID: conversion validated by avidtools, and submission to a fake AVID over real HTTP."""

from __future__ import annotations

import time

import pytest

from indielabel.avid.api import (
    AvidDisabled,
    AvidError,
    AvidReport,
    export_avid_json,
    submit,
    submit_reports,
    to_avid,
    to_avid_json,
)
from indielabel.config import load_settings
from indielabel.storage.reports import CATEGORIES, Report, Submission
from tests.fake_avid import FakeAvid, refused_url

API_KEY = "test-key"
SHORT_TIMEOUT = 0.3


def make_settings(**overrides):
    values = {
        "avid_artifact_name": "Acme comment filter",
        "avid_artifact_type": "System",
        "avid_developer": ["Acme AI"],
        "avid_deployer": ["Acme Forums"],
        "avid_timeout_seconds": 2.0,
        "avid_retries": 0,
    }
    values.update(overrides)
    return load_settings(values, environ={})


def avid_settings(avid: FakeAvid, **overrides):
    return make_settings(avid_api_url=avid.url, avid_api_key=API_KEY, **overrides)


def evidence_entry(item_id: int, **changes) -> dict:
    entry = {
        "item_id": item_id,
        "comment": f"you absolute legends, what a fucking match {item_id}",
        "topic": "3_game_team_play_season",
        "system_rating": 3.25,
        "system_decision": "Toxic",
        "predicted_rating": 0.5,
        "predicted_decision": "Non-toxic",
        "error_type": "System may be over-sensitive",
    }
    entry.update(changes)
    return entry


def complete_report(category="Toxicity", error_type="over-sensitive", item_ids=(11, 12), **changes) -> Report:
    values = {
        "title": "Praise with swearing is flagged",
        "error_type": error_type,
        "evidence": [evidence_entry(item_id) for item_id in item_ids],
        "summary": "Fans swearing in praise of their team get flagged as toxic.",
        "category": category,
    }
    values.update(changes)
    return Report.model_validate(values)


# Conversion

@pytest.mark.parametrize("error_type", ["under-sensitive", "over-sensitive"])
@pytest.mark.parametrize("category", CATEGORIES)
def test_conversion_is_valid_for_avidtools_for_every_category_and_error_type(category, error_type):
    body = to_avid_json(complete_report(category, error_type), username="brave-otter", settings=make_settings())

    validated = AvidReport.model_validate(body)

    assert validated.description.value.splitlines()[1] == f"Error type: {error_type}"
    assert validated.impact.avid.lifecycle_view[0].value == "L05: Evaluation"
    assert validated.impact.avid.taxonomy_version == "0.2"


@pytest.mark.parametrize(("category", "sep", "risk_domain"), [
    ("Toxicity", "E0301: Toxicity", "Ethics"),
    ("Bias/Discrimination", "E0100: Bias/ Discrimination", "Ethics"),
    ("Accuracy", "P0204: Accuracy", "Performance"),
    ("Adversarial Example", "S0403: Adversarial Example", "Security"),
    ("Other", "P0200: Model issues", "Performance"),
])
def test_category_sets_the_sep_code_and_its_risk_domain(category, sep, risk_domain):
    body = to_avid_json(complete_report(category), username="u", settings=make_settings())

    assert body["impact"]["avid"]["sep_view"] == [sep]
    assert body["impact"]["avid"]["risk_domain"] == [risk_domain]


def test_credit_is_a_list_with_name_and_email_only_when_given():
    settings = make_settings()
    report = complete_report()

    anonymous = to_avid_json(report, username="brave-otter", settings=settings)
    named = to_avid_json(report, username="brave-otter", name=" Ada L ", email="ada@example.org",
                         settings=settings)

    assert anonymous["credit"] == [{"lang": "eng", "value": "Username: brave-otter"}]
    assert [entry["value"] for entry in named["credit"]] == [
        "Username: brave-otter", "Name: Ada L", "Email: ada@example.org"]


@pytest.mark.parametrize("email", ["not-an-email", "a@b", "a b@example.org"])
def test_an_unusable_email_is_refused(email):
    with pytest.raises(ValueError, match="email"):
        to_avid(complete_report(), username="u", email=email, settings=make_settings())


def test_each_evidence_item_is_a_static_threshold_metric_with_text_values():
    report = complete_report(item_ids=(11, 12, 13))

    body = to_avid_json(report, username="u", settings=make_settings())

    assert len(body["metrics"]) == 3
    metric = body["metrics"][0]
    assert metric["name"] == "Acme comment filter"
    assert metric["detection_method"] == {"type": "Static Threshold",
                                          "name": "Individual example from an end-user audit"}
    assert metric["results"] == {
        "item_id": "11", "topic": "3_game_team_play_season", "comment": report.evidence[0].comment,
        "system_rating": "3.25", "system_decision": "Toxic", "predicted_rating": "0.50",
        "predicted_decision": "Non-toxic", "error_type": "System may be over-sensitive"}


def test_evidence_without_a_prediction_leaves_those_results_out():
    report = complete_report(evidence=[evidence_entry(1, predicted_rating=None, predicted_decision=None)])

    results = to_avid_json(report, username="u", settings=make_settings())["metrics"][0]["results"]

    assert "predicted_rating" not in results and "predicted_decision" not in results
    assert results["system_rating"] == "3.25"


def test_affected_artifact_developer_and_deployer_come_from_settings():
    affects = to_avid_json(complete_report(), username="u", settings=make_settings())["affects"]

    assert affects == {"developer": ["Acme AI"], "deployer": ["Acme Forums"],
                       "artifacts": [{"type": "System", "name": "Acme comment filter"}]}


def test_problem_type_is_a_detection_naming_the_audit():
    problem = to_avid_json(complete_report(), username="u", settings=make_settings())["problemtype"]

    assert problem["type"] == "Detection"
    assert problem["classof"] in ("Third-party Report", "Undefined")
    assert "End-user audit of Acme comment filter" in problem["description"]["value"]


def test_an_artifact_type_avid_does_not_know_is_a_value_error():
    with pytest.raises(ValueError):
        to_avid(complete_report(), username="u", settings=make_settings(avid_artifact_type="Gadget"))


@pytest.mark.parametrize("change", [{"evidence": []}, {"summary": " "}, {"category": ""}])
def test_an_incomplete_report_is_refused(change):
    with pytest.raises(ValueError, match="not complete"):
        to_avid(complete_report(**change), username="u", settings=make_settings())


def test_export_gives_one_avid_document_per_report_and_refuses_incomplete_ones():
    settings = make_settings()
    reports = [complete_report("Accuracy"), complete_report("Toxicity")]

    exported = export_avid_json(reports, "u", settings)

    assert [doc["impact"]["avid"]["sep_view"] for doc in exported] == [["P0204: Accuracy"], ["E0301: Toxicity"]]
    with pytest.raises(ValueError, match="not complete"):
        export_avid_json([complete_report(summary="")], "u", settings)


# The submission client

def test_submit_returns_the_id_and_sends_the_raw_api_key():
    body = to_avid_json(complete_report(), username="u", settings=make_settings())
    with FakeAvid(api_key=API_KEY) as avid:
        avid_id = submit(body, url=avid.url, api_key=API_KEY, timeout=2, retries=0)

    assert avid.issued_ids == [avid_id]
    assert avid.received == [body]


@pytest.mark.parametrize("trailing", ["", "/"])
def test_submit_joins_a_base_url_with_a_path_and_accepts_an_id_object(trailing):
    body = to_avid_json(complete_report(), username="u", settings=make_settings())
    with FakeAvid(api_key=API_KEY, id_format="object", path_prefix="/api/v1") as avid:
        avid_id = submit(body, url=avid.url + trailing, api_key=API_KEY, timeout=2, retries=0)

    assert avid.issued_ids == [avid_id]


def test_a_body_avid_rejects_is_reported_and_not_retried():
    invalid = {"credit": {"lang": "eng", "value": "Username: u"}}
    with FakeAvid(api_key=API_KEY) as avid:
        with pytest.raises(AvidError, match="invalid"):
            submit(invalid, url=avid.url, api_key=API_KEY, timeout=2, retries=2)

    assert avid.request_count == 1


def test_a_wrong_api_key_is_reported_and_not_retried():
    body = to_avid_json(complete_report(), username="u", settings=make_settings())
    with FakeAvid(api_key=API_KEY) as avid:
        with pytest.raises(AvidError, match="API key"):
            submit(body, url=avid.url, api_key="wrong", timeout=2, retries=2)

    assert avid.request_count == 1


def test_a_url_that_is_not_http_is_an_avid_error():
    with pytest.raises(AvidError, match="not an http"):
        submit({}, url="ftp://avid.example", api_key=API_KEY, timeout=1, retries=0)


# Submitting reports

def test_submitting_a_report_stores_avids_id_on_it():
    report = complete_report()
    updates = []
    with FakeAvid(api_key=API_KEY) as avid:
        [result] = submit_reports([report], username="brave-otter", name="Ada", email=None,
                                  settings=avid_settings(avid),
                                  on_update=lambda report_id, sub: updates.append((report_id, sub.state)))

    assert result.state == "submitted"
    assert result.avid_id == avid.issued_ids[0]
    assert result.submission.state == "submitted" and result.submission.avid_id == result.avid_id
    assert result.submission.attempts == 1 and result.submission.submitted_at
    assert updates == [(report.id, "queued"), (report.id, "submitted")]
    assert avid.received[0]["credit"][1] == {"lang": "eng", "value": "Name: Ada"}


def test_server_errors_are_retried_until_avid_recovers():
    with FakeAvid(api_key=API_KEY, behaviour="fail-first", failures=2) as avid:
        [result] = submit_reports([complete_report()], username="u", settings=avid_settings(avid, avid_retries=2))

    assert result.state == "submitted"
    assert avid.request_count == 3 and len(avid.received) == 1


def test_server_errors_beyond_the_retries_fail_with_the_status():
    with FakeAvid(api_key=API_KEY, behaviour="fail-first", failures=5) as avid:
        [result] = submit_reports([complete_report()], username="u", settings=avid_settings(avid, avid_retries=1))

    assert result.state == "failed" and result.submission.state == "failed"
    assert "HTTP 500" in result.reason and "tried 2 times" in result.reason
    assert avid.request_count == 2


def test_a_hanging_avid_fails_with_a_timeout_reason():
    with FakeAvid(api_key=API_KEY, behaviour="hang", hang_seconds=3) as avid:
        started = time.monotonic()
        [result] = submit_reports([complete_report()], username="u",
                                  settings=avid_settings(avid, avid_timeout_seconds=SHORT_TIMEOUT))
        elapsed = time.monotonic() - started

    assert result.state == "failed"
    assert result.reason.startswith("AVID did not answer within 0.3 s")
    assert elapsed < 2


def test_a_refused_connection_fails_with_a_reason():
    settings = make_settings(avid_api_url=refused_url(), avid_api_key=API_KEY, avid_retries=1)

    [result] = submit_reports([complete_report()], username="u", settings=settings)

    assert result.state == "failed"
    assert result.reason.startswith("could not connect to AVID")


def test_a_malformed_answer_fails_with_a_reason_and_is_not_retried():
    with FakeAvid(api_key=API_KEY, behaviour="malformed") as avid:
        [result] = submit_reports([complete_report()], username="u", settings=avid_settings(avid, avid_retries=2))

    assert result.state == "failed" and "not valid JSON" in result.reason
    assert avid.request_count == 1


def test_a_report_avid_acknowledged_is_never_sent_twice():
    report = complete_report()
    with FakeAvid(api_key=API_KEY) as avid:
        settings = avid_settings(avid)
        [first] = submit_reports([report], username="u", settings=settings)
        stored = report.model_copy(update={"submission": first.submission})
        [second] = submit_reports([stored], username="u", settings=settings)

    assert second.state == "already submitted"
    assert second.avid_id == first.avid_id and second.submission == first.submission
    assert len(avid.received) == 1 and avid.request_count == 1


@pytest.mark.parametrize("state", ["queued", "failed"])
def test_a_queued_or_failed_report_is_sent_again(state):
    report = complete_report(submission={"state": state, "attempts": 1, "reason": "earlier outage"})
    with FakeAvid(api_key=API_KEY) as avid:
        [result] = submit_reports([report], username="u", settings=avid_settings(avid))

    assert result.state == "submitted"
    assert result.submission.attempts == 2 and result.submission.reason is None
    assert len(avid.received) == 1


def test_an_incomplete_report_is_refused_while_the_others_are_sent():
    incomplete = complete_report(summary="")
    complete = complete_report()
    with FakeAvid(api_key=API_KEY) as avid:
        results = submit_reports([incomplete, complete], username="u", settings=avid_settings(avid))

    assert [result.state for result in results] == ["failed", "submitted"]
    assert "a summary" in results[0].reason
    assert results[0].submission.state == "draft"
    assert len(avid.received) == 1


def test_a_bad_email_is_refused_before_anything_is_sent():
    with FakeAvid(api_key=API_KEY) as avid:
        with pytest.raises(ValueError, match="email"):
            submit_reports([complete_report()], username="u", email="nope", settings=avid_settings(avid))

    assert avid.request_count == 0


@pytest.mark.parametrize("missing", ["avid_api_url", "avid_api_key"])
def test_without_avid_settings_submission_is_disabled(missing):
    values = {"avid_api_url": "http://127.0.0.1:9", "avid_api_key": API_KEY}
    del values[missing]

    with pytest.raises(AvidDisabled):
        submit_reports([complete_report()], username="u", settings=make_settings(**values))


def test_submission_state_changes_are_stored_in_order_for_failures_too():
    updates: list[tuple[str, Submission]] = []
    settings = make_settings(avid_api_url=refused_url(), avid_api_key=API_KEY)

    submit_reports([complete_report()], username="u", settings=settings,
                   on_update=lambda report_id, sub: updates.append((report_id, sub)))

    assert [sub.state for _, sub in updates] == ["queued", "failed"]
    assert updates[1][1].attempts == 1 and updates[1][1].reason
