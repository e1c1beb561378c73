"""Hostile names: every user, model and topic parameter of every route refuses traversal attempts, NUL,
very long values, Unicode look-alikes and URL-encoded variants with a 400, before any file is touched."""

from __future__ import annotations

import uuid
from pathlib import Path

import pytest

from indielabel.web import openapi
from server import create_app
from tests.conftest import create_user

# A marker in every value that tries to leave the output directory, so an escape can be searched for.
ESCAPE = f"escaped_{uuid.uuid4().hex[:12]}"
HOSTILE_VALUES = {
    "dot": ".",
    "dot dot": "..",
    "parent": f"../{ESCAPE}",
    "far parent": f"../../../../../../../../tmp/{ESCAPE}",
    "absolute": f"/tmp/{ESCAPE}",
    "inner slash": f"a/{ESCAPE}",
    "backslash parent": f"..\\{ESCAPE}",
    "NUL": f"{ESCAPE}\x00.json",
    "newline": f"{ESCAPE}\n",
    "very long": "a" * 10_000,
    "fullwidth letters": "ｆｕｌｌ",
    "fullwidth dots and slash": f"．．／{ESCAPE}",
    "Cyrillic a": "\u0430dmin",
    "right-to-left override": f"{ESCAPE}\u202ejson.",
    "percent-encoded parent": f"%2e%2e%2f{ESCAPE}",
    "double-encoded parent": f"%252e%252e%252f{ESCAPE}",
    "overlong UTF-8 dots": f"%c0%ae%c0%ae%c0%af{ESCAPE}",
    "encoded backslash": f"..%5c{ESCAPE}",
}


def _topic(client) -> str:
    create_user(client, user="names_owner")
    return client.get("/audit_settings?user=names_owner").get_json()["clusters"][0]["options"][0]["value"]


# Every route with a user, model or topic parameter: how it takes input (query, JSON body, or a JSON body
# sent with PUT), and a request that is valid except for the parameter under test. "{topic}" is replaced by a real topic.
ROUTES = {
    "/audit_settings": ("query", {"user": "names_owner"}),
    "/get_labeling": ("query", {"user": "names_owner"}),
    "/get_flags": ("query", {"user": "names_owner"}),
    "/get_comments_to_label": ("query", {"n": 5, "topic": "{topic}"}),
    "/get_comments_to_label_topic": ("query", {"n": 5, "topic": "{topic}"}),
    "/get_audit": ("query", {"user": "names_owner", "model": "m"}),
    "/export_avid_reports": ("query", {"user": "names_owner", "model": "m"}),
    "/get_reports": ("query", {"user": "names_owner", "model": "m"}),
    "/get_cluster_results": ("query", {"user": "names_owner", "model": "m", "topic": "{topic}"}),
    "/get_comparison": ("query", {"user": "names_owner", "model": "m"}),
    "/get_similar_comments": ("query", {"user": "names_owner", "model": "m", "item_id": 1}),
    "/get_personalized_model": ("json", {"user": "names_owner", "model_name": "m", "ratings": {"1": 2}}),
    "/get_personalized_model_topic": ("json", {"user": "names_owner", "model_name": "m", "topic": "{topic}",
                                               "ratings": {"1": 2}}),
    "/get_group_model": ("json", {"user": "names_owner", "model_name": "m", "selection": {"gender": ["x"]}}),
    "/save_reports": ("json", {"user": "names_owner", "model": "m", "revision": 0, "reports": []}),
    "/submit_avid_report": ("json", {"user": "names_owner", "model": "m", "report_ids": ["r1"]}),
    "/flag": ("json", {"user": "names_owner", "model": "m", "item_id": 1}),
    "/log_label": ("json", {"user": "names_owner", "model": "m", "item_id": 1, "label": 2}),
    "/probe": ("json", {"user": "names_owner", "model": "m", "text": "a comment of my own"}),
    "/get_probes": ("query", {"user": "names_owner"}),
    "/flag_probe": ("json", {"user": "names_owner", "probe_id": 1}),
    "/": ("query", {"user": "names_owner", "key": "k" * 32}),
    "/profile": ("put", {"user": "names_owner", "profile": {"gender": "Female"}}),
    "/users": ("json", {"user": "names_owner"}),
}
NAME_PARAMETERS = {"user", "cur_user", "model", "pers_model", "model_name", "topic", "cluster"}
ALIASES = {"/get_audit": {"cur_user": "user", "pers_model": "model"}, "/get_cluster_results": {"cluster": "topic"}}
CASES = [(route, parameter) for route, (_, request) in ROUTES.items() for parameter in request
         if parameter in NAME_PARAMETERS]
CASES += [(route, alias) for route, aliases in ALIASES.items() for alias in aliases]


@pytest.fixture(scope="module")
def state_root(tmp_path_factory) -> Path:
    return tmp_path_factory.mktemp("names")


@pytest.fixture(scope="module")
def client(small_dataset_dir, small_base_model, state_root):
    app = create_app({"dataset": str(small_dataset_dir), "output_dir": state_root / "output",
                      "flagging_dir": state_root / "flagged", "data_dir": state_root / "data"})
    return app.test_client()


@pytest.fixture(scope="module")
def topic(client) -> str:
    return _topic(client)


def _send(client, route: str, parameter: str, value, topic: str):
    kind, valid = ROUTES[route]
    request = {name: topic if given == "{topic}" else given for name, given in valid.items()}
    request.pop(ALIASES.get(route, {}).get(parameter, parameter), None)
    request[parameter] = value
    if kind in ("json", "put"):
        return client.open(route, method="PUT" if kind == "put" else "POST", json=request)
    return client.get(route, query_string=request)


def _every_path(root: Path) -> set[Path]:
    return set(root.rglob("*"))


def _escapes(state_root: Path) -> list[Path]:
    places = [state_root.parent, Path("/tmp"), Path.cwd(), Path.cwd() / "data"]
    return [path for place in places for path in place.glob(f"*{ESCAPE}*")] + \
        [path for path in state_root.rglob(f"*{ESCAPE}*")]


def test_the_cases_cover_every_route_with_a_name_parameter():
    # The organizer's routes answer only with the organizer token: tests/test_organizer.py sends them these values.
    with_names = {route.path for route in openapi.ROUTES if route.schema is not None
                  and NAME_PARAMETERS & set(route.schema.model_fields) and not route.path.startswith("/admin")}
    assert with_names <= set(ROUTES)


@pytest.mark.parametrize("value", HOSTILE_VALUES.values(), ids=HOSTILE_VALUES.keys())
@pytest.mark.parametrize("route, parameter", CASES)
def test_a_hostile_name_is_a_400_that_touches_no_file(client, topic, state_root, route, parameter, value):
    before = _every_path(state_root)
    response = _send(client, route, parameter, value, topic)
    assert response.status_code == 400, response.get_data(as_text=True)[:300]
    error = response.get_json()["error"]
    assert error["field"] in (parameter, ALIASES.get(route, {}).get(parameter))
    assert _every_path(state_root) == before
    assert _escapes(state_root) == []


@pytest.mark.parametrize("route, parameter", CASES)
def test_the_same_request_with_a_plain_name_is_not_refused_as_input(client, topic, route, parameter):
    plain = topic if parameter in ("topic", "cluster") else "plain_name"
    response = _send(client, route, parameter, plain, topic)
    assert response.status_code != 400 or response.get_json()["error"]["field"] not in NAME_PARAMETERS


@pytest.mark.parametrize("path", ["/../server.py", "/%2e%2e/server.py", "/assets/../../server.py",
                                  "/assets/%2e%2e%2f%2e%2e%2fserver.py", "/..%5cserver.py",
                                  "/assets/..%2f..%2frequirements.txt"])
def test_static_files_never_come_from_outside_the_front_end(client, path):
    response = client.get(path)
    assert response.status_code in (400, 404)
    assert b"create_app" not in response.data and b"Flask==" not in response.data
