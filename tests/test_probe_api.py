"""Try it yourself over HTTP: POST /probe with a live scorer on 127.0.0.1, its limits and errors, the
probe history, flagging a probe, and one user's flags read back exactly through /get_flags."""

from __future__ import annotations

import csv
import json
import shutil

import pytest

from server import create_app
from tests.conftest import create_user
from tests.test_systems import length_scores, scoring_server

ADMIN_TOKEN = "organizer-token-0123456789"
AWKWARD = "line one\r\nline two\rline three\u2028four\u2029five\x85six"
LONG = "a long comment " * 133_334  # 2,000,010 characters


@pytest.fixture(scope="module")
def scorer():
    with scoring_server(lambda _, body: length_scores(body)) as (url, requests_seen):
        yield url, requests_seen


def app_for(dataset_dir, root, **settings):
    return create_app({"dataset": str(dataset_dir), "output_dir": root / "output", "flagging_dir": root / "flagged",
                       "avid_api_url": None, "avid_api_key": None, "flagging_options": ["Offensive", "Spam"],
                       "admin_token": ADMIN_TOKEN, **settings})


@pytest.fixture(scope="module")
def client(small_dataset_dir, small_base_model, tmp_path_factory, scorer):
    return app_for(small_dataset_dir, tmp_path_factory.mktemp("probe"), live_system="http",
                   system_url=scorer[0]).test_client()


def new_user_with_model(client) -> str:
    user = create_user(client)
    comments = client.get("/get_comments_to_label?n=20").get_json()["to_label"]
    ratings = {str(c["item_id"]): index % 5 for index, c in enumerate(comments)}
    response = client.post("/get_personalized_model", json={"user": user, "model_name": "mine", "ratings": ratings})
    assert response.status_code == 200, response.get_json()
    return user


def error_of(response, status):
    assert response.status_code == status, response.get_data(as_text=True)
    return response.get_json()["error"]


def test_a_written_comment_gets_the_systems_score_and_the_users_predicted_rating(client, scorer):
    user = new_user_with_model(client)
    text = "we call each other that all the time, it is how we talk"
    probe = client.post("/probe", json={"user": user, "model": "mine", "text": text}).get_json()["probe"]

    assert scorer[1][-1] == {"texts": [text]}
    assert probe["system_rating"] == round(4 * len(text) / 100, 2)
    assert probe["system_decision"] == ("Toxic" if probe["system_rating"] > 2 else "Non-toxic")
    assert 0 <= probe["predicted_rating"] <= 4
    assert probe["error_type"] in ("under-sensitive", "over-sensitive", "agree-toxic", "agree-non-toxic")
    assert probe["topic"] in client.get(f"/audit_settings?user={user}").get_json()["topic_labels"]
    history = client.get("/get_probes", query_string={"user": user}).get_json()
    assert history["probes"] == [probe] and history["max_characters"] == 5_000


def test_a_comment_of_the_dataset_keeps_its_stored_score(client, scorer, small_dataset):
    user = new_user_with_model(client)
    stored = small_dataset.items.iloc[3]
    asked_before = len(scorer[1])
    probe = client.post("/probe", json={"user": user, "model": "mine", "text": stored["comment"]}).get_json()["probe"]
    assert probe["system_rating"] == round(4 * stored["system_score"], 2)
    assert len(scorer[1]) == asked_before


def test_the_text_limits_are_enforced_with_clear_errors(client):
    user = new_user_with_model(client)
    too_long = error_of(client.post("/probe", json={"user": user, "model": "mine", "text": "x" * 5_001}), 413)
    assert "at most 5,000 characters" in too_long["message"]
    assert error_of(client.post("/probe", json={"user": user, "model": "mine", "text": "  \n"}), 400)["field"] == "text"
    assert error_of(client.post("/probe", json={"user": user, "model": "nope", "text": "hello"}), 404)
    assert client.get("/get_probes", query_string={"user": user}).get_json()["probes"] == []


def test_without_a_live_scorer_the_probe_says_what_the_organizer_can_set(small_dataset_dir, small_base_model,
                                                                         tmp_path):
    client = app_for(small_dataset_dir, tmp_path).test_client()
    user = new_user_with_model(client)
    error = error_of(client.post("/probe", json={"user": user, "model": "mine", "text": "brand new words"}), 503)
    assert "INDIELABEL_LIVE_SYSTEM" in error["message"]


def test_a_probe_is_flagged_once_per_reason_and_listed_with_its_text(client):
    user = new_user_with_model(client)
    probe = client.post("/probe", json={"user": user, "model": "mine", "text": AWKWARD}).get_json()["probe"]
    flag = {"user": user, "probe_id": probe["probe_id"], "option": "Offensive"}
    assert client.post("/flag_probe", json=flag).get_json()["already_flagged"] is False
    assert client.post("/flag_probe", json=flag).get_json()["already_flagged"] is True
    client.post("/flag_probe", json={**flag, "option": "Spam"})

    flags = client.get("/get_flags", query_string={"user": user}).get_json()["flags"]
    assert len(flags) == 1
    assert flags[0]["comment"] == AWKWARD and flags[0]["probe_id"] == probe["probe_id"]
    assert sorted(flags[0]["options"]) == ["Offensive", "Spam"]
    assert error_of(client.post("/flag_probe", json={**flag, "probe_id": 999}), 404)["field"] == "probe_id"


def test_several_reasons_on_one_comment_all_stay_marked(client):
    user = new_user_with_model(client)
    item = client.get("/get_comments_to_label?n=1").get_json()["to_label"][0]["item_id"]
    for option in ("Offensive", "Spam", "Offensive"):
        client.post("/flag", json={"user": user, "item_id": item, "option": option})
    flags = client.get("/get_flags", query_string={"user": user}).get_json()["flags"]
    assert [(flag["item_id"], sorted(flag["options"])) for flag in flags] == [(item, ["Offensive", "Spam"])]


@pytest.fixture(scope="module")
def awkward_dataset_dir(small_dataset_dir, tmp_path_factory):
    """The small dataset with a 2,000,000-character comment and one full of line separators."""
    directory = tmp_path_factory.mktemp("awkward") / "small"
    shutil.copytree(small_dataset_dir, directory, ignore=shutil.ignore_patterns("cache", ".cache"))
    items = directory / "items.csv"
    with items.open(newline="", encoding="utf-8") as source:
        rows = list(csv.reader(source))
    column = rows[0].index("comment")
    rows[1][column], rows[2][column] = LONG, AWKWARD
    with items.open("w", newline="", encoding="utf-8") as target:
        csv.writer(target).writerows(rows)
    return directory


def test_any_comment_reads_back_exactly_through_get_flags_and_the_export(awkward_dataset_dir, tmp_path):
    client = app_for(awkward_dataset_dir, tmp_path).test_client()
    user = create_user(client)
    first_two = sorted(int(row["item_id"]) for row in csv.DictReader((awkward_dataset_dir / "items.csv").open()))[:2]
    for item in first_two:
        assert client.post("/flag", json={"user": user, "item_id": item, "option": "Spam"}).status_code == 200

    flags = client.get("/get_flags", query_string={"user": user}).get_json()["flags"]
    assert sorted(flag["comment"] for flag in flags) == sorted([LONG, AWKWARD])
    headers = {"Authorization": f"Bearer {ADMIN_TOKEN}"}
    exported = client.get("/admin/flags?format=jsonl", headers=headers)
    assert exported.headers["X-Flag-Log-Problems"] == "0"
    assert sorted(json.loads(line)["comment"] for line in exported.get_data(as_text=True).split("\n") if line) \
        == sorted([LONG, AWKWARD])
    table = list(csv.DictReader(client.get("/admin/flags?format=csv", headers=headers).get_data(as_text=True)
                                .splitlines(keepends=True)))
    assert sorted(row["comment"] for row in table) == sorted([LONG, AWKWARD])

    (tmp_path / "flagged" / ".dataset1.csv.count").unlink()
    assert client.post("/flag", json={"user": user, "item_id": first_two[0], "option": "Offensive"}).status_code == 200
    assert len(client.get("/get_flags", query_string={"user": user}).get_json()["flags"]) == 2


def test_in_auto_mode_each_label_is_logged_with_its_value_and_the_notice_says_so(small_dataset_dir, small_base_model,
                                                                                 tmp_path, client):
    auto = app_for(small_dataset_dir, tmp_path, flagging_mode="auto").test_client()
    user = create_user(auto)
    settings = auto.get("/audit_settings", query_string={"user": user}).get_json()
    assert "saved the moment you give it" in settings["flagging"]["notice"]
    item = auto.get("/get_comments_to_label?n=1").get_json()["to_label"][0]["item_id"]
    for label in (3, 1):
        assert auto.post("/log_label", json={"user": user, "item_id": item, "label": label}).status_code == 200
    with open(tmp_path / "flagged" / "dataset1.csv", newline="", encoding="utf-8") as log:
        rows = [row for row in csv.DictReader(log) if row["username"] == user]
    assert [(int(row["item_id"]), row["label"]) for row in rows] == [(item, "3"), (item, "1")]
    manual_user = create_user(client)
    assert error_of(client.post("/log_label", json={"user": manual_user, "item_id": item, "label": 2}), 409)
