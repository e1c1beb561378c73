"""Flags as the app uses them: what a user flagged, from which row, shown back as suggested evidence."""

from __future__ import annotations

import audit_utils
from indielabel.audit.service import AuditService
from indielabel.errors import ConflictError, InputError
from indielabel.flagging.setup import Flagging, FlaggingDisabledError, read_flags

NOTICES = {
    "manual": "When you flag a comment, the comment, its ratings, your user id, the reason you chose and the time "
              "are saved in a log kept by the organizers of this audit.",
    "auto": "Every comment you label is saved, with your label's comment, its ratings, your user id and the time, "
            "in a log kept by the organizers of this audit. Do not label if you do not want that.",
    "never": "",
}


def describe(flagging: Flagging) -> dict:
    """The flagging setup the front end needs: mode, buttons and the notice shown to users."""
    return {"mode": flagging.mode, "notice": NOTICES[flagging.mode],
            "options": [{"label": option.label, "value": option.value} for option in flagging.options]}


def _row(service: AuditService, user: str, model: str | None, item_id: int) -> dict:
    """The comment with the system's rating and, given a model, the user's predicted rating and decision."""
    row = service.item_row(item_id)
    result = {"item_id": int(row["item_id"]), "comment": row["comment"], "topic": row["topic"],
              "system_rating": round(float(row["system_rating"]), 2), "predicted_rating": None,
              "predicted_decision": None, "error_type": None}
    if model:
        predicted = float(service.model_view(user, model).predicted_rating[row.name])
        error_code = int(audit_utils.error_type_codes(row["system_rating"], predicted))
        result.update(predicted_rating=round(predicted, 2),
                      predicted_decision=str(audit_utils.decision_label(predicted)),
                      error_type=audit_utils.ERROR_TYPE_NAMES[error_code])
    return result


def flag_item(service: AuditService, flagging: Flagging, user: str, model: str | None, item_id: int,
              option: str | None, request_id: str | None = None) -> dict:
    """Record a manual flag of one comment; the total flagged so far comes back (for a retried
    ``request_id``, the total when it was first recorded, and nothing is logged again)."""
    if flagging.mode != "manual":
        raise ConflictError(f"flag buttons are off on this server (flagging mode is {flagging.mode!r})",
                            field="option")
    row = _row(service, user, model, item_id)
    try:
        total = flagging.record(row, option, username=user, request_id=request_id)
    except ValueError as error:
        raise InputError(str(error), field="option") from error
    return {"flagged": {**row, "option": option}, "total": total}


def record_labels(service: AuditService, flagging: Flagging, user: str, model: str,
                  ratings: dict[int, int | None]) -> None:
    """In `auto` mode every label a user gives is logged, as Gradio logs every submission."""
    if flagging.mode != "auto":
        return
    for item_id in ratings:
        try:
            flagging.record(_row(service, user, model, item_id), None, username=user)
        except FlaggingDisabledError:
            return


def flags_of(service: AuditService, flagging: Flagging, user: str, model: str | None = None) -> list[dict]:
    """The comments this user flagged, newest first, once each (for the report panel's suggestions).

    Texts and ratings come from the dataset and ``model``, not the log, whose CSV cells carry the
    formula guard.
    """
    if flagging.directory is None:
        return []
    seen: set[int] = set()
    mine = []
    for flag in reversed(read_flags(flagging.directory)):
        if flag.get("username") != user:
            continue
        item_id = int(flag["item_id"])
        if item_id in seen:
            continue
        seen.add(item_id)
        mine.append({**_row(service, user, model, item_id), "option": flag.get("flag") or None,
                     "timestamp": flag.get("timestamp")})
    return mine
