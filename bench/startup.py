"""Section 3: start-up with caches (server start to answering) and without (generation and fit, per step).

    python -m bench.startup [--runs 3]
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from bench.gunicorn_server import THREADS, WORKERS, Server, free_port, gunicorn_server
from bench.kumar_data import KUMAR_ARGUMENT, KUMAR_DIR, CommandTiming, ensure_kumar, run_indielabel
from bench.report import ROOT, markdown_table, say, spread_text, verdict

START_TARGET_SECONDS = 5.0
START_TIMEOUT_SECONDS = 120
FIRST_DATA_REQUEST = "/audit_settings"


def gunicorn_start(dataset_dir: Path) -> tuple[float, float]:
    """Seconds from starting gunicorn to /api/health answering, and to the first data request answering."""
    with tempfile.TemporaryDirectory(prefix="indielabel-start-") as state, \
            gunicorn_server(dataset_dir, Path(state), Path(state) / "gunicorn.log") as server:
        health = server.wait_for("/api/health", START_TIMEOUT_SECONDS)
        data = server.wait_for(FIRST_DATA_REQUEST, START_TIMEOUT_SECONDS)
    return health, data


def development_server_start(dataset_dir: Path) -> tuple[float, float]:
    """The same two times for `python -m indielabel serve` (what `make run` starts)."""
    with tempfile.TemporaryDirectory(prefix="indielabel-start-") as state:
        port = free_port()
        env = {**os.environ, "INDIELABEL_OUTPUT_DIR": str(Path(state) / "output"),
               "INDIELABEL_FLAGGING_DIR": str(Path(state) / "flagged")}
        command = [sys.executable, "-m", "indielabel", "serve", "--port", str(port), "--dataset",
                   str(dataset_dir.resolve())]
        log_path = Path(state) / "serve.log"
        with open(log_path, "wb") as log:
            started = time.perf_counter()
            process = subprocess.Popen(command, cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT)
            try:
                server = Server(f"http://127.0.0.1:{port}", process, started, log_path)
                return (server.wait_for("/api/health", START_TIMEOUT_SECONDS),
                        server.wait_for(FIRST_DATA_REQUEST, START_TIMEOUT_SECONDS))
            finally:
                process.terminate()
                try:
                    process.wait(timeout=20)
                except subprocess.TimeoutExpired:
                    process.kill()
                    process.wait()


def measure_starts(dataset_dir: Path, runs: int) -> str:
    rows, slowest = [], 0.0
    servers = ((f"gunicorn --workers {WORKERS} --threads {THREADS} --preload (make serve)", gunicorn_start),
               ("python -m indielabel serve", development_server_start))
    for name, start in servers:
        health, data = [], []
        for run in range(runs):
            seconds = start(dataset_dir)
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
