"""The gunicorn worker of `make serve` and `make run`: whole requests are read before a thread takes them.

gunicorn's threaded worker hands a connection to a thread as soon as its first bytes arrive; the
thread then blocks on the socket until the rest of the request comes. A client that announces a
body and never sends it holds that thread for good, and a few dozen such clients hold them all.
This worker reads every request (head and body, up to the body limit) in the worker's event loop,
which waits on all connections at once, and gives a thread only a request that has fully arrived,
as a reverse proxy that buffers requests would. A request that does not arrive within
``INDIELABEL_REQUEST_READ_SECONDS`` is answered 408; a body over ``INDIELABEL_MAX_REQUEST_BYTES``
is answered 413 before it is read (``Content-Length``) or as soon as it passes the limit (chunked).
The requests being read may hold at most ``BUFFERED_BODIES`` full-size bodies of memory together; one
that would take more is answered 503.

Errors answered here, and the ones gunicorn's own parser answers (400, 414, 431...), are our JSON
errors with our security headers, like every error of the app.
"""

from __future__ import annotations

import json
import selectors
import socket
import time
from functools import partial
from http import HTTPStatus

from gunicorn.workers.gthread import ThreadWorker

from indielabel.config import load_settings
from indielabel.web.request_framing import Framing, framing, head_of
from indielabel.web.request_handling import error_document
from indielabel.web.security_headers import add_security_headers

RECEIVE_BYTES = 64 * 1024
# Requests held while they arrive may take this many full-size bodies of memory per worker; a request
# that would need more is answered 503, so many clients sending large bodies slowly cannot exhaust it.
BUFFERED_BODIES = 16
# How long a closing connection may keep sending before it is closed anyway (gunicorn's figure).
LINGER_SECONDS = 2.0
CONTINUE = b"HTTP/1.1 100 Continue\r\n\r\n"
MESSAGES = {
    400: ("bad_request", "the request is not valid HTTP"),
    403: ("forbidden", "this request is not allowed from this address"),
    408: ("request_timeout", "the request did not arrive in time; send it again"),
    503: ("busy", "the server is receiving too many requests at once; send it again in a moment"),
    413: ("request_entity_too_large", "the request body is larger than this server accepts"),
    414: ("request_uri_too_long", "the address of the request is too long"),
    417: ("expectation_failed", "the server cannot meet the request's Expect header"),
    431: ("request_header_fields_too_large", "the request's headers are too large"),
    501: ("not_implemented", "the request uses a transfer coding this server does not support"),
}
INTERNAL = ("internal_error", "something went wrong on the server; it has been logged")


def error_bytes(status: int) -> bytes:
    """A complete HTTP/1.1 error response, as our JSON with our headers, that closes the connection."""
    code, message = MESSAGES.get(status, INTERNAL)
    body = json.dumps(error_document(code, message)).encode()
    headers = {"Content-Type": "application/json", "Content-Length": str(len(body)), "Connection": "close"}
    add_security_headers(headers, private=True)
    lines = [f"HTTP/1.1 {status} {HTTPStatus(status).phrase}"] + [f"{name}: {value}" for name, value in headers.items()]
    return ("\r\n".join(lines) + "\r\n\r\n").encode("latin-1") + body


class BufferedThreadWorker(ThreadWorker):
    """gunicorn's threaded worker (``gthread``), with requests read whole in the event loop first."""

    @classmethod
    def check_config(cls, cfg, log):
        super().check_config(cfg, log)
        if cfg.is_ssl:
            # The bytes read before a thread takes a request are the request itself, not TLS records.
            raise RuntimeError("this worker serves plain HTTP: terminate TLS in a proxy in front of it")

    def init_process(self):
        settings = load_settings()
        self.max_body_bytes = settings.max_request_bytes
        self.read_seconds = settings.request_read_seconds
        cfg = self.cfg
        self.max_head_bytes = cfg.limit_request_line + cfg.limit_request_fields * (cfg.limit_request_field_size + 2)
        self.buffer_budget = BUFFERED_BODIES * self.max_body_bytes
        self.buffered_bytes = 0
        self.reading: dict = {}
        self.lingering: dict = {}
        super().init_process()

    def enqueue_req(self, conn):
        """Read the connection's next request before a thread serves it (new, kept-alive or pipelined)."""
        received = bytearray(conn.parser.unreader.take_buffered()) if conn.parser else bytearray()
        conn.sock.setblocking(False)
        self.reading[conn] = _Reading(received, time.monotonic() + self.read_seconds)
        self.buffered_bytes += len(received)
        self.poller.register(conn.sock, selectors.EVENT_READ, partial(self._receive, conn))
        if received:
            self._judge(conn)

    def _receive(self, conn, sock):
        data = _receive_quietly(sock)
        if data is None:
            return
        if not data:
            self._stop_reading(conn)
            self._closed(conn)
            return
        if self.buffered_bytes + len(data) > self.buffer_budget:
            self._stop_reading(conn)
            self._refuse(conn, 503)
            return
        self.reading[conn].received += data
        self.buffered_bytes += len(data)
        self._judge(conn)

    def _judge(self, conn):
        reading = self.reading[conn]
        state = framing(bytes(reading.received), self.max_head_bytes, self.max_body_bytes)
        if state is Framing.INCOMPLETE:
            self._continue_if_expected(conn, reading)
            return
        self._stop_reading(conn)
        if state is Framing.BODY_TOO_LARGE:
            self._refuse(conn, 413)
            return
        conn.init()
        conn.parser.unreader.unread(bytes(reading.received))
        conn.data_ready = True
        super().enqueue_req(conn)

    def _continue_if_expected(self, conn, reading):
        """A client that sent ``Expect: 100-continue`` waits for this before it sends the body."""
        if reading.continued:
            return
        head = head_of(bytes(reading.received))
        if head is not None and head.expects_continue:
            reading.continued = True
            _send_quietly(conn.sock, CONTINUE)

    def _stop_reading(self, conn):
        self.buffered_bytes -= len(self.reading.pop(conn).received)
        self.poller.unregister(conn.sock)

    def _refuse(self, conn, status: int):
        self.log.warning("refused a request from %s: %d", conn.client[0] if conn.client else "", status)
        _send_quietly(conn.sock, error_bytes(status))
        self._close(conn)

    def finish_request(self, conn, fs):
        """As gthread's, but a connection that ends after its answer lingers in the event loop: gthread
        lingers there blocking (up to 2 s), so clients that ask to close and then do not stall everyone."""
        if fs.cancelled() or fs.exception() is not None or fs.result() is not False:
            super().finish_request(conn, fs)
            return
        self._close(conn)

    def _close(self, conn):
        """Close after the answer went out: send FIN, then read and drop what the client still sends
        until it closes too or LINGER_SECONDS pass, so the answer is not cut off by a reset."""
        try:
            conn.sock.shutdown(socket.SHUT_WR)
        except OSError:
            self._closed(conn)
            return
        conn.sock.setblocking(False)
        self.lingering[conn] = time.monotonic() + LINGER_SECONDS
        self.poller.register(conn.sock, selectors.EVENT_READ, partial(self._drain, conn))

    def _drain(self, conn, sock):
        if _receive_quietly(sock) == b"":
            self._stop_lingering(conn)

    def _stop_lingering(self, conn):
        del self.lingering[conn]
        self.poller.unregister(conn.sock)
        self._closed(conn)

    def _closed(self, conn):
        self.nr_conns -= 1
        conn.close()

    def murder_pending(self):
        """Also answer 408 to requests still arriving after their time, and end lingering connections
        whose time is up (checked about once a second)."""
        super().murder_pending()
        now = time.monotonic()
        for conn in [conn for conn, deadline in self.lingering.items() if deadline <= now]:
            self._stop_lingering(conn)
        for conn in [conn for conn, reading in self.reading.items() if reading.deadline <= now]:
            started = bool(self.reading[conn].received)
            self._stop_reading(conn)
            if started:
                self._refuse(conn, 408)
            else:
                self._closed(conn)

    def handle_error(self, req, client, addr, exc):
        """gunicorn's answer to a request it cannot parse (its status and log line), sent as our JSON."""
        captured = _CapturedSocket()
        super().handle_error(req, captured, addr, exc)
        status = int(captured.sent.split(b" ", 2)[1]) if captured.sent else 500
        _send_quietly(client, error_bytes(status))


class _Reading:
    """A request being read: the bytes so far, when it must have arrived, whether 100 Continue went out."""

    def __init__(self, received: bytearray, deadline: float):
        self.received, self.deadline, self.continued = received, deadline, False


class _CapturedSocket:
    """Stands in for the client socket while gunicorn writes its own (HTML) error page."""

    def __init__(self):
        self.sent = b""

    def gettimeout(self):
        return 0.0

    def sendall(self, data: bytes):
        self.sent += data

    send = sendall


def _receive_quietly(sock) -> bytes | None:
    """What a readable socket holds: b"" when the client closed (or the connection broke), None when
    nothing has arrived after all."""
    try:
        return sock.recv(RECEIVE_BYTES)
    except BlockingIOError:
        return None
    except OSError:
        return b""


def _send_quietly(sock, data: bytes) -> None:
    """Best effort: the client may have gone already, and a full socket buffer must not block the loop."""
    try:
        sock.send(data)
    except OSError:
        pass
