"""A user's optional self-description on their behalf: the form's choices, checking, keeping, using.

The choices are the attribute values the base model has a group lean for, so every answer the form
offers is one the fold-in can use. A profile is checked against them before it is stored, and again
when a model is trained (the dataset may have changed since). The profile stays in the user's own
files; a trained version records only which attributes were used, never the answers.
"""

from __future__ import annotations

from indielabel.errors import InputError
from indielabel.model import self_description
from indielabel.storage import profiles
from indielabel.storage.store import Store


def choices(base_model) -> dict[str, list[str]]:
    """Attribute -> the values a person can pick, in the model's column order."""
    offered: dict[str, list[str]] = {}
    for attribute, value in base_model.profile_levels:
        offered.setdefault(attribute, []).append(value)
    return offered


def checked(base_model, profile: dict[str, str]) -> dict[str, str]:
    """``profile`` if the model knows every attribute and value in it; InputError naming the first it does not."""
    try:
        self_description.known_indicators(base_model.profile_levels, base_model.profile_means, profile)
    except ValueError as error:
        raise InputError(str(error), field="profile") from error
    return profile


def describe(store: Store, base_model, user: str) -> dict:
    """What the profile form shows: the choices and the stored answers (None when there are none)."""
    return {"attributes": choices(base_model), "profile": profiles.read(store, user),
            "stored_in": f"{user}/{profiles.PROFILE_FILE_NAME}"}


def save(store: Store, base_model, user: str, profile: dict[str, str]) -> dict:
    profiles.write(store, user, checked(base_model, profile))
    return describe(store, base_model, user)


def delete(store: Store, base_model, user: str) -> dict:
    deleted = profiles.delete(store, user)
    return {**describe(store, base_model, user), "deleted": deleted}


def for_training(store: Store, base_model, user: str) -> dict[str, str] | None:
    """The stored profile to fold in, checked against the model; None when the user gave none."""
    stored = profiles.read(store, user)
    if not stored:
        return None
    try:
        return checked(base_model, stored)
    except InputError as error:
        raise InputError(f"your saved self-description no longer fits this dataset ({error.message}); "
                         "edit or delete it", field="profile") from error
