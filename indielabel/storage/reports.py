"""Audit reports: the model the report panel edits, the server stores and AVID submission reads.

A report collects comments as evidence for one suspected failure of the system under audit. Every
field is validated here, once, so the store and the AVID conversion can trust what they get.
Strings are kept as plain text; the UI renders them as text, never as HTML.
"""

from __future__ import annotations

import uuid
from datetime import datetime, timezone
from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field, TypeAdapter, ValidationError, field_validator, model_validator

ERROR_TYPES = ("under-sensitive", "over-sensitive", "other")
CATEGORIES = ("Accuracy", "Bias/Discrimination", "Adversarial Example", "Toxicity", "Other")
DECISIONS = ("Toxic", "Non-toxic")
SUBMISSION_STATES = ("draft", "queued", "submitted", "failed", "unconfirmed")

MAX_TITLE_CHARS = 300
MAX_SUMMARY_CHARS = 20_000
MAX_COMMENT_CHARS = 20_000
MAX_SHORT_TEXT_CHARS = 500
MAX_EVIDENCE = 500
MAX_REPORTS = 200
REPORT_ID_PATTERN = r"^[A-Za-z0-9_-]{1,64}$"

Rating = Annotated[float, Field(ge=0.0, le=4.0)]
# Subscripting Literal with a tuple lists its members, so each set of choices is written once.
Decision = Literal[DECISIONS]
SubmissionState = Literal[SUBMISSION_STATES]
ReportErrorType = Literal[ERROR_TYPES + ("",)]
ReportCategory = Literal[CATEGORIES + ("",)]
ShortText = Annotated[str, Field(max_length=MAX_SHORT_TEXT_CHARS)]


class ReportError(ValueError):
    """Reports that cannot be accepted. ``field`` is the path of the offending value,
    e.g. ``reports[2].evidence[0].item_id``."""

    def __init__(self, message: str, field: str | None = None):
        super().__init__(message)
        self.message = message
        self.field = field


def now_iso() -> str:
    """The current time as an ISO 8601 string in UTC, the format of every report timestamp."""
    return datetime.now(timezone.utc).isoformat(timespec="seconds")


def _new_report_id() -> str:
    return uuid.uuid4().hex


def _require_iso_timestamp(value: str | None) -> str | None:
    if value is None:
        return None
    try:
        datetime.fromisoformat(value)
    except ValueError:
        raise ValueError(f"{value[:40]!r} is not an ISO 8601 date and time") from None
    return value


class _Strict(BaseModel):
    # Strict: a JSON "3" is not the item 3, and true is not 1. Unknown keys are typos, not data.
    model_config = ConfigDict(extra="forbid", strict=True, allow_inf_nan=False)


class Evidence(_Strict):
    """One comment attached to a report, with the ratings and decisions shown when it was added."""

    item_id: int
    comment: Annotated[str, Field(max_length=MAX_COMMENT_CHARS)]
    topic: ShortText
    system_rating: Rating
    system_decision: Decision
    predicted_rating: Rating | None = None
    predicted_decision: Decision | None = None
    error_type: ShortText | None = None
    # A comment the auditor wrote themselves (a probe, `item_id` its probe id), not one of the dataset.
    written_by_auditor: bool = False


class Submission(_Strict):
    """Where a report stands with AVID.

    draft: never sent. queued: being sent since ``queued_at`` (a report left queued was interrupted and
    is sent again). submitted: AVID acknowledged it with the submission id ``submission_id`` (a UUID of
    AVID's editorial queue, whose status is ``review_status``); it is never sent again. failed: the
    last attempt surely never reached AVID, for ``reason``; it can be sent again. unconfirmed: the
    last attempt may have reached AVID (read timeout, 5xx); only the organizer resends it.
    ``attempts`` counts sends. ``credit_*`` is the credit the auditor asked for with the first send,
    kept so that every later send credits them the same way.
    """

    state: SubmissionState = "draft"
    submission_id: ShortText | None = None
    reason: Annotated[str, Field(max_length=2_000)] | None = None
    attempts: Annotated[int, Field(ge=0)] = 0
    queued_at: str | None = None
    submitted_at: str | None = None
    credit_name: ShortText | None = None
    credit_email: ShortText | None = None
    credit_publish_email: bool = False
    review_status: ShortText | None = None
    review_checked_at: str | None = None

    @model_validator(mode="before")
    @classmethod
    def _stored_avid_id_is_the_submission_id(cls, value: Any) -> Any:
        # Reports stored before the rename call the submission id "avid_id".
        if isinstance(value, dict) and "avid_id" in value:
            value = {**value}
            legacy = value.pop("avid_id")
            value.setdefault("submission_id", legacy)
        return value

    @field_validator("queued_at", "submitted_at", "review_checked_at")
    @classmethod
    def _timestamps_are_iso(cls, value: str | None) -> str | None:
        return _require_iso_timestamp(value)


class Report(_Strict):
    """An audit report: what the auditor found, the evidence for it and its AVID category."""

    id: Annotated[str, Field(pattern=REPORT_ID_PATTERN)] = Field(default_factory=_new_report_id)
    title: Annotated[str, Field(max_length=MAX_TITLE_CHARS)] = ""
    error_type: ReportErrorType = ""
    evidence: Annotated[list[Evidence], Field(max_length=MAX_EVIDENCE)] = Field(default_factory=list)
    summary: Annotated[str, Field(max_length=MAX_SUMMARY_CHARS)] = ""
    category: ReportCategory = ""
    created_at: str = Field(default_factory=now_iso)
    updated_at: str = Field(default_factory=now_iso)
    submission: Submission = Field(default_factory=Submission)
    # The report this one amends: a new revision of a report already sent to AVID.
    amends: Annotated[str, Field(pattern=REPORT_ID_PATTERN)] | None = None
    # The model (and its version) the report was started with; None before any model. Set by the server.
    model: Annotated[str, Field(pattern=REPORT_ID_PATTERN)] | None = None
    model_version: Annotated[int, Field(ge=1)] | None = None

    @field_validator("created_at", "updated_at")
    @classmethod
    def _timestamps_are_iso(cls, value: str) -> str:
        return _require_iso_timestamp(value)

    @field_validator("evidence")
    @classmethod
    def _item_ids_are_unique(cls, evidence: list[Evidence]) -> list[Evidence]:
        first_position: dict[tuple[bool, int], int] = {}
        for position, entry in enumerate(evidence):
            key = (entry.written_by_auditor, entry.item_id)
            if key in first_position:
                what = "your comment" if entry.written_by_auditor else "item"
                raise ValueError(
                    f"{what} {entry.item_id} is already evidence "
                    f"(evidence[{first_position[key]}] and evidence[{position}])"
                )
            first_position[key] = position
        return evidence


def is_complete(report: Report) -> bool:
    """Ready to submit: a title, at least one evidence item, a summary and a category (the UI's rule too)."""
    return not missing_for_completion(report)


def missing_for_completion(report: Report) -> list[str]:
    """What a report still needs before it is complete, in words for the auditor."""
    missing = []
    if not report.title.strip():
        missing.append("a title")
    if not report.evidence:
        missing.append("at least one evidence item")
    if not report.summary.strip():
        missing.append("a summary")
    if not report.category:
        missing.append("a category")
    return missing


_REPORT_LIST = TypeAdapter(Annotated[list[Report], Field(max_length=MAX_REPORTS)])


def validate_reports(payload: Any) -> list[Report]:
    """The reports in ``payload`` (a list of report objects), or ReportError naming the first bad field."""
    try:
        reports = _REPORT_LIST.validate_python(payload)
    except ValidationError as error:
        raise _report_error(error) from None
    seen: dict[str, int] = {}
    for position, report in enumerate(reports):
        if report.id in seen:
            raise ReportError(
                f"report id {report.id!r} appears twice (reports[{seen[report.id]}] and reports[{position}])",
                field=f"reports[{position}].id",
            )
        seen[report.id] = position
    return reports


def _report_error(error: ValidationError) -> ReportError:
    problems = error.errors(include_url=False)
    first = problems[0]
    field = _field_path(first["loc"])
    message = f"{field}: {_problem_text(first)}"
    if len(problems) > 1:
        message += f" (and {len(problems) - 1} more problem{'s' if len(problems) > 2 else ''})"
    return ReportError(message, field=field)


def _field_path(location: tuple) -> str:
    path = "reports"
    for part in location:
        path += f"[{part}]" if isinstance(part, int) else f".{part}"
    return path


def _problem_text(problem: dict) -> str:
    if problem["type"] == "value_error":
        return str(problem["ctx"]["error"])
    if problem["type"] == "extra_forbidden":
        return "unknown field"
    return problem["msg"]
