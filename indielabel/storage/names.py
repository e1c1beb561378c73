"""Validation of names that become path components (user ids, model names).

Only plain ASCII letters, digits, ``_`` and ``-`` are accepted, so a name can never climb out of its
directory (``..``, ``/``, ``\\``), smuggle a NUL or newline, or pose as another name with look-alike
characters (fullwidth or Cyrillic letters). Topic names are data and must never be passed here to
build a path.
"""

from __future__ import annotations

import re

MAX_NAME_LENGTH = 64
# An explicit ASCII class and fullmatch: `$` would also accept a trailing newline, and `\w` would
# accept any Unicode letter.
NAME_PATTERN = re.compile(rf"[A-Za-z0-9_-]{{1,{MAX_NAME_LENGTH}}}")


class InvalidName(ValueError):
    """A name that cannot be used as a path component; ``field`` says which input it came from."""

    def __init__(self, field: str, message: str):
        super().__init__(f"{field}: {message}")
        self.field = field
        self.message = message


def validate_name(value, field: str) -> str:
    """Return ``value`` unchanged when it is a safe name, else raise :class:`InvalidName`."""
    if not isinstance(value, str):
        raise InvalidName(field, f"must be a string, not {type(value).__name__}")
    if not value:
        raise InvalidName(field, "must not be empty")
    if len(value) > MAX_NAME_LENGTH:
        raise InvalidName(field, f"must be at most {MAX_NAME_LENGTH} characters long")
    if not NAME_PATTERN.fullmatch(value):
        raise InvalidName(field, "may contain only ASCII letters, digits, '_' and '-'")
    return value
