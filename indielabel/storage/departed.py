"""Submission states of reports deleted after, or while, AVID got them: a report put back keeps its
state, and so its AVID id, and is not sent again.

Kept in ``departed_submissions.json`` beside the reports they left, under the same lock. ``Store``
takes these methods from ``DepartedSubmissions``, which uses its report helpers (``_reports_path``,
``_locked_for_reports``, ``_read_reports``, ``_read_json``).
"""

from __future__ import annotations

from pathlib import Path

from indielabel.storage.atomic_files import write_json_atomic
from indielabel.storage.versions import check_reports

DEPARTED_FILE_NAME = "departed_submissions.json"


class DepartedSubmissions:
    """The methods ``Store`` has for them; ``_keep_departed`` runs with the reports lock held."""

    def record_submission(self, user, model: str | None, report_id: str, submission: dict) -> None:
        """Store a report's new submission state: on the report, or, when it was deleted meanwhile (while
        AVID had it), among the departed submissions, so its AVID id is not lost."""
        path = self._reports_path(user, model)
        with self._locked_for_reports(user, model):
            revision, reports = self._read_reports(path)
            if not any(report.get("id") == report_id for report in reports):
                self._keep_departed(path, {report_id: submission})
                return
            changed = [{**report, "submission": submission} if report.get("id") == report_id else report
                       for report in reports]
            check_reports(changed)
            write_json_atomic(path, {"revision": revision + 1, "reports": changed})

    def departed_submissions(self, user, model: str | None) -> dict[str, dict]:
        """Report id -> submission state of deleted reports that were sent: a report put back keeps it,
        and so its AVID id, and is not sent again."""
        document = self._read_json(self._departed_path(self._reports_path(user, model)))
        return document if isinstance(document, dict) else {}

    def _keep_departed(self, reports_path: Path, submissions: dict[str, dict]) -> None:
        path = self._departed_path(reports_path)
        current = self._read_json(path)
        write_json_atomic(path, {**(current if isinstance(current, dict) else {}), **submissions})

    @staticmethod
    def _departed_path(reports_path: Path) -> Path:
        return reports_path.with_name(DEPARTED_FILE_NAME)
