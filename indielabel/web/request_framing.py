"""Whether the bytes received so far hold one whole HTTP/1.1 request, judged from its framing alone.

The serving worker (``web.buffered_worker``) reads each request into memory before a thread takes
it, and asks this module when to stop reading. It only needs the framing: where the head ends and how
the body is delimited (``Content-Length`` or ``Transfer-Encoding: chunked``). Anything malformed
counts as complete: gunicorn's own parser then rejects it with the precise error.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import Enum

HEAD_END = b"\r\n\r\n"
LINE_END = b"\r\n"
# A chunk-size line is a hex number and optional extensions; one longer than this is malformed.
MAX_CHUNK_LINE = 1024


class Framing(Enum):
    INCOMPLETE = "incomplete"
    COMPLETE = "complete"
    BODY_TOO_LARGE = "body_too_large"


@dataclass(frozen=True)
class Head:
    """The framing headers of a request head: lower-cased values, None when absent."""

    content_length: str | None
    transfer_encoding: str | None
    expects_continue: bool


def framing(received: bytes, max_head_bytes: int, max_body_bytes: int) -> Framing:
    """How far ``received`` (the start of a connection's next request) gets through one request."""
    head_end = received.find(HEAD_END)
    if head_end < 0:
        return Framing.COMPLETE if len(received) > max_head_bytes else Framing.INCOMPLETE
    head = parse_head(received[:head_end])
    body = memoryview(received)[head_end + len(HEAD_END):]
    if head.transfer_encoding is not None:
        if head.transfer_encoding != "chunked":
            return Framing.COMPLETE
        return _chunked_framing(body, max_body_bytes)
    if head.content_length is None:
        return Framing.COMPLETE
    if not head.content_length.isdigit():
        return Framing.COMPLETE
    length = int(head.content_length)
    if length > max_body_bytes:
        return Framing.BODY_TOO_LARGE
    return Framing.COMPLETE if len(body) >= length else Framing.INCOMPLETE


def head_of(received: bytes) -> Head | None:
    """The framing headers once the head has arrived, else None."""
    head_end = received.find(HEAD_END)
    return None if head_end < 0 else parse_head(received[:head_end])


def parse_head(head: bytes) -> Head:
    values: dict[str, list[str]] = {}
    for line in head.split(LINE_END)[1:]:
        name, _, value = line.partition(b":")
        values.setdefault(name.strip().lower().decode("latin-1"), []).append(
            value.strip().lower().decode("latin-1"))
    return Head(content_length=_single(values.get("content-length")),
                transfer_encoding=_single(values.get("transfer-encoding")),
                expects_continue=values.get("expect") == ["100-continue"])


def _single(values: list[str] | None) -> str | None:
    """The one value of a header; a repeated header is reported as a malformed value."""
    if values is None:
        return None
    return values[0] if len(values) == 1 else ","


def _chunked_framing(body: memoryview, max_body_bytes: int) -> Framing:
    position, total = 0, 0
    while True:
        line_end = bytes(body[position:position + MAX_CHUNK_LINE + 2]).find(LINE_END)
        if line_end < 0:
            return Framing.COMPLETE if len(body) - position > MAX_CHUNK_LINE else Framing.INCOMPLETE
        size_text = bytes(body[position:position + line_end]).split(b";")[0].strip()
        try:
            size = int(size_text, 16)
        except ValueError:
            return Framing.COMPLETE
        position += line_end + len(LINE_END)
        if size == 0:
            return _trailer_framing(bytes(body[position:]))
        total += size
        if total > max_body_bytes:
            return Framing.BODY_TOO_LARGE
        position += size + len(LINE_END)
        if position > len(body):
            return Framing.INCOMPLETE


def _trailer_framing(rest: bytes) -> Framing:
    """After the last chunk: optional trailer fields, then an empty line."""
    if rest.startswith(LINE_END) or HEAD_END in rest:
        return Framing.COMPLETE
    return Framing.INCOMPLETE
