"""Altair charts of the organizer's pages: findings per topic, one topic's auditors, flags by reason.

Each chart is built with Altair once, over named data; a call copies it and attaches its rows as
inline values (building and validating a chart costs tens of milliseconds, copying it almost none).
"""

from __future__ import annotations

import copy
import functools

import altair as alt

CHART_TOPICS = 20
MEASURES = {"n_over": "Model finds it over-sensitive", "n_under": "Model finds it under-sensitive",
            "n_reported": "Reported it"}
MEASURE_COLOURS = ["#d62728", "#1f77b4", "#6b6b6b"]
WIDTH = "container"


ROWS = alt.NamedData("rows")


def _with_rows(template: dict, rows: list[dict]) -> dict:
    spec = copy.deepcopy(template)
    spec["data"] = {"values": rows}
    return spec


def findings_chart(rows: list[dict]) -> dict:
    """For the topics that fail most people: how many auditors' models find each failure, and reported it."""
    values = [{"topic": row["label"], "measure": MEASURES[name], "auditors": row[name], "order": position}
              for position, row in enumerate(rows[:CHART_TOPICS]) for name in MEASURES]
    return _with_rows(_findings_template(), values)


def auditors_chart(auditors: list[dict]) -> dict:
    """One topic: each failed auditor's over- against under-sensitive share."""
    values = [{"user": auditor["user"], "over_share": auditor["over_share"], "under_share": auditor["under_share"]}
              for auditor in auditors if auditor["over_share"] is not None]
    return _with_rows(_auditors_template(), values)


def flags_chart(by_reason: list[dict]) -> dict:
    """Flags by the reason given."""
    return _with_rows(_flags_template(), [{"reason": row["reason"], "count": row["count"]} for row in by_reason])


@functools.cache
def _findings_template() -> dict:
    measures = list(MEASURES.values())
    return alt.Chart(ROWS).mark_bar().encode(
        y=alt.Y("topic:N", sort=alt.EncodingSortField("order", op="min"), title=None,
                axis=alt.Axis(labelLimit=220)),
        yOffset=alt.YOffset("measure:N", sort=measures),
        x=alt.X("auditors:Q", title="Auditors", axis=alt.Axis(tickMinStep=1)),
        color=alt.Color("measure:N", title=None, sort=measures,
                        scale=alt.Scale(domain=measures, range=MEASURE_COLOURS),
                        legend=alt.Legend(orient="top", columns=1)),
        tooltip=[alt.Tooltip("topic:N", title="Topic"), alt.Tooltip("measure:N", title="What"),
                 alt.Tooltip("auditors:Q", title="Auditors")],
    ).properties(width=WIDTH, height=alt.Step(9), title="Topics that fail the most auditors").to_dict()


@functools.cache
def _auditors_template() -> dict:
    return alt.Chart(ROWS).mark_circle(size=70, opacity=0.7, color="#243b6b").encode(
        x=alt.X("over_share:Q", title="Share of the topic's comments over-sensitive for them",
                axis=alt.Axis(format="%"), scale=alt.Scale(domain=[0, 1])),
        y=alt.Y("under_share:Q", title="Share under-sensitive for them", axis=alt.Axis(format="%"),
                scale=alt.Scale(domain=[0, 1])),
        tooltip=[alt.Tooltip("user:N", title="Auditor"), alt.Tooltip("over_share:Q", format=".0%"),
                 alt.Tooltip("under_share:Q", format=".0%")],
    ).properties(width=WIDTH, height=260, title="Where the system fails each auditor on this topic").to_dict()


@functools.cache
def _flags_template() -> dict:
    return alt.Chart(ROWS).mark_bar(color="#243b6b").encode(
        y=alt.Y("reason:N", sort="-x", title=None),
        x=alt.X("count:Q", title="Flags", axis=alt.Axis(tickMinStep=1)),
        tooltip=[alt.Tooltip("reason:N", title="Reason"), alt.Tooltip("count:Q", title="Flags")],
    ).properties(width=WIDTH, height=alt.Step(24), title="Flags by reason").to_dict()
