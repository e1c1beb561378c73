"""Section 3: start-up with caches (server start to answering) and without (generation and fit, per step).

    python -m bench.startup [--runs 3]
"""

from __future__ import annotations

import argparse
import tempfile
from collections.abc import Callable
from pathlib import Path

from bench.gunicorn_server import THREADS, WORKERS, gunicorn_server
from bench.kumar_data import KUMAR_ARGUMENT, KUMAR_DIR, CommandTiming, ensure_kumar, run_indielabel
from bench.report import markdown_table, say, spread_text, verdict
from bench.server_process import ServerProcess, development_command, free_port, server_environment

START_TARGET_SECONDS = 5.0
# Loads the dataset and the base model in the worker that answers it, and needs no user.
FIRST_DATA_REQUEST = "/get_comments_to_label?n=1"


def gunicorn_start(dataset_dir: Path, state_dir: Path) -> ServerProcess:
    """gunicorn as `make serve` runs it."""
    return gunicorn_server(dataset_dir, state_dir, state_dir / "gunicorn.log")


def development_server_start(dataset_dir: Path, state_dir: Path) -> ServerProcess:
    """`python -m indielabel serve` (what `make run` starts)."""
    port = free_port()
    return ServerProcess(development_command(port, dataset_dir), port, server_environment(state_dir),
                         state_dir / "serve.log")


def time_start(start: Callable[[Path, Path], ServerProcess], dataset_dir: Path) -> tuple[float, float]:
    """Seconds from ``start``ing a server to /api/health answering, and to the first data request answering."""
    with tempfile.TemporaryDirectory(prefix="indielabel-start-") as state, start(dataset_dir, Path(state)) as server:
        return server.wait_until_healthy(), server.wait_for(FIRST_DATA_REQUEST)


def measure_starts(dataset_dir: Path, runs: int) -> str:
    rows, slowest = [], 0.0
    servers = ((f"gunicorn --workers {WORKERS} --threads {THREADS} --preload (make serve)", gunicorn_start),
               ("python -m indielabel serve", development_server_start))
    for name, start in servers:
        health, data = [], []
        for run in range(runs):
            seconds = time_start(start, dataset_dir)
            health.append(seconds[0])
            data.append(seconds[1])
            say(f"  {name}, start {run + 1}/{runs}: /api/health {seconds[0]:.2f} s, "
                f"{FIRST_DATA_REQUEST} {seconds[1]:.2f} s")
        rows.append([name, spread_text(health, "{:.2f}", " s"), spread_text(data, "{:.2f}", " s")])
        slowest = max(slowest, max(data))
    headers = ["server", "start → /api/health answers", f"start → first {FIRST_DATA_REQUEST} answers"]
    table = markdown_table(headers, rows)
    return (f"{table}\n\n- Target ≤ {START_TARGET_SECONDS:.0f} s to the first data request (slowest of "
            f"{runs} starts each: {slowest:.2f} s): {verdict(slowest <= START_TARGET_SECONDS)}.")


def steps_table(timings: dict[str, CommandTiming]) -> str:
    rows = []
    for timing in timings.values():
        for step in timing.steps:
            rows.append([f"`{timing.command}`", step.description, f"{step.seconds:.1f}"])
        rows.append([f"`{timing.command}`", f"**whole command** (measured {timing.measured_at})",
                     f"**{timing.wall_seconds:.1f}**"])
    return markdown_table(["command", "step", "seconds"], rows)


def startup_section(timings: dict[str, CommandTiming], runs: int) -> str:
    say(f"Timing {runs} cold starts per server with caches present ...")
    starts = measure_starts(KUMAR_DIR, runs)
    _, load_output = run_indielabel("bench", "load", KUMAR_ARGUMENT)
    lines = [
        "## 3. Start-up",
        "",
        "With caches present (dataset and base model on disk and in the OS page cache): time from starting the "
        f"server process to /api/health answering and to the first data request ({FIRST_DATA_REQUEST}, which "
        f"loads the dataset and base model in the worker that gets it), {runs} starts each, median (min–max):",
        "",
        starts,
        "",
        f"`python -m indielabel bench load {KUMAR_ARGUMENT}`:",
        "",
        "```",
        load_output.strip(),
        "```",
        "",
        "Without caches: generating the dataset and fitting its base model, per step (the fit runs only when its "
        "cache is missing, so its figures are those of the run that built the cache):",
        "",
        steps_table(timings),
    ]
    if "fit" not in timings:
        lines += ["", "(No fit timing recorded for this dataset yet: delete bench/out/kumar/cache and run again.)"]
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.startup", description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=3, help="starts per server")
    args = parser.parse_args(argv)
    if args.runs < 1:
        parser.error("--runs must be at least 1")
    _, timings = ensure_kumar()
    section = startup_section(timings, args.runs)
    say()
    say(section)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
