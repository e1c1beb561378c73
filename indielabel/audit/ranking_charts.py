"""Vega-Lite charts that rank groups (topics or toxicity categories) by how the system fails you.

One horizontal bar per group, in the order the analysis ranked them (worst first), each with its
figure in words at the bar's end, so colour is never the only signal. ``fp_fn`` stacks the two error
shares (over-sensitive = the system's false positives for you, under-sensitive = its false
negatives); ``fp_proportion`` and ``fn_proportion`` show one of them; ``mae``, ``mse`` and ``avg_diff``
show the system's distance from your predicted ratings. ``comparison_chart`` sets your predicted view
of each topic beside others' and the system's.
"""

from __future__ import annotations

import copy
import functools

import altair as alt
import pandas as pd

from indielabel.data.dataset import RATING_MAX, RATING_MIN, TOXIC_THRESHOLD

OVER_TEXT = "System is over-sensitive for you"
UNDER_TEXT = "System is under-sensitive for you"
DIRECTION_COLOURS = {OVER_TEXT: "#ff7a5c", UNDER_TEXT: "#d62728"}
HIGHER_TEXT, LOWER_TEXT = "You rate it higher than the system", "You rate it lower than the system"
ROW_HEIGHT = 22
LABEL_LIMIT_PX = 190
FIGURE_ROOM = {"left": 5, "top": 5, "bottom": 5, "right": 110}
# x-axis title, the table's column, the number format of the figures
SINGLE_MEASURES = {
    "fp_proportion": ("Share of the comments the system flags as toxic that you would keep (over-sensitive)",
                      "over_share", ".0%"),
    "fn_proportion": ("Share of the comments the system lets through that you would delete (under-sensitive)",
                      "under_share", ".0%"),
    "mae": ("Mean absolute difference between your predicted rating and the system's (MAE)", "mae", ".2f"),
    "mse": ("Mean squared difference between your predicted rating and the system's (MSE)", "mse", ".2f"),
    "avg_diff": ("Mean of your predicted rating minus the system's rating", "avg_diff", "+.2f"),
}
SHARES_TITLE = "Share of comments where the system's decision differs from yours"
COMPARISON_COLOURS = {"You (our prediction)": "#1f77b4", "System": "#2b2b2b"}


def ranking_chart(table: pd.DataFrame, method: str, clickable: bool, agree_share: float) -> dict:
    """The ranked bar chart that ``method`` names (one of ``fp_fn`` and ``SINGLE_MEASURES``)."""
    records = table.to_dict(orient="records")
    if method == "fp_fn":
        datasets = {"bars": [{**_common(record, clickable), "direction": direction, "share": record[share],
                              "count": record[count]}
                             for record in records
                             for direction, share, count in ((UNDER_TEXT, "under_share", "n_under"),
                                                             (OVER_TEXT, "over_share", "n_over"))],
                    "figures": [{**_common(record, clickable), "end": record["error_share"]} for record in records],
                    "rule": [{"share": agree_share, "rule": f"agrees below {agree_share:.0%}"}]}
    else:
        datasets = {"bars": _measure_rows(records, method, clickable)}
    return _filled(_ranking_template(method, clickable), datasets, table["label"].tolist())


def _filled(template: dict, datasets: dict, order: list[str]) -> dict:
    """A copy of a chart template with its rows, its rows' order and a height to fit them."""
    spec = copy.deepcopy(template)
    spec["datasets"] = datasets
    spec["height"] = ROW_HEIGHT * max(len(order), 1)
    for layer in spec["layer"]:
        if "y" in layer.get("encoding", {}):
            layer["encoding"]["y"]["sort"] = order
    return spec


# Altair builds each chart's fixed part once (tens of milliseconds); a call only fills in a copy.
@functools.cache
def _ranking_template(method: str, clickable: bool) -> dict:
    y = alt.Y(field="label", type="nominal", title=None, axis=alt.Axis(labelLimit=LABEL_LIMIT_PX, labelFontSize=11))
    layers = _share_layers(y, clickable) if method == "fp_fn" else _measure_layers(method, y, clickable)
    # Room right of the plot for the figures written at the end of the longest bar.
    chart = alt.layer(*layers).properties(width="container", height=ROW_HEIGHT, padding=FIGURE_ROOM)
    return chart.to_dict(validate=False)


def _share_layers(y: alt.Y, clickable: bool) -> list:
    bars = (
        alt.Chart(alt.Data(name="bars"))
        .mark_bar(cursor="pointer" if clickable else "default", stroke="#7f7f7f", strokeWidth=0.5)
        .encode(
            y=y,
            x=alt.X(field="share", type="quantitative", stack="zero", title=SHARES_TITLE,
                    axis=alt.Axis(format="%"), scale=alt.Scale(domainMin=0)),
            color=alt.Color(field="direction", type="nominal",
                            scale=alt.Scale(domain=list(DIRECTION_COLOURS), range=list(DIRECTION_COLOURS.values())),
                            legend=alt.Legend(title="Direction", labelLimit=260)),
            tooltip=[_tip("label", "Topic"), _tip("direction", "Direction"),
                     _tip("share", "Share of its comments", ".1%"), _tip("count", "Comments", "d"),
                     _tip("n_comments", "Comments in all", "d"), _tip("summary", "In words")],
            **_href(clickable),
        )
    )
    figures = (
        alt.Chart(alt.Data(name="figures"))
        .mark_text(align="left", dx=4, fontSize=11, color="#333333")
        .encode(y=y, x=alt.X(field="end", type="quantitative"), text=alt.Text(field="figure", type="nominal"))
    )
    rule = (
        alt.Chart(alt.Data(name="rule"))
        .mark_rule(color="#6f6f6f", strokeDash=[4, 3])
        .encode(x=alt.X(field="share", type="quantitative"), tooltip=[_tip("rule", "Rule")])
    )
    return [bars, figures, rule]


def _measure_rows(records: list[dict], method: str, clickable: bool) -> list[dict]:
    title, column, number_format = SINGLE_MEASURES[method]
    rows = []
    for record in records:
        value = float(record[column])
        direction = (HIGHER_TEXT if value >= 0 else LOWER_TEXT) if method == "avg_diff" else title
        rows.append({**_common(record, clickable), "value": value, "shade": direction,
                     "value_text": format(value, number_format) + _count_text(record, column)})
    return rows


def _measure_layers(method: str, y: alt.Y, clickable: bool) -> list:
    title, column, number_format = SINGLE_MEASURES[method]
    base = alt.Chart(alt.Data(name="bars"))
    colour = (alt.Color(field="shade", type="nominal",
                        scale=alt.Scale(domain=[HIGHER_TEXT, LOWER_TEXT], range=["#d62728", "#1f77b4"]),
                        legend=alt.Legend(title="Direction"))
              if method == "avg_diff" else alt.value(DIRECTION_COLOURS.get(
                  {"over_share": OVER_TEXT, "under_share": UNDER_TEXT}.get(column, ""), "#8c6d62")))
    bars = base.mark_bar(cursor="pointer" if clickable else "default").encode(
        y=y,
        x=alt.X(field="value", type="quantitative", title=title,
                axis=alt.Axis(format="%" if "%" in number_format else number_format.lstrip("+"))),
        color=colour,
        tooltip=[_tip("label", "Topic"), _tip("value_text", title), _tip("summary", "In words")],
        **_href(clickable),
    )
    figures = base.mark_text(align="left", dx=4, fontSize=11, color="#333333").encode(
        y=y, x=alt.X(field="value", type="quantitative"), text=alt.Text(field="value_text", type="nominal"))
    return [bars, figures]


def _count_text(record: dict, column: str) -> str:
    counts = {"over_share": "n_over", "under_share": "n_under"}
    if column not in counts:
        return ""
    return f" · {record[counts[column]]} of {record['n_comments']}"


def comparison_chart(table: pd.DataFrame, others_name: str) -> dict:
    """Per topic, your mean predicted rating, others' mean rating and the system's, on the 0-4 scale."""
    colours = {**COMPARISON_COLOURS, others_name: "#ff7f0e"}
    order = table["label"].tolist()
    rows, spans = [], []
    for record in table.to_dict(orient="records"):
        mark = "Your blind spot" if record["blind_spot"] else ""
        common = {"label": record["label"], "view": f"You find it {record['view']} than {others_name}",
                  "blind_spot": mark, "href": f"#{record['key']}/#topic"}
        spans.append({**common, "low": min(record["your_rating"], record["others_rating"]),
                      "high": max(record["your_rating"], record["others_rating"])})
        for who, column in (("You (our prediction)", "your_rating"), (others_name, "others_rating"),
                            ("System", "system_rating")):
            rows.append({**common, "who": who, "rating": record[column]})
    y = alt.Y(field="label", type="nominal", sort=order, title=None,
              axis=alt.Axis(labelLimit=LABEL_LIMIT_PX, labelFontSize=11))
    x_scale = alt.Scale(domain=[RATING_MIN, RATING_MAX], nice=False)
    span = alt.Chart(alt.Data(values=spans)).mark_rule(color="#9e9e9e", strokeWidth=2).encode(
        y=y, x=alt.X(field="low", type="quantitative", scale=x_scale), x2=alt.X2(field="high"))
    points = alt.Chart(alt.Data(values=rows)).mark_point(filled=True, size=70, cursor="pointer").encode(
        y=y,
        x=alt.X(field="rating", type="quantitative", scale=x_scale, title="Mean rating of the topic's comments (0-4)"),
        color=alt.Color(field="who", type="nominal",
                        scale=alt.Scale(domain=list(colours), range=list(colours.values())),
                        legend=alt.Legend(title="Whose rating")),
        shape=alt.Shape(field="who", type="nominal", scale=alt.Scale(domain=list(colours),
                                                                       range=["circle", "diamond", "square"])),
        tooltip=[_tip("label", "Topic"), _tip("who", "Whose rating"), _tip("rating", "Mean rating", ".2f"),
                 _tip("view", "Your view"), _tip("blind_spot", "Marked")],
        href=alt.Href(field="href", type="nominal"),
    )
    marks = alt.Chart(alt.Data(values=[r for r in spans if r["blind_spot"]])).mark_text(
        align="left", dx=6, fontSize=11, fontWeight="bold", color="#b00020").encode(
        y=y, x=alt.X(field="high", type="quantitative"), text=alt.Text(field="blind_spot", type="nominal"))
    threshold = alt.Chart(alt.Data(values=[{"t": TOXIC_THRESHOLD}])).mark_rule(color="#6f6f6f", strokeDash=[4, 3]).encode(
        x=alt.X(field="t", type="quantitative"))
    chart = alt.layer(threshold, span, points, marks).properties(width="container", padding=FIGURE_ROOM,
                                                                 height=ROW_HEIGHT * max(len(table), 1))
    return chart.to_dict(validate=False)


def _common(record: dict, clickable: bool) -> dict:
    share, count, total = record["error_share"], record["n_errors"], record["n_comments"]
    figure = f"{share:.0%} · {count} of {total}" + (" · agrees" if record["status"] == "agrees" else "")
    common = {"label": record["label"], "n_comments": total, "figure": figure, "summary": record["summary"]}
    if clickable:
        common["href"] = f"#{record['key']}/#topic"
    return common


def _href(clickable: bool) -> dict:
    return {"href": alt.Href(field="href", type="nominal")} if clickable else {}


def _tip(field: str, title: str, number_format: str | None = None) -> alt.Tooltip:
    if number_format is None:
        return alt.Tooltip(field=field, type="nominal", title=title)
    return alt.Tooltip(field=field, type="quantitative", title=title, format=number_format)
