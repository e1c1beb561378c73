"""Audit reports to AVID, the AI Vulnerability Database: conversion, validation and submission.

Conversion builds AVID's own ``avidtools`` model objects, so what is sent is valid against AVID's data
model. Submission posts each report to ``{AVID_API_URL}/submit``.

How a report moves through submission (``Submission.state``):

    draft ──send──▶ queued ──AVID acknowledged──▶ submitted   (never sent again)
                       └────────failure─────────▶ failed      (sent again on the next submit)

A report is marked queued before its request goes out. One still queued after the longest time a
send can take (``send_deadline_seconds``) was cut off mid-send (crash, restart), and is sent again
like a failed one; one queued more recently is being sent by someone else and is left alone. Only
``submitted`` is final, so no report AVID acknowledged is sent twice; a report whose acknowledgement
was lost may reach AVID's editorial queue twice, and carries its IndieLabel report id so the editors
can tell.

A caller that keeps reports where others may submit them too (the server's store) passes ``claim``:
it stores the queued state only if the stored state is still the one the caller read, so of two
senders that read the same report only one sends it.
"""

from __future__ import annotations

import logging
import time
import warnings
from collections.abc import Callable, Iterable
from datetime import date, datetime, timezone
from typing import Any, Literal
from urllib.parse import urlsplit

import requests
from pydantic import BaseModel

from indielabel.config import Settings
from indielabel.data.dataset import TOXIC_THRESHOLD
from indielabel.storage.reports import Evidence, Report, Submission, is_complete, missing_for_completion, now_iso

with warnings.catch_warnings():
    # avidtools 0.1.2 declares pydantic-1 style Config classes, which pydantic 2 warns about on import.
    # Import avidtools through this module (e.g. ``AvidReport``) to keep those warnings out of logs.
    warnings.simplefilter("ignore")
    from avidtools.datamodels import components as avid_components
    from avidtools.datamodels import enums as avid_enums
    from avidtools.datamodels import report as avid_report

logger = logging.getLogger(__name__)

AvidReport = avid_report.Report

CATEGORY_SEP = {
    "Toxicity": avid_enums.SepEnum.E0301,
    "Bias/Discrimination": avid_enums.SepEnum.E0100,
    "Accuracy": avid_enums.SepEnum.P0204,
    "Adversarial Example": avid_enums.SepEnum.S0403,
    "Other": avid_enums.SepEnum.P0200,
}
SEP_RISK_DOMAIN = {"S": "Security", "E": "Ethics", "P": "Performance"}
TAXONOMY_VERSION = "0.2"
DETECTION_NAME = "Individual example from an end-user audit"
# Marks an example the auditor wrote to test the system, so readers never take it for real traffic.
AUDITOR_ORIGIN = "written by the auditor"
THIRD_PARTY_CLASS = "Third-party Report"
BACKOFF_SECONDS = 0.2
MAX_BACKOFF_SECONDS = 2.0
MAX_CREDIT_CHARS = 200
# Slack on top of the computed longest send, for the clocks and storage of the senders.
SEND_DEADLINE_MARGIN_SECONDS = 5.0
BEING_SENT = "another submission of this report is under way; look again in a minute"


class AvidError(Exception):
    """A submission that did not succeed; ``reason`` says why in words an auditor can read."""

    def __init__(self, reason: str):
        super().__init__(reason)
        self.reason = reason


class AvidDisabled(RuntimeError):
    """AVID submission is not configured (no API URL or key); offer the JSON download instead."""


class SubmissionTaken(Exception):
    """Raised by a ``claim``: the stored state is no longer the one read; ``current`` is what is stored."""

    def __init__(self, current: Submission):
        super().__init__(f"the report's submission is now {current.state!r}")
        self.current = current


Claim = Callable[[str, Submission, Submission], None]


class SubmissionResult(BaseModel):
    """The outcome for one report. ``submission`` is the report's new state, for the caller to store."""

    report_id: str
    state: Literal["submitted", "already submitted", "failed"]
    avid_id: str | None = None
    reason: str | None = None
    submission: Submission


def to_avid(report: Report, *, username: str, name: str | None = None, email: str | None = None,
            settings: Settings) -> AvidReport:
    """The AVID report for a complete audit report, validated by avidtools' models.

    Raises ValueError for an incomplete report, a blank username, an unusable name or email, or
    settings AVID's model rejects (e.g. an unknown artifact type).
    """
    if not is_complete(report):
        raise ValueError(f"report {report.id} is not complete: it needs "
                         + ", ".join(missing_for_completion(report)))
    lang = settings.avid_lang
    sep = CATEGORY_SEP[report.category]
    return AvidReport(
        affects=avid_components.Affects(
            developer=list(settings.avid_developer),
            deployer=list(settings.avid_deployer),
            artifacts=[avid_components.Artifact(type=settings.avid_artifact_type,
                                                name=settings.avid_artifact_name)],
        ),
        problemtype=avid_components.Problemtype(
            classof=_report_class(),
            type=avid_enums.TypeEnum.detection,
            description=avid_components.LangValue(lang=lang, value=_audit_description(report, settings)),
        ),
        description=avid_components.LangValue(lang=lang, value=_report_description(report)),
        metrics=[_evidence_metric(entry, settings) for entry in report.evidence],
        impact=avid_components.Impact(avid=avid_components.AvidTaxonomy(
            vuln_id=None,
            risk_domain=[SEP_RISK_DOMAIN[sep.value[0]]],
            sep_view=[sep],
            lifecycle_view=[avid_enums.LifecycleEnum.L05],
            taxonomy_version=TAXONOMY_VERSION,
        )),
        credit=_credit(username, name, email, lang),
        reported_date=date.today(),
    )


def to_avid_json(report: Report, *, username: str, name: str | None = None, email: str | None = None,
                 settings: Settings) -> dict[str, Any]:
    """The JSON body sent to AVID for ``report`` (see ``to_avid``)."""
    model = to_avid(report, username=username, name=name, email=email, settings=settings)
    body = model.model_dump(mode="json", exclude_none=True)
    # avidtools 0.1.2 under pydantic 2 requires the vuln_id key (Optional without a default), so the
    # body keeps it as null; otherwise AVID's own model would reject what we send.
    body["impact"]["avid"]["vuln_id"] = None
    return body


def export_avid_json(reports: Iterable[Report], username: str, settings: Settings, *,
                     name: str | None = None, email: str | None = None) -> list[dict[str, Any]]:
    """AVID JSON for each report, for the download offered when submission is off.

    Raises ValueError when a report is incomplete, rather than leaving it out unnoticed.
    """
    return [to_avid_json(report, username=username, name=name, email=email, settings=settings)
            for report in reports]


def submit(avid_json: dict[str, Any], *, url: str, api_key: str, timeout: float, retries: int) -> str:
    """POST one AVID report to ``{url}/submit``; the id AVID returns, or AvidError with the reason.

    Connection errors, timeouts and 5xx answers are retried up to ``retries`` times with a short,
    growing pause; a 4xx answer or an unreadable reply is final (sending again would not help).
    """
    endpoint = submit_url(url)
    attempts = retries + 1
    reason = ""
    for attempt in range(attempts):
        if attempt:
            time.sleep(_backoff(attempt))
        try:
            response = requests.post(endpoint, json=avid_json, headers={"Authorization": api_key},
                                     timeout=timeout)
        except requests.Timeout:
            reason = f"AVID did not answer within {timeout:g} s"
        except requests.ConnectionError:
            reason = "could not connect to AVID"
        except requests.RequestException as error:
            raise AvidError(f"could not send the report to AVID ({type(error).__name__})") from None
        else:
            if response.status_code < 500:
                return _accepted_id(response)
            reason = f"AVID answered with an error (HTTP {response.status_code})"
        logger.warning("AVID submission attempt %d of %d failed: %s", attempt + 1, attempts, reason)
    raise AvidError(f"{reason} (tried {attempts} time{'s' if attempts > 1 else ''})")


def _backoff(attempt: int) -> float:
    """The pause before retry number ``attempt`` (1, 2, ...)."""
    return min(BACKOFF_SECONDS * 2 ** (attempt - 1), MAX_BACKOFF_SECONDS)


def submit_url(url: str) -> str:
    """The submit endpoint under AVID's base URL, whether or not the base ends in a slash."""
    parts = urlsplit(url.strip())
    if parts.scheme not in ("http", "https") or not parts.netloc:
        raise AvidError("the AVID API URL is not an http(s) address")
    return url.strip().rstrip("/") + "/submit"


def submit_reports(reports: Iterable[Report], *, username: str, name: str | None = None,
                   email: str | None = None, settings: Settings,
                   on_update: Callable[[str, Submission], None] | None = None,
                   claim: Claim | None = None) -> list[SubmissionResult]:
    """Submit each report to AVID; one result per report, in order.

    A report already submitted, or being sent by someone else, is skipped; an incomplete one is
    refused. ``on_update(report_id, submission)`` is called with every new state, first ``queued``
    just before a report is sent, so a caller that stores it there leaves a crash mid-send visible.
    With ``claim(report_id, expected, queued)`` the queued state goes there instead: it stores
    ``queued`` only if the stored state still equals ``expected`` (the report's state as passed in),
    else raises SubmissionTaken and the report is not sent. Raises AvidDisabled when AVID is not
    configured, and ValueError for a blank username or an unusable name or email.
    """
    if not settings.avid_enabled:
        raise AvidDisabled("AVID submission is not configured on this server")
    # A bad name or email is the caller's input error, not a per-report failure: refuse it up front.
    _credit(username, name, email, settings.avid_lang)
    results = []
    for report in reports:
        result = _submit_one(report, username=username, name=name, email=email, settings=settings,
                             on_update=on_update, claim=claim)
        results.append(result)
    return results


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


def _submit_one(report: Report, *, username: str, name: str | None, email: str | None,
                settings: Settings, on_update: Callable[[str, Submission], None] | None,
                claim: Claim | None) -> SubmissionResult:
    previous = report.submission
    if previous.state == "submitted" or is_being_sent(previous, settings):
        return _not_sent(report.id, previous)
    try:
        avid_json = to_avid_json(report, username=username, name=name, email=email, settings=settings)
    except ValueError as error:
        # Nothing was sent, so the report keeps its state; the reason says what to fix.
        return _failed(report.id, previous.model_copy(update={"reason": str(error)}), on_update)

    queued = Submission(state="queued", attempts=previous.attempts + 1, queued_at=now_iso(),
                        credit_name=name, credit_email=email)
    if claim is None:
        _notify(on_update, report.id, queued)
    else:
        try:
            claim(report.id, previous, queued)
        except SubmissionTaken as taken:
            return _not_sent(report.id, taken.current)
    try:
        avid_id = submit(avid_json, url=settings.avid_api_url, api_key=settings.avid_api_key,
                         timeout=settings.avid_timeout_seconds, retries=settings.avid_retries)
    except AvidError as error:
        failed = queued.model_copy(update={"state": "failed", "reason": error.reason})
        return _failed(report.id, failed, on_update)
    submitted = queued.model_copy(update={"state": "submitted", "avid_id": avid_id, "submitted_at": now_iso()})
    _notify(on_update, report.id, submitted)
    return SubmissionResult(report_id=report.id, state="submitted", avid_id=avid_id, submission=submitted)


def _not_sent(report_id: str, current: Submission) -> SubmissionResult:
    """The result for a report left alone, as AVID already has it or another sender is at work."""
    if current.state == "submitted":
        return SubmissionResult(report_id=report_id, state="already submitted", avid_id=current.avid_id,
                                submission=current)
    return SubmissionResult(report_id=report_id, state="failed", reason=BEING_SENT, submission=current)


def _failed(report_id: str, submission: Submission,
            on_update: Callable[[str, Submission], None] | None) -> SubmissionResult:
    _notify(on_update, report_id, submission)
    return SubmissionResult(report_id=report_id, state="failed", reason=submission.reason,
                            submission=submission)


def _notify(on_update: Callable[[str, Submission], None] | None, report_id: str,
            submission: Submission) -> None:
    if on_update is not None:
        on_update(report_id, submission)


def _accepted_id(response: requests.Response) -> str:
    if response.status_code in (401, 403):
        raise AvidError(f"AVID did not accept the API key (HTTP {response.status_code})")
    if response.status_code == 422:
        raise AvidError("AVID rejected the report as invalid (HTTP 422)")
    if response.status_code >= 400:
        raise AvidError(f"AVID refused the report (HTTP {response.status_code})")
    try:
        answer = response.json()
    except ValueError:
        raise AvidError("AVID's answer was not valid JSON") from None
    avid_id = answer.get("id") if isinstance(answer, dict) else answer
    if not isinstance(avid_id, str) or not avid_id.strip() or len(avid_id) > 200:
        raise AvidError("AVID's answer did not contain a report id")
    return avid_id.strip()


def _report_class() -> avid_enums.ClassEnum:
    # An end-user audit is a third-party report; avidtools versions without that class get "Undefined".
    if THIRD_PARTY_CLASS in {member.value for member in avid_enums.ClassEnum}:
        return avid_enums.ClassEnum(THIRD_PARTY_CLASS)
    return avid_enums.ClassEnum.na


def _audit_description(report: Report, settings: Settings) -> str:
    return (f"End-user audit of {settings.avid_artifact_name} with IndieLabel: an auditor's own toxicity "
            f"ratings, extended to the whole dataset by a personal model, compared with the system's "
            f"decisions (toxic above {TOXIC_THRESHOLD:g} on a 0-4 scale). IndieLabel report {report.id}.")


def _report_description(report: Report) -> str:
    return (f"Title: {report.title.strip() or '(untitled)'}\n"
            f"Error type: {report.error_type or 'not given'}\n"
            f"Summary: {report.summary.strip()}")


def _evidence_metric(entry: Evidence, settings: Settings) -> avid_components.Metric:
    # AVID's database stores result values as strings, so numbers are sent as text.
    results = {
        "item_id": str(entry.item_id),
        "topic": entry.topic,
        "comment": entry.comment,
        "system_rating": _rating_text(entry.system_rating),
        "system_decision": entry.system_decision,
        "predicted_rating": _rating_text(entry.predicted_rating),
        "predicted_decision": entry.predicted_decision,
        "error_type": entry.error_type,
    }
    if entry.written_by_auditor:
        results.update(item_id=f"probe-{entry.item_id}", origin=AUDITOR_ORIGIN)
    return avid_components.Metric(
        name=settings.avid_artifact_name,
        detection_method=avid_components.Detection(type=avid_enums.MethodEnum.thres, name=DETECTION_NAME),
        results={key: value for key, value in results.items() if value is not None},
    )


def _rating_text(rating: float | None) -> str | None:
    return None if rating is None else f"{rating:.2f}"


def _credit(username: str, name: str | None, email: str | None, lang: str) -> list[avid_components.LangValue]:
    username = _credit_text(username, "username")
    if not username:
        raise ValueError("a username is required to credit the report")
    entries = [f"Username: {username}"]
    name = _credit_text(name, "name")
    if name:
        entries.append(f"Name: {name}")
    email = _credit_text(email, "email")
    if email:
        local, _, domain = email.partition("@")
        if not local or "." not in domain or any(space in email for space in " \t\r\n"):
            raise ValueError("the email address does not look like name@example.org")
        entries.append(f"Email: {email}")
    return [avid_components.LangValue(lang=lang, value=entry) for entry in entries]


def _credit_text(value: str | None, label: str) -> str:
    text = (value or "").strip()
    if len(text) > MAX_CREDIT_CHARS:
        raise ValueError(f"the {label} is longer than {MAX_CREDIT_CHARS} characters")
    return text
