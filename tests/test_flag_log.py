"""The flag log nothing can break: any text back exactly, damaged tallies and records, the per-user
index, one user's flags, and what Gradio 5 code expects of the loggers."""

from __future__ import annotations

import csv
import json
import threading

import pytest

from indielabel.config import ConfigError
from indielabel.flagging.append_log import AppendLog
from indielabel.flagging.loggers import json_users
from indielabel.flagging.reading import FLAG_COMPONENTS, flags_of_user, format_flags, read_flag_log
from indielabel.flagging.setup import CSVLogger, Flagging, FlagOption, JSONLinesLogger, parse_options

AWKWARD = "line one\r\nline two\rline three\u2028four\u2029five\x85six \"quoted\", comma"
LONG = "a long comment " * 133_334  # 2,000,010 characters


def flag_data(item_id, comment: str = "plain") -> list:
    return [item_id, comment, 3.2, 1.5, "4_game_team"]


def logger_of(kind, directory):
    logger = kind()
    logger.setup(list(FLAG_COMPONENTS), directory)
    return logger


def manual(logger, directory, options=("Offensive", "Spam")) -> Flagging:
    return Flagging("manual", [FlagOption(f"Flag as {value}", value) for value in options], logger, directory)


def row(item_id, comment="plain") -> dict:
    return dict(zip(FLAG_COMPONENTS, flag_data(item_id, comment)))


@pytest.mark.parametrize("kind", [CSVLogger, JSONLinesLogger])
@pytest.mark.parametrize("text", [AWKWARD, LONG], ids=["line-separators", "two-million-characters"])
def test_any_text_is_read_back_exactly_for_the_user_and_in_the_export(tmp_path, kind, text):
    logger = logger_of(kind, tmp_path)
    logger.flag(flag_data(1, text), "Offensive", "ana")
    logger.flag(flag_data(2), "Spam", "bo")

    assert [flag["comment"] for flag in flags_of_user(tmp_path, "ana")] == [text]
    log = read_flag_log(tmp_path)
    assert log.problems == []
    assert [flag["comment"] for flag in log.flags] == [text, "plain"]
    exported = [json.loads(line) for line in format_flags(log.flags, "jsonl").split("\n") if line]
    assert exported[0]["comment"] == text
    # Readers that split lines on U+2028 and friends still see one flag per line.
    assert len(format_flags(log.flags, "jsonl").splitlines()) == 2


@pytest.mark.parametrize("damage", ["delete", "garble", "wrong-count"])
def test_a_missing_or_damaged_count_file_is_rebuilt_and_flagging_goes_on(tmp_path, damage):
    logger = logger_of(CSVLogger, tmp_path)
    logger.flag(flag_data(1, LONG), "Offensive", "ana")
    logger.flag(flag_data(2), "Spam", "ana")
    tally = tmp_path / ".dataset1.csv.count"
    if damage == "delete":
        tally.unlink()
    elif damage == "garble":
        tally.write_bytes(b"\xff{not json")
    else:
        tally.write_text(json.dumps({"records": 99, "bytes": 5}))

    assert logger.flag(flag_data(3), "Spam", "bo") == 3
    assert [flag["item_id"] for flag in flags_of_user(tmp_path, "ana")] == ["1", "2"]
    assert [flag["item_id"] for flag in flags_of_user(tmp_path, "bo")] == ["3"]


def test_an_unreadable_record_is_reported_and_hides_no_other_flag(tmp_path):
    logger = logger_of(JSONLinesLogger, tmp_path)
    logger.flag(flag_data(1), "Offensive", "ana")
    with open(tmp_path / "flags.jsonl", "ab") as log:
        log.write(b"\xff\xfe not utf-8\n[1, 2]\n")
    logger.flag(flag_data(2), "Spam", "ana")

    log = read_flag_log(tmp_path)
    assert [flag["item_id"] for flag in log.flags] == [1, 2]
    assert len(log.problems) == 2
    assert "flags.jsonl record 2" in log.problems[0] and "flags.jsonl record 3" in log.problems[1]
    assert [flag["item_id"] for flag in flags_of_user(tmp_path, "ana")] == [1, 2]


def test_a_csv_record_cut_short_inside_quotes_does_not_swallow_the_next_flags(tmp_path):
    logger = logger_of(CSVLogger, tmp_path)
    logger.flag(flag_data(1), "Offensive", "ana")
    with open(tmp_path / "dataset1.csv", "ab") as log:
        log.write(b'2,"a comment cut off by a cra')  # a write that died half way
    logger.flag(flag_data(3), "Spam", "ana")
    logger.flag(flag_data(4), "Spam", "bo")

    flags = read_flag_log(tmp_path).flags
    assert [flag["item_id"] for flag in flags if flag["item_id"] != "2"] == ["1", "3", "4"]
    assert [flag["item_id"] for flag in flags_of_user(tmp_path, "ana")] == ["1", "3"]


def test_a_hand_edit_of_the_log_rebuilds_the_user_index(tmp_path):
    logger = logger_of(CSVLogger, tmp_path)
    for item_id, user in [(1, "ana"), (2, "bo"), (3, "ana")]:
        logger.flag(flag_data(item_id), "Spam", user)
    path = tmp_path / "dataset1.csv"
    header, first, second, third = path.read_bytes().split(b"\r\n")[:4]
    path.write_bytes(b"\r\n".join([header, third, b""]))  # the organizer deleted two rows

    assert [flag["item_id"] for flag in flags_of_user(tmp_path, "ana")] == ["3"]
    assert flags_of_user(tmp_path, "bo") == []


def test_one_users_flags_are_read_through_the_index_not_by_scanning(tmp_path):
    logger = logger_of(JSONLinesLogger, tmp_path)
    logger.flag(flag_data(1), "Spam", "ana")
    logger.flag(flag_data(2), "Spam", "bo")
    records = AppendLog(tmp_path / "flags.jsonl", json_users).records_of("ana")
    assert [json.loads(record)["item_id"] for record in records] == [1]
    index_files = list((tmp_path / ".flags.jsonl.users").iterdir())
    assert len(index_files) == 2


def test_several_reasons_on_one_comment_are_all_kept(tmp_path):
    flagging = manual(logger_of(CSVLogger, tmp_path), tmp_path)
    assert flagging.record(row(1), "Offensive", "ana") == 1
    assert flagging.record(row(1), "Spam", "ana") == 2
    assert [flag["flag"] for flag in flags_of_user(tmp_path, "ana")] == ["Offensive", "Spam"]


@pytest.mark.parametrize("kind", [CSVLogger, JSONLinesLogger])
def test_the_same_reason_twice_adds_no_row(tmp_path, kind):
    flagging = manual(logger_of(kind, tmp_path), tmp_path)
    assert flagging.record(row(1), "Offensive", "ana") == 1
    assert flagging.record(row(1), "Offensive", "ana") is None
    assert flagging.record(row(1), "Offensive", "bo") == 2  # another user's flag is theirs
    assert len(read_flag_log(tmp_path).flags) == 2


def test_auto_mode_logs_the_label_as_a_column(tmp_path):
    logger = CSVLogger()
    logger.setup([*FLAG_COMPONENTS, "label"], tmp_path)
    flagging = Flagging("auto", [], logger, tmp_path, components=(*FLAG_COMPONENTS, "label"))
    flagging.record({**row(1), "label": 3}, None, "ana")
    flagging.record({**row(1), "label": 0}, None, "ana")
    assert [flag["label"] for flag in flags_of_user(tmp_path, "ana")] == ["3", "0"]


# --- Gradio 5 compatibility ---------------------------------------------------------------------------

def test_dataset_file_name_names_the_log_as_in_gradio(tmp_path):
    logger = CSVLogger(dataset_file_name="log.csv")
    logger.setup(list(FLAG_COMPONENTS), tmp_path)
    logger.flag(flag_data(1), "Spam", "ana")
    assert logger.dataset_file == tmp_path / "log.csv"
    assert [flag["flag"] for flag in read_flag_log(tmp_path).flags] == ["Spam"]
    with pytest.raises(ValueError, match="plain file name"):
        CSVLogger(dataset_file_name="../elsewhere.csv")


def test_a_label_none_pair_is_a_button_that_stores_nothing():
    assert parse_options([["Flag it", None], ["Spam", "spam"]]) == [FlagOption("Flag it", None),
                                                                  FlagOption("Spam", "spam")]


def test_a_stored_value_that_is_not_text_is_a_type_error_as_in_gradio():
    with pytest.raises(TypeError, match="must be text or None"):
        parse_options([["Spam", 3]])
    with pytest.raises(ConfigError):
        parse_options([["Spam", 3]])


def test_a_gradio_4_log_csv_is_read_by_its_header(tmp_path):
    with open(tmp_path / "log.csv", "w", newline="", encoding="utf-8") as file:
        csv.writer(file).writerows([["text", "output", "flag", "username", "timestamp"],
                                    ["hello", "0.9", "wrong", "ana", "2024-01-02 10:00:00.000000"]])
    assert read_flag_log(tmp_path).flags == [{"text": "hello", "output": "0.9", "flag": "wrong", "username": "ana",
                                              "timestamp": "2024-01-02 10:00:00.000000", "source": "log.csv"}]
    assert [flag["text"] for flag in flags_of_user(tmp_path, "ana")] == ["hello"]


def test_the_same_flag_from_eight_threads_at_once_is_one_row(tmp_path):
    flagging = manual(logger_of(CSVLogger, tmp_path), tmp_path)
    start = threading.Barrier(8)
    results = []

    def flag_once():
        start.wait()
        results.append(flagging.record(row(1), "Offensive", "ana"))

    threads = [threading.Thread(target=flag_once) for _ in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(results, key=str) == [1, *[None] * 7]
    assert len(read_flag_log(tmp_path).flags) == 1


def test_an_unreadable_header_hides_no_row(tmp_path):
    logger = logger_of(CSVLogger, tmp_path)
    logger.flag(flag_data(1), "Spam", "ana")
    path = tmp_path / "dataset1.csv"
    path.write_bytes(b"\xff" + path.read_bytes())
    log = read_flag_log(tmp_path)
    assert [flag["item_id"] for flag in log.flags] == ["1"]
    assert "dataset1.csv record 1" in log.problems[0]
