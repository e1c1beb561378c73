"""Durable file writes: a reader sees the old content or the new, never a mix, even after a crash.

Each write goes to a temporary file beside its target, is flushed and fsynced, renamed over the
target, and the directory is fsynced so the rename itself survives a power cut.
"""

from __future__ import annotations

import json
import os
import tempfile
from pathlib import Path

import numpy as np


def json_scalar(value):
    # numpy scalars (np.float32, np.int64) are common in metrics; they are not JSON types themselves.
    if isinstance(value, np.generic):
        return value.item()
    raise TypeError(f"{type(value).__name__} is not JSON serialisable")


def to_json(document, what: str) -> str:
    try:
        return json.dumps(document, sort_keys=True, indent=1, ensure_ascii=False,
                          allow_nan=False, default=json_scalar)
    except (TypeError, ValueError) as error:
        raise ValueError(f"{what} cannot be stored as JSON: {error}") from error


def flush_and_sync(stream) -> None:
    stream.flush()
    os.fsync(stream.fileno())


def fsync_dir(directory: Path) -> None:
    """Make a rename or a new entry in ``directory`` durable."""
    descriptor = os.open(directory, os.O_RDONLY)
    try:
        os.fsync(descriptor)
    finally:
        os.close(descriptor)


def ensure_dir(directory: Path) -> None:
    missing = []
    while not directory.is_dir():
        missing.append(directory)
        directory = directory.parent
    for new_dir in reversed(missing):
        new_dir.mkdir(exist_ok=True)
        fsync_dir(new_dir.parent)


def write_synced(path: Path, data: bytes) -> None:
    with open(path, "wb") as stream:
        stream.write(data)
        flush_and_sync(stream)


def write_json_atomic(path: Path, document) -> None:
    """Replace ``path`` with ``document``: readers see the old file or the new one, never a mix.

    Called with the user's lock held, so a temporary file already beside ``path`` was left by a
    writer that died, and is removed.
    """
    data = to_json(document, path.name).encode("utf-8")
    ensure_dir(path.parent)
    for abandoned in path.parent.glob(f".{path.name}.*.tmp"):
        abandoned.unlink(missing_ok=True)
    descriptor, temporary = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    try:
        with os.fdopen(descriptor, "wb") as stream:
            stream.write(data)
            flush_and_sync(stream)
        os.replace(temporary, path)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise
    fsync_dir(path.parent)
