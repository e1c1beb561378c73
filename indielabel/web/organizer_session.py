"""Who may see the organizer's pages: the holder of ``INDIELABEL_ADMIN_TOKEN``.

Scripts send it as ``Authorization: Bearer <token>`` on every request. People type it once into the
sign-in form: the server answers with a signed session cookie (HttpOnly, so page scripts cannot read
it; SameSite=Strict and limited to ``/admin``, so other sites' pages never send it) and a CSRF token
that the page must echo in ``X-CSRF-Token`` on every request that changes something. The session
names a digest of the token it was opened with, so changing the token ends every session. Without a
configured token every organizer route answers 404: the area does not exist.
"""

from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass

from itsdangerous import BadData, URLSafeTimedSerializer

from indielabel.errors import ForbiddenError, NotFoundError, UnauthorizedError
from indielabel.web import ownership

SESSION_COOKIE = "indielabel_organizer"
SESSION_PATH = "/admin"
SESSION_MAX_AGE_SECONDS = 12 * 3600
CSRF_HEADER = "X-CSRF-Token"
SAFE_METHODS = ("GET", "HEAD", "OPTIONS")
_SALT = "indielabel.organizer"


@dataclass(frozen=True)
class OrganizerSession:
    cookie: str
    csrf_token: str


class OrganizerAccess:
    """Opens sessions and checks every organizer request; knows nothing of HTTP beyond header values."""

    def __init__(self, admin_token: str | None, secret_key: str):
        self.admin_token = admin_token
        self._serializer = URLSafeTimedSerializer(secret_key, salt=_SALT)

    def sign_in(self, given_token: str) -> OrganizerSession:
        self.require_configured()
        ownership.check_admin(self.admin_token, f"Bearer {given_token}")
        csrf_token = secrets.token_urlsafe(24)
        cookie = self._serializer.dumps({"csrf": csrf_token, "token": self._token_digest()})
        return OrganizerSession(cookie, csrf_token)

    def check(self, *, authorization: str | None, cookie: str | None, method: str,
              csrf_header: str | None) -> str | None:
        """Let an organizer through, or raise. Returns the session's CSRF token (None for a bearer token)."""
        self.require_configured()
        if authorization:
            ownership.check_admin(self.admin_token, authorization)
            return None
        if not cookie:
            raise UnauthorizedError("sign in with the organizer token, or send `Authorization: Bearer <token>`")
        session = self._session(cookie)
        if method not in SAFE_METHODS and not secrets.compare_digest(csrf_header or "", session["csrf"]):
            raise ForbiddenError(f"this request needs the {CSRF_HEADER} header of your session")
        return session["csrf"]

    def _session(self, cookie: str) -> dict:
        try:
            session = self._serializer.loads(cookie, max_age=SESSION_MAX_AGE_SECONDS)
        except BadData:
            raise UnauthorizedError("your organizer session has ended; sign in again") from None
        if not isinstance(session, dict) or session.get("token") != self._token_digest() \
                or not isinstance(session.get("csrf"), str):
            raise UnauthorizedError("your organizer session has ended; sign in again")
        return session

    def require_configured(self) -> None:
        if not self.admin_token:
            raise NotFoundError("there is no such page on this server")

    def _token_digest(self) -> str:
        return hashlib.sha256(self.admin_token.encode()).hexdigest()
