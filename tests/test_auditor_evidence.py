"""Evidence the auditor wrote (a probe) stays distinct from the dataset's comments: in the stored
report and in the AVID JSON."""

from __future__ import annotations

import json

import pytest

from indielabel.avid.convert import AUDITOR_ORIGIN, avid_json_lines
from indielabel.storage.reports import ReportError, validate_reports
from tests.test_avid_convert import CONTEXT

PROBE_TEXT = "we call each other that all the time"


def entry(item_id: int, written_by_auditor: bool) -> dict:
    return {"item_id": item_id, "comment": PROBE_TEXT if written_by_auditor else f"comment {item_id}",
            "topic": "3_game_team", "system_rating": 3.1, "system_decision": "Toxic", "predicted_rating": 0.6,
            "predicted_decision": "Non-toxic", "error_type": "over-sensitive",
            "written_by_auditor": written_by_auditor}


def report(*evidence) -> list[dict]:
    return [{"title": "Banter", "error_type": "over-sensitive", "evidence": list(evidence),
             "summary": "Friendly teasing is flagged.", "category": "Toxicity"}]


def test_a_probe_and_a_dataset_comment_with_the_same_number_are_both_evidence():
    stored = validate_reports(report(entry(1, False), entry(1, True)))[0]
    assert [(e.item_id, e.written_by_auditor) for e in stored.evidence] == [(1, False), (1, True)]
    with pytest.raises(ReportError, match="your comment 1 is already evidence"):
        validate_reports(report(entry(1, True), entry(1, True)))


def test_the_avid_json_marks_the_auditors_own_comment():
    exported = json.loads(avid_json_lines(validate_reports(report(entry(7, False), entry(2, True))), CONTEXT))
    rows = exported["metrics"][0]["results"]["evidence"]
    assert rows[0]["item_id"] == "7" and "origin" not in rows[0]
    assert rows[1] == {**rows[1], "item_id": "probe-2", "origin": AUDITOR_ORIGIN, "comment": PROBE_TEXT}
