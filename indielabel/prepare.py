"""What `make run` does before serving: make sure the dataset and its base model exist."""

from __future__ import annotations

import sys
import time

from indielabel.config import Settings, keep_written_files_private, load_settings
from indielabel.data import dataset as datasets
from indielabel.progress import step


def ensure_ready(settings: Settings):
    """Generate the configured preset if the dataset is missing, then load or fit its base model.

    Returns the audit service over them, so the app serves what was just loaded.
    """
    from indielabel.model import personal as personal_model
    from indielabel.synth import generator as synth

    directory = settings.dataset_dir
    if not (directory / "dataset.json").is_file():
        print(f"No dataset at {directory}: generating the synthetic '{settings.preset}' preset.", file=sys.stderr)
        synth.generate_dataset(settings.preset, settings.seed, directory)
    with step(f"Loading dataset {directory}"):
        data = datasets.load(directory)
    from indielabel.audit.service import AuditService

    service = AuditService.serving(settings, data, personal_model.load_or_fit(data))
    # Built once per dataset (then read from its cache), so the first "Find similar" does not wait for it.
    with step("Loading the content index for similar comments"):
        service.content_index()
    return service


def run_prepare(args) -> int:
    ensure_ready(load_settings())
    return 0


def run_serve(args) -> int:
    from indielabel.web.production import AppPerProcess, serve_in_this_process

    settings = load_settings({"host": args.host, "port": args.port, "dataset": args.dataset})
    keep_written_files_private()
    app = AppPerProcess(settings, ensure_ready(settings))
    print(f"Serving IndieLabel at http://{settings.host}:{settings.port}", file=sys.stderr, flush=True)
    serve_in_this_process(app, settings.host, settings.port)
    return 0


def run_bench_load(args) -> int:
    from indielabel.model import personal as personal_model

    started = time.perf_counter()
    data = datasets.load(args.dataset)
    loaded_data = time.perf_counter()
    personal_model.load_or_fit(data)
    loaded_model = time.perf_counter()
    print(f"dataset: {data.meta['n_items']} items, {data.meta['n_raters']} raters, "
          f"{data.meta['n_ratings']} ratings")
    print(f"load dataset:    {loaded_data - started:6.2f} s")
    print(f"load base model: {loaded_model - loaded_data:6.2f} s")
    print(f"total:           {loaded_model - started:6.2f} s")
    return 0
