"""Study links made from the organizer's page: new users, each reserved for the key in its link."""

from __future__ import annotations

import secrets

from indielabel.errors import ConflictError
from indielabel.storage.store import Store
from indielabel.web import ownership

SUFFIX_BYTES = 4


def batch_names(prefix: str, count: int) -> list[str]:
    """``count`` new user ids ``<prefix>_<random hex>``; random, so a batch does not tell its size."""
    return [f"{prefix}_{secrets.token_hex(SUFFIX_BYTES)}" for _ in range(count)]


def create_links(store: Store, base_url: str, names: list[str]) -> list[dict]:
    """Create each user, reserved for a one-time key, and return its link; none if one id exists."""
    taken = [name for name in names if store.user_exists(name)]
    if taken or len(set(names)) != len(names):
        raise ConflictError(f"these user ids exist already or appear twice: {', '.join(taken) or 'duplicates'}",
                            field="names")
    return [{"user": name, "link": ownership.invitation_link(base_url, name,
                                                             ownership.invite(store, name, existing=False))}
            for name in names]
