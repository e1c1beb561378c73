"""Per-step progress lines with timings, for long commands (`make run`, `generate`, `fit`)."""

from __future__ import annotations

import sys
import time
from contextlib import contextmanager


@contextmanager
def step(description: str, stream=None):
    """Print ``description ...`` now and ``done in N.Ns`` when the block ends."""
    stream = stream or sys.stderr
    print(f"{description} ...", file=stream, flush=True)
    started = time.perf_counter()
    yield
    print(f"  done in {time.perf_counter() - started:.1f}s", file=stream, flush=True)
