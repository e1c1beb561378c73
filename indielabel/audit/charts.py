"""Vega-Lite chart specs, built with Altair, for the audit views and the model-quality history.

The audit charts are dot histograms: each topic (overview) or comment (topic chart) is a square at
its predicted rating, snapped to a 0.05-wide bin, stacked within the bin by the system's rating.
Colour says whether the system's decision agrees with the person's predicted decision and, where it
does not, how far apart the two ratings are; the legend and the tooltip say the same in words.

Speed matters (read routes answer in well under 200 ms), so the bins and stack positions are
computed here with numpy, and each chart's fixed part is built with Altair once and reused: a call
sizes a copy and attaches its rows as inline ``values``. The tests validate every spec against the
Vega-Lite schema.
"""

from __future__ import annotations

import copy
import functools
import math

import altair as alt
import numpy as np
import pandas as pd

from indielabel.data.dataset import RATING_MAX, RATING_MIN, TOXIC_THRESHOLD, decision
from indielabel.model import personal as personal_model

BIN_WIDTH = 0.05
BIN_COUNT = round((RATING_MAX - RATING_MIN) / BIN_WIDTH)
CHART_WIDTH = 750
MIN_CHART_HEIGHT = 180
LABEL_ROOM_PX = 24  # space above the tallest stack for the region and threshold labels
MAX_MARK_SIZE = 75
COMMENT_PREVIEW_CHARS = 280  # a tooltip, not the comment table: long comments are cut short

AGREE_NON_TOXIC = "System agrees: Non-toxic"
AGREE_TOXIC = "System agrees: Toxic"
# (smallest |system - predicted| that earns the shade, legend label, colour), largest first.
ERROR_SHADES = (
    (1.5, "System differs: error > 1.5", "#d62728"),
    (1.0, "System differs: error > 1.0", "#ff7a5c"),
    (0.5, "System differs: error > 0.5", "#ffa894"),
    (0.0, "System differs: error ≤ 0.5", "#ffd1c7"),
)
AGREEMENT_COLOURS = {
    AGREE_NON_TOXIC: "#ffffff",
    AGREE_TOXIC: "#cbcbcb",
    **{label: colour for _, label, colour in ERROR_SHADES},
}
SYSTEM_SAYS_COLOURS = {"System says: Non-toxic": "#ffffff", "System says: Toxic": "#cbcbcb"}

OVER_SENSITIVE = "System is over-sensitive"
UNDER_SENSITIVE = "System is under-sensitive"
NO_ERROR = "System agrees with you"

# Colours of the "how well the model knows you" bands, which personal_model defines.
MAE_BAND_COLOURS = {"Good": "#2ca02c", "Okay": "#e6c200", personal_model.WORST_BAND: "#d62728"}
MAE_AXIS_MAX = 2.0
MAE_UNKNOWN = "Unknown (too few labels)"

_ROWS = "rows"  # a named-data placeholder in the templates, replaced by inline values
_OUTLINE = "#7f7f7f"
_HISTORY_LINE = "#1f1f1f"
_LABEL_GREY = "#6f6f6f"


def agreement_key(system_rating, predicted_rating) -> np.ndarray:
    """The colour-key label of each (system, predicted) pair of ratings.

    Agreement means both decisions fall on the same side of the threshold (toxic is > 2.0); a
    disagreement is shaded by its size, |system - predicted|.
    """
    system = np.asarray(system_rating, dtype=float)
    predicted = np.asarray(predicted_rating, dtype=float)
    system_toxic = decision(system)
    agree = system_toxic == decision(predicted)
    error = np.abs(system - predicted)
    conditions = [agree & ~system_toxic, agree & system_toxic]
    labels = [AGREE_NON_TOXIC, AGREE_TOXIC]
    for smallest_error, label, _ in ERROR_SHADES[:-1]:
        conditions.append(error > smallest_error)
        labels.append(label)
    return np.select(conditions, labels, default=ERROR_SHADES[-1][1]).astype(object)


def error_type(system_rating, predicted_rating) -> np.ndarray:
    """Over-sensitive (system toxic, you not), under-sensitive (the reverse) or agreement, in words."""
    system_toxic = decision(np.asarray(system_rating, dtype=float))
    predicted_toxic = decision(np.asarray(predicted_rating, dtype=float))
    return np.select(
        [system_toxic & ~predicted_toxic, predicted_toxic & ~system_toxic],
        [OVER_SENSITIVE, UNDER_SENSITIVE],
        default=NO_ERROR,
    ).astype(object)


def bin_index(rating) -> np.ndarray:
    """The 0.05-wide bin of each rating on 0-4.

    Bins are closed on the right, (a, a + 0.05], so a rating of exactly 2.0 (non-toxic) is drawn
    left of the threshold line; 0.0 joins the first bin.
    """
    steps = np.round((np.asarray(rating, dtype=float) - RATING_MIN) / BIN_WIDTH, 6)
    return np.clip(np.ceil(steps) - 1, 0, BIN_COUNT - 1).astype(int)


def stack_positions(bins: np.ndarray, order_rating: np.ndarray, tiebreak) -> np.ndarray:
    """Each row's 1-based place in its bin's stack, from the bottom, by ``order_rating`` ascending."""
    tie_rank = pd.factorize(np.asarray(tiebreak), sort=True)[0]
    order = np.lexsort((tie_rank, order_rating, bins))
    sorted_bins = bins[order]
    count = len(order)
    starts_run = np.ones(count, dtype=bool)
    starts_run[1:] = sorted_bins[1:] != sorted_bins[:-1]
    run_start = np.maximum.accumulate(np.where(starts_run, np.arange(count), 0))
    positions = np.empty(count, dtype=int)
    positions[order] = np.arange(count) - run_start + 1
    return positions


def overview_chart(topics: pd.DataFrame, x_title: str | None = None) -> dict:
    """All topics: one square per topic at its aggregated predicted rating, coloured by agreement."""
    _require_columns(topics, ("topic", "topic_id", "n_comments", "predicted_rating", "system_rating"))
    system = _ratings(topics, "system_rating")
    predicted = _ratings(topics, "predicted_rating")
    topic_names = topics["topic"].astype(str).tolist()
    columns = {
        "topic": topic_names,
        "label": (topics["label"] if "label" in topics else topics["topic"]).astype(str).tolist(),
        "topic_id": topics["topic_id"].tolist(),
        "n_comments": topics["n_comments"].tolist(),
        "system_rating": np.round(system, 4).tolist(),
        "predicted_rating": np.round(predicted, 4).tolist(),
        "key": agreement_key(system, predicted).tolist(),
        "error_type": error_type(system, predicted).tolist(),
        "href": [f"#{name}/#topic" for name in topic_names],
        **_placed(predicted, system, topics["topic_id"]),
    }
    spec = _dot_histogram(_overview_template(), columns)
    if x_title:
        spec["layer"][-1]["encoding"]["x"]["title"] = x_title
    return spec


def topic_chart(comments: pd.DataFrame, with_model: bool = True) -> dict:
    """One topic's comments: with a model, as in the overview; without, placed by the system's rating."""
    required = ("item_id", "comment", "system_rating", "categories")
    _require_columns(comments, required + (("predicted_rating",) if with_model else ()))
    system = _ratings(comments, "system_rating")
    item_ids = comments["item_id"].tolist()
    columns = {
        "item_id": item_ids,
        "comment": [_preview(text) for text in comments["comment"].fillna("").astype(str)],
        "categories": comments["categories"].fillna("").astype(str).tolist(),
        "system_rating": np.round(system, 4).tolist(),
        "href": [f"#{item_id}/#comment" for item_id in item_ids],
    }
    if with_model:
        predicted = _ratings(comments, "predicted_rating")
        columns["predicted_rating"] = np.round(predicted, 4).tolist()
        columns["key"] = agreement_key(system, predicted).tolist()
        columns["error_type"] = error_type(system, predicted).tolist()
        columns.update(_placed(predicted, system, comments["item_id"]))
    else:
        says_labels = list(SYSTEM_SAYS_COLOURS)
        columns["key"] = [says_labels[toxic] for toxic in decision(system).tolist()]
        columns.update(_placed(system, system, comments["item_id"]))
    return _dot_histogram(_topic_template(with_model), columns)


def history_chart(versions: pd.DataFrame, model_name: str) -> dict:
    """Cross-validated MAE on the person's own labels per model version, over quality bands."""
    _require_columns(versions, ("version", "cv_mae"))
    cv_mae = pd.to_numeric(versions["cv_mae"], errors="coerce").to_numpy(dtype=float).tolist()
    spec = copy.deepcopy(_history_template())
    spec["title"] = f"How well the model knows you: {model_name}"
    spec["data"] = {
        "values": _records(
            {
                "version": versions["version"].tolist(),
                "cv_mae": [round(mae, 4) for mae in cv_mae],
                "quality": [MAE_UNKNOWN if math.isnan(mae) else personal_model.mae_band(mae) for mae in cv_mae],
            }
        )
    }
    return spec


def _dot_histogram(template: dict, columns: dict) -> dict:
    """A copy of ``template`` sized to its tallest stack, with the rows inlined."""
    tallest = max(columns["stack"], default=0)
    mark_size = min(MAX_MARK_SIZE, round(500 / max(tallest, 1)) * 8)
    # One stack row is the square's side plus a gap, so squares never touch vertically.
    row_height = math.sqrt(mark_size) + 4
    height = max(MIN_CHART_HEIGHT, round(row_height * (tallest + 1) + LABEL_ROOM_PX))
    spec = copy.deepcopy(template)
    spec["height"] = height
    squares = spec["layer"][-1]
    squares["mark"]["size"] = mark_size
    squares["encoding"]["y"]["scale"]["domain"] = [0, round(height / row_height, 2)]
    spec["data"] = {"values": _records(columns)}
    return spec


# Altair builds the fixed part of each chart once (that costs ~15 ms); each call then only
# sizes a copy and inlines its rows. Schema validation is left to the tests.
@functools.cache
def _overview_template() -> dict:
    return _dot_histogram_template(
        x_title="Our prediction of your rating",
        y_title="Topics (ordered by System toxicity rating)",
        colours=AGREEMENT_COLOURS,
        legend_title="System vs. your rating",
        tooltip=[
            _tip("label", "Topic"),
            _tip("n_comments", "Comments", number_format="d"),
            _tip("system_rating", "System rating", number_format=".2f"),
            _tip("predicted_rating", "Your rating", number_format=".2f"),
            _tip("key", "Agreement"),
            _tip("error_type", "Error type"),
        ],
    )


@functools.cache
def _topic_template(with_model: bool) -> dict:
    tooltip = [_tip("comment", "Comment"), _tip("system_rating", "System rating", number_format=".2f")]
    if with_model:
        tooltip += [
            _tip("predicted_rating", "Your rating", number_format=".2f"),
            _tip("key", "Agreement"),
            _tip("error_type", "Error type"),
        ]
    else:
        tooltip.append(_tip("key", "System decision"))
    tooltip.append(_tip("categories", "Potential toxicity categories"))
    return _dot_histogram_template(
        x_title="Our prediction of your rating" if with_model else "System toxicity rating",
        y_title="Comments (ordered by System toxicity rating)",
        colours=AGREEMENT_COLOURS if with_model else SYSTEM_SAYS_COLOURS,
        legend_title="System vs. your rating" if with_model else "System decision",
        tooltip=tooltip,
    )


def _tip(field: str, title: str, number_format: str | None = None) -> alt.Tooltip:
    if number_format is None:
        return alt.Tooltip(field=field, type="nominal", title=title)
    return alt.Tooltip(field=field, type="quantitative", title=title, format=number_format)


def _dot_histogram_template(*, x_title, y_title, colours: dict, legend_title, tooltip) -> dict:
    x_scale = alt.Scale(domain=[RATING_MIN, RATING_MAX], nice=False)
    squares = (
        alt.Chart()
        .mark_square(size=MAX_MARK_SIZE, opacity=1, stroke=_OUTLINE, strokeWidth=0.75, cursor="pointer")
        .encode(
            x=alt.X(field="x", type="quantitative", title=x_title, scale=x_scale),
            y=alt.Y(
                field="stack",
                type="quantitative",
                title=y_title,
                scale=alt.Scale(domain=[0, 1], nice=False),
                axis=alt.Axis(tickMinStep=1, format="d", grid=False),
            ),
            color=alt.Color(
                field="key",
                type="nominal",
                scale=alt.Scale(domain=list(colours), range=list(colours.values())),
                legend=alt.Legend(
                    title=legend_title,
                    symbolType="square",
                    symbolStrokeColor=_OUTLINE,
                    symbolStrokeWidth=1,
                    symbolOpacity=1,
                ),
            ),
            tooltip=tooltip,
            href=alt.Href(field="href", type="nominal"),
        )
    )
    chart = alt.layer(*_threshold_backdrop(x_scale), squares, data=alt.Data(name=_ROWS))
    return chart.properties(width=CHART_WIDTH, height=MIN_CHART_HEIGHT).to_dict(validate=False)


def _threshold_backdrop(x_scale: alt.Scale) -> list[alt.Chart]:
    """Non-toxic/Toxic regions either side of the threshold, their labels, and the threshold rule."""
    regions = alt.Data(
        values=[
            {"region": "Non-toxic", "start": RATING_MIN, "end": TOXIC_THRESHOLD, "middle": 1.0},
            {"region": "Toxic", "start": TOXIC_THRESHOLD, "end": RATING_MAX, "middle": 3.0},
        ]
    )
    threshold = alt.Data(values=[{"threshold": TOXIC_THRESHOLD, "label": f"Threshold = {TOXIC_THRESHOLD}"}])
    region_fill = alt.Fill(
        field="region",
        type="nominal",
        scale=alt.Scale(domain=["Non-toxic", "Toxic"], range=["#ffffff", "#cbcbcb"]),
        legend=None,
    )
    label_y = alt.YValue(LABEL_ROOM_PX / 2)
    threshold_x = alt.X(field="threshold", type="quantitative")
    return [
        alt.Chart(regions)
        .mark_rect(opacity=0.35)
        .encode(x=alt.X(field="start", type="quantitative", scale=x_scale), x2=alt.X2(field="end"), fill=region_fill),
        alt.Chart(regions)
        .mark_text(color=_LABEL_GREY, fontSize=12, fontWeight="bold")
        .encode(x=alt.X(field="middle", type="quantitative"), y=label_y, text=alt.Text(field="region", type="nominal")),
        alt.Chart(threshold).mark_rule(color=_LABEL_GREY, strokeWidth=1.5).encode(x=threshold_x),
        alt.Chart(threshold)
        .mark_text(color=_LABEL_GREY, fontSize=11, align="left", dx=4)
        .encode(x=threshold_x, y=label_y, text=alt.Text(field="label", type="nominal")),
    ]


@functools.cache
def _history_template() -> dict:
    edges = [0.0, *(upper for upper, _ in personal_model.BANDS), MAE_AXIS_MAX]
    names = [*(name for _, name in personal_model.BANDS), personal_model.WORST_BAND]
    band_rows = [{"band": name, "low": low, "high": high} for name, low, high in zip(names, edges, edges[1:])]
    bands = (
        alt.Chart(alt.Data(values=band_rows))
        .mark_rect(opacity=0.2)
        .encode(
            y=alt.Y(field="low", type="quantitative"),
            y2=alt.Y2(field="high"),
            fill=alt.Fill(
                field="band",
                type="nominal",
                scale=alt.Scale(domain=names, range=[MAE_BAND_COLOURS[name] for name in names]),
                legend=alt.Legend(title="How well the model knows you"),
            ),
        )
    )
    line = (
        alt.Chart()
        .mark_line(color=_HISTORY_LINE, point=alt.OverlayMarkDef(color=_HISTORY_LINE, size=40))
        .encode(
            x=alt.X(field="version", type="ordinal", title="Model version", axis=alt.Axis(labelAngle=0)),
            y=alt.Y(
                field="cv_mae",
                type="quantitative",
                title="Error on your own labels (cross-validated MAE)",
                scale=alt.Scale(domain=[0, MAE_AXIS_MAX], clamp=True, nice=False),
            ),
            tooltip=[
                alt.Tooltip(field="version", type="ordinal", title="Model version"),
                _tip("cv_mae", "Cross-validated MAE", number_format=".2f"),
                _tip("quality", "How well the model knows you"),
            ],
        )
    )
    chart = alt.layer(bands, line, data=alt.Data(name=_ROWS))
    return chart.properties(width=500, height=250, title="How well the model knows you").to_dict(validate=False)


def _placed(x_rating: np.ndarray, order_rating: np.ndarray, tiebreak) -> dict:
    bins = bin_index(x_rating)
    midpoints = np.round(RATING_MIN + (bins + 0.5) * BIN_WIDTH, 4)
    return {"x": midpoints.tolist(), "stack": stack_positions(bins, order_rating, tiebreak).tolist()}


def _records(columns: dict) -> list[dict]:
    names = list(columns)
    return [dict(zip(names, map(_json_value, values))) for values in zip(*columns.values())]


def _json_value(value):
    """JSON has no NaN or infinity: a missing number becomes null."""
    if isinstance(value, float) and not math.isfinite(value):
        return None
    return value


def _preview(text: str) -> str:
    if len(text) <= COMMENT_PREVIEW_CHARS:
        return text
    return text[: COMMENT_PREVIEW_CHARS - 1].rstrip() + "…"


def _require_columns(frame: pd.DataFrame, columns) -> None:
    if not isinstance(frame, pd.DataFrame):
        raise TypeError(f"expected a pandas DataFrame, got {type(frame).__name__}")
    missing = [name for name in columns if name not in frame.columns]
    if missing:
        raise ValueError(f"chart input is missing column(s) {missing}; it has {list(frame.columns)}")


def _ratings(frame: pd.DataFrame, column: str) -> np.ndarray:
    values = pd.to_numeric(frame[column], errors="coerce").to_numpy(dtype=float)
    if np.isnan(values).any():
        raise ValueError(f"column {column!r} has missing or non-numeric ratings; every row needs one")
    return values
