"""A user's audit reports: scaffolds to start from, revisioned saves, AVID submission and export.

The server owns each report's submission state: a client can edit a report's content but never
mark it submitted, so a report AVID acknowledged is never sent twice.
"""

from __future__ import annotations

import audit_utils
from indielabel.audit.service import AuditService
from indielabel.avid import api as avid
from indielabel.avid import outbox
from indielabel.errors import ConflictError, InputError, NotFoundError, UnavailableError
from indielabel.storage.reports import Report, ReportError, Submission, is_complete, now_iso, validate_reports
from indielabel.storage.store import StaleRevision

FIXED_TOPICS_PER_DIRECTION = 3


def load(service: AuditService, user: str, model: str | None, scaffold: str) -> dict:
    """Saved reports, or (nothing saved yet) a scaffold to start from at revision 0."""
    revision, reports = service.store.load_reports(user, model)
    if revision > 0:
        return {"revision": revision, "reports": reports, "scaffold": None}
    return {"revision": 0, "reports": [r.model_dump(mode="json") for r in scaffold_reports(service, user, model,
                                                                                            scaffold)],
            "scaffold": scaffold}


def scaffold_reports(service: AuditService, user: str, model: str | None, scaffold: str) -> list[Report]:
    if scaffold == "prompts":
        return [Report(title=question) for question in audit_utils.PROMPT_QUESTIONS]
    if scaffold in ("personal", "personal_group"):
        model_name = model if scaffold == "personal" else _latest_group_model(service, user)
        if not model_name:
            raise InputError("train a model first: the personal scaffold is made from your predictions",
                             field="model")
        return _topic_reports(service, audit_utils.scaffold_topics(service.audit_frame(user, model_name)))
    if scaffold == "fixed":
        return _topic_reports(service, audit_utils.scaffold_topics(service.crowd_frame(), FIXED_TOPICS_PER_DIRECTION))
    if scaffold == "tutorial":
        over = [pair for pair in audit_utils.scaffold_topics(service.crowd_frame(), 1)
                if pair[1] == audit_utils.OVER]
        return _topic_reports(service, over[:1]) or [Report()]
    return [Report()]


def _latest_group_model(service: AuditService, user: str) -> str | None:
    groups = service.models_of(user, kind="group")
    return groups[-1] if groups else None


def _topic_reports(service: AuditService, pairs: list[tuple[str, str]]) -> list[Report]:
    """A report per (topic, error type), titled with the topic's readable label (the audit opens it by that)."""
    return [Report(title=f"Topic: {service.topic_labels[topic]}", error_type=error_type) for topic, error_type in pairs]


def save(service: AuditService, user: str, model: str | None, revision: int, payload: list[dict]) -> dict:
    """Save the whole list of reports if nobody saved since ``revision``; 409 with theirs otherwise."""
    try:
        reports = validate_reports(payload)
    except ReportError as error:
        raise InputError(error.message, field=error.field) from error
    if model:
        service.model_view(user, model)  # an unknown model is a 404, not an empty save
    _, stored = service.store.load_reports(user, model)
    # Submission states are the server's: a report put back after its deletion keeps the one it had.
    stored_submissions = {**service.store.departed_submissions(user, model),
                          **{r["id"]: r["submission"] for r in stored if r.get("submission")}}
    documents = []
    for report in reports:
        document = report.model_dump(mode="json")
        document["submission"] = stored_submissions.get(report.id) or Submission().model_dump(mode="json")
        documents.append(document)
    kept = {report.id for report in reports}
    departed = {r["id"]: r["submission"] for r in stored
                if r["id"] not in kept and (r.get("submission") or {}).get("state", "draft") != "draft"}
    try:
        new_revision = service.store.save_reports(user, model, documents, revision, departed)
    except StaleRevision as stale:
        raise ConflictError("these reports were changed elsewhere (another tab?) since you loaded them",
                            field="revision",
                            detail={"current": {"revision": stale.current_revision,
                                                "reports": stale.current_reports}}) from stale
    return {"revision": new_revision, "saved_at": now_iso(), "reports": documents}


def submit(service: AuditService, user: str, model: str | None, report_ids: list[str],
           name: str | None, email: str | None) -> dict:
    """Send the chosen complete reports to AVID, recording each one's state as it changes."""
    if not service.settings.avid_enabled:
        raise UnavailableError("AVID submission is off on this server; download your reports as AVID JSON "
                               "instead", detail={"download": "/export_avid_reports"})
    try:
        results = outbox.submit_stored(service.store, service.settings, user, model, report_ids,
                                       name=name, email=email)
    except outbox.UnknownReport as error:
        raise NotFoundError(f"{error}; save your reports first", field="report_ids") from error
    except ValueError as error:
        raise InputError(str(error)) from error
    revision, reports = service.store.load_reports(user, model)
    return {"results": [r.model_dump(mode="json", exclude={"submission"}) for r in results],
            "revision": revision, "reports": reports}


def export(service: AuditService, user: str, model: str | None) -> list[dict]:
    """Every complete report as AVID JSON: the download offered when submission is off."""
    _, stored = service.store.load_reports(user, model)
    complete = [report for report in (Report.model_validate(r) for r in stored) if is_complete(report)]
    if not complete:
        raise NotFoundError("no complete report to export: a report needs evidence, a summary and a category")
    return avid.export_avid_json(complete, user, service.settings)
