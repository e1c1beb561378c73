"""Section 5: `evaluate` on the synthetic `default` data and the two real datasets, for every sampler,
with and without the raters' own attributes, written into bench/RESULTS.md with the date.

`python -m bench.personal_evaluation --folds 20` generates `default` and imports the real datasets of
`../shared/datasets` (see its README) into a temporary directory, then runs
`indielabel.model.evaluation.evaluate` with every protocol on the same folds (one base fit per fold
shared by all protocols). Its section of RESULTS.md is replaced in place; the rest is kept.
"""

from __future__ import annotations

import argparse
import gzip
import shutil
import tempfile
import time
from pathlib import Path

import numpy as np

from bench.report import RESULTS_PATH, ROOT, machine_lines, say, spread_text
from indielabel.data import dataset as datasets
from indielabel.data import importing
from indielabel.model import evaluation, label_selection
from indielabel.model import personal as personal_model
from indielabel.model.evaluation_metrics import METHOD_NAMES, METHODS, METRIC_NAMES
from indielabel.synth import generator

SHARED = ROOT.parent.parent / "shared" / "datasets"
HEADING = "## 5. Personal model evaluation (`evaluate`)"
REAL = {
    "stanford_politeness": dict(scale=(1, 25), rater_attributes=["community"]),
    "md_agreement": dict(scale=(0, 1), rater_attributes=[]),
}
SAMPLERS = evaluation.SAMPLERS


def load_dataset(name: str, directory: Path, shared: Path) -> datasets.Dataset:
    """`default` generated, or a real dataset unpacked from ``shared`` and imported (either kept in
    ``directory`` and reused from there when present)."""
    target = directory / name
    if (target / "dataset.json").is_file():
        return datasets.load(target)
    if name == "default":
        return generator.generate_dataset("default", 0, target, quiet=True)
    unpacked = directory / f"{name}.csv"
    with gzip.open(shared / f"{name}.csv.gz", "rb") as source, open(unpacked, "wb") as sink:
        shutil.copyfileobj(source, sink)
    settings = REAL[name]
    data = importing.import_csv(unpacked, item_id="item_id", text="text", rater_id="rater_id", rating="rating",
                                scale=settings["scale"], rater_attributes=settings["rater_attributes"], name=name)
    importing.save_atomically(data, target)
    return datasets.load(target)


def protocols_for(data: datasets.Dataset, labels: int) -> list[evaluation.Protocol]:
    with_attributes = (False, True) if data.attribute_columns else (False,)
    protocols = [evaluation.Protocol(labels=labels, sampler=sampler, attributes=attributes)
                 for sampler in SAMPLERS for attributes in with_attributes]
    if data.meta.get("source") == "synthetic":
        protocols += [evaluation.Protocol(labels=labels, sampler="adaptive", attributes=attributes, pool_only=True)
                      for attributes in with_attributes]
    return protocols


def protocol_name(summary: dict, pool_only: bool) -> str:
    return (f"{summary['sampler']}{' + attributes' if summary['attributes'] else ''}"
            f"{' (own pool only)' if pool_only else ''}")


def figure(metric: dict, method: str) -> str:
    low, high = metric["interval"][method]
    return f"{metric['value'][method]:.3f} [{low:.3f}, {high:.3f}]"


def dataset_section(name: str, data: datasets.Dataset, results, protocols, folds: int, seconds: float) -> str:
    first = results[0].summary
    lines = [f"### {name}", "",
             f"{len(data.items):,} items, {data.ratings['rater_id'].nunique():,} raters, {len(data.ratings):,} ratings; "
             f"{first['n_raters']} held-out raters in {first['folds']} fold(s) (asked for {folds or 'one split'}), "
             f"{first['labels']} labels each; {seconds / 60:.1f} min.", ""]
    for metric in ("mae", "rmse", "decision_error"):
        lines += [f"{METRIC_NAMES[metric]} (95% bootstrap interval over raters; last column: personal − best "
                  "baseline, paired):", "",
                  "| labels picked by | answers | " + " | ".join(METHOD_NAMES[m] for m in METHODS) + " | personal − best |",
                  "|---|---|" + "---|" * (len(METHODS) + 1)]
        for result, protocol in zip(results, protocols):
            summary, table = result.summary, result.summary["metrics"][metric]
            low, high = table["difference_interval"]
            answers = "generator" if "generator" in summary["answers"] else "own ratings"
            lines.append(f"| {protocol_name(summary, protocol.pool_only)} | {answers} | "
                         + " | ".join(figure(table, m) for m in METHODS)
                         + f" | {table['difference']:+.3f} [{low:+.3f}, {high:+.3f}] vs {METHOD_NAMES[table['best_baseline']]} |")
        lines.append("")
    planted = [(result, protocol) for result, protocol in zip(results, protocols) if result.summary["planted"]]
    if planted:
        names = [row["phenomenon"] for row in planted[0][0].summary["planted"]]
        lines += ["Recovery of the planted group shifts (predicted shift / true shift; members: held-out raters "
                  "in the group):", "",
                  "| labels picked by | answers | " + " | ".join(names) + " | mean | lowest |",
                  "|---|---|" + "---|" * (len(names) + 2)]
        for result, protocol in planted:
            rows = result.summary["planted"]
            recovery = [row["recovery"] for row in rows]
            answers = "generator" if "generator" in result.summary["answers"] else "own ratings"
            lines.append(f"| {protocol_name(result.summary, protocol.pool_only)} | {answers} | "
                         + " | ".join(f"{value:.2f}" for value in recovery)
                         + f" | **{np.mean(recovery):.2f}** | {min(recovery):.2f} |")
        lines += ["", "Share of group members (others) for whom the app marks the planted error type on most of the "
                  "phenomenon's comments:", "",
                  "| labels picked by | answers | " + " | ".join(names) + " |", "|---|---|" + "---|" * len(names)]
        for result, protocol in planted:
            answers = "generator" if "generator" in result.summary["answers"] else "own ratings"
            lines.append(f"| {protocol_name(result.summary, protocol.pool_only)} | {answers} | "
                         + " | ".join(f"{row['members_marked']:.0%} ({row['others_marked']:.0%})"
                                      for row in result.summary["planted"]) + " |")
        lines.append("")
    return "\n".join(lines)


def speed_lines(repeats: int = 30) -> list[str]:
    """Time per user of the app's steps on a base model of the `kumar` size (107,620 comments, 41
    factors; random numbers of the same shapes: the cost depends only on the shapes)."""
    rng = np.random.default_rng(0)
    n_items, n_factors = generator.PRESETS["kumar"][0], 41
    penalty = np.diag(rng.uniform(1.0, 50.0, n_factors + 1))
    base = personal_model.BaseModel(
        item_ids=np.arange(n_items), item_offset=rng.uniform(0, 4, n_items).astype(np.float32),
        item_factors=(rng.normal(size=(n_items, n_factors)) * 0.3).astype(np.float32),
        system_rating=rng.uniform(0, 4, n_items).astype(np.float32), prior_mean=np.zeros(n_factors),
        prior_penalty=penalty, noise_variance=0.4, fingerprint="speed", rating_levels=np.arange(5, dtype=np.float32))
    moment = label_selection.design_moment(base.item_factors)
    labels = dict(zip(rng.choice(n_items, 20, replace=False).tolist(), rng.integers(0, 5, 20).astype(float).tolist()))
    timings = {"first page (20 comments)": [], "next batch of 5 (20 shown)": [], "train + predict all + metrics": []}
    for _ in range(repeats):
        for name, run in (
            ("first page (20 comments)", lambda: label_selection.informative_rows(
                base.item_factors, penalty, moment, base.system_rating, np.arange(n_items), 20, rng)),
            ("next batch of 5 (20 shown)", lambda: label_selection.informative_rows(
                base.item_factors, penalty, moment, base.system_rating, np.arange(n_items), 5, rng,
                asked_rows=np.array(list(labels)))),
            ("train + predict all + metrics", lambda: personal_model.train_personal(base, labels)),
        ):
            started = time.perf_counter()
            run()
            timings[name].append((time.perf_counter() - started) * 1000)
    return ["Speed at the `kumar` size (107,620 comments, 41 factors), median (min–max) of "
            f"{repeats} runs, on this shared machine:", "", "| step | time |", "|---|---|",
            *[f"| {name} | {spread_text(values, '{:.1f}', ' ms')} |" for name, values in timings.items()], ""]


def write_section(text: str) -> None:
    """Replace this benchmark's section of RESULTS.md (or append it), keeping every other section."""
    existing = RESULTS_PATH.read_text() if RESULTS_PATH.exists() else "# Benchmark results\n"
    start = existing.find(HEADING)
    if start < 0:
        updated = existing.rstrip("\n") + "\n\n" + text + "\n"
    else:
        following = existing.find("\n## ", start + len(HEADING))
        updated = existing[:start] + text + ("\n" + existing[following:] if following >= 0 else "\n")
    RESULTS_PATH.write_text(updated)
    say(f"Wrote {RESULTS_PATH.relative_to(ROOT)}")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.personal_evaluation", description=__doc__.splitlines()[0])
    parser.add_argument("--folds", type=int, default=20)
    parser.add_argument("--labels", type=int, default=20)
    parser.add_argument("--synthetic-raters", type=int, default=None,
                        help="on the synthetic dataset, one split of this many held-out raters instead of folds")
    parser.add_argument("--datasets", nargs="+", default=["default", *REAL], choices=["default", *REAL])
    parser.add_argument("--shared", type=Path, default=SHARED, help="folder of the real datasets")
    parser.add_argument("--work", type=Path, default=None,
                        help="keep the generated and imported datasets here and reuse them (default: a temporary folder)")
    args = parser.parse_args(argv)
    parts = []
    with tempfile.TemporaryDirectory(prefix="indielabel-evaluate-") as temporary:
        directory = args.work or Path(temporary)
        directory.mkdir(parents=True, exist_ok=True)
        for name in args.datasets:
            say(f"== {name} ==")
            data = load_dataset(name, directory, args.shared)
            protocols = protocols_for(data, args.labels)
            started = time.perf_counter()
            folds = None if args.synthetic_raters and name == "default" else args.folds
            results = evaluation.evaluate(data, protocols, folds=folds, holdout_raters=args.synthetic_raters or 1,
                                          seed=0, quiet=False)
            parts.append(dataset_section(name, data, results, protocols, folds, time.perf_counter() - started))
            say(parts[-1])
    text = "\n".join([HEADING, "", "Written by `python -m bench.personal_evaluation` "
                      f"(--folds {args.folds} --labels {args.labels}).", "", *machine_lines(), "", *speed_lines(),
                      *parts])
    write_section(text.rstrip("\n"))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
