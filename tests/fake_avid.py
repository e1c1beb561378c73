"""A fake AVID API on 127.0.0.1 for tests: a real HTTP server, so the real client code is exercised.

Usage::

    from tests.fake_avid import FakeAvid, refused_url

    with FakeAvid(api_key="k") as avid:
        settings = load_settings({"avid_api_url": avid.url, "avid_api_key": "k"}, environ={})
        ...                                   # submit through the app or indielabel.avid.api
        assert len(avid.received) == 1        # the validated report bodies, in arrival order
        assert avid.request_count == 1        # every POST to /submit, including refused ones

What it does on ``POST {url}/submit`` (anything else answers 404):
- ``Authorization`` header not equal to ``api_key`` -> 401;
- a body that is not JSON -> 400; JSON that avidtools' ``Report`` model rejects -> 422 (checked with
  ``validate_avid_json``, which knows the "Third-party Report" class of newer avidtools);
- otherwise stores the body in ``received`` and answers 200 with a new UUID, as a JSON string
  (``id_format="string"``, AVID's own answer) or as ``{"id": ...}`` (``id_format="object"``), or with
  the text ``not_an_id`` instead of a UUID (``id_format="text"``, e.g. a proxy's "Invalid API key").

``GET {url}/review/{uuid}/status`` answers ``{"status": review_status}`` for a UUID it issued, else 404.

Behaviours, chosen with ``behaviour=``:
- ``"normal"``: as above.
- ``"fail-first"``: answers 500 to the first ``failures`` requests, then behaves normally.
- ``"hang"``: holds every request ``hang_seconds`` before answering (set it above the client's timeout);
  leaving the ``with`` block releases held requests at once.
- ``"redirect"``: answers every POST with 307 to ``/submit`` again (a client that follows it posts twice).
- ``"malformed"``: answers 200 with a body that is not JSON (after the auth and validation checks;
  the report is not stored).

``path_prefix`` mounts the API under a path (e.g. "/api"), to test how base URLs are joined.
``refused_url()`` gives an http URL where nothing listens, for connection-refused tests.
"""

from __future__ import annotations

import json
import socket
import threading
import uuid
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

from pydantic import ValidationError

from indielabel.avid.convert import validate_avid_json

BEHAVIOURS = ("normal", "fail-first", "hang", "malformed", "redirect")
ID_FORMATS = ("string", "object", "text")


class FakeAvid:
    """A threaded HTTP server imitating AVID's ``POST /submit``; use it as a context manager."""

    def __init__(self, api_key: str = "test-avid-key", behaviour: str = "normal", *, failures: int = 1,
                 hang_seconds: float = 2.0, id_format: str = "string", path_prefix: str = "",
                 not_an_id: str = "Invalid API key", review_status: str = "draft"):
        if behaviour not in BEHAVIOURS:
            raise ValueError(f"behaviour must be one of {BEHAVIOURS}, not {behaviour!r}")
        if id_format not in ID_FORMATS:
            raise ValueError(f"id_format must be one of {ID_FORMATS}, not {id_format!r}")
        self.api_key = api_key
        self.behaviour = behaviour
        self.failures = failures
        self.hang_seconds = hang_seconds
        self.id_format = id_format
        self.path_prefix = path_prefix.rstrip("/")
        self.not_an_id = not_an_id
        self.review_status = review_status
        self.status_requests = 0
        self.received: list[dict] = []
        self.issued_ids: list[str] = []
        self.request_count = 0
        self._lock = threading.Lock()
        self._release = threading.Event()
        self._server: ThreadingHTTPServer | None = None
        self._thread: threading.Thread | None = None

    @property
    def url(self) -> str:
        """The base URL to configure as AVID_API_URL (no trailing slash)."""
        if self._server is None:
            raise RuntimeError("FakeAvid is not running; use it in a with block")
        return f"http://127.0.0.1:{self._server.server_address[1]}{self.path_prefix}"

    def __enter__(self) -> FakeAvid:
        self._server = ThreadingHTTPServer(("127.0.0.1", 0), _handler_for(self))
        self._server.daemon_threads = True
        self._thread = threading.Thread(target=self._server.serve_forever, kwargs={"poll_interval": 0.05},
                                        name="fake-avid", daemon=True)
        self._thread.start()
        return self

    def __exit__(self, *exc_info) -> None:
        self._release.set()
        self._server.shutdown()
        self._server.server_close()
        self._thread.join(timeout=5)

    def _answer(self, path: str, authorization: str | None, body: bytes) -> tuple[int, bytes]:
        """Status and body for one request; runs in the request's own thread."""
        if path != f"{self.path_prefix}/submit":
            return 404, _json({"detail": "not found"})
        with self._lock:
            self.request_count += 1
            request_number = self.request_count
        if self.behaviour == "hang":
            self._release.wait(self.hang_seconds)
        if self.behaviour == "redirect":
            return 307, _json({"detail": "moved"})
        if self.behaviour == "fail-first" and request_number <= self.failures:
            return 500, _json({"detail": "internal server error"})
        if authorization != self.api_key:
            return 401, _json({"detail": "invalid API key"})
        try:
            report = json.loads(body)
        except ValueError:
            return 400, _json({"detail": "body is not JSON"})
        try:
            validate_avid_json(report)
        except ValidationError as error:
            return 422, _json({"detail": error.errors(include_url=False, include_input=False)})
        if self.behaviour == "malformed":
            return 200, b'{"id": "not closed'
        avid_id = str(uuid.uuid4())
        with self._lock:
            self.received.append(report)
            self.issued_ids.append(avid_id)
        answers = {"string": avid_id, "object": {"id": avid_id}, "text": self.not_an_id}
        return 200, _json(answers[self.id_format])

    def _status(self, path: str, authorization: str | None) -> tuple[int, bytes]:
        """Answer for ``GET /review/{uuid}/status``: the editorial status of an issued submission."""
        prefix, suffix = f"{self.path_prefix}/review/", "/status"
        submission_id = path[len(prefix):-len(suffix)] if path.startswith(prefix) and path.endswith(suffix) else ""
        with self._lock:
            self.status_requests += 1
            issued = submission_id in self.issued_ids
        if authorization != self.api_key:
            return 401, _json({"detail": "invalid API key"})
        if not issued:
            return 404, _json({"detail": "not found"})
        return 200, _json({"status": self.review_status})


def _json(value) -> bytes:
    return json.dumps(value, default=str).encode()


def _handler_for(fake: FakeAvid) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        def do_POST(self):
            length = int(self.headers.get("Content-Length") or 0)
            body = self.rfile.read(length)
            self._send(*fake._answer(self.path, self.headers.get("Authorization"), body))

        def do_GET(self):
            self._send(*fake._status(self.path, self.headers.get("Authorization")))

        def _send(self, status: int, body: bytes) -> None:
            try:
                self.send_response(status)
                if status == 307:
                    self.send_header("Location", self.path)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)
            except (BrokenPipeError, ConnectionResetError):
                pass  # the client gave up (timeout) before the answer; nothing to deliver

        def log_message(self, format, *args):
            pass  # keep test output quiet

    return Handler


def refused_port() -> int:
    """A local port with nothing listening (bound briefly by the OS, then released)."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def refused_url() -> str:
    """An http URL on 127.0.0.1 that refuses connections."""
    return f"http://127.0.0.1:{refused_port()}"
