"""The organizer's downloads: every report as JSON lines (ours or AVID's format) and CSV tables.

An export reads every auditor's reports, as a download may; the pages use the summaries instead.
CSV cells that a spreadsheet would run as a formula are neutralised, as in the flag log.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Iterator

from indielabel.audit import reporting
from indielabel.audit.service import AuditService
from indielabel.avid import convert
from indielabel.flagging.loggers import csv_line
from indielabel.organizer.participants import CSV_COLUMNS
from indielabel.organizer.findings import COLUMNS as FINDINGS_COLUMNS
from indielabel.organizer.summaries import stored_reports
from indielabel.storage.reports import is_complete
from indielabel.storage.store import Store


def report_lines(store: Store, summaries: list[dict]) -> Iterator[str]:
    """Every stored report as one JSON object per line, with the auditor and model it belongs to."""
    for user, model, report in _every_report(store, summaries):
        yield json.dumps({"user": user, "model": model, "report": report.model_dump(mode="json")},
                         ensure_ascii=False) + "\n"


def avid_report_lines(service: AuditService, summaries: list[dict]) -> Iterator[str]:
    """Every complete report converted to AVID's format (incomplete ones cannot be), one per line,
    with the figures its author's model gives it, as the author's own download has them."""
    contexts: dict[str, convert.AuditContext] = {}
    for user, model, report in _every_report(service.store, summaries):
        if is_complete(report):
            if user not in contexts:
                contexts[user] = reporting.avid_context(service, user)
            document = convert.to_avid_json(report, contexts[user])
            yield json.dumps({"user": user, "model": model, "avid": document}, ensure_ascii=False) + "\n"


def _every_report(store: Store, summaries: list[dict]):
    for summary in summaries:
        for model in sorted({report["model"] for report in summary["reports"]}, key=lambda name: name or ""):
            for report in stored_reports(store, summary["user"], model):
                yield summary["user"], model, report


def table_csv(rows: Iterable[dict], columns: tuple[str, ...]) -> str:
    return csv_line(columns) + "".join(csv_line([row.get(column) for column in columns]) for row in rows)


def participants_csv(rows: list[dict]) -> str:
    return table_csv(rows, CSV_COLUMNS)


def findings_csv(rows: list[dict]) -> str:
    return table_csv(rows, FINDINGS_COLUMNS)
