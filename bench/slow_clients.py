"""How long `/api/health` takes against `make serve`'s gunicorn while many clients stall mid-request
(announce a body, send part of it, then nothing): with the worker that reads requests whole before
a thread takes them, and, for comparison, with gunicorn's own threaded worker (``gthread``)."""

from __future__ import annotations

import argparse
import socket
import statistics
import tempfile
import time
from contextlib import ExitStack
from pathlib import Path
from urllib.parse import urlsplit

import requests

from bench.gunicorn_server import gunicorn_server
from bench.report import say
from indielabel.data import dataset as datasets
from indielabel.model.personal import load_or_fit
from indielabel.synth.generator import generate_dataset
from indielabel.web.production import WORKER_CLASS

STOCK_WORKER_CLASS = "gthread"
HEALTH_TIMEOUT_SECONDS = 2.0
PARTIAL_REQUEST = (b"POST /flag HTTP/1.1\r\nHost: bench\r\nContent-Type: application/json\r\n"
                   b"Content-Length: 500\r\n\r\n{\"user\": ")


def stall(url: str, stack: ExitStack, connections: int) -> None:
    parts = urlsplit(url)
    for _ in range(connections):
        sock = stack.enter_context(socket.create_connection((parts.hostname, parts.port), timeout=10))
        sock.sendall(PARTIAL_REQUEST)


def health_times(url: str, samples: int) -> tuple[list[float], int]:
    """Seconds per answered health check, and how many did not answer within the timeout."""
    times, unanswered = [], 0
    for _ in range(samples):
        started = time.perf_counter()
        try:
            requests.get(f"{url}/api/health", timeout=HEALTH_TIMEOUT_SECONDS).raise_for_status()
            times.append(time.perf_counter() - started)
        except requests.RequestException:
            unanswered += 1
    return times, unanswered


def summary(times: list[float], unanswered: int) -> str:
    if not times:
        return f"none answered ({unanswered} timed out after {HEALTH_TIMEOUT_SECONDS:.0f} s)"
    ordered = sorted(times)
    low, high = ordered[int(0.05 * (len(ordered) - 1))], ordered[int(0.95 * (len(ordered) - 1))]
    return (f"median {statistics.median(times) * 1000:.1f} ms (5th–95th percentile {low * 1000:.1f}–"
            f"{high * 1000:.1f} ms), {unanswered} of {len(times) + unanswered} timed out")


def measure(dataset_dir: Path, worker_class: str, connections: int, samples: int) -> str:
    with tempfile.TemporaryDirectory(prefix="indielabel-slow-") as state:
        state_dir = Path(state)
        with gunicorn_server(dataset_dir, state_dir, state_dir / "gunicorn.log", worker_class=worker_class) as server:
            server.wait_until_healthy()
            quiet = summary(*health_times(server.url, samples))
            with ExitStack() as stack:
                stall(server.url, stack, connections)
                stalled = summary(*health_times(server.url, samples))
    return f"| `{worker_class}` | {quiet} | {stalled} |"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.slow_clients", description=__doc__.splitlines()[0])
    parser.add_argument("--connections", type=int, default=200, help="clients that stall mid-body")
    parser.add_argument("--samples", type=int, default=30, help="health checks per measurement")
    args = parser.parse_args(argv)
    with tempfile.TemporaryDirectory(prefix="indielabel-slow-data-") as data:
        dataset_dir = Path(data) / "small"
        generate_dataset("small", 0, dataset_dir, quiet=True)
        load_or_fit(datasets.load(dataset_dir), quiet=True)
        say(f"/api/health, {args.samples} checks each, without and with {args.connections} clients stalled "
            "mid-body (2 workers × 4 threads):")
        say("| worker | no stalled clients | stalled clients |")
        say("|---|---|---|")
        for worker_class in (WORKER_CLASS, STOCK_WORKER_CLASS):
            say(measure(dataset_dir, worker_class, args.connections, args.samples))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
