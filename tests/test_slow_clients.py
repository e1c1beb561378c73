"""Slow and malformed clients against `make serve`: incomplete requests do not hold the threads that serve
everyone else, and every answer gunicorn gives on its own is our JSON error with our security headers."""

from __future__ import annotations

import json
import socket
import statistics
import subprocess
import sys
import time
from contextlib import ExitStack
from pathlib import Path
from urllib.parse import urlsplit

import pytest
import requests

from bench.server_process import ServerProcess, development_command, free_port, server_environment
from indielabel.web import production
from indielabel.web.buffered_worker import BUFFERED_BODIES
from indielabel.web.request_framing import Framing, framing
from tests.production_server import production_server, serve_command
from tests.test_production import assert_security_headers

SLOW_CONNECTIONS = 200
READ_SECONDS = 3
MAX_BODY = 1_000


@pytest.fixture(scope="module")
def server(small_dataset_dir, small_base_model, tmp_path_factory):
    with production_server(small_dataset_dir, tmp_path_factory.mktemp("slow"),
                           request_read_seconds=str(READ_SECONDS), max_request_bytes=str(MAX_BODY)) as url:
        yield url


def connect(url: str) -> socket.socket:
    parts = urlsplit(url)
    return socket.create_connection((parts.hostname, parts.port), timeout=10)


def send_raw(url: str, data: bytes) -> tuple[int, dict[str, str], bytes]:
    """Send ``data`` as it is on a new connection; the status, headers and body of the answer."""
    with connect(url) as sock:
        sock.sendall(data)
        received = b""
        while chunk := sock.recv(65536):
            received += chunk
    head, _, body = received.partition(b"\r\n\r\n")
    lines = head.decode("latin-1").split("\r\n")
    headers = dict(line.split(": ", 1) for line in lines[1:])
    return int(lines[0].split(" ")[1]), headers, body


@pytest.fixture(scope="module")
def make_run_server(small_dataset_dir, small_base_model, tmp_path_factory):
    """`python -m indielabel serve`, what `make run` starts."""
    state_dir = tmp_path_factory.mktemp("make_run")
    port = free_port()
    environment = server_environment(state_dir, port=port)
    with ServerProcess(development_command(port, small_dataset_dir), port, environment,
                       state_dir / "server.log") as process:
        process.wait_until_healthy()
        process.environment = environment
        yield process


def health_seconds_while_requests_stall(url: str) -> list[float]:
    """How long /api/health takes, five times, while SLOW_CONNECTIONS requests stall mid-body."""
    partial = (b"POST /flag HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n"
               b"Content-Length: 500\r\n\r\n{\"user\": ")
    with ExitStack() as stack:
        for _ in range(SLOW_CONNECTIONS):
            stack.enter_context(connect(url)).sendall(partial)
        times = []
        for _ in range(5):
            started = time.monotonic()
            assert requests.get(f"{url}/api/health", timeout=5).status_code == 200
            times.append(time.monotonic() - started)
    return times


def test_health_answers_within_a_second_while_200_requests_stall_mid_body(server):
    # The median, so that one check slowed by a busy machine does not decide; all five must answer.
    assert statistics.median(health_seconds_while_requests_stall(server)) < 1.0


def test_make_run_serves_with_the_same_worker_and_no_development_server_warning(make_run_server):
    assert statistics.median(health_seconds_while_requests_stall(make_run_server.url)) < 1.0
    log = make_run_server.log_tail()
    assert "BufferedThreadWorker" in log or "buffered_worker" in log
    assert "development server" not in log.lower()


def test_clients_that_ask_to_close_and_then_do_not_stall_nobody(server):
    with ExitStack() as stack:
        for _ in range(20):
            stack.enter_context(connect(server)).sendall(b"GET /api/health HTTP/1.1\r\nHost: x\r\n"
                                                          b"Connection: close\r\n\r\n")
        time.sleep(0.2)
        started = time.monotonic()
        assert requests.get(f"{server}/api/health", timeout=10).status_code == 200
        assert time.monotonic() - started < 1.0


def test_bodies_arriving_beyond_the_workers_memory_budget_are_answered_503_and_health_still_answers(server):
    almost_whole = (b"POST /flag HTTP/1.1\r\nHost: x\r\nContent-Length: %d\r\n\r\n" % MAX_BODY
                    + b"x" * (MAX_BODY - 10))
    # Spread over the workers, enough stalled bodies to pass every worker's budget.
    connections = BUFFERED_BODIES * 4
    refused = 0
    with ExitStack() as stack:
        sockets = [stack.enter_context(connect(server)) for _ in range(connections)]
        for sock in sockets:
            sock.sendall(almost_whole)
        for sock in sockets:
            sock.settimeout(0.2)
            try:
                refused += sock.recv(65536).startswith(b"HTTP/1.1 503 ")
            except TimeoutError:
                pass
        assert requests.get(f"{server}/api/health", timeout=2).status_code == 200
    assert refused >= 1


def test_a_request_that_never_finishes_arriving_is_answered_408_in_json(server):
    with connect(server) as sock:
        sock.sendall(b"POST /flag HTTP/1.1\r\nHost: x\r\nContent-Length: 50\r\n\r\n{")
        started = time.monotonic()
        answer = sock.recv(65536)
    assert answer.startswith(b"HTTP/1.1 408 ")
    assert json.loads(answer.partition(b"\r\n\r\n")[2])["error"]["code"] == "request_timeout"
    assert time.monotonic() - started < READ_SECONDS + 2


@pytest.mark.parametrize("request_bytes, status", [
    (b"GET /" + b"a" * 9000 + b" HTTP/1.1\r\nHost: x\r\n\r\n", 414),
    (b"GET / HTTP/1.1\r\nHost: x\r\nX-Big: " + b"b" * 9000 + b"\r\n\r\n", 431),
    (b"NOT HTTP AT ALL\r\n\r\n", 400),
    (b"POST /flag HTTP/1.1\r\nHost: x\r\nContent-Length: 5000\r\n\r\n", 413),
    (b"POST /flag HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n"
     + b"200\r\n" + b"x" * 512 + b"\r\n" + b"400\r\n" + b"y" * 1024 + b"\r\n0\r\n\r\n", 413),
])
def test_gunicorns_own_refusals_are_our_json_with_our_headers(server, request_bytes, status):
    answered, headers, body = send_raw(server, request_bytes)
    assert answered == status
    assert headers["Content-Type"] == "application/json"
    assert set(json.loads(body)["error"]) == {"code", "message", "field"}
    assert_security_headers(headers)


def test_a_chunked_body_within_the_limit_reaches_the_app(server):
    document = json.dumps({"user": "../no"}).encode()
    chunks = b"%x\r\n%s\r\n0\r\n\r\n" % (len(document), document)
    status, _, body = send_raw(server, b"POST /flag HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n"
                                       b"Connection: close\r\nTransfer-Encoding: chunked\r\n\r\n" + chunks)
    assert status == 400
    assert json.loads(body)["error"]["field"] == "user"


@pytest.mark.parametrize("received, expected", [
    (b"GET / HTTP/1.1\r\nHost: x\r\n", Framing.INCOMPLETE),
    (b"GET / HTTP/1.1\r\nHost: x\r\n\r\n", Framing.COMPLETE),
    (b"POST / HTTP/1.1\r\nContent-Length: 4\r\n\r\nabc", Framing.INCOMPLETE),
    (b"POST / HTTP/1.1\r\nContent-Length: 4\r\n\r\nabcd", Framing.COMPLETE),
    (b"POST / HTTP/1.1\r\nContent-Length: 11\r\n\r\n", Framing.BODY_TOO_LARGE),
    (b"POST / HTTP/1.1\r\nContent-Length: 4\r\nContent-Length: 5\r\n\r\n", Framing.COMPLETE),
    (b"POST / HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\n3\r\nabc\r\n", Framing.INCOMPLETE),
    (b"POST / HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\n3\r\nabc\r\n0\r\n", Framing.INCOMPLETE),
    (b"POST / HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\n3\r\nabc\r\n0\r\n\r\n", Framing.COMPLETE),
    (b"POST / HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\n6\r\nabcdef\r\n6\r\nabcdef\r\n", Framing.BODY_TOO_LARGE),
    (b"POST / HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\n", Framing.COMPLETE),
    (b"GET /" + b"a" * 200, Framing.COMPLETE),
])
def test_framing_says_when_a_request_has_fully_arrived(received, expected):
    assert framing(received, max_head_bytes=100, max_body_bytes=10) is expected


def test_make_serve_and_make_run_use_the_same_worker_and_access_log_format():
    command = serve_command(5001)
    assert command[command.index("--worker-class") + 1] == production.WORKER_CLASS
    assert command[command.index("--access-logformat") + 1] == production.ACCESS_LOG_FORMAT


def test_a_study_links_one_time_key_stays_out_of_the_access_log(make_run_server):
    link = subprocess.run([sys.executable, "-m", "indielabel", "users", "create", "logged_participant"],
                          env=make_run_server.environment, check=True, capture_output=True, text=True).stdout.strip()
    key = link.rsplit("key=", 1)[1]
    assert link.startswith(make_run_server.url + "/?")
    assert requests.get(link, timeout=10).status_code == 200
    time.sleep(0.2)
    log = make_run_server.log_tail()
    assert "GET / HTTP/1.1" in log
    assert key not in log


def test_the_files_a_server_writes_are_its_own_accounts_only(make_run_server):
    session = requests.Session()
    item_id = session.get(f"{make_run_server.url}/get_comments_to_label?n=1", timeout=10).json()["to_label"][0]["item_id"]
    assert session.post(f"{make_run_server.url}/flag", json={"user": "private_files", "item_id": item_id},
                        timeout=10).status_code == 200
    output = Path(make_run_server.environment["INDIELABEL_OUTPUT_DIR"])
    flagged = Path(make_run_server.environment["INDIELABEL_FLAGGING_DIR"])
    written = [output / "private_files", output / "private_files" / "user.json", flagged, *flagged.iterdir(),
               *output.glob(".rate_limits*")]
    modes = {path.name: oct(path.stat().st_mode & 0o777) for path in written}
    assert modes == {path.name: oct(0o700 if path.is_dir() else 0o600) for path in written}
    assert any(name.endswith(".csv") for name in modes) and any(name.startswith(".rate_limits") for name in modes)
