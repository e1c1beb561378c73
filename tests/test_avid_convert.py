"""AVID conversion: reports that read like AVID's published ones and validate against avidtools."""

from __future__ import annotations

import json

import pytest

from indielabel.avid.convert import (
    MAX_HEADLINE_CHARS,
    THIRD_PARTY_CLASS,
    AuditContext,
    Credit,
    DatasetReference,
    ReportFigures,
    SyntheticDataset,
    SystemUnderAudit,
    avid_json_lines,
    refuse_synthetic,
    to_avid_json,
    validate_avid_json,
)
from indielabel.config import load_settings
from indielabel.storage.reports import CATEGORIES, Report

SYSTEM = SystemUnderAudit(name="Acme comment filter", artifact_type="System", url="https://acme.example/filter",
                          developer=("Acme AI",), deployer=("Acme Forums",))
DATASET = DatasetReference(name="acme-forum-2024", synthetic=False, url="https://acme.example/data")
CONTEXT = AuditContext(system=SYSTEM, dataset=DATASET)


def evidence_entry(item_id: int, topic: str = "3_game_team_play_season") -> dict:
    return {"item_id": item_id, "comment": f"you absolute legends, what a fucking match {item_id}", "topic": topic,
            "system_rating": 3.25, "system_decision": "Toxic", "predicted_rating": 0.5,
            "predicted_decision": "Non-toxic", "error_type": "over-sensitive"}


def complete_report(category="Toxicity", error_type="over-sensitive", item_ids=(11, 12), **changes) -> Report:
    values = {"id": "r1", "title": "Praise with swearing is flagged", "error_type": error_type,
              "evidence": [evidence_entry(item_id) for item_id in item_ids],
              "summary": "Fans swearing in praise of their team get flagged as toxic.", "category": category}
    values.update(changes)
    return Report.model_validate(values)


@pytest.mark.parametrize("category", CATEGORIES)
def test_every_category_converts_to_json_lines_avids_report_model_accepts(category):
    lines = avid_json_lines([complete_report(category), complete_report(category, id="r2")], CONTEXT)

    parsed = [json.loads(line) for line in lines.splitlines()]
    assert len(parsed) == 2 and lines.endswith("\n")
    for body in parsed:
        validated = validate_avid_json(body)
        assert validated.affects.artifacts[0].name == "Acme comment filter"


def test_affects_names_the_configured_system_and_the_dataset_not_the_audit_tool():
    affects = to_avid_json(complete_report(), CONTEXT)["affects"]

    assert affects == {"developer": ["Acme AI"], "deployer": ["Acme Forums"],
                       "artifacts": [{"type": "System", "name": "Acme comment filter"},
                                     {"type": "Dataset", "name": "acme-forum-2024"}]}


def test_the_headline_is_the_title_and_the_class_is_a_third_party_issue():
    body = to_avid_json(complete_report(), CONTEXT)

    assert body["problemtype"] == {"classof": THIRD_PARTY_CLASS, "type": "Issue",
                                   "description": {"lang": "eng", "value": "Praise with swearing is flagged"}}
    assert body["description"]["value"].startswith("Fans swearing in praise of their team get flagged as toxic.")
    assert "Found with IndieLabel" in body["description"]["value"]
    assert "Title:" not in body["description"]["value"]


def test_a_title_longer_than_avids_headline_or_missing_is_refused():
    with pytest.raises(ValueError, match=f"longer than {MAX_HEADLINE_CHARS}"):
        to_avid_json(complete_report(title="x" * (MAX_HEADLINE_CHARS + 1)), CONTEXT)
    with pytest.raises(ValueError, match="a title"):
        to_avid_json(complete_report(title="  "), CONTEXT)


def test_references_cite_the_paper_the_system_and_the_dataset():
    references = to_avid_json(complete_report(), CONTEXT)["references"]

    assert [reference["url"] for reference in references] == [
        "https://doi.org/10.1145/3555625", "https://acme.example/filter", "https://acme.example/data"]


def test_bias_maps_to_several_sep_codes_of_one_risk_domain():
    avid = to_avid_json(complete_report("Bias/Discrimination"), CONTEXT)["impact"]["avid"]

    assert avid["sep_view"] == ["E0100: Bias/ Discrimination", "E0101: Group fairness"]
    assert avid["risk_domain"] == ["Ethics"] and avid["lifecycle_view"] == ["L05: Evaluation"]


def test_credit_is_one_entry_anonymous_by_default_and_the_email_only_when_published():
    report = complete_report()

    def credit(**given):
        return to_avid_json(report, CONTEXT, Credit(**given))["credit"]

    assert credit() == [{"lang": "eng", "value": "Anonymous"}]
    assert credit(name=" Ada L ", email="ada@example.org") == [{"lang": "eng", "value": "Ada L"}]
    assert credit(name="Ada L", email="ada@example.org", publish_email=True) == [
        {"lang": "eng", "value": "Ada L <ada@example.org>"}]
    with pytest.raises(ValueError, match="email"):
        credit(email="not an email")


def test_one_metric_has_the_evidence_as_rows_and_the_reports_figures():
    figures = {"r1": ReportFigures(topic="games and teams", comments=400, under_sensitive=10, over_sensitive=110)}
    [metric] = to_avid_json(complete_report(item_ids=(11, 12, 13)), CONTEXT.with_figures(figures))["metrics"]

    assert metric["detection_method"]["type"] == "Static Threshold"
    assert [row["item_id"] for row in metric["results"]["evidence"]] == ["11", "12", "13"]
    assert metric["results"]["evidence"][0]["system_rating"] == "3.25"
    assert metric["results"]["system_wrong_for_auditor"] == "120"
    assert metric["results"]["system_over_sensitive"] == "110"
    assert metric["results"]["system_wrong_share"] == "0.300"


def test_the_context_names_the_configured_system_else_the_datasets_own_and_knows_synthetic_data():
    settings = load_settings({"avid_system_name": "Acme filter", "avid_developer": ["Acme AI"]}, environ={})
    configured = AuditContext.from_settings(settings, {"name": "synthetic-small", "source": "synthetic",
                                                       "system": "profanity-check"})
    from_dataset = AuditContext.from_settings(load_settings({}, environ={}),
                                              {"name": "kumar", "source": "kumar", "system": "Perspective API"})

    assert (configured.system.name, configured.system.developer, configured.dataset.synthetic) == (
        "Acme filter", ("Acme AI",), True)
    assert (from_dataset.system.name, from_dataset.dataset.name, from_dataset.dataset.synthetic) == (
        "Perspective API", "kumar", False)
    with pytest.raises(ValueError, match="INDIELABEL_AVID_SYSTEM_NAME"):
        AuditContext.from_settings(load_settings({}, environ={}), {"name": "kumar"})


def test_a_synthetic_dataset_is_refused_for_submission_and_marked_in_the_download():
    synthetic = AuditContext(system=SYSTEM, dataset=DatasetReference(name="synthetic-small", synthetic=True))

    with pytest.raises(SyntheticDataset, match="synthetic"):
        refuse_synthetic(synthetic)
    body = json.loads(avid_json_lines([complete_report()], synthetic))
    assert body["description"]["value"].startswith("SYNTHETIC DATA")
    assert body["affects"]["artifacts"][1]["name"] == "synthetic-small (synthetic)"
    refuse_synthetic(CONTEXT)
