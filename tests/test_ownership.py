"""Ownership: a user's models, reports and flags are reachable only from the browser that holds the user's
secret; study links, organizer links and the organizer's flag export."""

from __future__ import annotations

import json
import stat
import threading
from urllib.parse import parse_qs, urlsplit

import pytest

from indielabel import cli
from indielabel.config import ConfigError, load_settings
from indielabel.errors import ForbiddenError
from indielabel.storage.store import Store
from indielabel.web import openapi, ownership
from indielabel.web.request_handling import OWNERS
from server import create_app
from tests.conftest import create_user

SECRET_KEY = "ownership-test-key-" + "x" * 32
ADMIN_TOKEN = "organizer-token-0123456789"


@pytest.fixture(scope="module")
def state_root(tmp_path_factory):
    return tmp_path_factory.mktemp("ownership")


@pytest.fixture(scope="module")
def app(small_dataset_dir, small_base_model, state_root):
    return create_app({"dataset": str(small_dataset_dir), "output_dir": state_root / "output",
                       "flagging_dir": state_root / "flagged", "data_dir": state_root / "data",
                       "secret_key": SECRET_KEY, "admin_token": ADMIN_TOKEN, "flagging_mode": "manual"})


@pytest.fixture(scope="module")
def store(state_root) -> Store:
    return Store(state_root / "output")


@pytest.fixture(scope="module")
def owner(app):
    """A browser that owns a user with a trained model, saved reports and one flag."""
    client = app.test_client()
    user = create_user(client)
    comments = client.get("/get_comments_to_label?n=20").get_json()["to_label"]
    ratings = {str(comment["item_id"]): index % 5 for index, comment in enumerate(comments)}
    assert client.post("/get_personalized_model", json={"user": user, "model_name": "mine",
                                                        "ratings": ratings}).status_code == 200
    reports = client.get("/get_reports", query_string={"user": user, "model": "mine"}).get_json()["reports"]
    assert client.post("/save_reports", json={"user": user, "model": "mine", "revision": 0,
                                              "reports": reports}).status_code == 200
    item_id = comments[0]["item_id"]
    assert client.post("/flag", json={"user": user, "model": "mine", "item_id": item_id}).status_code == 200
    topic = client.get("/audit_settings", query_string={"user": user}).get_json()["clusters"][0]["options"][0]
    return {"client": client, "user": user, "item_id": item_id, "topic": topic["value"]}


def requests_about(user: str, item_id: int, topic: str) -> dict[str, tuple[str, dict]]:
    """A valid request to every route that takes a user, about ``user``'s data."""
    return {
        "/audit_settings": ("get", {"user": user}),
        "/get_labeling": ("get", {"user": user}),
        # Without a user these two are open (below); with one, they read that user's self-description.
        "/get_comments_to_label": ("get", {"user": user, "n": 3}),
        "/get_comments_to_label_topic": ("get", {"user": user, "n": 3, "topic": topic}),
        "/get_personalized_model": ("post", {"user": user, "model_name": "mine", "mode": "view"}),
        "/get_personalized_model_topic": ("post", {"user": user, "model_name": "mine", "topic": topic,
                                                   "ratings": {str(item_id): 3}}),
        "/get_group_model": ("post", {"user": user, "model_name": "group", "selection": {"gender": ["woman"]}}),
        "/get_audit": ("get", {"user": user, "model": "mine"}),
        "/get_cluster_results": ("get", {"user": user, "model": "mine", "topic": topic}),
        "/get_comparison": ("get", {"user": user, "model": "mine"}),
        "/get_similar_comments": ("get", {"user": user, "model": "mine", "item_id": item_id}),
        "/get_reports": ("get", {"user": user, "model": "mine"}),
        "/save_reports": ("post", {"user": user, "model": "mine", "revision": 1, "reports": []}),
        "/submit_avid_report": ("post", {"user": user, "model": "mine", "report_ids": ["r1"]}),
        "/export_avid_reports": ("get", {"user": user, "model": "mine"}),
        "/flag": ("post", {"user": user, "model": "mine", "item_id": item_id}),
        "/get_flags": ("get", {"user": user}),
        "/log_label": ("post", {"user": user, "model": "mine", "item_id": item_id, "label": 2}),
        "/probe": ("post", {"user": user, "model": "mine", "text": "a comment of my own"}),
        "/get_probes": ("get", {"user": user}),
        "/flag_probe": ("post", {"user": user, "probe_id": 1}),
        # GET and DELETE of /profile are refused alike: tests/test_profiles.py
        "/profile": ("put", {"user": user, "profile": {"gender": "Female"}}),
        "/users": ("post", {"user": user}),
    }


ROUTES_WITH_A_USER = sorted(requests_about("u", 1, "t"))


def send(client, route: str, method: str, values: dict):
    if method in ("post", "put"):
        return client.open(route, method=method.upper(), json=values)
    return client.get(route, query_string=values)


def state_of(store: Store, user: str) -> tuple:
    return ([version.number for version in store.history(user, "mine")], store.load_reports(user, "mine"),
            store.list_models(user), store.user_record(user), store.user_document(user, "profile.json"))


def test_a_new_user_comes_with_an_httponly_samesite_cookie_and_only_a_hash_is_stored(app, store):
    response = app.test_client().post("/users", json={})
    user = response.get_json()["user"]
    cookie = response.headers["Set-Cookie"]
    assert cookie.startswith(f"{ownership.COOKIE_NAME}=")
    assert "HttpOnly" in cookie and "SameSite=Lax" in cookie and "Max-Age=" in cookie
    token = app.extensions[OWNERS].tokens_in(cookie.split(";")[0].split("=", 1)[1])[user]
    record_text = (store.root / user / "user.json").read_text()
    assert token not in record_text
    assert json.loads(record_text)[ownership.SECRET_FIELD]


def test_the_table_covers_every_route_that_takes_a_user():
    with_user = {route.path for route in openapi.ROUTES
                 if route.schema is not None and "user" in route.schema.model_fields}
    assert with_user == set(ROUTES_WITH_A_USER)


@pytest.mark.parametrize("route", ROUTES_WITH_A_USER)
def test_every_route_that_takes_a_user_refuses_a_browser_without_its_secret(app, store, owner, route):
    method, values = requests_about(owner["user"], owner["item_id"], owner["topic"])[route]
    before = state_of(store, owner["user"])
    response = send(app.test_client(), route, method, values)
    assert response.status_code == 403, response.get_data(as_text=True)[:300]
    assert response.get_json()["error"]["code"] == "forbidden"
    assert state_of(store, owner["user"]) == before
    assert send(owner["client"], route, method, values).status_code != 403


@pytest.mark.parametrize("path", ["/get_comments_to_label?n=3", "/get_group_size?gender=woman",
                                  "/get_explore_examples?n_examples=3", "/api/health", "/openapi.json"])
def test_routes_without_a_user_are_open_to_everyone(app, path):
    assert app.test_client().get(path).status_code == 200


def test_a_study_link_name_is_claimed_by_the_first_browser_only(app):
    first, second = app.test_client(), app.test_client()
    create_user(first, user="participant_07")
    refused = second.post("/users", json={"user": "participant_07"})
    assert refused.status_code == 403
    assert "another browser started it" in refused.get_json()["error"]["message"]
    assert second.get("/audit_settings?user=participant_07").status_code == 403
    assert first.get("/get_labeling?user=participant_07").status_code == 200


@pytest.mark.parametrize("path", ["/audit_settings", "/get_labeling", "/get_flags"])
def test_no_get_claims_a_user(app, store, path):
    """A page elsewhere can make a browser send GETs (images, links): they start nobody's audit."""
    client = app.test_client()
    refused = client.get(path, query_string={"user": "drive_by_user"})
    assert refused.status_code == 403
    assert refused.get_json()["error"]["reason"] == "not_started"
    assert "Set-Cookie" not in refused.headers
    assert not store.user_exists("drive_by_user")
    assert client.get("/users").get_json() == {"users": []}


def test_a_cross_site_form_cannot_create_a_user(app):
    # A form on another site can POST only form or text bodies, never application/json.
    response = app.test_client().post("/users", data='{"user": ""}', content_type="text/plain")
    assert response.status_code == 400
    assert "Set-Cookie" not in response.headers


def test_the_browser_lists_the_users_it_owns_newest_first(app, monkeypatch, capsys, state_root):
    client = app.test_client()
    started = [create_user(client) for _ in range(3)]
    assert client.get("/users").get_json() == {"users": started[::-1]}
    # Given to another browser by an organizer link: no longer listed here.
    status, link, _ = run_users_command(monkeypatch, capsys, state_root, "link", started[1])
    assert status == 0
    assert app.test_client().get(urlsplit(link).path + "?" + urlsplit(link).query).status_code == 303
    assert client.get("/users").get_json() == {"users": [started[2], started[0]]}


def test_a_tampered_or_foreign_cookie_is_refused(app, owner, tmp_path):
    genuine = owner["client"].get_cookie(ownership.COOKIE_NAME).value
    # Well-formed, naming the owner's user, but signed with another key (another server's, or a guess).
    foreign = ownership.Owners(Store(tmp_path), "another-key-" + "y" * 32).check(owner["user"], None).cookie
    for value in (genuine[:-2] + ("AA" if not genuine.endswith("AA") else "BB"), foreign, "garbage", ""):
        client = app.test_client()
        client.set_cookie(ownership.COOKIE_NAME, value)
        assert client.get("/get_labeling", query_string={"user": owner["user"]}).status_code == 403


def test_one_browser_keeps_the_newest_users_it_owns(app):
    client = app.test_client()
    users = [f"juggler_{number}" for number in range(ownership.MAX_USERS_PER_BROWSER + 1)]
    for user in users:
        create_user(client, user=user)
    statuses = [client.get("/get_labeling", query_string={"user": user}).status_code for user in users]
    assert statuses == [403] + [200] * ownership.MAX_USERS_PER_BROWSER
    assert len(client.get_cookie(ownership.COOKIE_NAME).value) < 4000


def test_a_user_with_saved_work_is_never_dropped_from_its_browser(app, owner):
    client = owner["client"]
    for number in range(ownership.MAX_USERS_PER_BROWSER * 2):
        create_user(client, user=f"passer_by_{number}")
    assert client.get("/get_labeling", query_string={"user": owner["user"]}).status_code == 200
    owned = client.get("/users").get_json()["users"]
    assert owner["user"] in owned and len(owned) == ownership.MAX_USERS_PER_BROWSER


def test_a_browser_full_of_saved_work_refuses_a_new_user_and_keeps_every_one(store):
    owners = ownership.Owners(store, SECRET_KEY)
    cookie, kept = None, []
    with pytest.raises(ForbiddenError, match="as many audits with saved work"):
        for number in range(200):
            user = f"worker_with_a_rather_long_study_identifier_{number:03d}"
            cookie = owners.check(user, cookie).cookie
            store.save_reports(user, None, [], 0)
            kept.append(user)
    assert len(kept) > ownership.MAX_USERS_PER_BROWSER
    assert owners.owned(cookie) == kept[::-1]


def test_two_browsers_claiming_one_new_user_at_once_leave_one_owner(store):
    owners = ownership.Owners(store, SECRET_KEY)
    start = threading.Barrier(8)
    results: list[str] = []

    def claim():
        start.wait()
        try:
            owners.check("contested_name", None)
            results.append("owner")
        except ForbiddenError:
            results.append("refused")

    threads = [threading.Thread(target=claim) for _ in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(results) == ["owner"] + ["refused"] * 7


def run_users_command(monkeypatch, capsys, state_root, *arguments: str) -> tuple[int, str, str]:
    monkeypatch.setenv("INDIELABEL_OUTPUT_DIR", str(state_root / "output"))
    status = cli.main(["users", *arguments, "--base-url", "http://audit.example.org/"])
    printed = capsys.readouterr()
    return status, printed.out.strip(), printed.err


def test_an_organizer_link_gives_its_user_to_one_browser_once(app, monkeypatch, capsys, state_root):
    status, link, _ = run_users_command(monkeypatch, capsys, state_root, "create", "invited_01")
    assert status == 0
    assert link.startswith("http://audit.example.org/?user=invited_01&key=")
    key = parse_qs(urlsplit(link).query)["key"][0]

    without_key = app.test_client().get("/audit_settings?user=invited_01")
    assert without_key.status_code == 403
    assert "organizers" in without_key.get_json()["error"]["message"]
    assert app.test_client().get("/", query_string={"user": "invited_01", "key": "k" * 32}).status_code == 403

    participant = app.test_client()
    opened = participant.get("/", query_string={"user": "invited_01", "key": key, "tab": "labeling"})
    assert opened.status_code == 303
    assert opened.headers["Location"] == "/?user=invited_01&tab=labeling"
    assert participant.get("/audit_settings?user=invited_01").status_code == 200
    assert participant.get("/", query_string={"user": "invited_01", "key": key}).status_code == 303
    assert app.test_client().get("/", query_string={"user": "invited_01", "key": key}).status_code == 403


def test_users_create_refuses_an_existing_user_and_link_moves_ownership(app, monkeypatch, capsys, state_root):
    before = app.test_client()
    create_user(before, user="lost_cookies")
    status, _, message = run_users_command(monkeypatch, capsys, state_root, "create", "lost_cookies")
    assert status == 2 and "exists already" in message
    status, _, message = run_users_command(monkeypatch, capsys, state_root, "link", "nobody_yet")
    assert status == 2 and "no user" in message
    assert not (state_root / "output" / "nobody_yet").exists()

    status, link, _ = run_users_command(monkeypatch, capsys, state_root, "link", "lost_cookies")
    assert status == 0
    after = app.test_client()
    assert after.get(urlsplit(link).path + "?" + urlsplit(link).query).status_code == 303
    assert after.get("/get_labeling?user=lost_cookies").status_code == 200
    assert before.get("/get_labeling?user=lost_cookies").status_code == 403


def test_the_flag_export_needs_the_admin_token(app, owner):
    client = app.test_client()
    assert client.get("/admin/flags").status_code == 401
    assert client.get("/admin/flags", headers={"Authorization": "Bearer wrong-token-0000000"}).status_code == 403
    assert client.get("/admin/flags", headers={"Authorization": ADMIN_TOKEN}).status_code == 403
    authorized = {"Authorization": f"Bearer {ADMIN_TOKEN}"}
    exported = client.get("/admin/flags?format=csv", headers=authorized)
    assert exported.status_code == 200
    assert exported.mimetype == "text/csv"
    assert "attachment" in exported.headers["Content-Disposition"]
    assert owner["user"] in exported.get_data(as_text=True)
    lines = client.get("/admin/flags?format=jsonl", headers=authorized).get_data(as_text=True).splitlines()
    assert any(json.loads(line)["username"] == owner["user"] for line in lines)
    assert client.get("/admin/flags?format=xml", headers=authorized).status_code == 400


def test_without_an_admin_token_the_export_does_not_exist(small_dataset_dir, tmp_path):
    app = create_app({"dataset": str(small_dataset_dir), "output_dir": tmp_path / "output",
                      "flagging_dir": tmp_path / "flagged", "secret_key": SECRET_KEY})
    response = app.test_client().get("/admin/flags", headers={"Authorization": "Bearer anything-at-all-12345"})
    assert response.status_code == 404


def test_the_development_key_is_private_and_survives_a_restart(tmp_path):
    settings = load_settings({"data_dir": tmp_path / "data"}, environ={})
    first_key = ownership.app_secret_key(settings)
    key_file = tmp_path / "data" / ownership.SECRET_KEY_FILE_NAME
    assert stat.S_IMODE(key_file.stat().st_mode) == 0o600
    assert len(first_key) >= ownership.MIN_SECRET_KEY_LENGTH
    store = Store(tmp_path / "output")
    access = ownership.Owners(store, first_key).check("restarted", None)
    after_restart = ownership.Owners(store, ownership.app_secret_key(settings))
    assert after_restart.check("restarted", access.cookie) == ownership.Access("restarted")


def test_a_short_secret_key_or_admin_token_is_refused_at_start():
    with pytest.raises(ConfigError, match="secret_key"):
        load_settings({"secret_key": "short"}, environ={})
    with pytest.raises(ConfigError, match="admin_token"):
        load_settings({"admin_token": "short"}, environ={})
