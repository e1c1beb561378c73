"""Chart specs: Vega-Lite validity, colour key, bins and stacks, links, JSON safety, history bands."""

from __future__ import annotations

import json
import math
from importlib.resources import files

import jsonschema
import numpy as np
import pandas as pd
import pytest

from indielabel.audit import charts


@pytest.fixture(scope="module")
def vega_lite_validator():
    schema_text = files("altair.vegalite.v6.schema").joinpath("vega-lite-schema.json").read_text()
    return jsonschema.Draft7Validator(json.loads(schema_text))


def topics_frame(rows) -> pd.DataFrame:
    """Topics from (topic, predicted_rating, system_rating) triples."""
    return pd.DataFrame(
        {
            "topic": [topic for topic, _, _ in rows],
            "topic_id": list(range(len(rows))),
            "n_comments": [100 + index for index in range(len(rows))],
            "predicted_rating": [predicted for _, predicted, _ in rows],
            "system_rating": [system for _, _, system in rows],
        }
    )


def comments_frame(rows) -> pd.DataFrame:
    """Comments from (item_id, predicted_rating, system_rating) triples."""
    return pd.DataFrame(
        {
            "item_id": [item_id for item_id, _, _ in rows],
            "comment": [f"comment number {item_id}" for item_id, _, _ in rows],
            "system_rating": [system for _, _, system in rows],
            "predicted_rating": [predicted for _, predicted, _ in rows],
            "categories": ["Profanity, Insult" if item_id % 2 else "" for item_id, _, _ in rows],
        }
    )


def random_comments(count: int, seed: int = 0) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    rows = zip(range(count), rng.uniform(0, 4, count), rng.uniform(0, 4, count))
    return comments_frame(list(rows))


def rows_of(spec: dict) -> list[dict]:
    return spec["data"]["values"]


def squares_of(spec: dict) -> dict:
    (squares,) = [layer for layer in spec["layer"] if layer["mark"]["type"] == "square"]
    return squares


def all_specs() -> dict:
    comments = random_comments(60)
    return {
        "overview": charts.overview_chart(topics_frame([("0_a", 1.2, 2.8), ("1_b", 2.6, 3.1), ("2_c", 0.4, 0.2)])),
        "topic": charts.topic_chart(comments),
        "topic without model": charts.topic_chart(comments.drop(columns="predicted_rating"), with_model=False),
        "history": charts.history_chart(pd.DataFrame({"version": [1, 2, 3], "cv_mae": [1.3, np.nan, 0.9]}), "mine"),
        "empty overview": charts.overview_chart(topics_frame([])),
        "empty topic": charts.topic_chart(comments_frame([])),
        "empty topic without model": charts.topic_chart(comments_frame([]), with_model=False),
        "empty history": charts.history_chart(pd.DataFrame({"version": [], "cv_mae": []}), "mine"),
    }


@pytest.mark.parametrize("name", list(all_specs()))
def test_every_spec_is_valid_vega_lite_and_strict_json(name, vega_lite_validator):
    spec = all_specs()[name]
    errors = [error.message for error in vega_lite_validator.iter_errors(spec)]
    assert errors == []
    json.dumps(spec, allow_nan=False)


@pytest.mark.parametrize(
    "system, predicted, key, error_type",
    [
        (1.0, 1.0, "System agrees: Non-toxic", "System agrees with you"),
        (2.0, 2.0, "System agrees: Non-toxic", "System agrees with you"),
        (3.0, 3.5, "System agrees: Toxic", "System agrees with you"),
        (3.9, 1.0, "System differs: error > 1.5", "System is over-sensitive"),
        (3.5, 2.0, "System differs: error > 1.0", "System is over-sensitive"),
        (0.9, 2.2, "System differs: error > 1.0", "System is under-sensitive"),
        (2.8, 2.0, "System differs: error > 0.5", "System is over-sensitive"),
        (1.8, 2.1, "System differs: error ≤ 0.5", "System is under-sensitive"),
        (2.0, 2.01, "System differs: error ≤ 0.5", "System is under-sensitive"),
    ],
)
def test_colour_key_says_agreement_and_size_of_error(system, predicted, key, error_type):
    (row,) = rows_of(charts.overview_chart(topics_frame([("5_word", predicted, system)])))
    assert (row["key"], row["error_type"]) == (key, error_type)
    (comment_row,) = rows_of(charts.topic_chart(comments_frame([(9, predicted, system)])))
    assert (comment_row["key"], comment_row["error_type"]) == (key, error_type)


def test_legend_maps_each_key_to_its_colour_with_outlined_squares():
    squares = squares_of(charts.overview_chart(topics_frame([("0_a", 1.0, 1.0)])))
    scale = squares["encoding"]["color"]["scale"]
    assert dict(zip(scale["domain"], scale["range"])) == {
        "System agrees: Non-toxic": "#ffffff",
        "System agrees: Toxic": "#cbcbcb",
        "System differs: error > 1.5": "#d62728",
        "System differs: error > 1.0": "#ff7a5c",
        "System differs: error > 0.5": "#ffa894",
        "System differs: error ≤ 0.5": "#ffd1c7",
    }
    assert squares["mark"]["stroke"] != "#ffffff"
    assert squares["encoding"]["color"]["legend"]["symbolStrokeColor"] != "#ffffff"


def test_tooltip_names_each_rating_and_the_error_in_words():
    tooltip = squares_of(charts.topic_chart(comments_frame([(1, 2.5, 1.0)])))["encoding"]["tooltip"]
    titles = {entry["field"]: entry["title"] for entry in tooltip}
    assert titles == {
        "comment": "Comment",
        "system_rating": "System rating",
        "predicted_rating": "Your rating",
        "key": "Agreement",
        "error_type": "Error type",
        "categories": "Potential toxicity categories",
    }
    formats = {entry["field"]: entry.get("format") for entry in tooltip}
    assert formats["system_rating"] == formats["predicted_rating"] == ".2f"


def test_ratings_snap_to_bins_closed_on_the_right():
    ratings = [0.0, 0.05, 0.051, 1.999, 2.0, 2.001, 3.98, 4.0]
    spec = charts.topic_chart(comments_frame([(index, rating, 1.0) for index, rating in enumerate(ratings)]))
    assert [row["x"] for row in rows_of(spec)] == [0.025, 0.025, 0.075, 1.975, 1.975, 2.025, 3.975, 3.975]


def test_stacks_rise_by_system_rating_within_a_bin_with_ties_by_item_id():
    rows = [(10, 1.02, 3.0), (11, 1.04, 0.5), (12, 1.01, 1.5), (13, 3.0, 2.0), (14, 1.03, 1.5)]
    positions = {row["item_id"]: row["stack"] for row in rows_of(charts.topic_chart(comments_frame(rows)))}
    assert positions == {10: 4, 11: 1, 12: 2, 13: 1, 14: 3}


def test_overview_stacks_topics_by_system_rating():
    frame = topics_frame([("0_a", 1.21, 3.0), ("1_b", 1.22, 1.0), ("2_c", 3.5, 3.9)])
    positions = {row["topic"]: row["stack"] for row in rows_of(charts.overview_chart(frame))}
    assert positions == {"0_a": 2, "1_b": 1, "2_c": 1}


def test_links_open_the_topic_or_jump_to_the_comment():
    overview = charts.overview_chart(topics_frame([("3_cats_dogs_pets_vet", 1.0, 1.0)]))
    topic = charts.topic_chart(comments_frame([(17, 1.0, 1.0)]))
    assert rows_of(overview)[0]["href"] == "#3_cats_dogs_pets_vet/#topic"
    assert rows_of(topic)[0]["href"] == "#17/#comment"
    assert squares_of(overview)["encoding"]["href"] == {"field": "href", "type": "nominal"}


def test_axes_name_what_they_show():
    overview = squares_of(charts.overview_chart(topics_frame([("0_a", 1.0, 1.0)])))["encoding"]
    topic = squares_of(charts.topic_chart(comments_frame([(1, 1.0, 1.0)])))["encoding"]
    assert overview["x"]["title"] == topic["x"]["title"] == "Our prediction of your rating"
    assert overview["x"]["scale"]["domain"] == [0.0, 4.0]
    assert overview["y"]["title"] == "Topics (ordered by System toxicity rating)"
    assert topic["y"]["title"] == "Comments (ordered by System toxicity rating)"


def test_chart_without_model_places_comments_by_system_rating():
    frame = comments_frame([(1, math.nan, 0.3), (2, math.nan, 2.0), (3, math.nan, 3.33)])
    spec = charts.topic_chart(frame, with_model=False)
    rows = rows_of(spec)
    assert [row["x"] for row in rows] == [0.275, 1.975, 3.325]
    assert [row["key"] for row in rows] == ["System says: Non-toxic", "System says: Non-toxic", "System says: Toxic"]
    assert all("predicted_rating" not in row for row in rows)
    encoding = squares_of(spec)["encoding"]
    assert encoding["x"]["title"] == "System toxicity rating"
    assert encoding["color"]["scale"]["domain"] == ["System says: Non-toxic", "System says: Toxic"]


def test_threshold_and_regions_are_drawn_and_labelled():
    spec = charts.overview_chart(topics_frame([("0_a", 1.0, 1.0)]))
    texts = [value for layer in spec["layer"] if layer["mark"]["type"] == "text" for value in layer["data"]["values"]]
    labels = {row.get("label", row.get("region")) for row in texts}
    assert labels == {"Non-toxic", "Toxic", "Threshold = 2.0"}
    (rule,) = [layer for layer in spec["layer"] if layer["mark"]["type"] == "rule"]
    assert rule["data"]["values"][0]["threshold"] == 2.0


def test_mark_size_and_height_follow_the_tallest_stack():
    short = charts.topic_chart(comments_frame([(1, 1.0, 1.0)]))
    tall = charts.topic_chart(comments_frame([(index, 1.0, 1.0) for index in range(100)]))
    assert squares_of(short)["mark"]["size"] == 75
    assert squares_of(tall)["mark"]["size"] == round(500 / 100) * 8
    assert tall["height"] > short["height"] >= charts.MIN_CHART_HEIGHT
    y_max = squares_of(tall)["encoding"]["y"]["scale"]["domain"][1]
    assert y_max > 100


def test_missing_text_and_numbers_become_json_safe():
    frame = comments_frame([(1, 1.0, 1.0), (2, 3.0, 1.0)])
    frame.loc[0, "comment"] = None
    frame.loc[1, "categories"] = np.nan
    rows = rows_of(charts.topic_chart(frame))
    assert rows[0]["comment"] == "" and rows[1]["categories"] == ""
    topics = topics_frame([("0_a", 1.0, 1.0)])
    topics["n_comments"] = [np.nan]
    (topic_row,) = rows_of(charts.overview_chart(topics))
    assert topic_row["n_comments"] is None


def test_comment_stays_plain_text_and_long_ones_are_cut_short():
    frame = comments_frame([(1, 1.0, 1.0), (2, 1.0, 1.0)])
    frame["comment"] = ["<b>bold</b> & <script>x</script>", "word " * 400]
    rows = rows_of(charts.topic_chart(frame))
    assert rows[0]["comment"] == "<b>bold</b> & <script>x</script>"
    assert len(rows[1]["comment"]) <= charts.COMMENT_PREVIEW_CHARS
    assert rows[1]["comment"].endswith("…")


def test_history_draws_bands_and_marks_unknown_versions():
    versions = pd.DataFrame({"version": [1, 2, 3, 4], "cv_mae": [1.35, np.nan, 1.1, 0.7]})
    spec = charts.history_chart(versions, "my_model")
    assert spec["title"] == "How well the model knows you: my_model"
    assert [(row["cv_mae"], row["quality"]) for row in rows_of(spec)] == [
        (1.35, "Needs improvement"),
        (None, "Unknown (too few labels)"),
        (1.1, "Okay"),
        (0.7, "Good"),
    ]
    (bands,) = [layer for layer in spec["layer"] if layer["mark"]["type"] == "rect"]
    assert [(band["band"], band["low"], band["high"]) for band in bands["data"]["values"]] == [
        ("Good", 0.0, 1.0),
        ("Okay", 1.0, 1.2),
        ("Needs improvement", 1.2, 2.0),
    ]
    assert bands["mark"]["opacity"] == 0.2
    assert bands["encoding"]["fill"]["legend"]["title"] == "How well the model knows you"
    (line,) = [layer for layer in spec["layer"] if layer["mark"]["type"] == "line"]
    assert (line["encoding"]["x"]["field"], line["encoding"]["x"]["type"]) == ("version", "ordinal")
    assert line["encoding"]["x"]["title"] == "Model version"
    assert line["encoding"]["y"]["scale"]["domain"] == [0, 2.0]


def test_empty_input_gives_an_empty_chart_with_its_key():
    spec = charts.topic_chart(comments_frame([]))
    assert rows_of(spec) == []
    assert len(squares_of(spec)["encoding"]["color"]["scale"]["domain"]) == 6
    assert spec["height"] == charts.MIN_CHART_HEIGHT


def test_changing_a_returned_spec_does_not_leak_into_the_next():
    first = charts.overview_chart(topics_frame([("0_a", 1.0, 1.0)]))
    squares_of(first)["encoding"]["x"]["title"] = "changed"
    first["height"] = 1
    second = charts.overview_chart(topics_frame([("0_a", 1.0, 1.0)]))
    assert squares_of(second)["encoding"]["x"]["title"] == "Our prediction of your rating"
    assert second["height"] == charts.MIN_CHART_HEIGHT


def test_bad_input_is_a_clear_error():
    with pytest.raises(ValueError, match="predicted_rating"):
        charts.topic_chart(comments_frame([(1, 1.0, 1.0)]).drop(columns="predicted_rating"))
    with pytest.raises(ValueError, match="predicted_rating"):
        charts.topic_chart(comments_frame([(1, math.nan, 1.0)]))
    with pytest.raises(ValueError, match="system_rating"):
        charts.overview_chart(topics_frame([("0_a", 1.0, "high")]))
    with pytest.raises(TypeError, match="DataFrame"):
        charts.history_chart([{"version": 1, "cv_mae": 1.0}], "mine")
