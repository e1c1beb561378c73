"""Importing the Kumar et al. JSON-lines format and long-format CSV, through the API and the CLI."""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path

import numpy as np
import pytest

from indielabel.cli import main
from indielabel.config import ConfigError
from indielabel.data import dataset as datasets
from indielabel.data.importing import SourceError, import_csv, import_kumar, save_atomically
from indielabel.data.systems import HttpScorer

FIXTURES = Path(__file__).parent / "fixtures"
KUMAR_FILE = FIXTURES / "kumar_sample.jsonl"
CSV_FILE = FIXTURES / "reviews_long.csv"
CSV_COLUMNS = dict(item_id="review_id", text="review_text", rater_id="user", rating="stars", scale=(1, 5))


def kumar_records() -> list[dict]:
    return [json.loads(line) for line in KUMAR_FILE.read_text().splitlines()]


def write_kumar(path: Path, records: list) -> Path:
    path.write_text("".join((r if isinstance(r, str) else json.dumps(r)) + "\n" for r in records))
    return path


def csv_lines() -> list[str]:
    return CSV_FILE.read_text().splitlines()


def write_lines(path: Path, lines: list[str]) -> Path:
    path.write_text("\n".join(lines) + "\n")
    return path


def import_reviews(path: Path = CSV_FILE, **overrides):
    arguments = {**CSV_COLUMNS, "system_score": "toxicity", "rater_attributes": ["user_age", "user_country"]}
    return import_csv(path, **{**arguments, **overrides})


# --- Kumar et al. ---------------------------------------------------------------------------------------------


def test_kumar_round_trip_keeps_counts_scores_and_category_fractions(tmp_path):
    saved = save_atomically(import_kumar(KUMAR_FILE), tmp_path / "kumar")
    data = datasets.load(saved)
    assert (data.meta["n_items"], data.meta["n_raters"], data.meta["n_ratings"]) == (5, 5, 19)
    assert data.meta["source"] == "kumar" and data.meta["source_file"] == "kumar_sample.jsonl"
    items = data.items.set_index("item_id")
    assert items.loc[[101, 102, 103, 104, 105], "system_score"].tolist() == [0.02, 0.71, 0.85, 0.35, 0.41]
    assert items.loc[103, "is_profane_frac"] == 0.75
    assert items.loc[102, "is_insult_frac"] == 1.0
    assert items.loc[104, "is_threat_frac"] == 1.0
    assert items.loc[104, "is_insult_frac"] == pytest.approx(1 / 3, abs=1e-6)
    assert items.loc[105, "is_identity_attack_frac"] == 0.6
    assert (items["is_sexual_harassment_frac"] == 0).all()
    assert items.loc[105, "crowd_mean"] == pytest.approx(2.8)
    assert data.items["topic_id"].dtype == np.int64 and data.items["topic"].str.len().gt(0).all()


def test_kumar_raters_get_their_first_known_demographics(tmp_path):
    data = datasets.load(save_atomically(import_kumar(KUMAR_FILE), tmp_path / "kumar"))
    raters = data.raters.set_index("rater_id")
    assert list(data.raters.columns) == ["rater_id", *datasets.RATER_ATTRIBUTES]
    assert raters.loc["w2", "race"] == "Black or African American;White"
    assert raters.loc["w4", "race"] == "Hispanic"
    assert raters.loc["w5", "race"] == "White"  # null on its first rating, given on a later one
    assert raters.loc["w3", "political_affiliation"] == "Independent"
    assert raters.loc["w1", "education"] == "Bachelor's degree in college (4-year)"


def test_kumar_accepts_the_corrected_spelling_of_political_affiliation(tmp_path):
    records = kumar_records()
    for record in records:
        for rating in record["ratings"]:
            rating["political_affiliation"] = rating.pop("political_affilation")
    data = import_kumar(write_kumar(tmp_path / "spelled.jsonl", records))
    assert data.raters.set_index("rater_id").loc["w2", "political_affiliation"] == "Conservative"


def test_kumar_without_ids_and_scores_uses_line_order_and_the_system(tmp_path):
    records = kumar_records()
    for record in records:
        del record["comment_id"], record["perspective_score"]
    data = import_kumar(write_kumar(tmp_path / "bare.jsonl", records))
    assert data.items["item_id"].tolist() == [0, 1, 2, 3, 4]
    assert data.meta["system"] == "profanity-check"
    scores = data.items.set_index("comment")["system_score"]
    assert scores["Damn, that goal was fucking incredible!"] > 0.5 > scores["Thanks for sharing this, it made my day."]


def test_kumar_takes_ids_from_an_id_field_written_as_text(tmp_path):
    records = kumar_records()
    for record in records:
        record["id"] = str(record.pop("comment_id") * 10)
    data = import_kumar(write_kumar(tmp_path / "ids.jsonl", records))
    assert data.items["item_id"].tolist() == [1010, 1020, 1030, 1040, 1050]


def test_kumar_without_category_answers_has_no_category_columns(tmp_path):
    records = kumar_records()
    for record in records:
        for rating in record["ratings"]:
            for column in datasets.CATEGORY_COLUMNS:
                del rating[column.removesuffix("_frac")]
    data = import_kumar(write_kumar(tmp_path / "plain.jsonl", records))
    assert not set(datasets.CATEGORY_COLUMNS) & set(data.items.columns)


def set_in_third_line(change):
    def modified(records):
        change(records[2])
        return records
    return modified


KUMAR_MALFORMED = {
    "invalid JSON": (lambda records: records[:2] + ['{"comment": "cut off', *records[3:]], ":3: invalid JSON"),
    "not an object": (lambda records: records[:2] + ["[1, 2]", *records[3:]], ":3: a line must be a JSON object"),
    "missing comment": (set_in_third_line(lambda r: r.pop("comment")), ":3: field 'comment': missing"),
    "ratings not a list": (set_in_third_line(lambda r: r.update(ratings={"worker_id": "w1"})),
                           ":3: field 'ratings': missing or not a list"),
    "ratings empty": (set_in_third_line(lambda r: r.update(ratings=[])), ":3: field 'ratings': empty"),
    "rating not an object": (set_in_third_line(lambda r: r["ratings"].__setitem__(1, 3)),
                             ":3: field 'ratings[1]': must be an object"),
    "score outside the scale": (set_in_third_line(lambda r: r["ratings"][1].update(toxic_score=5)),
                                ":3: field 'ratings[1].toxic_score': 5 is outside the scale 0-4"),
    "score not a number": (set_in_third_line(lambda r: r["ratings"][1].update(toxic_score="high")),
                           ":3: field 'ratings[1].toxic_score': 'high' is not a number"),
    "score missing": (set_in_third_line(lambda r: r["ratings"][0].pop("toxic_score")),
                      ":3: field 'ratings[0].toxic_score': missing"),
    "worker missing": (set_in_third_line(lambda r: r["ratings"][2].pop("worker_id")),
                       ":3: field 'ratings[2].worker_id': missing"),
    "worker twice": (set_in_third_line(lambda r: r["ratings"][1].update(worker_id="w1")),
                     ":3: field 'ratings[1].worker_id': rater 'w1' rates this comment twice"),
    "category not boolean": (set_in_third_line(lambda r: r["ratings"][0].update(is_threat="yes")),
                             ":3: field 'ratings[0].is_threat': 'yes' is not true or false"),
    "attribute an object": (set_in_third_line(lambda r: r["ratings"][0].update(race={"a": 1})),
                            ":3: field 'ratings[0].race': {'a': 1} is not a string or a list of strings"),
    "perspective outside 0-1": (set_in_third_line(lambda r: r.update(perspective_score=1.7)),
                                ":3: field 'perspective_score': 1.7 is outside the scale 0-1"),
    "perspective missing": (set_in_third_line(lambda r: r.pop("perspective_score")),
                            ":3: field 'perspective_score': missing, but earlier lines have one"),
    "id repeated": (set_in_third_line(lambda r: r.update(comment_id=101)),
                    ":3: field 'comment_id': 101 was already used by an earlier line"),
    "id not an integer": (set_in_third_line(lambda r: r.update(comment_id="c-3")),
                          ":3: field 'comment_id': 'c-3' is not an integer"),
}


@pytest.mark.parametrize("case", KUMAR_MALFORMED)
def test_kumar_malformed_line_names_file_line_and_field(tmp_path, case):
    modify, message = KUMAR_MALFORMED[case]
    path = write_kumar(tmp_path / "broken.jsonl", modify(kumar_records()))
    with pytest.raises(SourceError) as raised:
        import_kumar(path)
    assert str(raised.value).startswith(str(path) + message)
    assert raised.value.line == 3


def test_kumar_empty_file_is_an_error(tmp_path):
    path = tmp_path / "empty.jsonl"
    path.write_text("\n\n")
    with pytest.raises(SourceError, match="empty.jsonl: empty file"):
        import_kumar(path)


def test_kumar_unreadable_sources_are_clear_errors(tmp_path):
    with pytest.raises(SourceError, match=r"missing.jsonl: cannot read the file \(No such file"):
        import_kumar(tmp_path / "missing.jsonl")
    latin1 = tmp_path / "latin1.jsonl"
    latin1.write_bytes(KUMAR_FILE.read_bytes() + '{"comment": "caf\u00e9"}\n'.encode("latin-1"))
    with pytest.raises(SourceError, match=r"latin1.jsonl:6: not UTF-8 text"):
        import_kumar(latin1)


# --- long-format CSV ------------------------------------------------------------------------------------------


def test_csv_round_trip_rescales_ratings_and_keeps_source_ids(tmp_path):
    data = datasets.load(save_atomically(import_reviews(), tmp_path / "reviews"))
    assert (data.meta["n_items"], data.meta["n_raters"], data.meta["n_ratings"]) == (4, 4, 10)
    assert data.meta["scale"] == [1, 5] and data.meta["source"] == "csv"
    assert data.items["source_item_id"].tolist() == ["r-a1", "r-b2", "r-c3", "r-d4"]
    assert data.items["item_id"].tolist() == [0, 1, 2, 3]
    assert data.items["system_score"].tolist() == [0.01, 0.8, 0.1, 0.92]
    ratings = data.ratings.set_index(["rater_id", "item_id"])["rating"]
    assert ratings["u1", 0] == 0.0 and ratings["u2", 0] == 1.0 and ratings["u3", 0] == 2.0
    assert ratings["u3", 1] == 4.0 and ratings["u4", 1] == 2.0
    assert data.items.set_index("item_id").loc[1, "crowd_mean"] == pytest.approx(3.0)


def test_csv_raters_keep_the_first_non_empty_attribute(tmp_path):
    data = datasets.load(save_atomically(import_reviews(), tmp_path / "reviews"))
    raters = data.raters.set_index("rater_id")
    assert list(data.raters.columns) == ["rater_id", "user_age", "user_country"]
    assert raters.loc["u3", "user_age"] == "45-54"  # empty on its first row
    assert raters.loc["u4", "user_country"] == "FR"
    assert raters.loc["u1"].tolist() == ["25-34", "US"]


def test_csv_integer_item_ids_are_kept(tmp_path):
    lines = csv_lines()
    renumbered = [lines[0]] + [line.replace("r-a1", "70").replace("r-b2", "8").replace("r-c3", "-9")
                               .replace("r-d4", "1000") for line in lines[1:]]
    data = import_reviews(write_lines(tmp_path / "numbered.csv", renumbered))
    assert sorted(data.items["item_id"]) == [-9, 8, 70, 1000]
    assert "source_item_id" not in data.items.columns


def test_csv_without_a_score_column_is_scored_by_the_system():
    data = import_csv(CSV_FILE, **CSV_COLUMNS)
    scores = data.items.set_index("source_item_id")["system_score"]
    assert scores["r-d4"] > 0.5 > scores["r-a1"]
    assert data.meta["system"] == "profanity-check"
    assert list(data.raters.columns) == ["rater_id"]


def test_csv_system_failure_is_an_import_error_naming_the_file(tmp_path):
    unreachable = HttpScorer("http://127.0.0.1:9/score", retries=0, timeout=0.5)
    with pytest.raises(SourceError, match=r"reviews_long.csv: the system could not score the texts: .*connection"):
        import_csv(CSV_FILE, **CSV_COLUMNS, system=unreachable)


def replace_cell(line_number: int, column: str, value: str):
    def modified(lines):
        header = lines[0].split(",")
        cells = next(csv.reader([lines[line_number - 1]]))
        cells[header.index(column)] = value
        buffer = io.StringIO()
        csv.writer(buffer, lineterminator="").writerow(cells)
        lines[line_number - 1] = buffer.getvalue()
        return lines
    return modified


CSV_MALFORMED = {
    "rating not a number": (replace_cell(5, "stars", "4.5x"), ":5: field 'stars': '4.5x' is not a number"),
    "rating outside the scale": (replace_cell(5, "stars", "6"), ":5: field 'stars': '6' is outside the scale 1-5"),
    "rating empty": (replace_cell(5, "stars", ""), ":5: field 'stars': empty"),
    "rater empty": (replace_cell(5, "user", " "), ":5: field 'user': empty"),
    "score outside 0-1": (replace_cell(7, "toxicity", "1.2"), ":7: field 'toxicity': '1.2' is outside the scale 0-1"),
    "text differs": (lambda lines: lines[:4] + [lines[4].replace("total idiot", "total genius")] + lines[5:],
                     ":5: field 'review_text': differs from the text of item 'r-b2' on line 4"),
    "score differs": (replace_cell(8, "toxicity", "0.5"),
                      ":8: field 'toxicity': 0.5 differs from the score 0.1 of item 'r-c3' on line 7"),
    "rating repeated": (lambda lines: lines + [lines[1]],
                        ":12: field 'user': rater 'u1' already rated item 'r-a1' on line 2"),
    "too few fields": (lambda lines: lines[:5] + ["r-x9,text,u1"] + lines[6:], ":6: 3 fields, but the header has 7"),
    "missing column": (lambda lines: [lines[0].replace("stars", "rating")] + lines[1:],
                       ":1: missing column(s) 'stars'; the header has"),
}


@pytest.mark.parametrize("case", CSV_MALFORMED)
def test_csv_malformed_row_names_file_line_and_field(tmp_path, case):
    modify, message = CSV_MALFORMED[case]
    path = write_lines(tmp_path / "broken.csv", modify(csv_lines()))
    with pytest.raises(SourceError) as raised:
        import_reviews(path)
    assert str(raised.value).startswith(str(path) + message)


@pytest.mark.parametrize(("content", "message"), [("", "empty file: no header"),
                                                  ("review_id,review_text,user,stars\n", "a header but no rating")])
def test_csv_empty_file_is_an_error(tmp_path, content, message):
    path = tmp_path / "empty.csv"
    path.write_text(content)
    with pytest.raises(SourceError, match=message):
        import_csv(path, **CSV_COLUMNS)


@pytest.mark.parametrize(("overrides", "message"), [
    ({"scale": (5, 1)}, "MIN must be below MAX"),
    ({"rater_attributes": ["user"]}, "'user' is the rater id column"),
    ({"rater_attributes": ["user_age", "user_age"]}, "each attribute column once"),
])
def test_csv_bad_arguments_are_config_errors(overrides, message):
    with pytest.raises(ConfigError, match=message):
        import_reviews(**overrides)


# --- the command line and atomic writing ----------------------------------------------------------------------


def test_cli_import_writes_the_dataset_and_prints_the_counts(tmp_path, capsys):
    out = tmp_path / "datasets" / "reviews"
    code = main(["import", "csv", str(CSV_FILE), "--item-id", "review_id", "--text", "review_text",
                 "--rater-id", "user", "--rating", "stars", "--scale", "1", "5", "--system-score", "toxicity",
                 "--rater-attr", "user_age", "--out", str(out)])
    assert code == 0
    assert f"Imported 4 items, 4 raters and 10 ratings into {out}" in capsys.readouterr().out
    data = datasets.load(out)
    assert data.meta["name"] == "reviews" and list(data.raters.columns) == ["rater_id", "user_age"]
    assert sorted(p.name for p in out.parent.iterdir()) == ["reviews"]


def test_cli_malformed_file_exits_2_with_the_message_and_writes_nothing(tmp_path, capsys):
    records = kumar_records()
    records[3]["ratings"][0]["toxic_score"] = "very"
    path = write_kumar(tmp_path / "broken.jsonl", records)
    out = tmp_path / "out" / "kumar"
    code = main(["import", "kumar", str(path), "--out", str(out)])
    assert code == 2
    assert capsys.readouterr().err.strip().endswith(
        f"error: {path}:4: field 'ratings[0].toxic_score': 'very' is not a number")
    assert not out.exists()
    assert not out.parent.exists() or not any(out.parent.iterdir())


def test_cli_http_system_needs_a_url(tmp_path, capsys):
    code = main(["import", "kumar", str(KUMAR_FILE), "--system", "http", "--out", str(tmp_path / "k")])
    assert code == 2 and "needs a URL" in capsys.readouterr().err
    assert not (tmp_path / "k").exists()


def test_import_refuses_to_overwrite_a_non_empty_directory(tmp_path, capsys):
    out = tmp_path / "existing"
    out.mkdir()
    (out / "notes.txt").write_text("keep me")
    code = main(["import", "kumar", str(KUMAR_FILE), "--out", str(out)])
    assert code == 2 and "already exists and is not empty" in capsys.readouterr().err
    assert [p.name for p in out.iterdir()] == ["notes.txt"]


def test_import_into_an_existing_empty_directory(tmp_path):
    out = tmp_path / "empty"
    out.mkdir()
    save_atomically(import_kumar(KUMAR_FILE), out)
    assert datasets.load(out).meta["n_ratings"] == 19
    assert sorted(p.name for p in tmp_path.iterdir()) == ["empty"]
