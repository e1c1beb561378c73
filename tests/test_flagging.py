"""Flagging: the loggers on real files, under threads and processes, the settings, and the export."""

from __future__ import annotations

import csv
import json
import multiprocessing
import threading
from datetime import datetime, timedelta

import pytest

from indielabel import cli
from indielabel.config import ConfigError, load_settings
from indielabel.flagging.loggers import neutralise_formula
from indielabel.flagging.setup import (
    FLAG_COMPONENTS,
    CSVLogger,
    FlaggingDisabledError,
    FlagOption,
    JSONLinesLogger,
    SimpleCSVLogger,
    configure_flagging,
)

HEADER = [*FLAG_COMPONENTS, "flag", "username", "timestamp"]


def comment_row(item_id: int, comment: str = "a plain comment") -> dict:
    return {"item_id": item_id, "comment": comment, "system_rating": 3.2, "predicted_rating": 1.5,
            "topic": "4_game_team_season_coach"}


def flag_data(item_id: int, comment: str = "a plain comment") -> list:
    row = comment_row(item_id, comment)
    return [row[name] for name in FLAG_COMPONENTS]


def read_csv(path) -> list[list[str]]:
    with open(path, newline="", encoding="utf-8") as file:
        return list(csv.reader(file))


def csv_logger(directory, components=FLAG_COMPONENTS) -> CSVLogger:
    logger = CSVLogger()
    logger.setup(list(components), directory)
    return logger


# --- CSVLogger ---------------------------------------------------------------------------------------

@pytest.mark.parametrize("first, later", [((None, None), ("Offensive", "ana")),
                                          (("Offensive", "ana"), (None, None))])
def test_header_and_rows_line_up_whatever_the_first_flag_carried(tmp_path, first, later):
    logger = csv_logger(tmp_path)
    assert logger.flag(flag_data(1), flag_option=first[0], username=first[1]) == 1
    assert logger.flag(flag_data(2), flag_option=later[0], username=later[1]) == 2

    header, *rows = read_csv(tmp_path / "dataset1.csv")
    assert header == HEADER
    assert all(len(row) == len(HEADER) for row in rows)
    for row, (option, username) in zip(rows, (first, later)):
        cells = dict(zip(header, row))
        assert cells["flag"] == (option or "")
        assert cells["username"] == (username or "")
        assert cells["system_rating"] == "3.2"
    assert [row[0] for row in rows] == ["1", "2"]


def test_timestamp_is_iso_8601_in_utc(tmp_path):
    logger = csv_logger(tmp_path)
    logger.flag(flag_data(1))
    stamp = datetime.fromisoformat(read_csv(tmp_path / "dataset1.csv")[1][-1])
    assert stamp.utcoffset() == timedelta(0)


def test_changed_columns_start_a_new_file_and_leave_the_old_one_untouched(tmp_path):
    csv_logger(tmp_path).flag(flag_data(1))
    first_file = (tmp_path / "dataset1.csv").read_bytes()

    renamed = ["item_id", "comment", "system_rating", "predicted_rating", "topic_label"]
    other = csv_logger(tmp_path, renamed)
    assert other.dataset_file == tmp_path / "dataset2.csv"
    assert other.flag(flag_data(2)) == 1
    assert (tmp_path / "dataset1.csv").read_bytes() == first_file
    assert read_csv(tmp_path / "dataset2.csv")[0][4] == "topic_label"

    # Back to the first columns: the newest file no longer matches, so a third one starts.
    assert csv_logger(tmp_path).dataset_file == tmp_path / "dataset3.csv"


def test_same_columns_append_to_the_newest_file_and_the_count_carries_on(tmp_path):
    csv_logger(tmp_path).flag(flag_data(1))
    restarted = csv_logger(tmp_path)
    assert restarted.dataset_file == tmp_path / "dataset1.csv"
    assert restarted.flag(flag_data(2)) == 2
    assert len(read_csv(tmp_path / "dataset1.csv")) == 3


def test_count_is_recovered_after_the_log_is_edited_by_hand(tmp_path):
    logger = csv_logger(tmp_path)
    logger.flag(flag_data(1))
    with open(tmp_path / "dataset1.csv", "a", encoding="utf-8") as file:
        file.write('7,"added by hand",1,1,"t","","",""')  # no line end, as after a crash mid-write
    assert logger.flag(flag_data(2)) == 3
    rows = read_csv(tmp_path / "dataset1.csv")
    assert [row[0] for row in rows[1:]] == ["1", "7", "2"]


def test_a_formula_in_a_comment_is_stored_inert(tmp_path):
    attack = "=cmd|' /C calc'!A0"
    csv_logger(tmp_path).flag(flag_data(1, attack), flag_option="@SUM(A1)", username="+ana")
    cells = dict(zip(HEADER, read_csv(tmp_path / "dataset1.csv")[1]))
    assert cells["comment"] == "'" + attack
    assert cells["flag"] == "'@SUM(A1)"
    assert cells["username"] == "'+ana"


@pytest.mark.parametrize("value, stored", [
    ("=1+1", "'=1+1"), ("+1+1", "'+1+1"), ("-2+3", "'-2+3"), ("@SUM(A1)", "'@SUM(A1)"),
    ("\t=1", "'\t=1"), ("\r=1", "'\r=1"), ("fine,=HYPERLINK(1)", "'fine,=HYPERLINK(1)"),
    ("fine;@x", "'fine;@x"), ('say "=1"', '\'say "=1"'),
    ("-1.5", "-1.5"), ("+3", "+3"), ("2e3", "2e3"), ("a - b", "a - b"), ("plain text", "plain text"),
    ("'=already", "'=already"),
])
def test_formula_neutralising_follows_owasp_and_leaves_numbers_alone(value, stored):
    assert neutralise_formula(value) == stored


def test_numbers_are_stored_as_numbers(tmp_path):
    csv_logger(tmp_path).flag([5, "text", -0.25, 4, "topic"])
    raw = (tmp_path / "dataset1.csv").read_text(encoding="utf-8").splitlines()[1]
    assert raw.startswith('5,"text",-0.25,4,')


def test_flag_data_of_the_wrong_length_is_refused(tmp_path):
    logger = csv_logger(tmp_path)
    with pytest.raises(ValueError, match="5 components"):
        logger.flag([1, "too short"])


def test_components_that_clash_with_the_added_columns_are_refused(tmp_path):
    with pytest.raises(ValueError, match="clash"):
        CSVLogger().setup(["comment", "username"], tmp_path)


def test_threads_flagging_one_logger_lose_no_row(tmp_path):
    logger = csv_logger(tmp_path)
    counts: list[int] = []

    def flag_many(thread_number: int) -> None:
        for number in range(100):
            counts.append(logger.flag(flag_data(thread_number * 1000 + number)))

    threads = [threading.Thread(target=flag_many, args=(number,)) for number in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(counts) == list(range(1, 801))
    assert len(read_csv(tmp_path / "dataset1.csv")) == 801


PROCESSES, FLAGS_EACH = 8, 200


def _flag_from_a_process(directory, barrier, results, process_number: int) -> None:
    barrier.wait()
    try:
        logger = CSVLogger()
        logger.setup(list(FLAG_COMPONENTS), directory)
        counts = []
        for number in range(FLAGS_EACH):
            comment = f'process {process_number}, flag {number}: "quoted",\nand a second line'
            counts.append(logger.flag(flag_data(process_number * 1000 + number, comment),
                                      flag_option="Offensive", username=f"worker{process_number}"))
        results.put(counts)
    except Exception as error:  # the test shows it rather than waiting for a result that never comes
        results.put(repr(error))


def test_eight_processes_flagging_at_once_give_every_row_and_the_right_counts(tmp_path):
    context = multiprocessing.get_context("fork")
    barrier, results = context.Barrier(PROCESSES), context.Queue()
    workers = [context.Process(target=_flag_from_a_process, args=(tmp_path, barrier, results, number))
               for number in range(PROCESSES)]
    for worker in workers:
        worker.start()
    outcomes = [results.get(timeout=120) for _ in workers]
    for worker in workers:
        worker.join(timeout=30)
    assert [outcome for outcome in outcomes if not isinstance(outcome, list)] == []
    counts = [count for outcome in outcomes for count in outcome]

    total = PROCESSES * FLAGS_EACH
    assert max(counts) == total
    assert sorted(counts) == list(range(1, total + 1))
    assert sorted(path.name for path in tmp_path.glob("dataset*.csv")) == ["dataset1.csv"]
    header, *rows = read_csv(tmp_path / "dataset1.csv")
    assert header == HEADER
    assert len(rows) == total
    assert all(len(row) == len(HEADER) for row in rows)
    item_ids = [int(row[0]) for row in rows]
    assert len(set(item_ids)) == total
    for process_number in range(PROCESSES):
        mine = [item_id for item_id in item_ids if item_id // 1000 == process_number]
        assert mine == sorted(mine)  # each process's flags appear in the order it made them
    assert all(row[1].endswith("\nand a second line") for row in rows)


# --- the other loggers -------------------------------------------------------------------------------

def test_simple_csv_logger_writes_values_only_and_counts_like_gradio(tmp_path):
    logger = SimpleCSVLogger()
    logger.setup(list(FLAG_COMPONENTS), tmp_path)
    assert logger.flag(flag_data(1), flag_option="Offensive", username="ana") == 0
    assert logger.flag(flag_data(2, "=1+1")) == 1
    rows = read_csv(tmp_path / "log.csv")
    assert rows == [["1", "a plain comment", "3.2", "1.5", "4_game_team_season_coach"],
                    ["2", "'=1+1", "3.2", "1.5", "4_game_team_season_coach"]]


def test_json_lines_logger_keys_each_flag_by_column_and_keeps_types(tmp_path):
    logger = JSONLinesLogger()
    logger.setup(list(FLAG_COMPONENTS), tmp_path)
    assert logger.flag(flag_data(1), flag_option="Spam", username="ana") == 1
    assert logger.flag(flag_data(2)) == 2
    lines = (tmp_path / "flags.jsonl").read_text(encoding="utf-8").splitlines()
    first, second = (json.loads(line) for line in lines)
    assert list(first) == HEADER
    assert first["item_id"] == 1 and first["system_rating"] == 3.2
    assert (first["flag"], first["username"]) == ("Spam", "ana")
    assert (second["flag"], second["username"]) == (None, None)


# --- configuration -----------------------------------------------------------------------------------

def settings_for(tmp_path, **values):
    return load_settings({"flagging_dir": tmp_path / "flagged", **values}, environ={})


def test_no_options_give_one_flag_button_storing_nothing(tmp_path):
    flagging = configure_flagging(settings_for(tmp_path))
    assert flagging.options == [FlagOption("Flag", None)]
    flagging.record(comment_row(1))
    assert read_csv(tmp_path / "flagged" / "dataset1.csv")[1][5] == ""


def test_string_options_make_flag_as_buttons_that_store_the_string(tmp_path):
    flagging = configure_flagging(settings_for(tmp_path, flagging_options=["Offensive", "Not offensive"]))
    assert flagging.options == [FlagOption("Flag as Offensive", "Offensive"),
                                FlagOption("Flag as Not offensive", "Not offensive")]
    assert flagging.record(comment_row(1), "Not offensive", "ana") == 1
    row = read_csv(tmp_path / "flagged" / "dataset1.csv")[1]
    assert (row[5], row[6]) == ("Not offensive", "ana")


def test_pair_options_from_the_environment_store_the_value_not_the_label(tmp_path):
    environ = {"INDIELABEL_FLAGGING_OPTIONS": '[["Too harsh", "over"], ["Too lenient", "under"]]',
               "INDIELABEL_FLAGGING_DIR": str(tmp_path / "flagged")}
    flagging = configure_flagging(load_settings(environ=environ))
    assert flagging.options == [FlagOption("Too harsh", "over"), FlagOption("Too lenient", "under")]
    flagging.record(comment_row(1), "under")
    assert read_csv(tmp_path / "flagged" / "dataset1.csv")[1][5] == "under"


def test_an_option_that_is_not_configured_is_refused_by_name(tmp_path):
    flagging = configure_flagging(settings_for(tmp_path, flagging_options=["Offensive"]))
    with pytest.raises(ValueError, match="'Spam'"):
        flagging.record(comment_row(1), "Spam")
    with pytest.raises(ValueError, match="lacks"):
        flagging.record({"item_id": 1}, "Offensive")


@pytest.mark.parametrize("options, message", [
    (["Offensive", ["Too harsh", "over"]], "not a mix"),
    ([1, 2], "strings"),
    ([["label", "value", "extra"]], "pairs"),
    ({"Too harsh": "over"}, "got dict"),
    (["Spam", "Spam"], "repeat"),
    ([" "], "empty"),
])
def test_bad_options_are_a_config_error_at_start_up(tmp_path, options, message):
    with pytest.raises(ConfigError, match=message):
        configure_flagging(settings_for(tmp_path, flagging_options=options))


def test_an_unknown_mode_is_a_config_error_listing_the_valid_ones(tmp_path):
    with pytest.raises(ConfigError, match="manual, auto, never"):
        configure_flagging(settings_for(tmp_path, flagging_mode="sometimes"))


def test_the_environment_sets_the_mode(tmp_path):
    environ = {"INDIELABEL_FLAGGING_MODE": "auto", "INDIELABEL_FLAGGING_DIR": str(tmp_path)}
    flagging = configure_flagging(load_settings(environ=environ))
    assert flagging.mode == "auto"
    # auto mode logs labels without a button's option, the label given as one more column
    assert flagging.record({**comment_row(1), "label": 3}) == 1


def test_never_records_nothing_and_creates_nothing(tmp_path):
    unusable = tmp_path / "a-file"
    unusable.write_text("not a directory")
    flagging = configure_flagging(settings_for(tmp_path, flagging_mode="never",
                                               flagging_dir=unusable / "flagged"))
    assert flagging.callback is None
    with pytest.raises(FlaggingDisabledError):
        flagging.record(comment_row(1))
    assert sorted(path.name for path in tmp_path.iterdir()) == ["a-file"]


def test_an_unwritable_flagging_dir_is_a_config_error_when_flagging_is_on(tmp_path):
    unusable = tmp_path / "a-file"
    unusable.write_text("not a directory")
    with pytest.raises(ConfigError, match="flagging_dir"):
        configure_flagging(settings_for(tmp_path, flagging_dir=unusable / "flagged"))


CUSTOM_CALLBACK = '''
from pathlib import Path
from indielabel.flagging.setup import FlaggingCallback


class CountingLog(FlaggingCallback):
    def setup(self, components, flagging_dir):
        self.path = Path(flagging_dir) / "custom.txt"
        self.path.write_text("|".join(components) + "\\n")

    def flag(self, flag_data, flag_option=None, username=None):
        with open(self.path, "a") as file:
            file.write(f"{flag_data[0]} {flag_option} {username}\\n")
        return len(self.path.read_text().splitlines()) - 1


class NotACallback:
    pass
'''


def test_an_organizers_callback_is_loaded_by_dotted_path(tmp_path, monkeypatch):
    (tmp_path / "organizer_flags.py").write_text(CUSTOM_CALLBACK)
    monkeypatch.syspath_prepend(str(tmp_path))
    flagging = configure_flagging(settings_for(tmp_path, flagging_callback="organizer_flags.CountingLog",
                                               flagging_options=["Spam"]))
    assert flagging.record(comment_row(9), "Spam", "ana") == 1
    lines = (tmp_path / "flagged" / "custom.txt").read_text().splitlines()
    assert lines == ["|".join(FLAG_COMPONENTS), "9 Spam ana"]


@pytest.mark.parametrize("dotted_path, message", [
    ("organizer_flags.NotACallback", "must be a class that subclasses"),
    ("organizer_flags.Missing", "has no 'Missing'"),
    ("no_such_module.Log", "cannot import"),
    ("CountingLog", "dotted path"),
])
def test_a_bad_callback_path_is_a_config_error(tmp_path, monkeypatch, dotted_path, message):
    (tmp_path / "organizer_flags.py").write_text(CUSTOM_CALLBACK)
    monkeypatch.syspath_prepend(str(tmp_path))
    with pytest.raises(ConfigError, match=message):
        configure_flagging(settings_for(tmp_path, flagging_callback=dotted_path))


# --- export ------------------------------------------------------------------------------------------

@pytest.fixture
def flag_logs(tmp_path):
    """A flagging directory holding every kind of built-in log."""
    directory = tmp_path / "flagged"
    csv_logger(directory).flag(flag_data(1, "=1+1"), flag_option="Spam", username="ana")
    renamed = ["item_id", "comment", "system_rating", "predicted_rating", "topic_label"]
    csv_logger(directory, renamed).flag(flag_data(2))
    simple = SimpleCSVLogger()
    simple.setup(list(FLAG_COMPONENTS), directory)
    simple.flag(flag_data(3))
    jsonl = JSONLinesLogger()
    jsonl.setup(list(FLAG_COMPONENTS), directory)
    jsonl.flag(flag_data(4, "@here"), flag_option="Offensive", username="bo")
    return directory


def export(monkeypatch, directory, tmp_path, output_format: str):
    monkeypatch.setenv("INDIELABEL_FLAGGING_DIR", str(directory))
    out = tmp_path / f"export.{output_format}"
    assert cli.main(["flags", "export", "--format", output_format, "--out", str(out)]) == 0
    return out


def test_export_as_csv_gathers_every_log_in_one_neutralised_table(flag_logs, tmp_path, monkeypatch):
    header, *rows = read_csv(export(monkeypatch, flag_logs, tmp_path, "csv"))
    assert header[-1] == "source"
    assert "topic" in header and "topic_label" in header
    flags = [dict(zip(header, row)) for row in rows]
    assert [flag["item_id"] for flag in flags] == ["1", "2", "3", "4"]
    assert [flag["source"] for flag in flags] == ["dataset1.csv", "dataset2.csv", "log.csv", "flags.jsonl"]
    assert flags[0]["comment"] == "'=1+1"
    assert flags[3]["comment"] == "'@here"
    assert (flags[3]["flag"], flags[3]["username"]) == ("Offensive", "bo")


def test_export_as_json_lines_gives_one_object_per_flag(flag_logs, tmp_path, monkeypatch):
    lines = export(monkeypatch, flag_logs, tmp_path, "jsonl").read_text(encoding="utf-8").splitlines()
    flags = [json.loads(line) for line in lines]
    assert len(flags) == 4
    assert flags[1]["topic_label"] == "4_game_team_season_coach"
    assert flags[2]["topic"] == "4_game_team_season_coach"
    assert flags[3]["item_id"] == 4 and flags[3]["source"] == "flags.jsonl"
