"""A small study made through the auditor's real HTTP routes, for the organizer's tests.

Each auditor is a browser of their own (their own cookies): they label comments, train a model, save
reports with evidence from one shared topic (one report complete, one a draft) and flag comments.
Users are created by ``create_user`` only, so that one function says how a user comes to exist.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field

EVIDENCE_FIELDS = ("item_id", "comment", "topic", "system_rating", "system_decision", "predicted_rating",
                   "predicted_decision", "error_type")
MODEL = "mine"
N_LABELS = 20


class Http:
    """What the seeding needs of a client: JSON requests that must succeed.

    ``send(method, path, params, body)`` returns (status, parsed JSON or text).
    """

    def __init__(self, send: Callable[[str, str, dict | None, dict | None], tuple[int, object]]):
        self._send = send

    def _ok(self, method: str, path: str, params: dict | None = None, body: dict | None = None):
        status, answer = self._send(method, path, params, body)
        assert status == 200, answer
        return answer

    def get(self, path: str, params: dict) -> dict:
        return self._ok("GET", path, params=params)

    def post(self, path: str, body: dict) -> dict:
        return self._ok("POST", path, body=body)

    def put(self, path: str, body: dict) -> dict:
        return self._ok("PUT", path, body=body)


def flask_http(client) -> Http:
    def send(method, path, params, body):
        response = client.open(path, method=method, query_string=params, json=body)
        return response.status_code, response.get_json(silent=True) or response.get_data(as_text=True)

    return Http(send)


def requests_http(base_url: str, session) -> Http:
    def send(method, path, params, body):
        response = session.request(method, base_url + path, params=params, json=body, timeout=60)
        return response.status_code, response.json() if response.ok else response.text

    return Http(send)


def create_user(http: Http) -> str:
    """A new auditor, owned by this client."""
    return http.post("/users", {})["user"]


@dataclass
class Study:
    topic: str
    topic_label: str
    users: list[str] = field(default_factory=list)
    clients: dict[str, Http] = field(default_factory=dict)  # each auditor's own browser
    complete_reports: int = 0
    evidence_uses: Counter = field(default_factory=Counter)  # item id -> reports citing it
    flag_uses: Counter = field(default_factory=Counter)  # item id -> flags


def seed_study(new_client: Callable[[], Http], n_auditors: int, flag_option: str | None) -> Study:
    """``n_auditors`` auditors, each with a trained model, two reports on one topic and two flags."""
    study = None
    for number in range(n_auditors):
        http = new_client()
        user = create_user(http)
        study = study or Study(*_a_topic(http, user))
        topic = study.topic
        _train(http, user, harsh=number % 2 == 0)
        evidence = _evidence(http, user, topic)
        _save_reports(http, user, evidence)
        study.evidence_uses.update([entry["item_id"] for entry in evidence] + [evidence[0]["item_id"]])
        study.complete_reports += 1
        for entry in evidence[:2]:
            http.post("/flag", {"user": user, "model": MODEL, "item_id": entry["item_id"], "option": flag_option})
            study.flag_uses[entry["item_id"]] += 1
        study.users.append(user)
        study.clients[user] = http
    return study


def _a_topic(http: Http, user: str) -> tuple[str, str]:
    """A topic's name and label."""
    option = http.get("/audit_settings", {"user": user})["clusters"][0]["options"][0]
    return option["value"], option["text"]


def _train(http: Http, user: str, harsh: bool) -> None:
    """Harsh auditors find everything toxic, mild ones nothing: their models fail in opposite ways."""
    comments = http.get("/get_comments_to_label", {"n": N_LABELS})["to_label"]
    ratings = {str(comment["item_id"]): 4 if harsh else 0 for comment in comments}
    http.post("/get_personalized_model", {"user": user, "model_name": MODEL, "ratings": ratings})


def _evidence(http: Http, user: str, topic: str) -> list[dict]:
    rows = http.get("/get_cluster_results", {"user": user, "model": MODEL, "topic": topic,
                                             "error_type": "all", "limit": 3})["cluster_comments"]
    return [{name: row[name] for name in EVIDENCE_FIELDS} for row in rows]


def _save_reports(http: Http, user: str, evidence: list[dict]) -> None:
    reports = [
        {"title": "The system misreads this topic", "error_type": "over-sensitive", "evidence": evidence,
         "summary": "Several comments here are judged wrongly.", "category": "Accuracy"},
        {"title": "Still looking", "error_type": "under-sensitive", "evidence": evidence[:1]},
    ]
    http.post("/save_reports", {"user": user, "model": MODEL, "revision": 0, "reports": reports})
