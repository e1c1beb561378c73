"""The organizer's pages as calls: each answer built from the summary index and the flag log."""

from __future__ import annotations

from collections.abc import Iterator

from indielabel.audit.service import AuditService
from indielabel.config import Settings
from indielabel.flagging import setup as flagging
from indielabel.organizer import charts, exports, findings, participants
from indielabel.organizer.findings import FAILURE_SHARE
from indielabel.organizer.flag_counts import flag_overview
from indielabel.organizer.summaries import SummaryIndex

CACHE_DIR_NAME = "organizer-summaries"


class OrganizerView:
    def __init__(self, service: AuditService, settings: Settings):
        self.service = service
        self.settings = settings
        self.index = SummaryIndex(service.store, settings.data_dir / CACHE_DIR_NAME,
                                  findings.topic_failures(service))

    def flags(self) -> list[dict]:
        return flagging.read_flags(self.settings.flag_dir) if self.settings.flag_dir.is_dir() else []

    def participants(self) -> dict:
        rows = participants.participant_rows(self.index.summaries(), self.flags())
        return {"participants": rows, "n_participants": len(rows)}

    def findings(self, min_share: float = FAILURE_SHARE) -> dict:
        summaries = self.index.summaries()
        rows = findings.findings_table(summaries, self.service.topic_labels, min_share)
        return {"rule": findings.rule(min_share), "min_share": min_share, "n_auditors": len(summaries),
                "n_with_model": sum(1 for summary in summaries if summary["current_model"]),
                "topics": rows, "chart": charts.findings_chart(rows)}

    def topic(self, topic: str, min_share: float = FAILURE_SHARE) -> dict:
        detail = findings.topic_detail(self.service, self.index.summaries(), self.flags(), topic, min_share)
        return {**detail, "chart": charts.auditors_chart(detail["auditors"])}

    def flag_overview(self) -> dict:
        overview = flag_overview(self.service, self.flags())
        return {**overview, "chart": charts.flags_chart(overview["by_reason"])}

    def report_lines(self, avid_format: bool) -> Iterator[str]:
        summaries = self.index.summaries()
        if avid_format:
            return exports.avid_report_lines(self.service, summaries)
        return exports.report_lines(self.service.store, summaries)

    def participants_csv(self) -> str:
        return exports.participants_csv(self.participants()["participants"])

    def findings_csv(self, min_share: float = FAILURE_SHARE) -> str:
        return exports.findings_csv(self.findings(min_share)["topics"])
