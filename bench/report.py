"""The shared pieces of every benchmark: where things live, the machine, and figures as Markdown."""

from __future__ import annotations

import os
import platform
import sys
from datetime import datetime, timezone
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
OUT_DIR = ROOT / "bench" / "out"
RESULTS_PATH = ROOT / "bench" / "RESULTS.md"


def cpu_model() -> str:
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or "unknown"


def memory_total() -> str:
    try:
        for line in Path("/proc/meminfo").read_text().splitlines():
            if line.startswith("MemTotal:"):
                return f"{int(line.split()[1]) / 2**20:.1f} GiB"
    except OSError:
        pass
    return "unknown"


def machine_lines() -> list[str]:
    """What the figures were measured on; the load average says how busy the machine was."""
    load = ", ".join(f"{value:.2f}" for value in os.getloadavg())
    return [
        f"- Date: {datetime.now(timezone.utc).strftime('%Y-%m-%d %H:%M UTC')}",
        f"- CPU: {cpu_model()}, {os.cpu_count()} cores; memory {memory_total()}",
        f"- Load average when these results were written (1, 5, 15 min): {load}",
        f"- Python {platform.python_version()}, numpy {np.__version__}",
    ]


def spread(values) -> dict[str, float]:
    """Median, min and max of a list of numbers."""
    array = np.asarray(list(values), dtype=np.float64)
    return {"median": float(np.median(array)), "min": float(array.min()), "max": float(array.max())}


def spread_text(values, fmt: str = "{:.3f}", unit: str = "") -> str:
    """``median (min–max)`` with one format for all three."""
    figures = spread(values)
    return (f"{fmt.format(figures['median'])}{unit} "
            f"({fmt.format(figures['min'])}–{fmt.format(figures['max'])}{unit})")


def markdown_table(headers: list[str], rows: list[list]) -> str:
    lines = ["| " + " | ".join(headers) + " |", "|" + "|".join("---" for _ in headers) + "|"]
    lines += ["| " + " | ".join(str(cell) for cell in row) + " |" for row in rows]
    return "\n".join(lines)


def verdict(met: bool) -> str:
    return "met" if met else "NOT met"


def say(text: str = "") -> None:
    print(text, file=sys.stdout, flush=True)
