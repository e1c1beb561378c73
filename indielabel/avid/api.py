"""Sending AVID reports: ``POST {AVID_API_URL}/submit`` and ``GET /review/{uuid}/status``.

How a report moves through submission (``Submission.state``):

    draft ──claim──▶ queued ──AVID answered a UUID──────────────▶ submitted    (never sent again)
                       ├────surely never reached AVID───────────▶ failed       (the author may send again)
                       └────may have reached AVID───────────────▶ unconfirmed  (only the organizer resends:
                            (read timeout, 5xx, a 2xx without a UUID)             `avid retry --unconfirmed`)

Only a failure before the request left (connection refused, connect timeout) is retried at once;
after a read timeout or a 5xx, AVID may hold the report, and sending it again could publish it twice.
A report still queued after the longest time a send can take (``send_deadline_seconds``) was cut off
mid-send (crash, restart); ``avid retry`` sends it again.

A caller that keeps reports where others may submit them too (the server's store) passes ``claim``:
it stores the queued state only if the stored state is still the one the caller read, so of two
senders that read the same report only one sends it.
"""

from __future__ import annotations

import ipaddress
import logging
import time
import uuid
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import datetime, timezone
from typing import Any, Literal
from urllib.parse import urlsplit

import requests
from pydantic import BaseModel
from urllib3.exceptions import ConnectTimeoutError, NewConnectionError

from indielabel.avid.convert import AuditContext, Credit, credit_line, refuse_synthetic, to_avid_json
from indielabel.config import Settings
from indielabel.storage.reports import Report, Submission, now_iso

logger = logging.getLogger(__name__)

BACKOFF_SECONDS = 0.2
MAX_BACKOFF_SECONDS = 2.0
# Slack on top of the computed longest send, for the clocks and storage of the senders.
SEND_DEADLINE_MARGIN_SECONDS = 5.0
BEING_SENT = "another submission of this report is under way; look again in a minute"
MAYBE_AT_AVID = "this report may already have reached AVID; the organizer checks and resends it if not"
LOOPBACK_NAMES = ("localhost",)


class AvidError(Exception):
    """A submission that did not succeed; ``reason`` says why in words an auditor can read.
    ``unconfirmed``: the request may have reached AVID, so sending it again could duplicate it."""

    def __init__(self, reason: str, *, unconfirmed: bool = False):
        super().__init__(reason)
        self.reason = reason
        self.unconfirmed = unconfirmed


class AvidDisabled(RuntimeError):
    """AVID submission is not configured (no API URL or key); offer the JSON download instead."""


class SubmissionTaken(Exception):
    """Raised by a ``claim``: the stored state is no longer the one read; ``current`` is what is stored."""

    def __init__(self, current: Submission):
        super().__init__(f"the report's submission is now {current.state!r}")
        self.current = current


Claim = Callable[[str, Submission, Submission], None]
OnUpdate = Callable[[str, Submission], None]


class SubmissionResult(BaseModel):
    """The outcome for one report. ``submission`` is the report's new state, for the caller to store."""

    report_id: str
    state: Literal["queued", "submitted", "already submitted", "unconfirmed", "failed"]
    submission_id: str | None = None
    reason: str | None = None
    submission: Submission


@dataclass(frozen=True)
class ClaimedReport:
    """A report marked queued by this sender: the body to POST and the queued state it replaced."""

    report_id: str
    body: dict[str, Any]
    queued: Submission


def submit(avid_json: dict[str, Any], *, url: str, api_key: str, timeout: float, retries: int) -> str:
    """POST one AVID report to ``{url}/submit``; the submission id (a UUID) AVID returns, or AvidError.

    Retried, up to ``retries`` times with a short growing pause, only when the request surely never
    reached AVID. Redirects are not followed: a POST is not resent somewhere else.
    """
    endpoint = submit_url(url)
    attempts = retries + 1
    reason = ""
    for attempt in range(attempts):
        if attempt:
            time.sleep(_backoff(attempt))
        try:
            response = requests.post(endpoint, json=avid_json, headers={"Authorization": api_key},
                                     timeout=timeout, allow_redirects=False)
        except requests.RequestException as error:
            if not _never_arrived(error):
                raise AvidError(_sent_error_reason(error, timeout), unconfirmed=True) from None
            reason = "could not connect to AVID"
            logger.warning("AVID submission attempt %d of %d failed: %s", attempt + 1, attempts, reason)
            continue
        return _accepted_id(response)
    raise AvidError(f"{reason} (tried {attempts} time{'s' if attempts > 1 else ''})")


def review_status(submission_id: str, *, url: str, api_key: str, timeout: float) -> str:
    """AVID's editorial status of a submission (e.g. "draft", "published"), or AvidError."""
    endpoint = base_url(url) + f"/review/{uuid.UUID(submission_id)}/status"
    try:
        response = requests.get(endpoint, headers={"Authorization": api_key}, timeout=timeout,
                                allow_redirects=False)
    except requests.RequestException as error:
        raise AvidError(f"could not ask AVID for the status ({type(error).__name__})") from None
    if response.status_code != 200:
        raise AvidError(f"AVID did not give the status (HTTP {response.status_code})")
    try:
        answer = response.json()
    except ValueError:
        raise AvidError("AVID's status answer was not valid JSON") from None
    status = answer.get("status") if isinstance(answer, dict) else answer
    if not isinstance(status, str) or not status.strip() or len(status) > 100:
        raise AvidError("AVID's status answer did not contain a status")
    return status.strip()


def base_url(url: str) -> str:
    """AVID's base URL without a trailing slash; https, or plain http only on this machine."""
    parts = urlsplit(url.strip())
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise AvidError("the AVID API URL is not an http(s) address")
    if parts.scheme == "http" and not _is_loopback(parts.hostname):
        raise AvidError("the AVID API URL must use https (plain http only for this machine)")
    return url.strip().rstrip("/")


def submit_url(url: str) -> str:
    """The submit endpoint under AVID's base URL, whether or not the base ends in a slash."""
    return base_url(url) + "/submit"


def _is_loopback(host: str) -> bool:
    if host.lower() in LOOPBACK_NAMES:
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def _never_arrived(error: requests.RequestException) -> bool:
    """True when the request surely never reached AVID: the connection was refused or never made."""
    if isinstance(error, requests.ConnectTimeout):
        return True
    if not isinstance(error, requests.ConnectionError) or not error.args:
        return False
    cause = getattr(error.args[0], "reason", error.args[0])
    return isinstance(cause, (NewConnectionError, ConnectTimeoutError))


def _sent_error_reason(error: requests.RequestException, timeout: float) -> str:
    if isinstance(error, requests.Timeout):
        return f"AVID did not answer within {timeout:g} s; the report may have reached it"
    return f"the connection to AVID broke ({type(error).__name__}); the report may have reached it"


def _backoff(attempt: int) -> float:
    """The pause before retry number ``attempt`` (1, 2, ...)."""
    return min(BACKOFF_SECONDS * 2 ** (attempt - 1), MAX_BACKOFF_SECONDS)


def _accepted_id(response: requests.Response) -> str:
    status = response.status_code
    if 300 <= status < 400:
        raise AvidError(f"AVID answered with a redirect (HTTP {status}); set AVID_API_URL to the final address")
    if status in (401, 403):
        raise AvidError(f"AVID did not accept the API key (HTTP {status})")
    if status == 422:
        raise AvidError("AVID rejected the report as invalid (HTTP 422)")
    if 400 <= status < 500:
        raise AvidError(f"AVID refused the report (HTTP {status})")
    if status >= 500:
        raise AvidError(f"AVID answered with an error (HTTP {status}); the report may have reached it",
                        unconfirmed=True)
    try:
        answer = response.json()
    except ValueError:
        raise AvidError("AVID's answer was not valid JSON", unconfirmed=True) from None
    candidate = answer.get("id") if isinstance(answer, dict) else answer
    try:
        return str(uuid.UUID(candidate.strip()))
    except (AttributeError, ValueError):
        raise AvidError("AVID's answer did not contain a submission id (a UUID)", unconfirmed=True) from None


def submit_reports(reports: Iterable[Report], *, context: AuditContext, credit: Credit, settings: Settings,
                   on_update: OnUpdate | None = None, claim: Claim | None = None,
                   resend_unconfirmed: bool = False) -> list[SubmissionResult]:
    """Claim, then send, each report at once; one result per report, in order (see ``claim_reports``)."""
    claimed, results = claim_reports(reports, context=context, credit=credit, settings=settings,
                                     on_update=on_update, claim=claim, resend_unconfirmed=resend_unconfirmed)
    sent = {item.report_id: send_claimed(item, settings, on_update) for item in claimed}
    return [sent.get(result.report_id, result) for result in results]


def claim_reports(reports: Iterable[Report], *, context: AuditContext, credit: Credit, settings: Settings,
                  on_update: OnUpdate | None = None, claim: Claim | None = None,
                  resend_unconfirmed: bool = False) -> tuple[list[ClaimedReport], list[SubmissionResult]]:
    """Mark each sendable report queued; the claimed reports to send, and one result per report.

    A report already submitted, being sent by someone else, or unconfirmed (unless
    ``resend_unconfirmed``) is left alone; an incomplete one is refused. The queued state goes to
    ``on_update``, or with ``claim(report_id, expected, queued)`` it is stored only if the stored state
    still equals ``expected`` (else SubmissionTaken and the report is not sent). Credit given with a
    report's first submission is kept. Raises AvidDisabled when AVID is not configured, SyntheticDataset
    (a ValueError) for an audit of synthetic data, and ValueError for an unusable name or email.
    """
    if not settings.avid_enabled:
        raise AvidDisabled("AVID submission is not configured on this server")
    refuse_synthetic(context)
    # A bad name or email is the caller's input error, not a per-report failure: refuse it up front.
    credit_line(credit)
    claimed, results = [], []
    for report in reports:
        outcome = _claim_one(report, context, credit, settings, on_update, claim, resend_unconfirmed)
        if isinstance(outcome, ClaimedReport):
            claimed.append(outcome)
            outcome = SubmissionResult(report_id=report.id, state="queued", submission=outcome.queued)
        results.append(outcome)
    return claimed, results


def send_claimed(item: ClaimedReport, settings: Settings, on_update: OnUpdate | None = None) -> SubmissionResult:
    """POST a claimed report; its new state goes to ``on_update`` and into the result."""
    try:
        submission_id = submit(item.body, url=settings.avid_api_url, api_key=settings.avid_api_key,
                               timeout=settings.avid_timeout_seconds, retries=settings.avid_retries)
    except AvidError as error:
        state = "unconfirmed" if error.unconfirmed else "failed"
        ended = item.queued.model_copy(update={"state": state, "reason": error.reason})
        _notify(on_update, item.report_id, ended)
        return SubmissionResult(report_id=item.report_id, state=state, reason=error.reason, submission=ended)
    submitted = item.queued.model_copy(update={"state": "submitted", "submission_id": submission_id,
                                               "submitted_at": now_iso(), "reason": None})
    _notify(on_update, item.report_id, submitted)
    return SubmissionResult(report_id=item.report_id, state="submitted", submission_id=submission_id,
                            submission=submitted)


def send_deadline_seconds(settings: Settings) -> float:
    """The longest one report's send can take: every attempt timing out on connect and on read, plus
    the pauses between attempts and a margin. A report queued for longer was cut off mid-send."""
    attempts = settings.avid_retries + 1
    pauses = sum(_backoff(attempt) for attempt in range(1, attempts))
    return attempts * 2 * settings.avid_timeout_seconds + pauses + SEND_DEADLINE_MARGIN_SECONDS


def is_being_sent(submission: Submission, settings: Settings, now: datetime | None = None) -> bool:
    """Queued recently enough that its sender may still be at work (queued without a time: cut off)."""
    if submission.state != "queued" or submission.queued_at is None:
        return False
    queued_at = datetime.fromisoformat(submission.queued_at)
    if queued_at.tzinfo is None:
        queued_at = queued_at.replace(tzinfo=timezone.utc)
    elapsed = ((now or datetime.now(timezone.utc)) - queued_at).total_seconds()
    return elapsed < send_deadline_seconds(settings)


def _claim_one(report: Report, context: AuditContext, credit: Credit, settings: Settings,
               on_update: OnUpdate | None, claim: Claim | None,
               resend_unconfirmed: bool) -> ClaimedReport | SubmissionResult:
    previous = report.submission
    if (previous.state == "submitted" or is_being_sent(previous, settings)
            or (previous.state == "unconfirmed" and not resend_unconfirmed)):
        return _not_sent(report.id, previous)
    credit = _kept_credit(previous, credit)
    try:
        body = to_avid_json(report, context, credit)
    except ValueError as error:
        # Nothing was sent, so the report keeps its state; the reason says what to fix.
        refused = previous.model_copy(update={"reason": str(error)})
        _notify(on_update, report.id, refused)
        return SubmissionResult(report_id=report.id, state="failed", reason=str(error), submission=refused)
    queued = Submission(state="queued", attempts=previous.attempts + 1, queued_at=now_iso(),
                        credit_name=credit.name, credit_email=credit.email,
                        credit_publish_email=credit.publish_email)
    if claim is None:
        _notify(on_update, report.id, queued)
    else:
        try:
            claim(report.id, previous, queued)
        except SubmissionTaken as taken:
            return _not_sent(report.id, taken.current)
    return ClaimedReport(report_id=report.id, body=body, queued=queued)


def _kept_credit(previous: Submission, given: Credit) -> Credit:
    """The credit a report was first sent with, if any: a later request cannot change it."""
    if previous.attempts and (previous.credit_name or previous.credit_email):
        return Credit(previous.credit_name, previous.credit_email, previous.credit_publish_email)
    return given


def _not_sent(report_id: str, current: Submission) -> SubmissionResult:
    """The result for a report left alone: AVID has it, may have it, or another sender is at work."""
    if current.state == "submitted":
        return SubmissionResult(report_id=report_id, state="already submitted",
                                submission_id=current.submission_id, submission=current)
    if current.state == "unconfirmed":
        return SubmissionResult(report_id=report_id, state="unconfirmed", reason=MAYBE_AT_AVID, submission=current)
    return SubmissionResult(report_id=report_id, state="failed", reason=BEING_SENT, submission=current)


def _notify(on_update: OnUpdate | None, report_id: str, submission: Submission) -> None:
    if on_update is not None:
        on_update(report_id, submission)
