"""Who may read and write a user's data: the browser that holds the user's secret.

When a user id is first used (``POST /users`` for a new id or for a ``?user=NAME`` study id nobody has
used yet, or any other POST about such an id) the server draws a random token, stores its SHA-256 in
the user's ``user.json`` and hands the token to the browser in a signed, HttpOnly cookie. No GET
claims a user, so a page on another site cannot make a browser take (or lose) users with image loads.
From then on every request about that user must carry the token. One cookie holds the tokens of the
users a browser owns, newest first, so one person can keep several study ids apart in one browser.
When it holds more than ``MAX_USERS_PER_BROWSER``, the oldest users with nothing saved make room; a
user with a saved model or report is never dropped. A user stored before it had a secret is claimed
the same way, by the first browser that uses it.

Organizers can create a user ahead of time (``python -m indielabel users create NAME``): the user is
then reserved for the one-time key in the printed link, and nobody can claim it without the key.
``users link NAME`` issues a new key for an existing user (a participant who lost their cookies);
the browser that opens it becomes the user's only owner.

The organizer's area is guarded separately, by ``INDIELABEL_ADMIN_TOKEN`` (see ``organizer_session``).
Nothing here knows HTTP: the server passes the cookie's value in and sends back ``Access.cookie``.
"""

from __future__ import annotations

import hashlib
import hmac
import os
import secrets
import sys
import tempfile
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlencode

from itsdangerous import BadData, URLSafeSerializer

from indielabel.config import ConfigError, Settings, keep_written_files_private, load_settings
from indielabel.errors import ForbiddenError, NotFoundError
from indielabel.organizer.summaries import STUDY_LINK_FIELD
from indielabel.storage.rate_limits import RateLimits
from indielabel.storage.store import Store
from indielabel.storage.versions import now_iso

COOKIE_NAME = "indielabel_owner"
# Chrome keeps a cookie at most 400 days; a participant returning within that time keeps access.
COOKIE_MAX_AGE_SECONDS = 400 * 24 * 3600
# Beyond this many users, the oldest ones with nothing saved leave the cookie (each entry is a name and a
# 32-character token).
MAX_USERS_PER_BROWSER = 16
# Browsers drop a cookie over 4,096 bytes (name, value and attributes together): refuse to grow past this.
MAX_COOKIE_CHARS = 3_800
TOKEN_BYTES = 24
SECRET_FIELD = "secret_sha256"
CLAIM_KEY_FIELD = "claim_key_sha256"
SECRET_KEY_FILE_NAME = ".secret_key"
MIN_SECRET_KEY_LENGTH = 32
_COOKIE_SALT = "indielabel.owner"

TAKEN = ("this browser does not hold the key to this user id: another browser started it, or this browser's "
         "cookies were cleared since; open it where you started it, ask the organizers for a new link, "
         "or start a new audit")
NOT_STARTED = "nobody has started an audit under this user id yet: start it first (POST /users)"
FULL = ("this browser already holds as many audits with saved work as its cookie can keep; "
        "continue one of them, or use another browser for a new one")
NEW_USERS_LIMIT = "new_users"
RESERVED = "this user id was set up by the organizers: open the link with the key they sent you"
LINK_USED = "this link was already used or is not valid; ask the organizers for a new one"


@dataclass(frozen=True)
class Access:
    """The caller may act as ``user``. ``cookie`` is a new owner cookie to send back (None: unchanged)."""

    user: str
    cookie: str | None = None


class Owners:
    """Checks and grants ownership of users, reading and writing ``user.json`` through the store."""

    def __init__(self, store: Store, secret_key: str, limits: RateLimits | None = None):
        self.store = store
        self.limits = limits
        self._serializer = URLSafeSerializer(secret_key, salt=_COOKIE_SALT)

    def check(self, user: str, cookie: str | None, client: str | None = None, *, claim: bool = True) -> Access:
        """Access to ``user`` for the browser that sent ``cookie``; with ``claim``, a user nobody owns yet
        becomes its.

        Every user made over HTTP is made here, so here each client address (``client``) may make
        only so many (RateLimitedError beyond); the organizers' `users create` is not limited.
        Raises ForbiddenError when another browser owns the user, the organizers reserved it, or
        (without ``claim``) nobody owns it yet.
        """
        held = self.tokens_in(cookie)
        record = self.store.user_record(user)
        if _secret_matches(record, held.get(user)):
            return Access(user)
        if _is_taken(record):
            raise ForbiddenError(RESERVED if _is_reserved(record) else TAKEN, field="user")
        if not claim:
            raise ForbiddenError(NOT_STARTED, field="user", detail={"reason": "not_started"})
        # A claim makes a new user of this browser's (an id made a moment ago by POST /users included).
        if self.limits is not None:
            self.limits.take(NEW_USERS_LIMIT, client or "unknown", "new users from one address")
        token = secrets.token_urlsafe(TOKEN_BYTES)
        new_cookie = self._cookie_with(held, user, token)

        def take_ownership(current: dict | None) -> dict:
            # Checked again under the lock: another browser may have claimed the user meanwhile.
            if _is_taken(current):
                raise ForbiddenError(TAKEN, field="user")
            return {**(current or {}), SECRET_FIELD: _digest(token)}

        self.store.update_user_record(user, take_ownership)
        return Access(user, new_cookie)

    def redeem(self, user: str, key: str, cookie: str | None) -> Access:
        """Take ownership of a user with its one-time key, which then stops working.

        Opening a used link again in the browser that already owns the user is not an error.
        """
        held = self.tokens_in(cookie)
        record = self.store.user_record(user)
        if not _digest_matches(record, CLAIM_KEY_FIELD, key):
            if _secret_matches(record, held.get(user)):
                return Access(user)
            raise ForbiddenError(LINK_USED, field="key")
        token = secrets.token_urlsafe(TOKEN_BYTES)
        new_cookie = self._cookie_with(held, user, token)

        def take(current: dict | None) -> dict:
            if not _digest_matches(current, CLAIM_KEY_FIELD, key):
                raise ForbiddenError(LINK_USED, field="key")
            owned = {name: value for name, value in current.items() if name != CLAIM_KEY_FIELD}
            return {**owned, SECRET_FIELD: _digest(token)}

        self.store.update_user_record(user, take)
        return Access(user, new_cookie)

    def tokens_in(self, cookie: str | None) -> dict[str, str]:
        """user -> token from an owner cookie, newest first; {} for a missing, forged or garbled cookie."""
        if not cookie:
            return {}
        try:
            pairs = self._serializer.loads(cookie)
        except BadData:
            return {}
        if not isinstance(pairs, list):
            return {}
        return {pair[0]: pair[1] for pair in pairs
                if isinstance(pair, list) and len(pair) == 2 and all(isinstance(part, str) for part in pair)}

    def owned(self, cookie: str | None) -> list[str]:
        """The users this cookie still owns, newest first (a user given to another browser since is left out)."""
        return [user for user, token in self.tokens_in(cookie).items()
                if _secret_matches(self.store.user_record(user), token)]

    def _cookie_with(self, held: dict[str, str], user: str, token: str) -> str:
        newest_first = [(user, token)] + [(other, held[other]) for other in held if other != user]
        cookie = self._serializer.dumps([list(pair) for pair in self._make_room(newest_first)])
        if len(cookie) > MAX_COOKIE_CHARS:
            raise ForbiddenError(FULL, field="user", detail={"reason": "browser_full"})
        return cookie

    def _make_room(self, newest_first: list[tuple[str, str]]) -> list[tuple[str, str]]:
        """Drop the oldest users with nothing saved while the cookie holds too many; never the newest."""
        kept = list(newest_first)
        for pair in reversed(newest_first[1:]):
            if len(kept) <= MAX_USERS_PER_BROWSER:
                break
            if not self.store.has_saved_work(pair[0]):
                kept.remove(pair)
        return kept


def invite(store: Store, user: str, *, existing: bool) -> str:
    """A one-time key whose link makes the browser that opens it the owner of ``user``.

    ``existing=False`` creates the user, reserved for the key (an error when the user exists);
    ``existing=True`` is for a user that exists: redeeming the key replaces its current owner.
    """
    key = secrets.token_urlsafe(TOKEN_BYTES)

    def reserve(current: dict | None) -> dict:
        _require_existence(user, current is not None, existing)
        return {**(current or {}), CLAIM_KEY_FIELD: _digest(key), STUDY_LINK_FIELD: now_iso()}

    # Checked before taking the lock too, which would make the directory of a user that does not exist.
    _require_existence(user, store.user_exists(user), existing)
    store.update_user_record(user, reserve)
    return key


def _require_existence(user: str, exists: bool, expected: bool) -> None:
    if expected and not exists:
        raise LookupError(f"there is no user {user!r}; create it with `users create {user}`")
    if exists and not expected:
        raise LookupError(f"user {user!r} exists already; give them a new link with `users link {user}`")


def invitation_link(base_url: str, user: str, key: str) -> str:
    return f"{base_url.rstrip('/')}/?{urlencode({'user': user, 'key': key})}"


def check_admin(admin_token: str | None, authorization: str | None) -> None:
    """Organizer-only routes: 404 when no admin token is configured, 403 without the right bearer token."""
    if not admin_token:
        raise NotFoundError("there is no such page on this server")
    scheme, _, given = (authorization or "").partition(" ")
    if scheme.lower() != "bearer" or not hmac.compare_digest(given.strip().encode(), admin_token.encode()):
        raise ForbiddenError("organizer exports need the header `Authorization: Bearer <INDIELABEL_ADMIN_TOKEN>`")


def app_secret_key(settings: Settings) -> str:
    """The key that signs owner cookies: the configured one, else one kept in ``<data_dir>/.secret_key``.

    Every process serving the same data directory reads the same file, so cookies survive restarts
    and work across worker processes.
    """
    if settings.secret_key:
        return settings.secret_key
    path = settings.data_dir / SECRET_KEY_FILE_NAME
    try:
        return _read_secret_key(path)
    except FileNotFoundError:
        return _create_secret_key(path)


def _read_secret_key(path: Path) -> str:
    key = path.read_text(encoding="ascii").strip()
    if len(key) < MIN_SECRET_KEY_LENGTH:
        raise ConfigError(f"{path} holds no usable key (fewer than {MIN_SECRET_KEY_LENGTH} characters); "
                          "delete it to have a new one made")
    return key


def _create_secret_key(path: Path) -> str:
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        # mkstemp creates the file readable by its owner only (0600).
        descriptor, temporary = tempfile.mkstemp(prefix=f"{SECRET_KEY_FILE_NAME}.", dir=path.parent)
        try:
            with os.fdopen(descriptor, "w", encoding="ascii") as stream:
                stream.write(secrets.token_hex(32) + "\n")
                stream.flush()
                os.fsync(stream.fileno())
            try:
                os.link(temporary, path)
            except FileExistsError:
                pass  # another process made the key first; everyone uses theirs
        finally:
            os.unlink(temporary)
        return _read_secret_key(path)
    except OSError as error:
        raise ConfigError(f"cannot keep a secret key in {path} ({error}); set INDIELABEL_SECRET_KEY") from error


def _digest(secret: str) -> str:
    return hashlib.sha256(secret.encode()).hexdigest()


def _digest_matches(record: dict | None, field: str, secret: str | None) -> bool:
    stored = (record or {}).get(field)
    if not isinstance(stored, str) or not secret:
        return False
    return hmac.compare_digest(stored, _digest(secret))


def _secret_matches(record: dict | None, token: str | None) -> bool:
    return _digest_matches(record, SECRET_FIELD, token)


def _is_reserved(record: dict | None) -> bool:
    return bool(record and record.get(CLAIM_KEY_FIELD) and not record.get(SECRET_FIELD))


def _is_taken(record: dict | None) -> bool:
    return bool(record and (record.get(SECRET_FIELD) or record.get(CLAIM_KEY_FIELD)))


def run_users(args) -> int:
    """`python -m indielabel users create|link NAME...`: print, a line each, one-time links that give each
    NAME to one browser. Stops at the first name that cannot be used; the links printed before it work."""
    settings = load_settings()
    keep_written_files_private()
    store = Store(settings.user_output_dir)
    base_url = args.base_url or f"http://{settings.host}:{settings.port}"
    print(f"One link per user (each works once; send it only to that person), for {base_url}:", file=sys.stderr)
    for name in args.names:
        try:
            key = invite(store, name, existing=args.action == "link")
        except LookupError as error:
            print(f"error: {error}", file=sys.stderr)
            return 2
        print(invitation_link(base_url, name, key), flush=True)
    return 0
