"""A user's audit reports: scaffolds to start from, revisioned saves, AVID submission and export.

A user has one list of reports, across models: each report says which model (and version) it was
started with, and one written before any model stays in the list after training. Lists kept per
model by earlier versions are moved into it when the reports are loaded.

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
from indielabel.storage.probes import ProbeHistory
from indielabel.storage.reports import Report, ReportError, Submission, is_complete, now_iso, validate_reports
from indielabel.storage.store import StaleRevision

FIXED_TOPICS_PER_DIRECTION = 3
SENT_STATES = ("queued", "submitted", "unconfirmed")
DATASET_EVIDENCE_FIELDS = ("comment", "topic", "system_rating", "system_decision")
FROZEN_FIELDS = {"title", "error_type", "evidence", "summary", "category", "amends"}
# Room in a request for everything but the reports (user, model, revision) and one more comment.
SIZE_MARGIN_BYTES = 100_000


def load(service: AuditService, user: str, model: str | None, scaffold: str) -> dict:
    """Saved reports, or (nothing saved yet) a scaffold to start from at revision 0."""
    revision, reports = _user_reports(service, user)
    if revision > 0:
        outbox.refresh_review_status(service.store, service.settings, user, None, reports)
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
    reports = [_with_dataset_evidence(service, user, report, position) for position, report in enumerate(reports)]
    _, stored = service.store.load_reports(user, None)
    _refuse_changes_to_sent_reports(stored, reports)
    documents = _with_server_fields(service, user, model, reports, {r["id"]: r for r in stored})
    _refuse_unsendable_size(documents, service.settings.max_request_bytes)
    try:
        new_revision = service.store.save_reports(user, None, documents, revision)
    except StaleRevision as stale:
        raise ConflictError("these reports were changed elsewhere (another tab?) since you loaded them",
                            field="revision",
                            detail={"current": {"revision": stale.current_revision,
                                                "reports": stale.current_reports}}) from stale
    return {"revision": new_revision, "saved_at": now_iso(), "reports": documents}


def _user_reports(service: AuditService, user: str) -> tuple[int, list[dict]]:
    """The user's one list of reports, after moving in any list an earlier version kept per model."""
    for model in service.store.list_models(user):
        _, kept = service.store.load_reports(user, model)
        if kept:
            def add(reports: list[dict], kept=kept, model=model) -> list[dict]:
                known = {report["id"] for report in reports}
                return reports + [{**report, "model": report.get("model") or model} for report in kept
                                  if report["id"] not in known]

            # Added first, then cleared: a crash in between leaves copies that the next load skips.
            service.store.update_reports(user, None, add)
            service.store.update_reports(user, model, lambda reports: [])
    return service.store.load_reports(user, None)


def _with_server_fields(service: AuditService, user: str, model: str | None, reports: list[Report],
                        stored: dict[str, dict]) -> list[dict]:
    """The documents to store: the submission state and the model a report was started with are the
    server's (kept from storage; a new report gets the model it is saved with)."""
    new_version = None
    documents = []
    for report in reports:
        document = report.model_dump(mode="json")
        previous = stored.get(report.id, {})
        document["submission"] = previous.get("submission") or Submission().model_dump(mode="json")
        if report.id in stored:
            document["model"], document["model_version"] = previous.get("model"), previous.get("model_version")
        else:
            if model and new_version is None:
                new_version = service.store.latest_version(user, model).number
            document["model"], document["model_version"] = model, new_version
        documents.append(document)
    return documents


def _with_dataset_evidence(service: AuditService, user: str, report: Report, position: int) -> Report:
    """``report`` with each evidence item's comment, topic and system rating taken from the dataset, or
    for a comment the auditor wrote from their own probe history (the client's copy may be stale or
    made up); an id that neither holds is a 400 naming it."""
    if not report.evidence:
        return report
    probes = ProbeHistory(service.store.root).by_id(user) if any(e.written_by_auditor for e in report.evidence) else {}
    item_ids = [entry.item_id for entry in report.evidence if not entry.written_by_auditor]
    rows = service.item_positions.get_indexer(item_ids)
    # As the comment table shows them (ratings to 2 places), so saved evidence matches what was added.
    shown = dict(zip([item_id for item_id, row in zip(item_ids, rows) if row >= 0],
                     audit_utils.comment_records(service.frame.iloc[rows[rows >= 0]])))
    evidence = []
    for index, entry in enumerate(report.evidence):
        source = (probes if entry.written_by_auditor else shown).get(entry.item_id)
        if source is None:
            where = "one of the comments you wrote" if entry.written_by_auditor else "a comment of this dataset"
            raise InputError(f"evidence item {entry.item_id} is not {where}",
                             field=f"reports[{position}].evidence[{index}].item_id")
        evidence.append(entry.model_copy(update={field: source[field] for field in DATASET_EVIDENCE_FIELDS}))
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


def submit(service: AuditService, user: str, report_ids: list[str], credit: convert.Credit) -> dict:
    """Queue the chosen complete reports for AVID; they are sent in the background (the answer says
    which were queued), and each one's state is stored as it changes."""
    if not service.settings.avid_enabled:
        raise UnavailableError("AVID submission is off on this server; download your reports as AVID JSON "
                               "instead", detail={"download": "/export_avid_reports"})
    try:
        context = avid_context(service, user)
        results = outbox.queue_stored(service.store, service.settings, context, user, None, report_ids, credit)
    except outbox.UnknownReport as error:
        raise NotFoundError(f"{error}; save your reports first", field="report_ids") from error
    except convert.SyntheticDataset as error:
        raise InputError(str(error), field="dataset", detail={"download": "/export_avid_reports"}) from error
    except ValueError as error:
        raise InputError(str(error)) from error
    revision, reports = service.store.load_reports(user, None)
    return {"results": [r.model_dump(mode="json", exclude={"submission"}) for r in results],
            "revision": revision, "reports": reports}


def export(service: AuditService, user: str) -> str:
    """Every complete report as AVID JSON lines: the download, also for synthetic data (marked so)."""
    _, stored = _user_reports(service, user)
    complete = [report for report in (Report.model_validate(r) for r in stored) if is_complete(report)]
    if not complete:
        raise NotFoundError("no complete report to export: a report needs a title, evidence, a summary and a category")
    try:
        return convert.avid_json_lines(complete, avid_context(service, user))
    except ValueError as error:
        raise InputError(str(error)) from error


def avid_context(service: AuditService, user: str) -> convert.AuditContext:
    """The system and dataset the reports are about, and each report's figures on its main topic
    under the model it was started with (none for a report started before any model)."""
    context = convert.AuditContext.from_settings(service.settings, service.data.meta)
    _, stored = service.store.load_reports(user, None)
    figures = {}
    for model in {document.get("model") for document in stored} - {None}:
        try:
            frame = service.audit_frame(user, model)
        except NotFoundError:
            continue  # the model is gone: its reports go without figures
        overview = audit_utils.topic_overview(frame, service.topic_labels).set_index("key")
        for document in stored:
            if document.get("model") == model and (figure := _figures(document, overview)) is not None:
                figures[document["id"]] = figure
    return context.with_figures(figures)


def _figures(document: dict, overview) -> convert.ReportFigures | None:
    topics = Counter(entry["topic"] for entry in document.get("evidence") or [])
    if not topics or (topic := topics.most_common(1)[0][0]) not in overview.index:
        return None
    row = overview.loc[topic]
    return convert.ReportFigures(topic=str(row["label"]), comments=int(row["n_comments"]),
                                 under_sensitive=int(row["n_under"]), over_sensitive=int(row["n_over"]))
