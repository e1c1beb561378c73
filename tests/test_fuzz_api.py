"""Schema-based fuzzing of every route of a live server, from its OpenAPI document (schemathesis).

The document is built in-process, and a test checks that it is the one the server serves at
/openapi.json. Each operation gets boundary cases and random valid and invalid requests (at most
MAX_EXAMPLES_PER_OPERATION, which bounds the run to about two minutes). Every answer must be
a documented status with a JSON body of the documented shape (errors as the Error schema), never a
5xx, and invalid input must be refused. Half of the valid requests use values that exist on the
server (a user this client owns, its trained model, a saved report, real topics and item ids), so the
fuzzing reaches past "no such user" into training, auditing, saving and AVID submission.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

import pytest
import requests
import schemathesis
from hypothesis import HealthCheck, settings
from hypothesis import strategies as st
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    negative_data_rejection,
    response_schema_conformance,
    status_code_conformance,
    unsupported_method,
)

from bench.server_process import NO_RATE_LIMITS
from indielabel import __version__
from indielabel.web import openapi
from tests.conftest import create_user
from tests.fake_avid import FakeAvid
from tests.live_server import live_server

MAX_EXAMPLES_PER_OPERATION = 150
REQUEST_TIMEOUT_SECONDS = 30
# positive_data_acceptance is left out on purpose: whether a topic, item, attribute or model exists, or
# a search names a topic, is not something a schema can say, and the server rightly answers 400 or 404.
CHECKS = [not_a_server_error, status_code_conformance, content_type_conformance, response_schema_conformance,
          negative_data_rejection, unsupported_method]
NAME = re.compile(r"[A-Za-z0-9_-]{1,64}")
ITEM_ID_KEY = re.compile(r"-?[0-9]{1,18}")
MAX_TOPIC_CHARS = 200
REPORT_ID = "fuzzed_report"
MODEL = "fuzzed_model"


@dataclass
class KnownValues:
    """Values that exist on the fuzzed server, and the session that owns ``user``."""

    user: str
    session: requests.Session
    topics: list[str]
    item_ids: list[int]

    def apply(self, case, draw) -> None:
        """Replace valid-looking generated values in ``case`` with existing ones, in place."""
        self._apply_to(case.query, draw)
        if isinstance(case.body, dict):
            self._apply_to(case.body, draw)

    def _apply_to(self, values: dict, draw) -> None:
        if _is_name(values.get("user")):
            values["user"] = self.user
        for field in ("model", "model_name"):
            if _is_name(values.get(field)):
                values[field] = MODEL
        if isinstance(values.get("topic"), str) and len(values["topic"]) <= MAX_TOPIC_CHARS:
            values["topic"] = draw(st.sampled_from(self.topics))
        if isinstance(values.get("item_id"), int) and not isinstance(values["item_id"], bool):
            values["item_id"] = draw(st.sampled_from(self.item_ids))
        ratings = values.get("ratings")
        if isinstance(ratings, dict) and all(ITEM_ID_KEY.fullmatch(key) for key in ratings):
            chosen = draw(st.lists(st.sampled_from(self.item_ids), min_size=len(ratings), max_size=len(ratings)))
            values["ratings"] = {str(item_id): rating for item_id, rating in zip(chosen, ratings.values())}
        report_ids = values.get("report_ids")
        if isinstance(report_ids, list) and report_ids and all(_is_name(report_id) for report_id in report_ids):
            values["report_ids"] = [REPORT_ID]


def _is_name(value) -> bool:
    return isinstance(value, str) and NAME.fullmatch(value) is not None


@pytest.fixture(scope="module")
def fuzzed_server(small_dataset_dir, small_base_model, tmp_path_factory):
    state_dir = tmp_path_factory.mktemp("fuzz")
    # profanity-check scores the comments fuzzed into /probe (without a live scorer it answers 503).
    with FakeAvid() as avid, live_server(small_dataset_dir, state_dir, avid_api_url=avid.url,
                                         avid_api_key=avid.api_key, live_system="profanity-check",
                                         **NO_RATE_LIMITS) as url:
        yield url


@pytest.fixture(scope="module")
def known(fuzzed_server, small_dataset) -> KnownValues:
    """A user with a trained model and one complete saved report, owned by the returned session."""
    session = requests.Session()
    url = fuzzed_server
    user = create_user(session, url)
    comments = session.get(f"{url}/get_comments_to_label", params={"n": 20},
                           timeout=REQUEST_TIMEOUT_SECONDS).json()["to_label"]
    ratings = {str(comment["item_id"]): index % 5 for index, comment in enumerate(comments)}
    session.post(f"{url}/get_personalized_model", json={"user": user, "model_name": MODEL, "ratings": ratings},
                 timeout=REQUEST_TIMEOUT_SECONDS).raise_for_status()
    # The outlier bucket (-1) is not a topic the app offers.
    topics = sorted(set(small_dataset.items.loc[small_dataset.items["topic_id"] >= 0, "topic"]))
    rows = session.get(f"{url}/get_cluster_results", params={"user": user, "model": MODEL, "topic": topics[0],
                                                             "error_type": "all"},
                       timeout=REQUEST_TIMEOUT_SECONDS).json()["cluster_comments"]
    evidence_fields = ("item_id", "comment", "topic", "system_rating", "system_decision", "predicted_rating",
                       "predicted_decision", "error_type")
    report = {"id": REPORT_ID, "title": "Fuzzed", "error_type": "other", "summary": "Found while fuzzing.",
              "category": "Other", "evidence": [{field: row[field] for field in evidence_fields} for row in rows[:2]]}
    session.post(f"{url}/save_reports", json={"user": user, "model": MODEL, "revision": 0, "reports": [report]},
                 timeout=REQUEST_TIMEOUT_SECONDS).raise_for_status()
    return KnownValues(user, session, topics, small_dataset.items["item_id"].astype(int).tolist())


@pytest.fixture(scope="module")
def request_tally(request):
    """Counts the fuzzed requests and reports the total at the end of the module."""
    tally = {"requests": 0}
    yield tally
    reporter = request.config.pluginmanager.get_plugin("terminalreporter")
    capture = request.config.pluginmanager.get_plugin("capturemanager")
    if reporter is not None and capture is not None:
        with capture.global_and_fixture_disabled():
            reporter.write_line(f"\ntest_fuzz_api: {tally['requests']} generated requests sent")


# The document the server serves at /openapi.json (checked against the live one below).
schema = schemathesis.openapi.from_dict(openapi.document(openapi.ROUTES, __version__))
# gunicorn refuses a request line or headers beyond its limits before the app sees them (414, 431):
# those are rejections of invalid data too, as is /probe's 413 for a text over its documented length.
rejection = schema.config.checks.negative_data_rejection
rejection.expected_statuses = [*rejection.expected_statuses, "414", "431", "413"]


def test_the_fuzzed_document_is_the_one_the_server_serves(fuzzed_server):
    served = requests.get(f"{fuzzed_server}/openapi.json", timeout=REQUEST_TIMEOUT_SECONDS).json()
    assert served == schema.raw_schema


@schema.parametrize()
@schema.given(data=st.data())
@settings(max_examples=MAX_EXAMPLES_PER_OPERATION, deadline=None,
          suppress_health_check=list(HealthCheck))
def test_every_route_answers_documented_json_and_never_a_server_error(case, data, fuzzed_server, known,
                                                                    request_tally):
    # Only valid requests are pointed at existing data: an invalid one must stay invalid.
    if not case.meta.generation.mode.is_negative and data.draw(st.booleans(), label="use existing values"):
        known.apply(case, data.draw)
    # A fresh session per request, except for the known user: requests from a browser that does not own a
    # user must answer a documented 403, and must not pile up owner cookies.
    session = known.session if _names_user(case, known.user) else requests.Session()
    request_tally["requests"] += 1
    case.call_and_validate(base_url=fuzzed_server, session=session, checks=CHECKS, timeout=REQUEST_TIMEOUT_SECONDS)


def _names_user(case, user: str) -> bool:
    body = case.body if isinstance(case.body, dict) else {}
    return case.query.get("user") == user or body.get("user") == user
