"""What the base model costs a server of several workers: its arrays memory-mapped from the cache
file (shared) against each worker reading its own copy with ``np.load``.

Not part of `make bench`: `python -m bench.shared_model_memory [--dataset DIR] [--workers 2]`. Each
worker is a process that loads the dataset's cached base model (not the dataset), predicts every comment for one user
(touching every page of the arrays) and waits; the figures are each one's proportional set size
(PSS, from /proc/<pid>/smaps_rollup) above that of a process that has imported the same modules.
Workers forked by `gunicorn --preload` after the model is loaded share its pages either way; this
is the cost for processes that load it themselves.
"""

from __future__ import annotations

import argparse
import subprocess
import sys
import time
from pathlib import Path

from bench.gunicorn_server import rollup_mb
from bench.kumar_data import KUMAR_DIR
from bench.report import ROOT, markdown_table, say
from indielabel.data import dataset as datasets
from indielabel.model import personal as personal_model

READY = "ready"
# A worker: import, (load the model the given way, predict all once), say READY, wait for stdin to close.
WORKER = """
import sys
import numpy as np
from indielabel.model import personal
way, path = sys.argv[1], sys.argv[2]
if way != "none":
    model = personal.BaseModel.load(path)
    if way == "read":  # as np.load reads them (the mapped pages of these arrays are then never touched)
        with np.load(path) as stored:
            for name in ("item_ids", "item_offset", "item_factors", "system_rating"):
                setattr(model, name, stored[name])
    user = personal.fold_in(model, {int(model.item_ids[0]): 4.0})
    personal.predict_all(model, user)
    del user
print("ready", flush=True)
sys.stdin.read()
"""
WAYS = ("none", "mapped", "read")


def _workers_pss(way: str, model_path: Path, count: int) -> list[float]:
    """Each of ``count`` simultaneous workers' PSS in MB, once all have loaded the model ``way``."""
    processes = [subprocess.Popen([sys.executable, "-c", WORKER, way, str(model_path)], cwd=ROOT,
                                  stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True) for _ in range(count)]
    try:
        for process in processes:
            if process.stdout.readline().strip() != READY:
                raise RuntimeError(f"a {way} worker failed (exit code {process.wait()})")
        time.sleep(0.5)
        return [rollup_mb(process.pid)["Pss"] for process in processes]
    finally:
        for process in processes:
            process.stdin.close()
            process.wait(timeout=30)


def run(dataset_dir: Path, count: int) -> str:
    model_path = personal_model.cache_path(datasets.load(dataset_dir))
    baseline = min(_workers_pss("none", model_path, count))
    rows = []
    for way in WAYS[1:]:
        above = [pss - baseline for pss in _workers_pss(way, model_path, count)]
        rows.append([way, " / ".join(f"{value:.0f}" for value in above), f"{sum(above):.0f}"])
    size = model_path.stat().st_size / 2**20
    return "\n".join([
        f"Base model of {dataset_dir.name} (cache file {size:.0f} MB), {count} workers at once; PSS in MB above a "
        f"worker that only imported the modules ({baseline:.0f} MB):", "",
        markdown_table(["arrays", "each worker", "all workers"], rows)])


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--dataset", type=Path, default=KUMAR_DIR, help="a dataset directory with a fitted base model")
    parser.add_argument("--workers", type=int, default=2)
    args = parser.parse_args(argv)
    say(run(args.dataset.resolve(), args.workers))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
