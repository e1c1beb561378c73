"""The report model: validation with field paths, limits, completeness."""

from __future__ import annotations

import math
from datetime import datetime

import pytest

from indielabel.storage.reports import (
    CATEGORIES,
    MAX_EVIDENCE,
    MAX_SUMMARY_CHARS,
    MAX_TITLE_CHARS,
    Report,
    ReportError,
    is_complete,
    missing_for_completion,
    validate_reports,
)


def evidence_entry(item_id: int, **changes) -> dict:
    entry = {
        "item_id": item_id,
        "comment": f"comment {item_id}",
        "topic": "3_game_team_play_season",
        "system_rating": 3.1,
        "system_decision": "Toxic",
        "predicted_rating": 0.6,
        "predicted_decision": "Non-toxic",
        "error_type": "System may be over-sensitive",
    }
    entry.update(changes)
    return entry


def complete_report(**changes) -> dict:
    report = {
        "title": "Sports banter is flagged",
        "error_type": "over-sensitive",
        "evidence": [evidence_entry(1), evidence_entry(2)],
        "summary": "Swearing in praise of a team is treated as abuse.",
        "category": "Toxicity",
    }
    report.update(changes)
    return report


def rejection(payload) -> ReportError:
    with pytest.raises(ReportError) as caught:
        validate_reports(payload)
    return caught.value


def test_a_valid_list_of_reports_is_accepted_and_keeps_its_values():
    reports = validate_reports([complete_report(), {"title": "just started"}])

    assert [report.title for report in reports] == ["Sports banter is flagged", "just started"]
    assert [entry.item_id for entry in reports[0].evidence] == [1, 2]
    assert reports[1].submission.state == "draft"


def test_a_stored_report_validates_back_to_an_equal_report():
    original = validate_reports([complete_report()])[0]

    reloaded = validate_reports([original.model_dump(mode="json")])[0]

    assert reloaded == original


def test_a_new_report_gets_a_hex_id_iso_timestamps_and_draft_state():
    first, second = Report(), Report()

    assert first.id != second.id
    assert len(first.id) == 32 and int(first.id, 16) >= 0
    assert datetime.fromisoformat(first.created_at).tzinfo is not None
    assert first.submission.state == "draft" and first.submission.attempts == 0


def test_a_wrong_nested_value_names_its_field_path():
    payload = [complete_report(), complete_report(id="r2", evidence=[evidence_entry("seven")])]

    error = rejection(payload)

    assert error.field == "reports[1].evidence[0].item_id"
    assert "reports[1].evidence[0].item_id" in error.message
    assert isinstance(error, ValueError)


@pytest.mark.parametrize("item_id", ["3", True, 3.0])
def test_an_item_id_must_be_a_real_integer(item_id):
    error = rejection([complete_report(evidence=[evidence_entry(item_id)])])

    assert error.field == "reports[0].evidence[0].item_id"


@pytest.mark.parametrize(("field", "value"), [
    ("system_rating", 4.5), ("system_rating", -0.1), ("predicted_rating", math.nan), ("system_rating", "2.0"),
])
def test_ratings_must_be_numbers_on_the_zero_to_four_scale(field, value):
    error = rejection([complete_report(evidence=[evidence_entry(1, **{field: value})])])

    assert error.field == f"reports[0].evidence[0].{field}"


def test_an_unknown_report_field_is_rejected_by_name():
    error = rejection([complete_report(), {"titel": "typo"}])

    assert error.field == "reports[1].titel"
    assert "unknown field" in error.message


def test_an_unknown_evidence_field_is_rejected_by_name():
    error = rejection([complete_report(evidence=[evidence_entry(1, sytem_rating=2.0)])])

    assert error.field == "reports[0].evidence[0].sytem_rating"


def test_the_same_comment_twice_in_one_report_is_rejected():
    error = rejection([complete_report(evidence=[evidence_entry(5), evidence_entry(6), evidence_entry(5)])])

    assert error.field == "reports[0].evidence"
    assert "item 5" in error.message and "evidence[0]" in error.message and "evidence[2]" in error.message


def test_two_reports_with_the_same_id_are_rejected():
    error = rejection([complete_report(id="same"), complete_report(id="same")])

    assert error.field == "reports[1].id"


@pytest.mark.parametrize("report_id", ["../other-user", "a b", "", "x" * 65])
def test_a_report_id_is_a_short_safe_name(report_id):
    assert rejection([complete_report(id=report_id)]).field == "reports[0].id"


@pytest.mark.parametrize(("field", "value"), [
    ("error_type", "Both"), ("category", "Toxic"), ("created_at", "last tuesday"),
])
def test_choices_and_timestamps_are_checked(field, value):
    assert rejection([complete_report(**{field: value})]).field == f"reports[0].{field}"


def test_title_summary_and_evidence_have_limits():
    too_long_title = complete_report(title="t" * (MAX_TITLE_CHARS + 1))
    too_long_summary = complete_report(summary="s" * (MAX_SUMMARY_CHARS + 1))
    too_much_evidence = complete_report(evidence=[evidence_entry(i) for i in range(MAX_EVIDENCE + 1)])

    assert rejection([too_long_title]).field == "reports[0].title"
    assert rejection([too_long_summary]).field == "reports[0].summary"
    assert rejection([too_much_evidence]).field == "reports[0].evidence"
    assert validate_reports([complete_report(title="t" * MAX_TITLE_CHARS)])


@pytest.mark.parametrize("payload", [{"reports": []}, "reports", None])
def test_the_payload_must_be_a_list(payload):
    assert rejection(payload).field == "reports"


def test_markup_is_stored_as_plain_text():
    markup = "<img src=x onerror=alert(1)> & <b>bold</b>"

    report = validate_reports([complete_report(title=markup, summary=markup)])[0]

    assert report.title == markup and report.summary == markup


def test_a_report_with_evidence_summary_and_category_is_complete():
    report = validate_reports([complete_report()])[0]

    assert is_complete(report)
    assert missing_for_completion(report) == []


@pytest.mark.parametrize(("change", "missing"), [
    ({"evidence": []}, "at least one evidence item"),
    ({"summary": "   \n"}, "a summary"),
    ({"category": ""}, "a category"),
])
def test_a_report_missing_any_part_is_incomplete(change, missing):
    report = validate_reports([complete_report(**change)])[0]

    assert not is_complete(report)
    assert missing_for_completion(report) == [missing]


def test_the_error_type_is_not_needed_for_completeness_but_a_title_is():
    assert is_complete(validate_reports([complete_report(error_type="")])[0])
    assert missing_for_completion(validate_reports([complete_report(title=" ")])[0]) == ["a title"]


def test_every_category_is_accepted():
    reports = validate_reports([complete_report(id=f"r{i}", category=c) for i, c in enumerate(CATEGORIES)])

    assert [report.category for report in reports] == list(CATEGORIES)
