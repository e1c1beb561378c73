"""Flags as the app uses them: what a user flagged, from which row, shown back as suggested evidence."""

from __future__ import annotations

import audit_utils
from indielabel.audit.service import AuditService
from indielabel.errors import ConflictError, InputError, NotFoundError
from indielabel.flagging.setup import Flagging, flags_of_user
from indielabel.storage.probes import ProbeHistory

NOTICES = {
    "manual": "When you flag a comment, the comment, its ratings, your user id, the reason you chose and the time "
              "are saved in a log kept by the organizers of this audit.",
    "auto": "Each label you give is saved the moment you give it: the comment, its ratings, the label you chose, "
            "your user id and the time go to a log kept by the organizers of this audit. Do not label if you do "
            "not want that.",
    "never": "",
}
PROBE_PREFIX = "probe-"  # the item id a flagged probe has in the log: its text is no comment of the dataset


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
    """Record a manual flag of one comment; the total flagged so far comes back.

    Flagging a comment again for the same reason logs nothing and says so (`already_flagged`). For a
    retried ``request_id`` the answer is the first one's, and nothing is logged again.
    """
    return _flag_row(flagging, user, _row(service, user, model, item_id), option, request_id)


def flag_probe(flagging: Flagging, user: str, probe: dict, option: str | None) -> dict:
    """Record a manual flag of a text the auditor wrote (one of their probes), the Gradio way."""
    row = {key: probe[key] for key in ("comment", "topic", "system_rating", "predicted_rating",
                                       "predicted_decision", "error_type")}
    row.update(item_id=f"{PROBE_PREFIX}{probe['probe_id']}", probe_id=probe["probe_id"])
    return _flag_row(flagging, user, row, option)


def _flag_row(flagging: Flagging, user: str, row: dict, option: str | None, request_id: str | None = None) -> dict:
    if flagging.mode != "manual":
        raise ConflictError(f"flag buttons are off on this server (flagging mode is {flagging.mode!r})",
                            field="option")
    try:
        total = flagging.record(row, option, username=user, request_id=request_id)
    except ValueError as error:
        raise InputError(str(error), field="option") from error
    return {"flagged": {**row, "option": option}, "total": total, "already_flagged": total is None}


def record_label(service: AuditService, flagging: Flagging, user: str, model: str | None, item_id: int,
                 label: int) -> dict:
    """In `auto` mode each label is logged as it is given (as Gradio logs every submission), label included."""
    if flagging.mode != "auto":
        raise ConflictError(f"labels are logged only in auto flagging mode (it is {flagging.mode!r})",
                            field="item_id")
    total = flagging.record({**_row(service, user, model, item_id), "label": label}, None, username=user)
    return {"logged": True, "total": total}


def flags_of(service: AuditService, flagging: Flagging, user: str, model: str | None = None) -> list[dict]:
    """The comments this user flagged, newest first, once each with every reason given (`options`).

    Read through the log's per-user index, so the cost follows this user's flags, not the log's size.
    Texts and ratings come from the dataset and ``model`` (or, for a probe, the user's probe history),
    not the log, whose CSV cells carry the formula guard.
    """
    if flagging.directory is None:
        return []
    if model:
        service.model_view(user, model)  # an unknown model is the request's error, not every flag's
    probes = ProbeHistory(service.store.root).by_id(user)
    by_item: dict[str, dict] = {}
    for flag in reversed(flags_of_user(flagging.directory, user)):
        key = str(flag.get("item_id"))
        option = flag.get("flag") or None
        if key in by_item:
            if option not in by_item[key]["options"]:
                by_item[key]["options"].append(option)
            continue
        row = _flagged_row(service, user, model, key, probes)
        if row is not None:
            by_item[key] = {**row, "option": option, "options": [option], "timestamp": flag.get("timestamp")}
    return list(by_item.values())


def _flagged_row(service: AuditService, user: str, model: str | None, key: str, probes: dict[int, dict]):
    if key.startswith(PROBE_PREFIX):
        probe = probes.get(int(key[len(PROBE_PREFIX):])) if key[len(PROBE_PREFIX):].isdigit() else None
        return None if probe is None else {**probe, "item_id": None}
    try:
        return _row(service, user, model, int(float(key)))
    except (ValueError, NotFoundError):
        return None  # a row of another dataset, or edited by hand: nothing to show it with
