"""The kumar-size dataset and its base model for the benchmarks, built from scratch when missing.

Building them is itself a measurement (the start without caches), so every build step's time is
kept in bench/out/kumar_build.json. Generation takes seconds and runs every time (it is
deterministic, so an unchanged generator rewrites identical files and the model cache stays
valid); the base-model fit takes minutes and runs only when its cache is missing, so later runs
report the figures of the fit that made the cache, with its date.
"""

from __future__ import annotations

import json
import re
import subprocess
import sys
import time
from dataclasses import asdict, dataclass
from datetime import datetime, timezone

from bench.report import OUT_DIR, ROOT, say
from indielabel.data import dataset as datasets
from indielabel.model import personal as personal_model

KUMAR_DIR = OUT_DIR / "kumar"
# The commands run in ROOT, so the path is given relative to it: it then reads the same in every checkout.
KUMAR_ARGUMENT = str(KUMAR_DIR.relative_to(ROOT))
BUILD_RECORD = OUT_DIR / "kumar_build.json"
STEP_START = re.compile(r"^(?P<description>\S.*) \.\.\.$")
STEP_END = re.compile(r"^\s+done in (?P<seconds>[0-9.]+)s$")


@dataclass
class Step:
    description: str
    seconds: float


@dataclass
class CommandTiming:
    """One `python -m indielabel ...` run: its own step lines, wall time and when it ran."""

    command: str
    steps: list[Step]
    wall_seconds: float
    measured_at: str

    @classmethod
    def from_json(cls, document: dict) -> CommandTiming:
        return cls(document["command"], [Step(**step) for step in document["steps"]],
                   document["wall_seconds"], document["measured_at"])


def parse_steps(text: str) -> list[Step]:
    """The ``description ...`` / ``  done in N.Ns`` pairs that indielabel.progress prints."""
    steps, pending = [], None
    for line in text.splitlines():
        start, end = STEP_START.match(line), STEP_END.match(line)
        if start:
            pending = start["description"]
        elif end and pending is not None:
            steps.append(Step(pending, float(end["seconds"])))
            pending = None
    return steps


def run_indielabel(*args: str) -> tuple[CommandTiming, str]:
    """Run the organizer's command line in the project's root; its timing and standard output.

    RuntimeError if it fails.
    """
    command = [sys.executable, "-m", "indielabel", *args]
    started = time.perf_counter()
    completed = subprocess.run(command, cwd=ROOT, capture_output=True, text=True, check=False)
    elapsed = time.perf_counter() - started
    if completed.returncode != 0:
        raise RuntimeError(f"`{' '.join(command[1:])}` failed ({completed.returncode}):\n{completed.stderr[-3000:]}")
    timing = CommandTiming(" ".join(["python", *command[1:]]),
                           parse_steps(completed.stderr), elapsed,
                           datetime.now(timezone.utc).strftime("%Y-%m-%d %H:%M UTC"))
    return timing, completed.stdout


def _read_record() -> dict:
    try:
        return json.loads(BUILD_RECORD.read_text())
    except (OSError, ValueError):
        return {}


def ensure_kumar() -> tuple[datasets.Dataset, dict[str, CommandTiming]]:
    """The kumar dataset (generated now) with a cached base model; the build timings to report."""
    OUT_DIR.mkdir(parents=True, exist_ok=True)
    record = _read_record()
    say(f"Generating the kumar dataset in {KUMAR_ARGUMENT} ...")
    generated, _ = run_indielabel("generate", "--preset", "kumar", "--seed", "0", "--out", KUMAR_ARGUMENT)
    record["generate"] = asdict(generated)
    data = datasets.load(KUMAR_DIR)
    fingerprint = data.fingerprint()
    if not personal_model.cache_path(data).is_file():
        say("Fitting its base model (minutes; cached afterwards) ...")
        fitted, _ = run_indielabel("fit", KUMAR_ARGUMENT)
        record["fit"] = {**asdict(fitted), "fingerprint": fingerprint}
    BUILD_RECORD.write_text(json.dumps(record, indent=2) + "\n")
    timings = {"generate": CommandTiming.from_json(record["generate"])}
    if record.get("fit", {}).get("fingerprint") == fingerprint:
        fit = dict(record["fit"])
        fit.pop("fingerprint")
        timings["fit"] = CommandTiming.from_json(fit)
    return data, timings
