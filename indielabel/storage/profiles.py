"""A user's self-description ("Tell us about yourself"): which groups they say they belong to.

Kept only with the user's own data, in ``<user>/profile.json``::

    {"profile": {"<attribute>": "<value>", ...}, "updated_at": "<ISO time>"}

Written atomically under the user's lock like every other file of the user; deleting it removes the
file. It is read when the user's models are trained and by organizers (:func:`read_all`,
``python -m indielabel profiles export``); nothing copies it into flags or reports. Checking a profile against a dataset's attributes is the caller's
job (the attributes belong to the data, not to storage); here a profile is only checked to be a
mapping of short strings.
"""

from __future__ import annotations

import json
import sys

from indielabel.config import load_settings
from indielabel.storage.store import Store, StoreError
from indielabel.storage.versions import now_iso

PROFILE_FILE_NAME = "profile.json"
MAX_ENTRIES = 50
MAX_TEXT = 200


def checked_profile(profile) -> dict[str, str]:
    """``profile`` as a plain dict of str -> non-empty str; ValueError saying what is wrong."""
    if not isinstance(profile, dict):
        raise ValueError(f"profile must be an object, not {type(profile).__name__}")
    if len(profile) > MAX_ENTRIES:
        raise ValueError(f"profile has {len(profile)} attributes; at most {MAX_ENTRIES}")
    for attribute, value in profile.items():
        if not isinstance(attribute, str) or not isinstance(value, str) or not value.strip() \
                or len(attribute) > MAX_TEXT or len(value) > MAX_TEXT:
            raise ValueError(f"profile: {attribute!r} must map to a non-empty text of at most {MAX_TEXT} characters")
    return dict(profile)


def read(store: Store, user: str) -> dict[str, str] | None:
    """The user's profile, or None when they have not described themselves."""
    document = store.user_document(user, PROFILE_FILE_NAME)
    if document is None:
        return None
    try:
        return checked_profile(document.get("profile") if isinstance(document, dict) else None)
    except ValueError as error:
        raise StoreError(f"{user}/{PROFILE_FILE_NAME}: expected {{\"profile\": {{attribute: value}}}} ({error})") \
            from error


def write(store: Store, user: str, profile: dict[str, str]) -> dict:
    """Replace the user's profile; returns the document written."""
    document = {"profile": checked_profile(profile), "updated_at": now_iso()}
    store.write_user_document(user, PROFILE_FILE_NAME, document)
    return document


def delete(store: Store, user: str) -> bool:
    """Forget the user's profile; False when there was none."""
    return store.delete_user_document(user, PROFILE_FILE_NAME)


def read_all(store: Store) -> dict[str, dict[str, str]]:
    """Organizers: user -> profile for every user who described themselves."""
    profiles = {}
    for user in store.list_users():
        profile = read(store, user)
        if profile is not None:
            profiles[user] = profile
    return profiles


def run_export(args) -> int:
    """`python -m indielabel profiles export`: {user: profile} of every user who described themselves."""
    directory = load_settings().user_output_dir
    try:
        every_profile = read_all(Store(directory))
    except StoreError as error:
        print(f"error: {error}", file=sys.stderr)
        return 2
    sys.stdout.write(json.dumps(every_profile, indent=1, sort_keys=True, ensure_ascii=False) + "\n")
    print(f"Exported {len(every_profile)} self-descriptions from {directory}", file=sys.stderr)
    return 0
