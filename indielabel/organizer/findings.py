"""Findings across auditors: per topic, for how many people the system fails, and the evidence.

An auditor's current model finds the system over-sensitive on a topic when at least ``min_share`` of
the topic's comments are ones the system calls toxic and the model does not (under-sensitive: the
other way round). By default that is the 5% below which a single auditor's overview says the system
agrees with them; the organizer can ask for a stricter share. A topic fails an auditor when their model finds either, or when they reported the topic (a
report whose evidence includes one of its comments). Topics are ordered by how many people they fail.
A topic's findings are also broken down by the auditors' optional self-descriptions, showing only
groups of at least ``organizer_min_group_size`` auditors (k-anonymity, k = 5 by default).
"""

from __future__ import annotations

from collections import Counter

import numpy as np

import audit_utils
from indielabel.audit.service import AuditService
from indielabel.errors import NotFoundError
from indielabel.organizer.summaries import PROFILE, report_state, stored_reports

FAILURE_SHARE = audit_utils.AGREE_MAX_SHARE


def rule(min_share: float) -> str:
    """The rule in words, as the pages state it."""
    return (f"An auditor's current model finds the system over-sensitive on a topic when at least {min_share:.0%} "
            f"of the topic's comments are ones the system calls toxic and the model does not; under-sensitive "
            f"when at least {min_share:.0%} are ones the model calls toxic and the system does not. A topic "
            f"fails an auditor when their model finds either or they reported the topic.")
TOP_COMMENTS = 10
NO_REASON = "(no reason)"
COLUMNS = ("topic", "label", "n_failed", "n_over", "n_under", "n_reported", "n_auditors")


def topic_failures(service: AuditService):
    """The function a summary uses: topic -> [over share, under share] of one model's predictions.

    The same shares as the auditor's overview (``audit_utils.topic_overview``), counted with numpy
    alone: a server's first look at a thousand auditors computes it a thousand times.
    """
    topic_ids = service.frame["topic_id"].to_numpy()
    in_topic = topic_ids >= 0
    ids, first, codes = np.unique(topic_ids[in_topic], return_index=True, return_inverse=True)
    names = service.frame["topic"].to_numpy()[in_topic][first]
    system = service.frame["system_rating"].to_numpy()[in_topic]
    sizes = np.bincount(codes, minlength=len(ids))

    def failures(predictions) -> dict[str, list[float]]:
        errors = audit_utils.error_type_codes(system, np.asarray(predictions)[in_topic])
        under = np.bincount(codes, weights=errors == 0, minlength=len(ids)) / sizes
        over = np.bincount(codes, weights=errors == 1, minlength=len(ids)) / sizes
        return {str(name): [round(float(o), 4), round(float(u), 4)] for name, o, u in zip(names, over, under)}

    return failures


def _fails(summary: dict, topic: str, min_share: float) -> tuple[bool, bool, bool]:
    over, under = summary["topic_failures"].get(topic, (0.0, 0.0))
    return over >= min_share, under >= min_share, topic in summary["reported_topics"]


def findings_table(summaries: list[dict], topic_labels: dict[str, str], min_share: float) -> list[dict]:
    """One row per topic, the topics that fail most people first."""
    counts = {name: Counter() for name in ("n_over", "n_under", "n_reported", "n_failed")}
    # Each auditor's failing topics as sets: one pass over their figures, not one look-up per topic.
    for summary in summaries:
        over = {topic for topic, (share, _) in summary["topic_failures"].items() if share >= min_share}
        under = {topic for topic, (_, share) in summary["topic_failures"].items() if share >= min_share}
        reported = set(summary["reported_topics"])
        for name, topics in (("n_over", over), ("n_under", under), ("n_reported", reported),
                             ("n_failed", over | under | reported)):
            counts[name].update(topics)
    n_with_model = sum(1 for summary in summaries if summary["current_model"])
    rows = [{"topic": topic, "label": label, **{name: counter[topic] for name, counter in counts.items()},
             "n_auditors": n_with_model} for topic, label in topic_labels.items()]
    return sorted(rows, key=lambda row: (-row["n_failed"], -row["n_reported"], row["topic"]))


def group_breakdown(summaries: list[dict], topic: str, min_share: float, min_group: int) -> list[dict]:
    """The topic's findings per self-described group (attribute = value), for groups of at least
    ``min_group`` auditors. Where an attribute's hidden groups hold fewer than ``min_group`` people
    together, its smallest shown groups are hidden too, so that no subtraction singles anyone out."""
    groups: dict[tuple[str, str], list[dict]] = {}
    for summary in summaries:
        for attribute, value in (summary.get(PROFILE) or {}).items():
            groups.setdefault((attribute, value), []).append(summary)
    rows = []
    for attribute in sorted({attribute for attribute, _ in groups}):
        sizes = {value: len(members) for (name, value), members in groups.items() if name == attribute}
        for value in sorted(_shown_values(sizes, min_group)):
            rows.append({"attribute": attribute, "value": value, "n_auditors": sizes[value],
                         **_counts(groups[(attribute, value)], topic, min_share)})
    return rows


def _shown_values(sizes: dict[str, int], min_group: int) -> set[str]:
    shown = {value for value, size in sizes.items() if size >= min_group}
    hidden = sum(size for value, size in sizes.items() if value not in shown)
    while shown and 0 < hidden < min_group:
        smallest = min(shown, key=lambda value: (sizes[value], value))
        shown.remove(smallest)
        hidden += sizes[smallest]
    return shown


def _counts(members: list[dict], topic: str, min_share: float) -> dict:
    fails = [_fails(summary, topic, min_share) for summary in members]
    return {"n_over": sum(over for over, _, _ in fails), "n_under": sum(under for _, under, _ in fails),
            "n_reported": sum(reported for _, _, reported in fails), "n_failed": sum(any(row) for row in fails)}


def topic_detail(service: AuditService, summaries: list[dict], flags: list[dict], topic: str,
                 min_share: float) -> dict:
    """One topic's findings: each failed auditor's figures, the reports and their evidence on the
    topic, the comments most often used as evidence, and its most-flagged comments."""
    if topic not in service.topic_labels:
        raise NotFoundError(f"no topic named {topic!r}", field="topic")
    auditors, reports = [], []
    for summary in summaries:
        over, under, reported = _fails(summary, topic, min_share)
        if over or under or reported:
            shares = summary["topic_failures"].get(topic, (None, None))
            auditors.append({"user": summary["user"], "model": summary["current_model"], "over_share": shares[0],
                             "under_share": shares[1], "over": over, "under": under, "reported": reported})
        if reported:
            reports += _topic_reports(service, summary, topic)
    used = Counter(entry["item_id"] for report in reports for entry in report["evidence"])
    min_group = service.settings.organizer_min_group_size
    return {"topic": topic, "label": service.topic_labels[topic], "rule": rule(min_share), "auditors": auditors,
            "groups": group_breakdown(summaries, topic, min_share, min_group), "min_group_size": min_group,
            "n_described": sum(1 for summary in summaries if summary.get(PROFILE)),
            "reports": reports, "most_used_evidence": _with_comments(service, used.most_common(TOP_COMMENTS)),
            "most_flagged": most_flagged(service, flags, topic)}


def _topic_reports(service: AuditService, summary: dict, topic: str) -> list[dict]:
    user = summary["user"]
    models = {report["model"] for report in summary["reports"] if topic in report["topics"]}
    found = []
    for model in sorted(models, key=lambda name: name or ""):
        for report in stored_reports(service.store, user, model):
            evidence = [entry.model_dump() for entry in report.evidence if entry.topic == topic]
            if evidence:
                found.append({"user": user, "model": model, "id": report.id, "title": report.title,
                              "error_type": report.error_type, "summary": report.summary,
                              "state": report_state(report), "evidence": evidence})
    return found


def most_flagged(service: AuditService, flags: list[dict], topic: str | None = None) -> list[dict]:
    """The most-flagged comments (of one topic, or of all), with how often and for which reasons."""
    reasons: dict[int, Counter] = {}
    for flag in flags:
        item_id = _item_id(flag)
        if item_id is None or (topic is not None and flag.get("topic") != topic):
            continue
        reasons.setdefault(item_id, Counter())[flag.get("flag") or NO_REASON] += 1
    ranked = sorted(reasons.items(), key=lambda pair: (-pair[1].total(), pair[0]))[:TOP_COMMENTS]
    rows = _with_comments(service, [(item_id, counter.total()) for item_id, counter in ranked])
    for row, (_, counter) in zip(rows, ranked):
        row["reasons"] = dict(counter)
    return rows


def _item_id(flag: dict) -> int | None:
    try:
        return int(flag.get("item_id"))
    except (TypeError, ValueError):
        return None


def _with_comments(service: AuditService, counted: list[tuple[int, int]]) -> list[dict]:
    comments = service.frame.set_index("item_id")["comment"]
    return [{"item_id": item_id, "comment": comments.get(item_id, ""), "count": count}
            for item_id, count in counted]

