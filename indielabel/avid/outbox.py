"""The AVID outbox: stored reports sent to AVID, and `python -m indielabel avid retry` for those that
did not get there.

``submit_stored`` is the one way stored reports reach AVID, for ``/submit_avid_report`` and for the
retry command alike: each report is claimed under the user's lock (its stored state must still be
the one read, see ``avid.submit_reports``), and every new state is written back as it happens. So a
report that the server and a retry, or two browser tabs, submit at the same time is sent once, and a
report AVID acknowledged is never sent again.

A report stays in the outbox while its state is ``queued`` (cut off mid-send: a crash, a restart) or
``failed`` (AVID unreachable, timing out, answering 5xx or nonsense). The retry command resends each
with the credit (name, email) the auditor gave when they first submitted it.
"""

from __future__ import annotations

import logging
import sys
from collections.abc import Iterator
from dataclasses import dataclass

from pydantic import ValidationError

from indielabel.avid import api as avid
from indielabel.config import Settings, load_settings
from indielabel.storage.names import NAME_PATTERN
from indielabel.storage.reports import Report, Submission
from indielabel.storage.store import Store, StoreError

logger = logging.getLogger(__name__)

PENDING_STATES = ("queued", "failed")


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


def submit_stored(store: Store, settings: Settings, user: str, model: str | None, report_ids: list[str], *,
                  name: str | None = None, email: str | None = None) -> list[avid.SubmissionResult]:
    """Send stored reports of ``user`` (and ``model``) to AVID, recording each one's state as it changes.

    Raises UnknownReport for an id that is not stored, AvidDisabled when AVID is not configured, and
    ValueError for an unusable name or email (nothing is sent then).
    """
    _, stored = store.load_reports(user, model)
    by_id = {report["id"]: report for report in stored}
    missing = [report_id for report_id in report_ids if report_id not in by_id]
    if missing:
        raise UnknownReport(missing[0])
    chosen = [Report.model_validate(by_id[report_id]) for report_id in report_ids]

    def record(report_id: str, submission: Submission) -> None:
        store.record_submission(user, model, report_id, submission.model_dump(mode="json"))

    def claim(report_id: str, expected: Submission, queued: Submission) -> None:
        def queue_if_unchanged(reports: list[dict]) -> list[dict]:
            current = _submission_of(reports, report_id)
            if current != expected:
                raise avid.SubmissionTaken(current)
            return _with_submission(reports, report_id, queued)

        store.update_reports(user, model, queue_if_unchanged)

    return avid.submit_reports(chosen, username=user, name=name, email=email, settings=settings,
                               on_update=record, claim=claim)


def _submission_of(reports: list[dict], report_id: str) -> Submission:
    for report in reports:
        if report.get("id") == report_id:
            return Submission.model_validate(report.get("submission") or {})
    raise UnknownReport(report_id)


def _with_submission(reports: list[dict], report_id: str, submission: Submission) -> list[dict]:
    state = submission.model_dump(mode="json")
    return [{**report, "submission": state} if report["id"] == report_id else report for report in reports]


def pending_reports(store: Store) -> Iterator[PendingReport]:
    """Every stored report whose submission is queued or failed, user by user.

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
                    if (document.get("submission") or {}).get("state") in PENDING_STATES:
                        yield PendingReport(user, model, Report.model_validate(document))
        except (StoreError, ValidationError) as error:
            logger.error("skipping the reports of user %s: %s", user, error)


def retry_pending(store: Store, settings: Settings) -> list[tuple[PendingReport, avid.SubmissionResult]]:
    """Resend every queued or failed report, one at a time, each with the credit it was first sent with."""
    outcomes = []
    for pending in pending_reports(store):
        submission = pending.report.submission
        try:
            [result] = submit_stored(store, settings, pending.user, pending.model, [pending.report.id],
                                     name=submission.credit_name, email=submission.credit_email)
        except (UnknownReport, ValueError) as error:
            result = avid.SubmissionResult(report_id=pending.report.id, state="failed", reason=str(error),
                                           submission=submission)
        outcomes.append((pending, result))
    return outcomes


def run_retry(args) -> int:
    """`avid retry`: exit 0 when every pending report reached AVID, 1 when some are still pending."""
    settings = load_settings()
    if not settings.avid_enabled:
        print("error: AVID submission is not configured; set AVID_API_URL and AVID_API_KEY", file=sys.stderr)
        return 2
    outcomes = retry_pending(Store(settings.user_output_dir), settings)
    for pending, result in outcomes:
        detail = f"AVID id {result.avid_id}" if result.avid_id else result.reason
        print(f"{pending.where}: {result.state} ({detail})")
    unsent = sum(result.state == "failed" for _, result in outcomes)
    print(f"{len(outcomes)} pending report(s) retried: {len(outcomes) - unsent} at AVID, {unsent} still pending",
          file=sys.stderr)
    return 1 if unsent else 0
