"""What one audit request costs in process, at the size of a prepared dataset (the kumar preset by default).

Not part of `make bench`: `python -m bench.audit_request_cost [--dataset DIR] [--runs 15]`. One user
trains a personal model on 20 comments, then each call behind an audit route runs ``--runs`` times
(overview, category breakdown, you vs the crowd, a topic's comments, a keyword's comments, similar
comments); it prints the median and interquartile range of each, and this process's resident and
proportional set size (RSS, PSS from /proc/self/smaps_rollup).

With ``--analysis-only`` no base model is needed (for a dataset too large to fit here): the analysis
behind the overview and the comment tables runs on random predictions, one float32 array.
"""

from __future__ import annotations

import argparse
import tempfile
import time
from pathlib import Path

import numpy as np

import audit_utils
from bench.gunicorn_server import rollup_mb
from bench.kumar_data import KUMAR_DIR
from bench.report import markdown_table, say
from indielabel.audit import overview as audit_overview
from indielabel.audit.service import AuditService
from indielabel.config import load_settings
from indielabel.data import dataset as datasets
from indielabel.model import personal as personal_model

USER, MODEL = "bench_user", "my_model"


def _timed_ms(action, runs: int) -> tuple[float, float, float]:
    times = []
    for _ in range(runs):
        started = time.perf_counter()
        action()
        times.append(1000 * (time.perf_counter() - started))
    return tuple(float(value) for value in np.percentile(times, [50, 25, 75]))


def _calls(service: AuditService) -> dict[str, object]:
    topic = service.tuning_topics()[0]
    keyword = service.cluster_results(USER, MODEL, search_type="cluster", topic=topic, keyword=None,
                                      whole_word=False, error_type="all", limit=1)["cluster_comments"][0]
    word = max(keyword["comment"].split(), key=len).strip(".,!?").lower()
    item_id = int(keyword["item_id"])
    return {
        "overview (fp_fn, with chart)": lambda: audit_overview.overview(service, USER, MODEL),
        "breakdown by toxicity category": lambda: audit_overview.overview(service, USER, MODEL,
                                                                          breakdown="toxicity_category"),
        "you vs the crowd": lambda: audit_overview.comparison(service, USER, MODEL),
        f"a topic's comments ({topic}, 50 shown)": lambda: service.cluster_results(
            USER, MODEL, search_type="cluster", topic=topic, keyword=None, whole_word=False,
            error_type="both", limit=50),
        f"a keyword's comments ({word!r}, 50 shown)": lambda: service.cluster_results(
            USER, MODEL, search_type="keyword", topic=None, keyword=word, whole_word=False,
            error_type="both", limit=50),
        "similar comments (20)": lambda: audit_overview.similar_comments(service, USER, MODEL, item_id),
    }


def run(dataset_dir: Path, runs: int) -> str:
    with tempfile.TemporaryDirectory(prefix="audit-cost-") as output:
        settings = load_settings({"data_dir": dataset_dir.parent, "dataset": dataset_dir.name,
                                  "output_dir": output, "secret_key": "c" * 40}, environ={})
        started = time.perf_counter()
        data = datasets.load(settings.dataset_dir)
        service = AuditService.serving(settings, data, personal_model.load_or_fit(data, quiet=True))
        load_seconds = time.perf_counter() - started
        labels = {row["item_id"]: int(index % 5) for index, row in
                  enumerate(service.comments_to_label(20, seed=0, sampler="stratified"))}
        service.train(USER, MODEL, labels)
        rows = []
        for name, action in _calls(service).items():
            action()  # first call builds what is cached per process
            median, low, high = _timed_ms(action, runs)
            rows.append([name, f"{median:.1f} ms", f"{low:.1f}–{high:.1f} ms"])
        memory = rollup_mb("self")
    return "\n".join([
        f"{len(data.items):,} comments, {len(data.ratings):,} ratings; dataset and base model loaded in "
        f"{load_seconds:.1f} s; median (IQR) of {runs} runs per call, in process:", "",
        markdown_table(["call", "median", "IQR"], rows), "",
        f"This process afterwards: RSS {memory['Rss']:.0f} MB, PSS {memory['Pss']:.0f} MB."])


def analysis_only(dataset_dir: Path, runs: int) -> str:
    """The audit analysis over every comment of a dataset, on random predictions (no base model)."""
    started = time.perf_counter()
    data = datasets.load(dataset_dir)
    load_seconds = time.perf_counter() - started
    started = time.perf_counter()
    base = audit_utils.base_frame(data.items)
    grouping = audit_utils.topic_grouping(base)
    lowercase = base["comment_lowercase"].tolist()
    index_seconds = time.perf_counter() - started
    predicted = np.random.default_rng(0).uniform(0, 4, len(base)).astype(np.float32)
    system = base["system_rating"].to_numpy(np.float64)
    largest = int(np.argmax(np.diff(grouping.starts)))

    def overview():
        audit_utils.grouped_overview(predicted, system, audit_utils.error_type_codes(system, predicted), grouping)

    def shown_rows(positions):
        rows = audit_utils.with_predictions(base.iloc[positions], predicted[positions])
        audit_utils.comment_records(audit_utils.focus_rows(rows, "both").head(50))

    calls = {"overview of every topic (numpy over the prediction array)": overview,
             f"the largest topic's comments ({np.diff(grouping.starts)[largest]:,} rows, 50 shown)":
                 lambda: shown_rows(grouping.members(largest)),
             "a keyword's comments ('season', scan of every comment, 50 shown)":
                 lambda: shown_rows(audit_utils.keyword_positions(lowercase, "season"))}
    rows = []
    for name, action in calls.items():
        median, low, high = _timed_ms(action, runs)
        rows.append([name, f"{median:.1f} ms", f"{low:.1f}–{high:.1f} ms"])
    memory = rollup_mb("self")
    return "\n".join([
        f"{len(data.items):,} comments, {len(data.ratings):,} ratings; dataset loaded in {load_seconds:.1f} s, "
        f"audit frame and indexes built in {index_seconds:.1f} s; random predictions, no base model; median (IQR) "
        f"of {runs} runs, in process:", "", markdown_table(["call", "median", "IQR"], rows), "",
        f"This process afterwards: RSS {memory['Rss']:.0f} MB, PSS {memory['Pss']:.0f} MB."])


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--dataset", type=Path, default=KUMAR_DIR, help="a generated dataset directory")
    parser.add_argument("--runs", type=int, default=15)
    parser.add_argument("--analysis-only", action="store_true", help="random predictions, no base model")
    args = parser.parse_args(argv)
    say((analysis_only if args.analysis_only else run)(args.dataset.resolve(), args.runs))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
