"""The flag log counted: flags by reason and by comment."""

from __future__ import annotations

from collections import Counter

from indielabel.audit.service import AuditService
from indielabel.organizer.findings import NO_REASON, most_flagged


def flag_overview(service: AuditService, flags: list[dict]) -> dict:
    """How many flags, by reason, by topic, and the most-flagged comments."""
    by_reason = Counter(flag.get("flag") or NO_REASON for flag in flags)
    by_topic = Counter(flag.get("topic") or "" for flag in flags)
    return {
        "n_flags": len(flags),
        "n_flaggers": len({flag.get("username") for flag in flags if flag.get("username")}),
        "by_reason": [{"reason": reason, "count": count} for reason, count in by_reason.most_common()],
        "by_topic": [{"topic": topic, "label": service.topic_labels.get(topic, topic), "count": count}
                     for topic, count in by_topic.most_common()],
        "most_flagged": most_flagged(service, flags),
    }
