"""The audit's overview calls: how the system fails you per topic (or toxicity category), how your
view differs from others', and comments similar to one you found.

Every figure comes from ``audit_utils``; this module picks the frames (yours, the crowd's, a group
model's), words the findings and chooses the chart a ``topic_vis_method`` names.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

import audit_utils
from indielabel.audit import charts, ranking_charts
from indielabel.audit.service import AuditService
from indielabel.errors import InputError, NotFoundError

# Every documented topic_vis_method; fp_fn (both error shares, worst first) is the default because
# it is the one that points at problems.
OVERVIEW_METHODS = ("fp_fn", "fp_proportion", "fn_proportion", "mae", "mse", "avg_diff", "median", "mean")
DEFAULT_METHOD = "fp_fn"
DOT_METHODS = ("median", "mean")
BREAKDOWN_AXES = ("topic", "toxicity_category")
CROWD = "crowd"
CROWD_NAME = "most raters"
SIMILAR_DEFAULT = 20


def overview(service: AuditService, user: str, model_name: str | None, method: str = DEFAULT_METHOD,
             breakdown: str = "topic") -> dict:
    """The overview of one model: every topic (or category) worst first, in figures, words and a chart."""
    if not model_name:
        return {"model": None, "topics": [], "topic_overview_plot_json": None, "topic_vis_method": method,
                "breakdown_axis": breakdown, "agreement_rule": audit_utils.AGREEMENT_RULE}
    view = service.model_view(user, model_name)
    table = _breakdown(service, user, model_name, breakdown)
    table["summary"] = [summary_text(record) for record in table.to_dict(orient="records")]
    clickable = breakdown == "topic"
    if method in DOT_METHODS:
        dots = table.assign(topic=table["key"], predicted_rating=table[f"predicted_{method}"],
                            system_rating=table[f"system_{method}"])
        chart = charts.overview_chart(dots, x_title=f"Our prediction of your rating ({method} over the "
                                                    f"{'topic' if clickable else 'category'})")
    else:
        chart = ranking_charts.ranking_chart(table, method, clickable, audit_utils.AGREE_MAX_SHARE)
    problems = table[table["status"] == audit_utils.PROBLEM]
    return {
        "model": model_name,
        "version": view.version,
        "topic_vis_method": method,
        "breakdown_axis": breakdown,
        "agreement_rule": audit_utils.AGREEMENT_RULE,
        "n_groups": len(table),
        "n_problems": len(problems),
        "topics": _records(table.assign(topic=table["key"])),
        "topic_overview_plot_json": chart,
    }


def breakdown_axes(service: AuditService) -> list[str]:
    """The breakdowns this dataset allows: by toxicity category only where it has the crowd's categories."""
    has_categories = any(column in service.data.items.columns for column in audit_utils.CATEGORY_NAMES)
    return list(BREAKDOWN_AXES) if has_categories else ["topic"]


def _breakdown(service: AuditService, user: str, model_name: str, breakdown: str) -> pd.DataFrame:
    if breakdown not in breakdown_axes(service):
        raise InputError("this dataset has no toxicity categories; break the audit down by topic",
                         field="breakdown_axis")
    return service.overview_table(user, model_name, breakdown)


def summary_text(record: dict) -> str:
    """The finding of one row in words, e.g. "System is over-sensitive for you on 29% (120 of 416)"."""
    total = record["n_comments"]
    if record["status"] == audit_utils.AGREES:
        return (f"System agrees with you: only {record['error_share']:.0%} "
                f"({record['n_errors']} of {total}) are possible errors")
    if record["direction"] == audit_utils.OVER:
        return f"System is over-sensitive for you on {record['over_share']:.0%} ({record['n_over']} of {total})"
    if record["direction"] == audit_utils.UNDER:
        return f"System is under-sensitive for you on {record['under_share']:.0%} ({record['n_under']} of {total})"
    return (f"System is wrong both ways for you: over-sensitive on {record['n_over']} and under-sensitive on "
            f"{record['n_under']} of {total}")


def comparison(service: AuditService, user: str, model_name: str, compare_with: str = CROWD) -> dict:
    """Per topic, your predicted view beside the crowd's (item means) or a group model's, blind spots marked."""
    yours = service.overview_table(user, model_name)
    if compare_with == CROWD:
        others, others_name = service.crowd_topic_overview(), CROWD_NAME
    else:
        if compare_with not in service.models_of(user, kind="group"):
            raise NotFoundError(f"you have no group model named {compare_with!r}", field="compare_with")
        others = service.overview_table(user, compare_with)
        others_name = f"the group of {compare_with}"
    table = audit_utils.view_comparison(yours, others)
    table["sentence"] = [f"You find this topic {view} than {others_name}" for view in table["view"]]
    return {
        "model": model_name,
        "compare_with": compare_with,
        "others_name": others_name,
        "blind_spot_rule": (f"A topic is your blind spot when the system's decisions differ from yours on at "
                            f"least {audit_utils.BLIND_SPOT_MARGIN:.0%} more of its comments than from those of "
                            f"{others_name}: the system follows them and fails you."),
        "n_blind_spots": int(table["blind_spot"].sum()),
        "topics": _records(table.assign(topic=table["key"])),
        "comparison_plot_json": ranking_charts.comparison_chart(table, others_name),
    }


def similar_comments(service: AuditService, user: str, model_name: str | None, item_id: int,
                     n: int = SIMILAR_DEFAULT) -> dict:
    """The ``n`` comments closest to one comment in the model's content space, as comment-table rows."""
    position = service.item_positions.get_indexer([item_id])[0]
    if position < 0:
        raise NotFoundError(f"no comment with item id {item_id}", field="item_id")
    neighbours = service.content_index().nearest(int(position), n)
    rows = audit_utils.comment_records(service.audit_rows(user, model_name, np.asarray(neighbours.positions)))
    for row, similarity in zip(rows, neighbours.similarity.tolist()):
        row["similarity"] = round(similarity, 3)
    source = audit_utils.comment_records(service.audit_rows(user, model_name, np.array([position])))[0]
    return {"item_id": item_id, "comment": source["comment"], "source": source, "n_shown": len(rows),
            "similar_comments": rows}


def _records(frame: pd.DataFrame) -> list[dict]:
    rounded = frame.round(4)
    return rounded.astype(object).where(rounded.notna(), None).to_dict(orient="records")
