"""The AVID outbox: stored reports sent to AVID off the request thread, the review status of those
AVID has, and `python -m indielabel avid retry [--unconfirmed]` for those that did not get there.

``queue_stored`` is how the server sends: in the request, each report is claimed under the user's
lock (its stored state must still be the one read, see ``avid.claim_reports``) and stored as
``queued``; a background thread then sends them and writes every new state back. So the request
answers at once, a report that the server and a retry, or two browser tabs, submit at the same time
is sent once, and a report AVID acknowledged is never sent again.

A report stays in the outbox while its state is ``queued`` (cut off mid-send: a crash, a restart),
``failed`` (AVID surely never got it) or ``unconfirmed`` (it may have: only ``--unconfirmed`` resends
those, once the organizer has checked with AVID). Each is resent with the credit first given.
"""

from __future__ import annotations

import json
import logging
import sys
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, replace
from datetime import datetime, timedelta, timezone

from pydantic import ValidationError

from indielabel.avid import api as avid
from indielabel.avid.convert import AuditContext, Credit
from indielabel.config import Settings, load_settings
from indielabel.storage.names import NAME_PATTERN
from indielabel.storage.reports import Report, Submission, now_iso
from indielabel.storage.store import Store, StoreError

logger = logging.getLogger(__name__)

PENDING_STATES = ("queued", "failed")
REVIEW_CHECK_INTERVAL = timedelta(minutes=5)
# Two senders per process: enough for a study's submissions, and a hanging AVID holds no request thread.
_SENDERS = ThreadPoolExecutor(max_workers=2, thread_name_prefix="avid-outbox")


class UnknownReport(LookupError):
    """A report id that is not among the stored reports (never saved, or deleted meanwhile)."""

    def __init__(self, report_id: str):
        super().__init__(f"no saved report with id {report_id!r}")
        self.report_id = report_id


@dataclass(frozen=True)
class PendingReport:
    """A stored report waiting to be (re)sent; ``model`` is None for reports kept outside any model."""

    user: str
    model: str | None
    report: Report

    @property
    def where(self) -> str:
        return f"{self.user}/{self.model or '-'}/{self.report.id}"


class _StoredReports:
    """Reads and writes the submission states of one user's (and model's) stored reports."""

    def __init__(self, store: Store, user: str, model: str | None):
        self.store, self.user, self.model = store, user, model

    def chosen(self, report_ids: list[str]) -> list[Report]:
        _, stored = self.store.load_reports(self.user, self.model)
        by_id = {report["id"]: report for report in stored}
        missing = [report_id for report_id in report_ids if report_id not in by_id]
        if missing:
            raise UnknownReport(missing[0])
        return [Report.model_validate(by_id[report_id]) for report_id in report_ids]

    def record(self, report_id: str, submission: Submission) -> None:
        self.store.update_reports(self.user, self.model,
                                  lambda reports: _with_submission(reports, report_id, submission))

    def claim(self, report_id: str, expected: Submission, queued: Submission) -> None:
        def queue_if_unchanged(reports: list[dict]) -> list[dict]:
            current = _submission_of(reports, report_id)
            if current != expected:
                raise avid.SubmissionTaken(current)
            return _with_submission(reports, report_id, queued)

        self.store.update_reports(self.user, self.model, queue_if_unchanged)


def queue_stored(store: Store, settings: Settings, context: AuditContext, user: str, model: str | None,
                 report_ids: list[str], credit: Credit) -> list[avid.SubmissionResult]:
    """Claim stored reports of ``user`` (and ``model``) and send them on a background thread.

    The results say which were queued and why others were not. Raises UnknownReport for an id that
    is not stored, AvidDisabled when AVID is not configured, ValueError for an unusable name or email.
    """
    reports = _StoredReports(store, user, model)
    claimed, results = avid.claim_reports(reports.chosen(report_ids), context=context, credit=credit,
                                          settings=settings, on_update=reports.record, claim=reports.claim)
    for item in claimed:
        _SENDERS.submit(_send_one, item, settings, reports)
    return results


def submit_stored(store: Store, settings: Settings, context: AuditContext, user: str, model: str | None,
                  report_ids: list[str], credit: Credit, *,
                  resend_unconfirmed: bool = False) -> list[avid.SubmissionResult]:
    """Like ``queue_stored`` but sending in this thread, for the retry command; the final results."""
    reports = _StoredReports(store, user, model)
    return avid.submit_reports(reports.chosen(report_ids), context=context, credit=credit, settings=settings,
                               on_update=reports.record, claim=reports.claim,
                               resend_unconfirmed=resend_unconfirmed)


def _send_one(item: avid.ClaimedReport, settings: Settings, reports: _StoredReports) -> None:
    # Claimed again when its turn comes: a report that waited here past its send deadline may have
    # been taken by `avid retry` meanwhile, and must not go out twice.
    fresh = item.queued.model_copy(update={"queued_at": now_iso()})
    try:
        reports.claim(item.report_id, item.queued, fresh)
    except (avid.SubmissionTaken, UnknownReport):
        return
    try:
        avid.send_claimed(replace(item, queued=fresh), settings, reports.record)
    except Exception:
        # The report stays queued, so `avid retry` sends it once its send deadline has passed.
        logger.exception("sending report %s to AVID failed unexpectedly", item.report_id)


def refresh_review_status(store: Store, settings: Settings, user: str, model: str | None,
                          stored: list[dict]) -> None:
    """Ask AVID, in the background, for the editorial status of submitted reports not checked lately."""
    due = [document["id"] for document in stored if _review_due(document.get("submission") or {})]
    if due and settings.avid_enabled:
        _SENDERS.submit(_check_review_status, settings, _StoredReports(store, user, model), due)


def _review_due(submission: dict) -> bool:
    if submission.get("state") != "submitted" or not (submission.get("submission_id") or submission.get("avid_id")):
        return False
    checked = submission.get("review_checked_at")
    if checked is None:
        return True
    checked_at = datetime.fromisoformat(checked)
    if checked_at.tzinfo is None:
        checked_at = checked_at.replace(tzinfo=timezone.utc)
    return datetime.now(timezone.utc) - checked_at > REVIEW_CHECK_INTERVAL


def _check_review_status(settings: Settings, reports: _StoredReports, report_ids: list[str]) -> None:
    try:
        chosen = reports.chosen(report_ids)
    except UnknownReport:
        return  # deleted meanwhile: nothing to check
    for report in chosen:
        submission = report.submission
        try:
            status = avid.review_status(submission.submission_id, url=settings.avid_api_url,
                                        api_key=settings.avid_api_key, timeout=settings.avid_timeout_seconds)
        except (avid.AvidError, ValueError) as error:
            logger.warning("review status of report %s: %s", report.id, error)
            status = submission.review_status
        reports.record(report.id, submission.model_copy(update={"review_status": status,
                                                                "review_checked_at": now_iso()}))


def _submission_of(reports: list[dict], report_id: str) -> Submission:
    for report in reports:
        if report.get("id") == report_id:
            return Submission.model_validate(report.get("submission") or {})
    raise UnknownReport(report_id)


def _with_submission(reports: list[dict], report_id: str, submission: Submission) -> list[dict]:
    state = submission.model_dump(mode="json")
    return [{**report, "submission": state} if report["id"] == report_id else report for report in reports]


def pending_reports(store: Store, states: tuple[str, ...] = PENDING_STATES) -> Iterator[PendingReport]:
    """Every stored report whose submission state is one of ``states``, user by user.

    A user whose reports cannot be read is logged and skipped, so one damaged file does not hold up
    everyone else's reports.
    """
    if not store.root.is_dir():
        return
    for user_dir in sorted(store.root.iterdir()):
        user = user_dir.name
        if not NAME_PATTERN.fullmatch(user) or not store.user_exists(user):
            continue
        try:
            for model in (None, *store.list_models(user)):
                _, reports = store.load_reports(user, model)
                for document in reports:
                    if (document.get("submission") or {}).get("state") in states:
                        yield PendingReport(user, model, Report.model_validate(document))
        except (StoreError, ValidationError) as error:
            logger.error("skipping the reports of user %s: %s", user, error)


def retry_pending(store: Store, settings: Settings, context: AuditContext, *,
                  unconfirmed: bool = False) -> list[tuple[PendingReport, avid.SubmissionResult]]:
    """Resend every queued or failed report (and unconfirmed ones with ``unconfirmed``), one at a time."""
    states = PENDING_STATES + (("unconfirmed",) if unconfirmed else ())
    outcomes = []
    for pending in pending_reports(store, states):
        submission = pending.report.submission
        credit = Credit(submission.credit_name, submission.credit_email, submission.credit_publish_email)
        try:
            [result] = submit_stored(store, settings, context, pending.user, pending.model, [pending.report.id],
                                     credit, resend_unconfirmed=unconfirmed)
        except (UnknownReport, ValueError) as error:
            result = avid.SubmissionResult(report_id=pending.report.id, state="failed", reason=str(error),
                                           submission=submission)
        outcomes.append((pending, result))
    return outcomes


def _dataset_meta(settings: Settings) -> dict:
    path = settings.dataset_dir / "dataset.json"
    try:
        return json.loads(path.read_text())
    except (OSError, ValueError) as error:
        raise ValueError(f"{path}: {error}") from None


def run_retry(args) -> int:
    """`avid retry`: exit 0 when every pending report reached AVID, 1 when some are still pending."""
    settings = load_settings()
    if not settings.avid_enabled:
        print("error: AVID submission is not configured; set AVID_API_URL and AVID_API_KEY", file=sys.stderr)
        return 2
    try:
        context = AuditContext.from_settings(settings, _dataset_meta(settings))
    except ValueError as error:
        print(f"error: {error}", file=sys.stderr)
        return 2
    outcomes = retry_pending(Store(settings.user_output_dir), settings, context,
                             unconfirmed=getattr(args, "unconfirmed", False))
    for pending, result in outcomes:
        detail = f"submission id {result.submission_id}" if result.submission_id else result.reason
        print(f"{pending.where}: {result.state} ({detail})")
    unsent = sum(result.state != "submitted" for _, result in outcomes)
    print(f"{len(outcomes)} pending report(s) retried: {len(outcomes) - unsent} at AVID, {unsent} still pending",
          file=sys.stderr)
    return 1 if unsent else 0
