"""Errors the app reports to a user. The server maps each kind to an HTTP status; nothing here knows HTTP."""

from __future__ import annotations


class AuditError(Exception):
    """A request that cannot be served as asked. ``code`` is a stable machine-readable word."""

    code = "bad_request"

    def __init__(self, message: str, field: str | None = None, detail: dict | None = None):
        super().__init__(message)
        self.message = message
        self.field = field
        self.detail = detail or {}


class InputError(AuditError):
    code = "invalid_input"


class NotFoundError(AuditError):
    code = "not_found"


class ConflictError(AuditError):
    code = "conflict"


class ForbiddenError(AuditError):
    code = "forbidden"


class UnavailableError(AuditError):
    code = "unavailable"


class UnauthorizedError(AuditError):
    """No credentials were sent for a page that needs them (a wrong credential is a ForbiddenError)."""

    code = "unauthorized"


class RateLimitedError(AuditError):
    """Too many actions too fast; ``detail["retry_after_seconds"]`` says when to try again."""

    code = "rate_limited"
