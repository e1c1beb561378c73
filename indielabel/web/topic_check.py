"""Checks for topic parameters. Topics are data, looked up in the dataset and never used as paths,
but a value that looks like a path or a disguised name is refused outright (400) instead of being
looked up: it cannot be a topic the topic model made, and refusing it keeps such values out of logs
and error messages.
"""

from __future__ import annotations

import unicodedata

# Letters of these scripts look alike ("a" Latin, "а" Cyrillic, "α" Greek); one word mixing them is a disguise.
CONFUSABLE_SCRIPTS = ("LATIN", "CYRILLIC", "GREEK")
PATH_MARKS = ("/", "\\", "..", "%")


def check_topic(value: str) -> str:
    """Return ``value`` when it could be a topic name, else raise ValueError saying why."""
    if not any(character.isalnum() for character in value):
        raise ValueError("a topic name has letters or digits")
    if any(mark in value for mark in PATH_MARKS):
        raise ValueError("a topic name has no '/', '\\', '..' or '%'")
    if not value.isprintable():
        raise ValueError("a topic name has no control characters")
    if unicodedata.normalize("NFKC", value) != value:
        raise ValueError("a topic name has no fullwidth or other compatibility characters")
    for word in value.split("_"):
        scripts = {_script(character) for character in word if character.isalpha()}
        if len(scripts & set(CONFUSABLE_SCRIPTS)) > 1:
            raise ValueError(f"the word {word!r} mixes letters of different alphabets")
    return value


def _script(character: str) -> str:
    return unicodedata.name(character, "UNKNOWN").split(" ")[0]
