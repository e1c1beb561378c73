"""The organizer's area: access, participants, findings across auditors, flags, exports and the index."""

from __future__ import annotations

import csv
import io
import json
from importlib.resources import files

import jsonschema
import pytest

from indielabel.organizer import findings
from indielabel.organizer.summaries import PROFILE, SummaryIndex
from indielabel.storage.store import Store
from indielabel.web import openapi
from server import create_app
from tests.organizer_study import MODEL, N_LABELS, create_user, flask_http, seed_study
from tests.test_names import HOSTILE_VALUES

SECRET_KEY = "organizer-test-key-" + "x" * 32
ADMIN_TOKEN = "organizer-token-0123456789"
BEARER = {"Authorization": f"Bearer {ADMIN_TOKEN}"}
N_AUDITORS = 4
FLAG_OPTION = "Offensive"
MIN_GROUP = 2
PAGES_AND_SIGN_IN = {("/admin", "get"), ("/admin.html", "get"), ("/admin/api/session", "post")}
ADMIN_ROUTES = [route for route in openapi.ROUTES if route.path.startswith("/admin")
                and (route.path, route.method) not in PAGES_AND_SIGN_IN]


@pytest.fixture(scope="module")
def state_root(tmp_path_factory):
    return tmp_path_factory.mktemp("organizer")


@pytest.fixture(scope="module")
def app(small_dataset_dir, small_base_model, state_root):
    return create_app({"dataset": str(small_dataset_dir), "output_dir": state_root / "output",
                       "flagging_dir": state_root / "flagged", "data_dir": state_root / "data",
                       "secret_key": SECRET_KEY, "admin_token": ADMIN_TOKEN, "flagging_mode": "manual",
                       "flagging_options": [FLAG_OPTION], "organizer_min_group_size": MIN_GROUP})


@pytest.fixture(scope="module")
def study(app):
    return seed_study(lambda: flask_http(app.test_client()), N_AUDITORS, FLAG_OPTION)


@pytest.fixture
def organizer(app):
    client = app.test_client()
    for name, value in BEARER.items():
        client.environ_base[f"HTTP_{name.upper()}"] = value
    return client


def _request(client, route, **kwargs):
    return client.open(route.path, method=route.method.upper(), **kwargs)


@pytest.mark.parametrize("route", ADMIN_ROUTES, ids=lambda route: f"{route.method} {route.path}")
def test_every_organizer_route_refuses_a_request_without_the_token(app, route):
    client = app.test_client()
    missing = _request(client, route, json={})
    assert missing.status_code == 401 and missing.get_json()["error"]["code"] == "unauthorized"
    wrong = _request(client, route, json={}, headers={"Authorization": "Bearer not-the-organizer-token"})
    assert wrong.status_code == 403


@pytest.mark.parametrize("route", [*ADMIN_ROUTES, *(r for r in openapi.ROUTES if r.path in ("/admin", "/admin.html"))],
                         ids=lambda route: f"{route.method} {route.path}")
def test_without_an_organizer_token_the_area_does_not_exist(small_dataset_dir, tmp_path, route):
    app = create_app({"dataset": str(small_dataset_dir), "output_dir": tmp_path / "output",
                      "data_dir": tmp_path / "data", "secret_key": SECRET_KEY})
    assert _request(app.test_client(), route, json={}, headers=BEARER).status_code == 404


def test_signing_in_gives_an_http_only_strict_cookie_and_writes_need_its_csrf_token(app):
    client = app.test_client()
    assert client.post("/admin/api/session", json={"token": "wrong-token-000000000"}).status_code == 403
    assert client.post("/admin/api/session", data={"token": ADMIN_TOKEN}).status_code == 400
    signed_in = client.post("/admin/api/session", json={"token": ADMIN_TOKEN})
    cookie = signed_in.headers["Set-Cookie"]
    assert "HttpOnly" in cookie and "SameSite=Strict" in cookie and "Path=/admin" in cookie
    csrf = signed_in.get_json()["csrf_token"]
    assert client.get("/admin/api/session").get_json() == {"signed_in": True, "csrf_token": csrf}
    assert client.get("/admin/api/participants").status_code == 200
    without_csrf = client.post("/admin/api/study_links", json={"count": 1})
    assert without_csrf.status_code == 403
    assert client.post("/admin/api/study_links", json={"count": 1}, headers={"X-CSRF-Token": "guess"}).status_code == 403
    assert client.post("/admin/api/logout", headers={"X-CSRF-Token": csrf}).status_code == 200
    assert client.get("/admin/api/participants").status_code == 401


def test_a_session_ends_when_the_organizer_token_changes(small_dataset_dir, tmp_path):
    settings = {"dataset": str(small_dataset_dir), "output_dir": tmp_path / "output", "data_dir": tmp_path / "data",
                "secret_key": SECRET_KEY, "admin_token": ADMIN_TOKEN}
    client = create_app(settings).test_client()
    cookie = client.post("/admin/api/session", json={"token": ADMIN_TOKEN}).headers["Set-Cookie"]
    value = cookie.split(";")[0].split("=", 1)[1]
    other = create_app({**settings, "admin_token": "a-new-organizer-token-42"}).test_client()
    other.set_cookie("indielabel_organizer", value, path="/admin")
    assert other.get("/admin/api/participants").status_code == 401


def test_participants_show_each_auditors_labels_models_reports_and_flags(organizer, study):
    rows = {row["user"]: row for row in organizer.get("/admin/api/participants").get_json()["participants"]}
    for user in study.users:
        row = rows[user]
        assert row["n_labels"] == N_LABELS
        assert row["models"] == f"{MODEL} (v1)" and row["current_model"] == MODEL
        assert (row["reports_complete"], row["reports_draft"], row["reports_submitted"]) == (1, 1, 0)
        assert row["n_flags"] == 2 and row["study_link"] is False


def test_study_links_are_made_one_or_in_a_batch_and_marked_in_the_table(app, organizer):
    one = organizer.post("/admin/api/study_links", json={"names": ["invited_one"]}).get_json()["links"]
    batch = organizer.post("/admin/api/study_links", json={"count": 3, "prefix": "wave2"}).get_json()["links"]
    assert [link["user"] for link in one] == ["invited_one"] and len({link["user"] for link in batch}) == 3
    assert organizer.post("/admin/api/study_links", json={"names": ["invited_one"]}).status_code == 409
    assert organizer.post("/admin/api/study_links", json={"count": 0}).status_code == 400
    rows = {row["user"]: row for row in organizer.get("/admin/api/participants").get_json()["participants"]}
    assert all(rows[link["user"]]["study_link"] for link in one + batch)
    auditor = app.test_client()
    path = one[0]["link"].split("/", 3)[3]
    assert auditor.get("/" + path).status_code == 303
    assert auditor.get("/get_labeling", query_string={"user": "invited_one"}).status_code == 200


def test_findings_count_auditors_whose_models_the_system_fails_by_the_stated_rule(organizer, study):
    answer = organizer.get("/admin/api/findings").get_json()
    assert answer["rule"] == findings.rule(findings.FAILURE_SHARE) and answer["n_with_model"] >= N_AUDITORS
    rows = answer["topics"]
    assert [row["n_failed"] for row in rows] == sorted((row["n_failed"] for row in rows), reverse=True)
    own_rows = [next(row for row in study.clients[user].get("/get_audit", {"user": user, "model": MODEL})["topics"]
                     if row["topic"] == study.topic) for user in study.users]
    studied = next(row for row in rows if row["topic"] == study.topic)
    assert studied["n_reported"] == N_AUDITORS and studied["n_failed"] == N_AUDITORS
    assert studied["n_over"] == sum(row["over_share"] >= findings.FAILURE_SHARE for row in own_rows)
    assert studied["n_under"] == sum(row["under_share"] >= findings.FAILURE_SHARE for row in own_rows)
    assert answer["chart"]["$schema"].startswith("https://vega.github.io/schema/vega-lite/")
    strict = organizer.get("/admin/api/findings", query_string={"min_share": 0.5}).get_json()
    strict_row = next(row for row in strict["topics"] if row["topic"] == study.topic)
    assert strict_row["n_over"] == sum(row["over_share"] >= 0.5 for row in own_rows)
    assert strict_row["n_under"] == sum(row["under_share"] >= 0.5 for row in own_rows)
    assert "50%" in strict["rule"]
    assert organizer.get("/admin/api/findings", query_string={"min_share": 2}).status_code == 400


def test_a_topics_findings_lead_to_the_reports_their_evidence_and_the_flagged_comments(organizer, study):
    detail = organizer.get("/admin/api/findings/topic", query_string={"topic": study.topic}).get_json()
    assert {auditor["user"] for auditor in detail["auditors"]} >= set(study.users)
    ours = [report for report in detail["reports"] if report["user"] in study.users]
    assert len(ours) == 2 * N_AUDITORS
    assert all(entry["topic"] == study.topic for report in ours for entry in report["evidence"])
    most_used = {row["item_id"]: row["count"] for row in detail["most_used_evidence"]}
    assert most_used == dict(study.evidence_uses.most_common(len(most_used)))
    assert all(row["comment"] for row in detail["most_used_evidence"])
    flagged = {row["item_id"]: row["reasons"] for row in detail["most_flagged"]}
    assert flagged == {item_id: {FLAG_OPTION: count} for item_id, count in study.flag_uses.items()}
    assert organizer.get("/admin/api/findings/topic", query_string={"topic": "no_such_topic"}).status_code == 404


def test_flags_are_counted_by_reason_and_comment(organizer, study):
    overview = organizer.get("/admin/api/flags").get_json()
    reasons = {row["reason"]: row["count"] for row in overview["by_reason"]}
    assert reasons[FLAG_OPTION] >= 2 * N_AUDITORS and overview["n_flaggers"] >= N_AUDITORS
    assert overview["most_flagged"][0]["count"] == max(study.flag_uses.values())


def test_reports_export_as_json_lines_in_ours_and_avids_format(organizer, study):
    ours = [json.loads(line) for line in organizer.get("/admin/api/export/reports?format=ours")
            .get_data(as_text=True).splitlines()]
    assert sum(record["user"] in study.users for record in ours) == 2 * N_AUDITORS
    avid = organizer.get("/admin/api/export/reports?format=avid")
    assert avid.mimetype == "application/x-ndjson" and "attachment" in avid.headers["Content-Disposition"]
    documents = [json.loads(line) for line in avid.get_data(as_text=True).splitlines()]
    assert sum(record["user"] in study.users for record in documents) == study.complete_reports
    assert all(record["avid"]["data_type"] == "AVID" and record["avid"]["metrics"] for record in documents)


def test_participants_and_findings_export_as_csv(organizer, study):
    participants = list(csv.DictReader(io.StringIO(
        organizer.get("/admin/api/export/participants").get_data(as_text=True))))
    assert {row["user"] for row in participants} >= set(study.users)
    table = list(csv.DictReader(io.StringIO(organizer.get("/admin/api/export/findings").get_data(as_text=True))))
    studied = next(row for row in table if row["topic"] == study.topic)
    assert int(float(studied["n_reported"])) == N_AUDITORS
    flags = organizer.get("/admin/flags?format=jsonl").get_data(as_text=True).splitlines()
    assert sum(json.loads(line)["username"] in study.users for line in flags) == 2 * N_AUDITORS


def test_the_index_rereads_only_the_auditors_whose_files_changed(app, study, tmp_path):
    store = Store(app.config["SETTINGS"].user_output_dir)
    computed: list[int] = []

    def counting_failures(predictions):
        computed.append(len(predictions))
        return {}

    index = SummaryIndex(store, tmp_path / "cache", counting_failures)
    first = {summary["user"]: summary for summary in index.summaries()}
    read_once = len(computed)
    assert read_once >= N_AUDITORS
    index.summaries()
    assert len(computed) == read_once
    http = study.clients[study.users[0]]
    comments = http.get("/get_comments_to_label", {"n": 3})["to_label"]
    http.post("/get_personalized_model", {"user": study.users[0], "model_name": MODEL,
                                          "ratings": {str(comment["item_id"]): 2 for comment in comments}})
    again = {summary["user"]: summary for summary in index.summaries()}
    assert len(computed) == read_once + 1
    assert again[study.users[0]]["current_version"] == first[study.users[0]]["current_version"] + 1
    restarted = SummaryIndex(store, tmp_path / "cache", counting_failures)
    assert restarted.summaries() == list(again.values())
    assert len(computed) == read_once + 1


def test_the_auditors_page_and_routes_carry_no_organizer_data(app, study):
    client = app.test_client()
    user = create_user(flask_http(client))
    settings_text = client.get("/audit_settings", query_string={"user": user}).get_data(as_text=True)
    assert not any(other in settings_text for other in study.users)
    assert client.get("/admin/api/participants").status_code == 401


def test_an_auditor_whose_files_are_damaged_is_left_out_and_the_others_still_shown(app, study, tmp_path):
    store = Store(app.config["SETTINGS"].user_output_dir)
    damaged = create_user(flask_http(app.test_client()))
    reports = store.root / damaged / "reports.json"
    reports.write_text("{not json", encoding="utf-8")
    try:
        users = {summary["user"] for summary in SummaryIndex(store, tmp_path / "cache", lambda _: {}).summaries()}
    finally:
        reports.unlink()
    assert damaged not in users and set(study.users) <= users


def test_the_organizers_charts_are_valid_vega_lite(organizer, study):
    schema_text = files("altair.vegalite.v6.schema").joinpath("vega-lite-schema.json").read_text()
    validator = jsonschema.Draft7Validator(json.loads(schema_text))
    findings_chart = organizer.get("/admin/api/findings").get_json()["chart"]
    topic_chart = organizer.get("/admin/api/findings/topic", query_string={"topic": study.topic}).get_json()["chart"]
    flags_chart = organizer.get("/admin/api/flags").get_json()["chart"]
    for spec in (findings_chart, topic_chart, flags_chart):
        validator.validate(spec)
    assert {row["topic"] for row in findings_chart["data"]["values"]} and flags_chart["data"]["values"]
    assert {row["user"] for row in topic_chart["data"]["values"]} >= set(study.users)


@pytest.mark.parametrize("value", HOSTILE_VALUES.values(), ids=HOSTILE_VALUES.keys())
def test_a_hostile_topic_is_a_400_that_touches_no_file(organizer, state_root, value):
    before = set(state_root.rglob("*"))
    response = organizer.get("/admin/api/findings/topic", query_string={"topic": value})
    assert response.status_code == 400 and response.get_json()["error"]["field"] == "topic"
    assert set(state_root.rglob("*")) == before


@pytest.fixture(scope="module")
def described(app, study):
    """The study's auditors describe themselves: the first half with one value, the rest with another."""
    attribute, values = next(iter(app.test_client().get("/profile_attributes").get_json()["attributes"].items()))
    half = len(study.users) // 2
    chosen = {user: values[0] if number < half else values[1] for number, user in enumerate(study.users)}
    for user, value in chosen.items():
        response = app.test_client().put("/profile", json={"user": user, "profile": {attribute: value}})
        assert response.status_code == 403  # only the auditor's own browser can describe them
        study.clients[user].put("/profile", {"user": user, "profile": {attribute: value}})
    return attribute, chosen


def test_a_topics_findings_by_self_description_count_each_group_of_at_least_k(organizer, study, described):
    attribute, chosen = described
    detail = organizer.get("/admin/api/findings/topic", query_string={"topic": study.topic}).get_json()
    assert detail["min_group_size"] == MIN_GROUP and detail["n_described"] >= len(chosen)
    own = {user: next(row for row in study.clients[user].get("/get_audit", {"user": user, "model": MODEL})["topics"]
                      if row["topic"] == study.topic) for user in study.users}
    rows = {row["value"]: row for row in detail["groups"] if row["attribute"] == attribute}
    for value in set(chosen.values()):
        members = [user for user, chosen_value in chosen.items() if chosen_value == value]
        assert rows[value]["n_auditors"] == len(members)
        assert rows[value]["n_over"] == sum(own[user]["over_share"] >= findings.FAILURE_SHARE for user in members)
        assert rows[value]["n_reported"] == len(members)


def test_the_organizers_index_never_writes_a_self_description_to_its_files(app, organizer, study, described):
    attribute, chosen = described
    organizer.get("/admin/api/findings")
    cache_files = list((app.config["SETTINGS"].data_dir / "organizer-summaries").glob("*.json"))
    assert {path.stem for path in cache_files} >= set(study.users)
    assert not any(f'"{PROFILE}"' in path.read_text(encoding="utf-8") for path in cache_files)


def _described(profile: dict | None, over: float = 0.0) -> dict:
    return {"topic_failures": {"t": [over, 0.0]}, "reported_topics": [], PROFILE: profile}


def test_groups_smaller_than_k_are_hidden_and_so_is_the_smallest_group_that_would_give_them_away():
    summaries = ([_described({"age": "young"}, 0.5)] * 5 + [_described({"age": "middle"})] * 6
                 + [_described({"age": "old"}, 0.5)] + [_described(None)] * 3)
    rows = findings.group_breakdown(summaries, "t", 0.05, 5)
    assert [(row["value"], row["n_auditors"], row["n_over"]) for row in rows] == [("middle", 6, 0)]
    everyone = findings.group_breakdown(summaries[:11], "t", 0.05, 5)
    assert [(row["value"], row["n_over"]) for row in everyone] == [("middle", 0), ("young", 5)]
    assert findings.group_breakdown(summaries, "t", 0.05, 7) == []
