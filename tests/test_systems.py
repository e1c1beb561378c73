"""The systems under audit, including the HTTP scorer against a real local server."""

from __future__ import annotations

import json
import threading
import time
from contextlib import contextmanager
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import numpy as np
import pytest

from indielabel.config import ConfigError
from indielabel.data.systems import (
    HttpScorer,
    ProfanityCheck,
    ScoringError,
    StoredScores,
    make_system,
)


@contextmanager
def scoring_server(answer):
    """Serve POSTs on 127.0.0.1; ``answer(request_number, body) -> (status, reply_bytes)``."""
    requests_seen = []

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self):
            body = json.loads(self.rfile.read(int(self.headers["Content-Length"])))
            requests_seen.append(body)
            status, reply = answer(len(requests_seen), body)
            try:
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(reply)))
                self.end_headers()
                self.wfile.write(reply)
            except (BrokenPipeError, ConnectionResetError):
                pass  # the client timed out and hung up, which the timeout test expects

        def log_message(self, *args):
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    server.daemon_threads = True
    thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.02}, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}/score", requests_seen
    finally:
        server.shutdown()
        server.server_close()


def length_scores(body, text_field="texts", score_field="scores"):
    """A toy classifier: longer texts are more toxic."""
    scores = [min(len(text) / 100, 1.0) for text in body[text_field]]
    return 200, json.dumps({score_field: scores}).encode()


def test_profanity_check_scores_swearing_above_politeness():
    scores = ProfanityCheck().score(["you are a fucking worthless shit", "thank you, have a lovely afternoon"])
    assert scores.dtype == np.float64 and scores.shape == (2,)
    assert scores[0] > 0.5 > scores[1]


def test_profanity_check_batches_give_the_same_scores_as_one_call():
    texts = ["damn this is crap", "what a nice idea", "shut up idiot", "see you tomorrow", "hello"]
    assert np.allclose(ProfanityCheck(batch_size=2).score(texts), ProfanityCheck().score(texts))


def test_stored_scores_look_up_by_text_and_name_a_missing_text():
    system = StoredScores({"a": 0.25, "b": 1.0})
    assert system.score(["b", "a"]).tolist() == [1.0, 0.25]
    with pytest.raises(ScoringError, match="no stored score for the text 'c'"):
        system.score(["a", "c"])


def test_http_scorer_sends_batches_and_keeps_the_order():
    with scoring_server(lambda _, body: length_scores(body)) as (url, requests_seen):
        texts = ["x" * n for n in range(10)]
        scores = HttpScorer(url, batch_size=4).score(texts)
    assert scores.tolist() == pytest.approx([n / 100 for n in range(10)])
    assert [len(body["texts"]) for body in requests_seen] == [4, 4, 2]


def test_http_scorer_uses_the_configured_field_names():
    answer = lambda _, body: length_scores(body, text_field="comments", score_field="toxicity")  # noqa: E731
    with scoring_server(answer) as (url, requests_seen):
        scores = HttpScorer(url, text_field="comments", score_field="toxicity").score(["abc"])
    assert scores.tolist() == [0.03]
    assert requests_seen == [{"comments": ["abc"]}]


def test_http_scorer_retries_after_a_server_error_and_recovers():
    def fail_first(request_number, body):
        return (500, b'{"error": "warming up"}') if request_number == 1 else length_scores(body)

    with scoring_server(fail_first) as (url, requests_seen):
        scores = HttpScorer(url, retries=2, retry_delay=0.01).score(["hello"])
    assert scores.tolist() == [0.05]
    assert len(requests_seen) == 2


def test_http_scorer_gives_up_after_its_retries():
    with scoring_server(lambda *_: (503, b"{}")) as (url, requests_seen):
        with pytest.raises(ScoringError, match=r"HTTP 503 after 3 attempts"):
            HttpScorer(url, retries=2, retry_delay=0.01).score(["hello"])
    assert len(requests_seen) == 3


def test_http_scorer_does_not_retry_a_client_error():
    with scoring_server(lambda *_: (400, b'{"error": "bad request"}')) as (url, requests_seen):
        with pytest.raises(ScoringError, match="HTTP 400"):
            HttpScorer(url, retry_delay=0.01).score(["hello"])
    assert len(requests_seen) == 1


@pytest.mark.parametrize(
    ("reply", "message"),
    [
        (b"not json", "not JSON"),
        (b'{"score": [0.1]}', "no 'scores' list"),
        (b'{"scores": [0.1, 0.2]}', "expected 1 scores"),
        (b'{"scores": ["high"]}', "list of numbers"),
        (b'{"scores": [1.5]}', r"not in \[0, 1\]"),
        (b'{"scores": 0.5}', "list of numbers"),
    ],
)
def test_http_scorer_rejects_a_malformed_reply(reply, message):
    with scoring_server(lambda *_: (200, reply)) as (url, _):
        with pytest.raises(ScoringError, match=message):
            HttpScorer(url, retry_delay=0.01).score(["hello"])


def test_http_scorer_times_out_with_a_clear_error():
    def slow(_, body):
        time.sleep(0.5)
        return length_scores(body)

    with scoring_server(slow) as (url, requests_seen):
        started = time.perf_counter()
        with pytest.raises(ScoringError, match=r"no answer within 0.1s after 2 attempts"):
            HttpScorer(url, timeout=0.1, retries=1, retry_delay=0.01).score(["hello"])
        assert time.perf_counter() - started < 1.0
    assert len(requests_seen) >= 1


def test_http_scorer_reports_a_refused_connection():
    with scoring_server(lambda _, body: length_scores(body)) as (url, _):
        closed_url = url
    with pytest.raises(ScoringError, match="connection failed"):
        HttpScorer(closed_url, retries=0).score(["hello"])


def test_make_system_builds_each_kind():
    assert isinstance(make_system("profanity-check"), ProfanityCheck)
    scorer = make_system("http", url="http://127.0.0.1:9/score", text_field="t", score_field="s")
    assert isinstance(scorer, HttpScorer) and (scorer.text_field, scorer.score_field) == ("t", "s")
    assert make_system("stored", stored_scores={"a": 0.5}).score(["a"]).tolist() == [0.5]


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"name": "perspective"}, "unknown system 'perspective'; valid systems: stored, profanity-check, http"),
        ({"name": "http"}, "needs a URL"),
        ({"name": "http", "url": "ftp://example/score"}, "must start with http"),
        ({"name": "stored"}, "needs scores"),
    ],
)
def test_make_system_rejects_a_bad_configuration(kwargs, message):
    with pytest.raises(ConfigError, match=message):
        make_system(**kwargs)
