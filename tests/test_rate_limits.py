"""Rate limits: new users per client address, flags and saves per user, shared across processes, with a
429 JSON answer and Retry-After; the organizers' `users create` is not limited."""

from __future__ import annotations

import subprocess
import sys

import pytest

from indielabel.storage.rate_limits import Limit, RateLimits
from indielabel.errors import RateLimitedError
from server import create_app
from tests.conftest import create_user

USERS_PER_HOUR = 3
FLAGS_PER_MINUTE = 4
SAVES_PER_MINUTE = 2


@pytest.fixture
def app_settings(small_dataset_dir, small_base_model, tmp_path):
    return {"dataset": str(small_dataset_dir), "output_dir": tmp_path / "output", "data_dir": tmp_path / "data",
            "flagging_dir": tmp_path / "flagged", "users_per_address_per_hour": USERS_PER_HOUR,
            "flags_per_user_per_minute": FLAGS_PER_MINUTE, "saves_per_user_per_minute": SAVES_PER_MINUTE}


@pytest.fixture
def client(app_settings):
    return create_app(app_settings).test_client()


def assert_rate_limited(response) -> dict:
    assert response.status_code == 429, response.get_data(as_text=True)
    assert int(response.headers["Retry-After"]) >= 1
    error = response.get_json()["error"]
    assert error["code"] == "rate_limited"
    assert error["retry_after_seconds"] == int(response.headers["Retry-After"])
    return error


def new_user(client, name: str, address: str):
    return client.post("/users", json={"user": name}, environ_base={"REMOTE_ADDR": address})


def test_one_address_may_make_only_so_many_users_an_hour(client):
    for number in range(USERS_PER_HOUR):
        assert new_user(client, f"made_{number}", "198.51.100.7").status_code == 200
    error = assert_rate_limited(new_user(client, "one_too_many", "198.51.100.7"))
    assert "new users from one address" in error["message"]
    assert new_user(client, "from_elsewhere", "198.51.100.8").status_code == 200


def test_a_refused_new_user_is_not_created_and_known_users_still_work(client, app_settings):
    for number in range(USERS_PER_HOUR):
        new_user(client, f"kept_{number}", "203.0.113.1")
    assert_rate_limited(new_user(client, "refused_user", "203.0.113.1"))
    assert not (app_settings["output_dir"] / "refused_user").exists()
    assert new_user(client, "kept_0", "203.0.113.1").status_code == 200


def test_the_count_is_shared_by_every_app_on_the_same_data(app_settings):
    first, second = create_app(app_settings).test_client(), create_app(app_settings).test_client()
    for number in range(USERS_PER_HOUR):
        assert new_user(first if number % 2 else second, f"shared_{number}", "192.0.2.5").status_code == 200
    assert_rate_limited(new_user(first, "shared_extra", "192.0.2.5"))


def test_flags_beyond_the_limit_get_429_and_are_not_logged(client, app_settings):
    # Distinct comments: the same comment flagged twice for one reason is not logged again anyway.
    item_ids = [row["item_id"] for row in
                client.get(f"/get_comments_to_label?n={FLAGS_PER_MINUTE + 1}").get_json()["to_label"]]
    totals = [client.post("/flag", json={"user": "flagger", "item_id": item_id}).get_json()["total"]
              for item_id in item_ids[:FLAGS_PER_MINUTE]]
    assert totals == list(range(1, FLAGS_PER_MINUTE + 1))
    assert "flags from one user" in assert_rate_limited(
        client.post("/flag", json={"user": "flagger", "item_id": item_ids[-1]}))["message"]
    assert client.post("/flag", json={"user": "other_flagger", "item_id": item_ids[0]}).get_json()["total"] == \
        FLAGS_PER_MINUTE + 1


def test_saves_beyond_the_limit_get_429(client):
    create_user(client, user="saver")
    for revision in range(SAVES_PER_MINUTE):
        response = client.post("/save_reports", json={"user": "saver", "revision": revision, "reports": []})
        assert response.status_code == 200, response.get_json()
    assert_rate_limited(client.post("/save_reports", json={"user": "saver", "revision": 2, "reports": []}))


def test_a_limit_of_zero_is_no_limit(app_settings):
    client = create_app({**app_settings, "users_per_address_per_hour": 0}).test_client()
    for number in range(USERS_PER_HOUR * 3):
        assert new_user(client, f"unlimited_{number}", "198.51.100.9").status_code == 200


def test_the_allowance_refills_steadily(tmp_path):
    now = [1_000.0]
    limits = RateLimits(tmp_path, {"acts": Limit(2, 60)}, clock=lambda: now[0])
    limits.take("acts", "k", "acts")
    limits.take("acts", "k", "acts")
    with pytest.raises(RateLimitedError) as refused:
        limits.take("acts", "k", "acts")
    assert refused.value.detail["retry_after_seconds"] == 30
    now[0] += 30
    limits.take("acts", "k", "acts")


def test_the_organizers_can_make_more_users_than_the_limit_from_the_command_line(app_settings, tmp_path):
    names = [f"participant_{number}" for number in range(USERS_PER_HOUR + 2)]
    env = {"INDIELABEL_OUTPUT_DIR": str(app_settings["output_dir"]), "INDIELABEL_DATA_DIR": str(tmp_path / "data"),
           "INDIELABEL_USERS_PER_ADDRESS_PER_HOUR": str(USERS_PER_HOUR), "PATH": "/usr/bin:/bin"}
    links = subprocess.run([sys.executable, "-m", "indielabel", "users", "create", *names], env=env, check=True,
                           capture_output=True, text=True).stdout.split()
    assert [link.split("user=")[1].split("&")[0] for link in links] == names


def test_behind_a_trusted_proxy_each_forwarded_address_has_its_own_allowance(app_settings):
    client = create_app({**app_settings, "trusted_proxies": 1}).test_client()
    for number in range(USERS_PER_HOUR + 1):
        response = client.post("/users", json={"user": f"proxied_{number}"},
                               environ_base={"REMOTE_ADDR": "10.0.0.1"},
                               headers={"X-Forwarded-For": f"198.51.100.{number + 20}"})
        assert response.status_code == 200
