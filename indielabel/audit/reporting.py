"""A user's audit reports: scaffolds to start from, revisioned saves, AVID submission and export.

The server owns each report's submission state: a client can edit a report's content but never
mark it submitted, so a report AVID acknowledged is never sent twice.
"""

from __future__ import annotations

import json
from collections import Counter

import audit_utils
from indielabel.audit.service import AuditService
from indielabel.avid import convert, outbox
from indielabel.errors import ConflictError, InputError, NotFoundError, UnavailableError
from indielabel.storage.reports import Report, ReportError, Submission, is_complete, now_iso, validate_reports
from indielabel.storage.store import StaleRevision

FIXED_TOPICS_PER_DIRECTION = 3
SENT_STATES = ("queued", "submitted", "unconfirmed")
FROZEN_FIELDS = {"title", "error_type", "evidence", "summary", "category", "amends"}
# Room in a request for everything but the reports (user, model, revision) and one more comment.
SIZE_MARGIN_BYTES = 100_000


def load(service: AuditService, user: str, model: str | None, scaffold: str) -> dict:
    """Saved reports, or (nothing saved yet) a scaffold to start from at revision 0."""
    revision, reports = service.store.load_reports(user, model)
    if revision > 0:
        outbox.refresh_review_status(service.store, service.settings, user, model, reports)
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
    reports = [_with_dataset_evidence(service, report, position) for position, report in enumerate(reports)]
    stored_revision, stored = service.store.load_reports(user, model)
    _refuse_changes_to_sent_reports(stored, reports)
    stored_submissions = {r["id"]: r.get("submission", {}) for r in stored}
    documents = []
    for report in reports:
        document = report.model_dump(mode="json")
        document["submission"] = stored_submissions.get(report.id) or Submission().model_dump(mode="json")
        documents.append(document)
    _refuse_unsendable_size(documents, service.settings.max_request_bytes)
    try:
        new_revision = service.store.save_reports(user, model, documents, revision)
    except StaleRevision as stale:
        raise ConflictError("these reports were changed elsewhere (another tab?) since you loaded them",
                            field="revision",
                            detail={"current": {"revision": stale.current_revision,
                                                "reports": stale.current_reports}}) from stale
    return {"revision": new_revision, "saved_at": now_iso(), "reports": documents}


def _with_dataset_evidence(service: AuditService, report: Report, position: int) -> Report:
    """``report`` with each evidence item's comment, topic and system rating taken from the dataset
    (the client's copy may be stale or made up); an item id the dataset lacks is a 400 naming it."""
    if not report.evidence:
        return report
    item_ids = [entry.item_id for entry in report.evidence]
    rows = service.item_positions.get_indexer(item_ids)
    for index, row in enumerate(rows):
        if row < 0:
            raise InputError(f"evidence item {item_ids[index]} is not a comment of this dataset",
                             field=f"reports[{position}].evidence[{index}].item_id")
    frame = service.frame.iloc[rows]
    evidence = [entry.model_copy(update={"comment": comment, "topic": topic, "system_rating": float(rating),
                                         "system_decision": decision})
                for entry, comment, topic, rating, decision in zip(
                    report.evidence, frame["comment"], frame["topic"], frame["system_rating"],
                    frame["system_decision"])]
    return report.model_copy(update={"evidence": evidence})


def _refuse_changes_to_sent_reports(stored: list[dict], reports: list[Report]) -> None:
    """A report sent to AVID is frozen: what AVID got stays what is stored (amend it instead)."""
    incoming = {report.id: report for report in reports}
    for document in stored:
        if (document.get("submission") or {}).get("state") not in SENT_STATES:
            continue
        sent = Report.model_validate(document)
        mine = incoming.get(sent.id)
        if mine is None:
            raise InputError(f"report {sent.id!r} was sent to AVID and cannot be deleted", field="reports")
        if mine.model_dump(include=FROZEN_FIELDS) != sent.model_dump(include=FROZEN_FIELDS):
            raise InputError(f"report {sent.id!r} was sent to AVID and is read-only; amend it to change it",
                             field="reports")


def _refuse_unsendable_size(documents: list[dict], max_request_bytes: int) -> None:
    """Reports that would not fit in the next save request are refused now, with the reason."""
    size = len(json.dumps(documents, ensure_ascii=False).encode())
    limit = max_request_bytes - SIZE_MARGIN_BYTES
    if size > limit:
        raise InputError(f"these reports take {size // 1000:,} kB, more than the {limit // 1000:,} kB a save may "
                         "carry; remove some evidence or reports", field="reports")


def submit(service: AuditService, user: str, model: str | None, report_ids: list[str],
           credit: convert.Credit) -> dict:
    """Queue the chosen complete reports for AVID; they are sent in the background (the answer says
    which were queued), and each one's state is stored as it changes."""
    if not service.settings.avid_enabled:
        raise UnavailableError("AVID submission is off on this server; download your reports as AVID JSON "
                               "instead", detail={"download": "/export_avid_reports"})
    try:
        context = avid_context(service, user, model)
        results = outbox.queue_stored(service.store, service.settings, context, user, model, report_ids, credit)
    except outbox.UnknownReport as error:
        raise NotFoundError(f"{error}; save your reports first", field="report_ids") from error
    except convert.SyntheticDataset as error:
        raise InputError(str(error), field="dataset", detail={"download": "/export_avid_reports"}) from error
    except ValueError as error:
        raise InputError(str(error)) from error
    revision, reports = service.store.load_reports(user, model)
    return {"results": [r.model_dump(mode="json", exclude={"submission"}) for r in results],
            "revision": revision, "reports": reports}


def export(service: AuditService, user: str, model: str | None) -> str:
    """Every complete report as AVID JSON lines: the download, also for synthetic data (marked so)."""
    _, stored = service.store.load_reports(user, model)
    complete = [report for report in (Report.model_validate(r) for r in stored) if is_complete(report)]
    if not complete:
        raise NotFoundError("no complete report to export: a report needs a title, evidence, a summary and a category")
    try:
        return convert.avid_json_lines(complete, avid_context(service, user, model))
    except ValueError as error:
        raise InputError(str(error)) from error


def avid_context(service: AuditService, user: str, model: str | None) -> convert.AuditContext:
    """The system and dataset the reports are about, and (with a model) each report's figures on its topic."""
    context = convert.AuditContext.from_settings(service.settings, service.data.meta)
    if not model:
        return context
    _, stored = service.store.load_reports(user, model)
    overview = audit_utils.topic_overview(service.audit_frame(user, model), service.topic_labels).set_index("key")
    figures = {}
    for document in stored:
        topics = Counter(entry["topic"] for entry in document.get("evidence") or [])
        if topics and (topic := topics.most_common(1)[0][0]) in overview.index:
            row = overview.loc[topic]
            figures[document["id"]] = convert.ReportFigures(topic=str(row["label"]), comments=int(row["n_comments"]),
                                                            under_sensitive=int(row["n_under"]),
                                                            over_sensitive=int(row["n_over"]))
    return context.with_figures(figures)
