"""Production mode: `make serve` (gunicorn, several workers, 127.0.0.1, a required secret key), the security
headers on every response, a front end without inline script, and size limits on every input."""

from __future__ import annotations

import os
import re
import subprocess
from html.parser import HTMLParser
from pathlib import Path

import pytest
import requests

from bench.server_process import free_port
from indielabel.web import openapi
from indielabel.web.security_headers import SECURITY_HEADERS
from server import PUBLIC_DIR, create_app
from tests.conftest import create_user
from tests.production_server import production_server, serve_command

REQUIRED_POLICY = {
    "default-src": "'self'", "script-src": "'self'", "style-src": "'self' 'unsafe-inline'",
    "img-src": "'self' data:", "frame-ancestors": "'none'", "object-src": "'none'", "base-uri": "'none'",
}
# A pattern bounds a string's length when it ends in a bounded repetition, e.g. ^[A-Za-z0-9_-]{1,64}$.
BOUNDED_PATTERN = re.compile(r"\{\d+,\d+\}\$$")
# Free-form objects in a schema that are validated field by field after parsing, with their own bounds.
VALIDATED_ELSEWHERE = {"SaveReportsBody.reports[]": "each report is checked by indielabel.storage.reports.Report"}


def policy_of(header: str) -> dict[str, str]:
    directives = (part.strip().split(" ", 1) for part in header.split(";") if part.strip())
    return {directive[0]: directive[1] if len(directive) > 1 else "" for directive in directives}


def assert_security_headers(headers) -> None:
    policy = policy_of(headers["Content-Security-Policy"])
    assert {name: policy.get(name) for name in REQUIRED_POLICY} == REQUIRED_POLICY
    assert "unsafe-eval" not in headers["Content-Security-Policy"]
    assert headers["X-Content-Type-Options"] == "nosniff"
    assert headers["Referrer-Policy"] == "no-referrer"


@pytest.fixture(scope="module")
def client(small_dataset_dir, small_base_model, tmp_path_factory):
    root = tmp_path_factory.mktemp("production")
    return create_app({"dataset": str(small_dataset_dir), "output_dir": root / "output",
                       "flagging_dir": root / "flagged", "data_dir": root / "data"}).test_client()


def front_end_asset() -> str:
    return "/assets/" + next(path.name for path in (PUBLIC_DIR / "assets").iterdir() if path.suffix == ".js")


@pytest.mark.parametrize("method, path, status", [
    ("get", "/api/health", 200), ("get", "/", 200), ("get", "asset", 200), ("get", "/no_such_file.js", 404),
    ("get", "/save_reports", 405), ("get", "/get_labeling?user=../x", 400), ("post", "/flag", 400),
    ("get", "/users", 200), ("get", "/?user=someone&key=" + "k" * 20, 403),
])
def test_every_kind_of_response_carries_the_security_headers(client, method, path, status):
    response = getattr(client, method)(front_end_asset() if path == "asset" else path)
    assert response.status_code == status
    assert_security_headers(response.headers)


def test_answers_about_users_are_not_cached_but_front_end_files_may_be(client):
    assert client.get("/users").headers["Cache-Control"] == "no-store"
    assert client.get(front_end_asset()).headers.get("Cache-Control") != "no-store"


class ScriptFinder(HTMLParser):
    """Every <script> element and every inline event handler (on...=) or javascript: URL in a page."""

    def __init__(self):
        super().__init__()
        self.scripts: list[dict] = []
        self.inline_code: list[str] = []
        self._in_script = False

    def handle_starttag(self, tag, attrs):
        attributes = dict(attrs)
        if tag == "script":
            self.scripts.append(attributes)
            self._in_script = True
        self.inline_code += [f"{tag} {name}" for name, value in attrs if name.startswith("on")
                             or (value or "").strip().lower().startswith("javascript:")]

    def handle_endtag(self, tag):
        if tag == "script":
            self._in_script = False

    def handle_data(self, data):
        if self._in_script and data.strip():
            self.inline_code.append(data.strip()[:80])


@pytest.mark.parametrize("page", ["index.html", "admin.html"])
def test_the_compiled_front_end_has_no_inline_script(page):
    finder = ScriptFinder()
    finder.feed((PUBLIC_DIR / page).read_text(encoding="utf-8"))
    assert finder.scripts, "the page loads its code from a file"
    assert all(script.get("src", "").startswith("/") for script in finder.scripts)
    assert all((PUBLIC_DIR / script["src"].lstrip("/")).is_file() for script in finder.scripts)
    assert finder.inline_code == []


def unbounded_inputs(schema: dict, where: str, components: dict, seen: frozenset = frozenset()) -> list[str]:
    """Places in a JSON schema where a string, list or object has no upper bound on its size."""
    if "$ref" in schema:
        name = schema["$ref"].rsplit("/", 1)[-1]
        return [] if name in seen else unbounded_inputs(components[name], name, components, seen | {name})
    found = [problem for key in ("anyOf", "oneOf", "allOf") for option in schema.get(key, [])
             for problem in unbounded_inputs(option, where, components, seen)]
    kind = schema.get("type")
    if "enum" in schema or "const" in schema:
        return found
    if kind == "string" and "maxLength" not in schema and not BOUNDED_PATTERN.search(schema.get("pattern", "")):
        found.append(where)
    if kind == "array":
        found += [] if "maxItems" in schema else [where]
        found += unbounded_inputs(schema.get("items", {}), f"{where}[]", components, seen)
    if kind == "object":
        for name, field_schema in schema.get("properties", {}).items():
            found += unbounded_inputs(field_schema, f"{where}.{name}", components, seen)
        extra = schema.get("additionalProperties")
        if extra is True and where not in VALIDATED_ELSEWHERE:
            found.append(where)
        if isinstance(extra, dict):
            found += [] if "maxProperties" in schema else [where]
            found += unbounded_inputs(schema.get("propertyNames", {"type": "string"}), f"{where}{{key}}",
                                      components, seen)
            found += unbounded_inputs(extra, f"{where}{{}}", components, seen)
    return found


def test_every_string_list_and_map_the_api_accepts_has_a_maximum_size():
    document = openapi.document()
    components = document["components"]["schemas"]
    problems = []
    for path, operations in document["paths"].items():
        for method, operation in operations.items():
            for parameter in operation.get("parameters", []):
                problems += unbounded_inputs(parameter["schema"], f"{path} {parameter['name']}", components)
            body = operation.get("requestBody", {}).get("content", {}).get("application/json", {})
            if body:
                problems += unbounded_inputs(body["schema"], path, components)
    assert problems == []


def test_make_serve_runs_gunicorn_with_several_workers_on_localhost():
    command = serve_command(5123)
    assert Path(command[0]).name == "gunicorn"
    assert int(command[command.index("--workers") + 1]) >= 2
    assert command[command.index("--bind") + 1] == "127.0.0.1:5123"
    assert "--preload" in command
    assert command[-1] == "indielabel.web.production:create_production_app()"


@pytest.mark.parametrize("key, message", [(None, "INDIELABEL_SECRET_KEY"), ("too-short", "secret_key")])
def test_production_will_not_start_without_a_good_secret_key(small_dataset_dir, tmp_path, key, message):
    env = {name: value for name, value in os.environ.items() if not name.startswith("INDIELABEL_")}
    env.update(INDIELABEL_DATASET=str(small_dataset_dir), INDIELABEL_OUTPUT_DIR=str(tmp_path / "output"))
    if key is not None:
        env["INDIELABEL_SECRET_KEY"] = key
    started = subprocess.run(serve_command(free_port()), cwd=Path(__file__).resolve().parents[1], env=env,
                             capture_output=True, text=True, timeout=120)
    assert started.returncode != 0
    assert message in started.stderr
    assert "Traceback" not in started.stderr


@pytest.fixture(scope="module")
def served(small_dataset_dir, small_base_model, tmp_path_factory):
    with production_server(small_dataset_dir, tmp_path_factory.mktemp("served")) as url:
        yield url


def test_under_gunicorn_headers_size_limits_and_cookies_hold_in_every_worker(served):
    assert_security_headers(requests.get(f"{served}/api/health", timeout=30).headers)
    too_big = requests.post(f"{served}/save_reports", data=b"x" * 2_000_000,
                            headers={"Content-Type": "application/json"}, timeout=30)
    assert too_big.status_code == 413
    assert too_big.json()["error"]["code"] == "request_entity_too_large"

    owner = requests.Session()
    user = create_user(owner, served)
    cookie = owner.cookies.get_dict()
    # A new connection each time, so the requests spread over the worker processes.
    statuses = {requests.get(f"{served}/get_labeling", params={"user": user}, cookies=cookie, timeout=60).status_code
                for _ in range(12)}
    assert statuses == {200}
    assert requests.get(f"{served}/get_labeling", params={"user": user}, timeout=30).status_code == 403
    assert all(header in requests.get(served, timeout=30).headers for header in SECURITY_HEADERS)
