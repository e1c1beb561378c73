"""Properties over generated input (hypothesis).

Importers: a valid generated file round-trips through import, save and load; a file with one
malformed line or row fails with a SourceError naming the file and a line, never another exception.
Reports: every valid complete report converts to JSON that AVID's own model accepts; every
incomplete one is refused; any JSON at all given as reports is accepted or refused with a ReportError.
"""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path
from tempfile import TemporaryDirectory

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from indielabel.avid.convert import (CATEGORY_SEP, MAX_HEADLINE_CHARS, AuditContext, Credit, DatasetReference,
                                     SystemUnderAudit, to_avid, to_avid_json, validate_avid_json)
from indielabel.data import dataset as datasets
from indielabel.data.dataset import MULTI_VALUE_SEPARATOR
from indielabel.data.importing import SourceError
from indielabel.data.kumar import read_kumar
from indielabel.data.long_csv import CsvColumns, read_long_csv
from indielabel.storage.reports import CATEGORIES, DECISIONS, ERROR_TYPES, Report, ReportError, validate_reports

PROPERTY_SETTINGS = settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
# Malformed input is cheap to check and its space is large: more examples.
MALFORMED_SETTINGS = settings(PROPERTY_SETTINGS, max_examples=300)
BAD_FIELD_SETTINGS = settings(PROPERTY_SETTINGS, max_examples=100)  # per field
CSV_COLUMNS = CsvColumns(item_id="item", text="text", rater_id="rater", rating="stars", system_score="score",
                         rater_attributes=("country",))
CSV_SCALE = (1.0, 5.0)

# Any Unicode text a UTF-8 file can hold (no lone surrogates).
any_text = st.text(st.characters(codec="utf-8"), max_size=40)
comments = any_text.filter(str.strip)
# Ids and attribute values as importers keep them: stripped, so without surrounding white space; with
# the words CSV readers like to take for a missing value.
names = st.text(st.characters(codec="utf-8", exclude_categories=("Cc", "Zs", "Zl", "Zp")), min_size=1,
                max_size=8) | st.sampled_from(["NA", "null", "None", "nan", "N/A", "0", "-1"])
attribute_values = names.filter(lambda value: MULTI_VALUE_SEPARATOR not in value)
# Scalars at the edges: beyond int64, not finite (json.dumps writes NaN and Infinity, json.loads reads them).
edge_scalars = st.sampled_from([2**63, -(2**63) - 1, 10**30, float("inf"), float("nan"), -0.0, "", " ", "NaN"])
json_values = st.recursive(st.none() | st.booleans() | st.integers() | st.floats() | any_text | edge_scalars,
                           lambda inner: st.lists(inner, max_size=3) | st.dictionaries(any_text, inner, max_size=3),
                           max_leaves=8)


# --- Kumar et al. JSON lines ------------------------------------------------------------------------------


@st.composite
def kumar_records(draw, with_ids: bool | None = None) -> list[dict]:
    """JSON-lines records; ``with_ids`` says whether they carry comment ids (None: either)."""
    workers = draw(st.lists(names, min_size=1, max_size=5, unique=True))
    genders = {worker: draw(st.none() | attribute_values) for worker in workers}
    n_items = draw(st.integers(1, 5))
    ids = st.lists(st.integers(-10**12, 10**12), min_size=n_items, max_size=n_items, unique=True)
    item_ids = draw({None: st.none() | ids, True: ids, False: st.none()}[with_ids])
    with_scores = draw(st.booleans())
    records = []
    for position in range(n_items):
        raters = draw(st.lists(st.sampled_from(workers), min_size=1, unique=True))
        record = {"comment": draw(comments), "ratings": [
            {"worker_id": worker, "toxic_score": draw(st.integers(0, 4)), "is_insult": draw(st.booleans()),
             **({"gender": genders[worker]} if genders[worker] else {})} for worker in raters]}
        if item_ids is not None:
            record["comment_id"] = item_ids[position]
        if with_scores:
            record["perspective_score"] = draw(st.integers(0, 1000)) / 1000
        records.append(record)
    return records


def _jsonl(records: list) -> str:
    return "".join((record if isinstance(record, str) else json.dumps(record)) + "\n" for record in records)


@PROPERTY_SETTINGS
@given(kumar_records())
def test_a_valid_kumar_file_round_trips_through_import_save_and_load(records):
    with TemporaryDirectory() as directory:
        path = Path(directory) / "source.jsonl"
        path.write_text(_jsonl(records), encoding="utf-8")
        loaded = _saved_and_loaded(read_kumar(path), Path(directory) / "dataset")

    ids = [record.get("comment_id", position) for position, record in enumerate(records)]
    assert loaded.items.set_index("item_id")["comment"].to_dict() == {
        item_id: record["comment"] for item_id, record in zip(ids, records)}
    assert _rating_set(loaded) == {(rating["worker_id"], item_id, float(rating["toxic_score"]))
                                   for item_id, record in zip(ids, records) for rating in record["ratings"]}
    genders = {rating["worker_id"]: rating.get("gender", "") for record in records for rating in record["ratings"]}
    if any(genders.values()):
        assert loaded.raters.set_index("rater_id")["gender"].to_dict() == genders


KUMAR_FIELDS = ["comment", "comment_id", "id", "perspective_score", "ratings", "ratings[0]", "ratings[0].worker_id",
                "ratings[0].toxic_score", "ratings[0].is_insult", "ratings[0].gender", "ratings[0].race"]
# A value of any type, with the edges of numbers and text more likely than they would be by chance.
bad_values = st.one_of(edge_scalars, st.integers(), st.floats(), any_text, json_values)


@pytest.mark.parametrize("field", KUMAR_FIELDS)
@BAD_FIELD_SETTINGS
@given(records=kumar_records(with_ids=True), data=st.data())
def test_a_kumar_line_with_a_bad_field_is_a_source_error_naming_file_and_line(field, records, data):
    position = data.draw(st.integers(0, len(records) - 1), label="line")
    records[position] = _with_field(records[position], field, data.draw(bad_values, label="value"))
    _assert_kumar_lines_fail_cleanly([json.dumps(record) for record in records])


@MALFORMED_SETTINGS
@given(records=kumar_records(), data=st.data())
def test_a_kumar_line_that_is_not_a_record_is_a_source_error_naming_file_and_line(records, data):
    position = data.draw(st.integers(0, len(records) - 1), label="line")
    lines = [json.dumps(record) for record in records]
    lines[position] = data.draw(st.one_of(
        any_text, json_values.map(json.dumps),
        st.binary(min_size=1, max_size=10).map(lambda raw: raw.decode("utf-8", "surrogateescape"))), label="line")
    _assert_kumar_lines_fail_cleanly(lines)


def _with_field(record: dict, field: str, value) -> dict:
    """``record`` with ``field`` ("ratings[0].toxic_score" names a field of the first rating) set to ``value``."""
    if not field.startswith("ratings[0]"):
        return {**record, field: value}
    first = value if field == "ratings[0]" else {**record["ratings"][0], field.split(".")[1]: value}
    return {**record, "ratings": [first, *record["ratings"][1:]]}


def _assert_kumar_lines_fail_cleanly(lines: list[str]) -> None:
    with TemporaryDirectory() as directory:
        path = Path(directory) / "broken.jsonl"
        path.write_bytes("\n".join(lines).encode("utf-8", "surrogateescape") + b"\n")
        _assert_clean_failure_or_success(lambda: read_kumar(path), path)


# --- long-format CSV ------------------------------------------------------------------------------------------


@st.composite
def csv_rows(draw) -> list[list[str]]:
    """Rows of (item, text, rater, stars, score, country): every item with one text and score."""
    n_items = draw(st.integers(1, 4))
    items = draw(st.lists(names, min_size=n_items, max_size=n_items, unique=True))
    texts = {item: draw(comments) for item in items}
    scores = {item: str(draw(st.integers(0, 1000)) / 1000) for item in items}
    raters = draw(st.lists(names, min_size=1, max_size=4, unique=True))
    countries = {rater: draw(attribute_values) for rater in raters}
    pairs = draw(st.lists(st.tuples(st.sampled_from(items), st.sampled_from(raters)), min_size=1, max_size=8,
                          unique=True))
    return [[item, texts[item], rater, str(draw(st.integers(1, 5))), scores[item], countries[rater]]
            for item, rater in pairs]


def _csv_text(rows: list[list[str]]) -> str:
    stream = io.StringIO(newline="")
    writer = csv.writer(stream)  # Excel's dialect: "\r\n" ends a row, so a "\r" in a cell is quoted
    writer.writerow(["item", "text", "rater", "stars", "score", "country"])
    writer.writerows(rows)
    return stream.getvalue()


@PROPERTY_SETTINGS
@given(csv_rows())
def test_a_valid_long_csv_round_trips_through_import_save_and_load(rows):
    with TemporaryDirectory() as directory:
        path = Path(directory) / "source.csv"
        path.write_text(_csv_text(rows), encoding="utf-8", newline="")
        tables = read_long_csv(path, CSV_COLUMNS, CSV_SCALE)
        loaded = _saved_and_loaded(tables, Path(directory) / "dataset")

    items = tables.items
    if "source_item_id" in items.columns:
        item_of = dict(zip(items["source_item_id"], items["item_id"]))
    else:  # every id was an integer, and is kept as one
        item_of = {item: int(item) for item, *_ in rows}
    assert loaded.items.set_index("item_id")["comment"].to_dict() == {item_of[item]: text for item, text, *_ in rows}
    assert _rating_set(loaded) == {(rater, item_of[item], float(stars) - 1.0) for item, _, rater, stars, *_ in rows}
    assert loaded.raters.set_index("rater_id")["country"].to_dict() == {
        rater: country for *_, rater, _, _, country in rows}


@MALFORMED_SETTINGS
@given(csv_rows(), st.data())
def test_a_malformed_csv_row_is_a_source_error_naming_file_and_line(rows, data):
    position = data.draw(st.integers(0, len(rows) - 1), label="row")
    broken = data.draw(st.one_of(
        st.lists(any_text, max_size=8),  # any number of arbitrary cells
        st.tuples(st.integers(0, 5), any_text).map(lambda change: _with_cell(rows[position], *change)),
    ), label="broken row")
    text = _csv_text([*rows[:position], broken, *rows[position + 1:]])
    with TemporaryDirectory() as directory:
        path = Path(directory) / "broken.csv"
        path.write_text(text, encoding="utf-8", newline="")
        _assert_clean_failure_or_success(lambda: read_long_csv(path, CSV_COLUMNS, CSV_SCALE), path)


def _with_cell(row: list[str], column: int, value: str) -> list[str]:
    return [value if index == column else cell for index, cell in enumerate(row)]


# --- shared checks --------------------------------------------------------------------------------------------


def _assert_clean_failure_or_success(read, path: Path) -> None:
    """``read()`` raises a SourceError that names ``path`` and (for a line's fault) the line, or gives
    tables that make a dataset: what the reader lets through must not fail later."""
    try:
        tables = read()
    except SourceError as error:
        assert error.path == str(path) and str(error).startswith(str(path))
        assert error.line is not None or "empty file" in str(error), str(error)
        if error.line is not None:
            assert str(error).startswith(f"{path}:{error.line}: ")
    else:
        _built(tables)


def _built(tables) -> datasets.Dataset:
    """The dataset of an importer's tables, with one topic and a neutral score where the source has none."""
    items = tables.items.copy()
    if "system_score" not in items.columns:
        items["system_score"] = 0.5
    items["topic_id"], items["topic"] = 0, "0_only_topic"
    return datasets.build(items, tables.ratings, tables.raters, tables.meta)


def _saved_and_loaded(tables, directory: Path) -> datasets.Dataset:
    datasets.save(_built(tables), directory)
    return datasets.load(directory)


def _rating_set(data: datasets.Dataset) -> set[tuple[str, int, float]]:
    ratings = data.ratings
    return set(zip(ratings["rater_id"], ratings["item_id"].astype(int), ratings["rating"].astype(float)))


# --- audit reports and AVID -----------------------------------------------------------------------------------


ratings_0_to_4 = st.floats(0.0, 4.0, allow_nan=False)
evidence_entries = st.fixed_dictionaries({
    "item_id": st.integers(-2**63, 2**63 - 1), "comment": any_text, "topic": any_text,
    "system_rating": ratings_0_to_4, "system_decision": st.sampled_from(DECISIONS),
    "predicted_rating": st.none() | ratings_0_to_4, "predicted_decision": st.none() | st.sampled_from(DECISIONS),
    "error_type": st.none() | any_text})
complete_reports = st.fixed_dictionaries({
    "title": any_text.filter(lambda title: 0 < len(title.strip()) <= MAX_HEADLINE_CHARS),
    "error_type": st.sampled_from(ERROR_TYPES + ("",)),
    "evidence": st.lists(evidence_entries, min_size=1, max_size=4, unique_by=lambda entry: entry["item_id"]),
    "summary": comments, "category": st.sampled_from(CATEGORIES)}).map(Report.model_validate)
emails = st.tuples(names, names, names).map(lambda parts: "{}@{}.{}".format(*parts)).filter(
    lambda email: not any(space in email for space in " \t\r\n"))
AVID_CONTEXT = AuditContext(system=SystemUnderAudit(name="Example filter", developer=("Example Labs",)),
                            dataset=DatasetReference(name="example-comments", synthetic=False))


@PROPERTY_SETTINGS
@given(complete_reports, st.none() | names, st.none() | emails, st.booleans())
def test_every_complete_report_converts_to_json_avids_model_accepts(report, name, email, publish_email):
    body = to_avid_json(report, AVID_CONTEXT, Credit(name, email, publish_email))

    validated = validate_avid_json(json.loads(json.dumps(body)))
    assert len(validated.metrics[0].results["evidence"]) == len(report.evidence)
    assert validated.impact.avid.sep_view == list(CATEGORY_SEP[report.category])
    assert len(validated.credit) == 1
    assert (f"<{email}>" in validated.credit[0].value) == bool(email and publish_email)


@PROPERTY_SETTINGS
@given(complete_reports, st.sampled_from(["title", "evidence", "summary", "category"]),
       st.sampled_from(["", " ", "\n\t"]))
def test_every_incomplete_report_is_refused(report, missing, blank):
    emptied = {"title": blank, "evidence": [], "summary": blank, "category": ""}[missing]
    incomplete = report.model_copy(update={missing: emptied})

    try:
        to_avid(incomplete, AVID_CONTEXT)
    except ValueError as error:
        assert "is not complete" in str(error)
    else:
        raise AssertionError(f"an incomplete report (no {missing}) was converted")


@PROPERTY_SETTINGS
@given(json_values)
def test_any_json_given_as_reports_is_accepted_or_refused_with_a_report_error(payload):
    try:
        reports = validate_reports(payload)
    except ReportError as error:
        assert error.message
        assert error.field is None or error.field.startswith("reports")
    else:
        assert isinstance(reports, list) and all(isinstance(report, Report) for report in reports)

