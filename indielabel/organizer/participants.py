"""The participants table: one row per auditor, from their summary and the flag log."""

from __future__ import annotations

from collections import Counter

from indielabel.storage.reports import SUBMISSION_STATES

REPORT_STATES = ("draft", "complete", *SUBMISSION_STATES[1:])
CSV_COLUMNS = ("user", "created_at", "study_link", "n_labels", "n_models", "models", "current_model",
               "current_version", *(f"reports_{state}" for state in REPORT_STATES), "n_flags")


def flags_by_user(flags: list[dict]) -> Counter:
    return Counter(flag.get("username") or "" for flag in flags)


def participant_rows(summaries: list[dict], flags: list[dict]) -> list[dict]:
    """Each auditor: created when, by study link or not, labels, models and versions, reports, flags."""
    flag_counts = flags_by_user(flags)
    return [_row(summary, flag_counts[summary["user"]]) for summary in summaries]


def _row(summary: dict, n_flags: int) -> dict:
    states = summary["report_states"]
    return {
        "user": summary["user"],
        "created_at": summary["created_at"],
        "study_link": summary["study_link"],
        "n_labels": summary["n_labels"],
        "n_models": len(summary["models"]),
        "models": "; ".join(f"{model['name']} (v{model['versions']})" for model in summary["models"]),
        "current_model": summary["current_model"],
        "current_version": summary["current_version"],
        **{f"reports_{state}": states.get(state, 0) for state in REPORT_STATES},
        "n_flags": n_flags,
    }
