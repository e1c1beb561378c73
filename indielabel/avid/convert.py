"""IndieLabel reports as AVID reports that read like the ones AVID publishes.

``to_avid_json(report, context)`` is the one conversion, for submission, the auditor's download and
the organizer's exports alike; ``avid_json_lines`` writes several as JSON lines (one report a line,
what AVID's publishing scripts read). ``AuditContext.from_settings`` names the system under audit and
the dataset from the organizer's configuration and the dataset's own description.

What a report says, following AVID's published reports and its editors' conventions:
- ``affects``: the system under audit (and the dataset) as artifacts, developer and deployer as
  configured; the audit tool is not the deployer.
- ``problemtype``: the auditor's title as its description (AVID's headline, at most 230 characters),
  ``classof`` "Third-party Report", ``type`` "Issue".
- ``description``: the auditor's summary and one sentence on how the evidence was found.
- ``metrics``: one metric with the evidence as rows and the report's figures.
- ``references``: the IndieLabel paper, and the system and dataset where their addresses are known.
- ``credit``: one entry, the name given or "Anonymous", with the email only if the auditor chose to
  publish it.
"""

from __future__ import annotations

import copy
import json
import warnings
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from indielabel.config import Settings
from indielabel.data.dataset import TOXIC_THRESHOLD
from indielabel.storage.reports import Evidence, Report, missing_for_completion

with warnings.catch_warnings():
    # avidtools 0.1.2 declares pydantic-1 style Config classes, which pydantic 2 warns about on import.
    # Import avidtools through this module (e.g. ``AvidReport``) to keep those warnings out of logs.
    warnings.simplefilter("ignore")
    from avidtools.datamodels import components as avid_components
    from avidtools.datamodels import enums as avid_enums
    from avidtools.datamodels import report as avid_report

AvidReport = avid_report.Report

# Several SEP codes where a category covers more than one: a toxicity finding about an error
# direction is also a model issue, a bias finding is about group fairness.
CATEGORY_SEP = {
    "Toxicity": (avid_enums.SepEnum.E0301,),
    "Bias/Discrimination": (avid_enums.SepEnum.E0100, avid_enums.SepEnum.E0101),
    "Accuracy": (avid_enums.SepEnum.P0204,),
    "Adversarial Example": (avid_enums.SepEnum.S0403,),
    "Other": (avid_enums.SepEnum.P0200,),
}
SEP_RISK_DOMAIN = {"S": "Security", "E": "Ethics", "P": "Performance"}
TAXONOMY_VERSION = "0.2"
# avidtools 0.2 and later define this class; 0.1.2 (pinned) does not, so the model is built with
# "Undefined" and the JSON carries the class AVID's newer models and editors use.
THIRD_PARTY_CLASS = "Third-party Report"
MAX_HEADLINE_CHARS = 230
MAX_CREDIT_CHARS = 200
ANONYMOUS = "Anonymous"
PAPER = {
    "label": "Lam et al., End-User Audits: A System Empowering Communities to Lead Large-Scale Investigations "
             "of Harmful Algorithmic Behavior (CSCW 2022)",
    "url": "https://doi.org/10.1145/3555625",
}
METRIC_NAME = "End-user audit: system decisions against the auditor's own"
# Marks an example the auditor wrote to test the system, so readers never take it for real traffic.
AUDITOR_ORIGIN = "written by the auditor"
DETECTION_NAME = (f"Comments where the system's decision (toxic above {TOXIC_THRESHOLD:g} on a 0-4 scale) "
                  "differs from the auditor's, as predicted by their personal model")


class SyntheticDataset(ValueError):
    """The audit ran on synthetic data: its findings are about no real people and are not sent to AVID."""


@dataclass(frozen=True)
class SystemUnderAudit:
    name: str
    artifact_type: str = "Model"
    url: str | None = None
    developer: tuple[str, ...] = ()
    deployer: tuple[str, ...] = ()


@dataclass(frozen=True)
class DatasetReference:
    name: str
    synthetic: bool
    url: str | None = None


@dataclass(frozen=True)
class Credit:
    """Who is credited: ``name`` (blank: Anonymous); ``email`` is published only with ``publish_email``."""

    name: str | None = None
    email: str | None = None
    publish_email: bool = False


@dataclass(frozen=True)
class ReportFigures:
    """How the system does on the report's topic for this auditor (from their personal model)."""

    topic: str
    comments: int
    under_sensitive: int
    over_sensitive: int

    @property
    def wrong(self) -> int:
        return self.under_sensitive + self.over_sensitive


@dataclass(frozen=True)
class AuditContext:
    system: SystemUnderAudit
    dataset: DatasetReference
    lang: str = "eng"
    figures: dict[str, ReportFigures] = field(default_factory=dict)

    @classmethod
    def from_settings(cls, settings: Settings, dataset_meta: dict) -> AuditContext:
        """The system and dataset as the organizer configured them, else as the dataset describes them.

        Raises ValueError when nothing names the system under audit (a placeholder would misreport).
        """
        system_name = settings.avid_system_name or dataset_meta.get("system")
        if not system_name:
            raise ValueError("the system under audit has no name: the organizer sets INDIELABEL_AVID_SYSTEM_NAME")
        system = SystemUnderAudit(name=system_name, artifact_type=settings.avid_system_type,
                                  url=settings.avid_system_url, developer=tuple(settings.avid_developer),
                                  deployer=tuple(settings.avid_deployer))
        dataset = DatasetReference(name=settings.avid_dataset_name or dataset_meta.get("name") or settings.dataset,
                                   synthetic=dataset_meta.get("source") == "synthetic",
                                   url=settings.avid_dataset_url or dataset_meta.get("url"))
        return cls(system=system, dataset=dataset, lang=settings.avid_lang)

    def with_figures(self, figures: dict[str, ReportFigures]) -> AuditContext:
        return AuditContext(self.system, self.dataset, self.lang, figures)


def headline_problem(report: Report) -> str | None:
    """Why ``report`` cannot go to AVID as it is (incomplete, headline too long), or None."""
    missing = missing_for_completion(report)
    if missing:
        return f"report {report.id} is not complete: it needs " + ", ".join(missing)
    if len(report.title.strip()) > MAX_HEADLINE_CHARS:
        return f"the title of report {report.id} is longer than {MAX_HEADLINE_CHARS} characters (AVID's headline)"
    return None


def to_avid(report: Report, context: AuditContext, credit: Credit = Credit()) -> AvidReport:
    """The AVID report for a complete audit report, validated by avidtools' models.

    Raises ValueError for an incomplete report, a title longer than AVID's headline, an unusable name
    or email, or settings AVID's model rejects (e.g. an unknown artifact type).
    """
    problem = headline_problem(report)
    if problem:
        raise ValueError(problem)
    lang = context.lang
    seps = CATEGORY_SEP[report.category]
    return AvidReport(
        affects=_affects(context),
        problemtype=avid_components.Problemtype(
            classof=avid_enums.ClassEnum.na, type=avid_enums.TypeEnum.issue,
            description=avid_components.LangValue(lang=lang, value=report.title.strip())),
        description=avid_components.LangValue(lang=lang, value=_description(report, context)),
        metrics=[_metric(report, context.figures.get(report.id))],
        references=[avid_components.Reference(type="source", **reference) for reference in _references(context)],
        impact=avid_components.Impact(avid=avid_components.AvidTaxonomy(
            vuln_id=None,
            risk_domain=sorted({SEP_RISK_DOMAIN[sep.value[0]] for sep in seps}),
            sep_view=list(seps),
            lifecycle_view=[avid_enums.LifecycleEnum.L05],
            taxonomy_version=TAXONOMY_VERSION,
        )),
        credit=[avid_components.LangValue(lang=lang, value=credit_line(credit))],
        reported_date=date.today(),
    )


def to_avid_json(report: Report, context: AuditContext, credit: Credit = Credit()) -> dict[str, Any]:
    """The JSON AVID receives for ``report`` (see ``to_avid``); check it with ``validate_avid_json``."""
    body = to_avid(report, context, credit).model_dump(mode="json", exclude_none=True)
    body["problemtype"]["classof"] = THIRD_PARTY_CLASS
    # avidtools 0.1.2 under pydantic 2 requires the vuln_id key (Optional without a default).
    body["impact"]["avid"]["vuln_id"] = None
    return body


def validate_avid_json(body: Any) -> AvidReport:
    """``body`` checked against avidtools' Report model; ValidationError if AVID's model rejects it.

    "Third-party Report" is accepted as ``classof`` with avidtools versions that predate it.
    """
    checked = copy.deepcopy(body)
    problem = checked.get("problemtype") if isinstance(checked, dict) else None
    known = {member.value for member in avid_enums.ClassEnum}
    if isinstance(problem, dict) and problem.get("classof") == THIRD_PARTY_CLASS and THIRD_PARTY_CLASS not in known:
        problem["classof"] = avid_enums.ClassEnum.na.value
    return AvidReport.model_validate(checked)


def avid_json_lines(reports: Iterable[Report], context: AuditContext, credit: Credit = Credit()) -> str:
    """Each complete report as AVID JSON, one a line; ValueError names a report that cannot be converted."""
    return "".join(json.dumps(to_avid_json(report, context, credit), ensure_ascii=False) + "\n"
                   for report in reports)


def refuse_synthetic(context: AuditContext) -> None:
    """Raise SyntheticDataset when the audit's dataset is synthetic (such reports stay downloads)."""
    if context.dataset.synthetic:
        raise SyntheticDataset(f"the dataset {context.dataset.name!r} is synthetic (made-up comments and simulated "
                               "raters), so its findings are not sent to AVID; download them instead")


def credit_line(credit: Credit) -> str:
    """The one credit entry AVID publishes. Raises ValueError for an unusable name or email."""
    name = _credit_text(credit.name, "name") or ANONYMOUS
    email = _credit_text(credit.email, "email")
    if email:
        local, _, domain = email.partition("@")
        if not local or "." not in domain or any(space in email for space in " \t\r\n"):
            raise ValueError("the email address does not look like name@example.org")
    return f"{name} <{email}>" if email and credit.publish_email else name


def _credit_text(value: str | None, label: str) -> str:
    text = (value or "").strip()
    if len(text) > MAX_CREDIT_CHARS:
        raise ValueError(f"the {label} is longer than {MAX_CREDIT_CHARS} characters")
    return text


def _affects(context: AuditContext) -> avid_components.Affects:
    dataset_name = context.dataset.name + (" (synthetic)" if context.dataset.synthetic else "")
    return avid_components.Affects(
        developer=list(context.system.developer), deployer=list(context.system.deployer),
        artifacts=[avid_components.Artifact(type=context.system.artifact_type, name=context.system.name),
                   avid_components.Artifact(type=avid_enums.ArtifactTypeEnum.dataset, name=dataset_name)])


def _description(report: Report, context: AuditContext) -> str:
    direction = {"under-sensitive": "does not flag comments the auditor finds toxic",
                 "over-sensitive": "flags comments the auditor finds acceptable"}.get(report.error_type)
    method = (f"Found with IndieLabel, an end-user audit: the auditor rated comments of the dataset "
              f"{context.dataset.name}, a personal model extended their ratings to the rest, and "
              f"{len(report.evidence)} comment(s) where {context.system.name} decides otherwise are the evidence"
              + (f"; the system {direction}." if direction else "."))
    synthetic = ("SYNTHETIC DATA: the comments and raters are simulated; this is not a finding about real "
                 "people.\n\n" if context.dataset.synthetic else "")
    amends = f" It amends IndieLabel report {report.amends}, sent to AVID earlier." if report.amends else ""
    return f"{synthetic}{report.summary.strip()}\n\n{method}{amends}"


def _metric(report: Report, figures: ReportFigures | None) -> avid_components.Metric:
    # AVID's database stores result values as strings, so numbers are sent as text.
    results: dict[str, Any] = {"evidence": [_evidence_row(entry) for entry in report.evidence],
                               "evidence_count": str(len(report.evidence)),
                               "topics": [topic for topic, _ in Counter(e.topic for e in report.evidence).most_common()]}
    if figures is not None:
        results.update({"topic": figures.topic, "topic_comments": str(figures.comments),
                        "system_wrong_for_auditor": str(figures.wrong),
                        "system_under_sensitive": str(figures.under_sensitive),
                        "system_over_sensitive": str(figures.over_sensitive),
                        "system_wrong_share": f"{figures.wrong / max(figures.comments, 1):.3f}"})
    return avid_components.Metric(
        name=METRIC_NAME,
        detection_method=avid_components.Detection(type=avid_enums.MethodEnum.thres, name=DETECTION_NAME),
        results=results)


def _evidence_row(entry: Evidence) -> dict[str, str]:
    row = {"item_id": str(entry.item_id), "topic": entry.topic, "comment": entry.comment,
           "system_rating": _rating_text(entry.system_rating), "system_decision": entry.system_decision,
           "predicted_rating": _rating_text(entry.predicted_rating), "predicted_decision": entry.predicted_decision,
           "error_type": entry.error_type}
    if entry.written_by_auditor:
        row.update(item_id=f"probe-{entry.item_id}", origin=AUDITOR_ORIGIN)
    return {key: value for key, value in row.items() if value is not None}


def _rating_text(rating: float | None) -> str | None:
    return None if rating is None else f"{rating:.2f}"


def _references(context: AuditContext) -> list[dict[str, str]]:
    references = [PAPER]
    if context.system.url:
        references.append({"label": f"The audited system: {context.system.name}", "url": context.system.url})
    if context.dataset.url:
        references.append({"label": f"The dataset: {context.dataset.name}", "url": context.dataset.url})
    return references

