"""Altair charts of the organizer's pages: findings per topic, one topic's auditors, flags by reason."""

from __future__ import annotations

import altair as alt
import pandas as pd

CHART_TOPICS = 20
MEASURES = {"n_over": "Model finds it over-sensitive", "n_under": "Model finds it under-sensitive",
            "n_reported": "Reported it"}
MEASURE_COLOURS = ["#d62728", "#1f77b4", "#6b6b6b"]
WIDTH = "container"


def findings_chart(rows: list[dict]) -> dict:
    """For the topics that fail most people: how many auditors' models find each failure, and reported it."""
    top = rows[:CHART_TOPICS]
    long = pd.DataFrame([{"topic": row["label"], "measure": MEASURES[name], "auditors": row[name],
                          "order": position} for position, row in enumerate(top) for name in MEASURES])
    if long.empty:
        long = pd.DataFrame(columns=["topic", "measure", "auditors", "order"])
    sort = [row["label"] for row in top]
    chart = alt.Chart(long).mark_bar().encode(
        y=alt.Y("topic:N", sort=sort, title=None, axis=alt.Axis(labelLimit=220)),
        yOffset=alt.YOffset("measure:N", sort=list(MEASURES.values())),
        x=alt.X("auditors:Q", title="Auditors", axis=alt.Axis(tickMinStep=1)),
        color=alt.Color("measure:N", title=None, sort=list(MEASURES.values()),
                        scale=alt.Scale(domain=list(MEASURES.values()), range=MEASURE_COLOURS),
                        legend=alt.Legend(orient="top", columns=1)),
        tooltip=[alt.Tooltip("topic:N", title="Topic"), alt.Tooltip("measure:N", title="What"),
                 alt.Tooltip("auditors:Q", title="Auditors")],
    ).properties(width=WIDTH, height=alt.Step(9), title="Topics that fail the most auditors")
    return chart.to_dict()


def auditors_chart(auditors: list[dict]) -> dict:
    """One topic: each failed auditor's over- against under-sensitive share."""
    frame = pd.DataFrame([auditor for auditor in auditors if auditor["over_share"] is not None],
                         columns=["user", "over_share", "under_share"])
    chart = alt.Chart(frame).mark_circle(size=70, opacity=0.7, color="#243b6b").encode(
        x=alt.X("over_share:Q", title="Share of the topic's comments over-sensitive for them",
                axis=alt.Axis(format="%"), scale=alt.Scale(domain=[0, 1])),
        y=alt.Y("under_share:Q", title="Share under-sensitive for them", axis=alt.Axis(format="%"),
                scale=alt.Scale(domain=[0, 1])),
        tooltip=[alt.Tooltip("user:N", title="Auditor"), alt.Tooltip("over_share:Q", format=".0%"),
                 alt.Tooltip("under_share:Q", format=".0%")],
    ).properties(width=WIDTH, height=260, title="Where the system fails each auditor on this topic")
    return chart.to_dict()


def flags_chart(by_reason: list[dict]) -> dict:
    """Flags by the reason given."""
    frame = pd.DataFrame(by_reason, columns=["reason", "count"])
    chart = alt.Chart(frame).mark_bar(color="#243b6b").encode(
        y=alt.Y("reason:N", sort="-x", title=None),
        x=alt.X("count:Q", title="Flags", axis=alt.Axis(tickMinStep=1)),
        tooltip=[alt.Tooltip("reason:N", title="Reason"), alt.Tooltip("count:Q", title="Flags")],
    ).properties(width=WIDTH, height=alt.Step(24), title="Flags by reason")
    return chart.to_dict()
