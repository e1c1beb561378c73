"""Section 1: our personal model against the original method, on the same simulated users, same run.

Raters are held out of the base fit (its cached refit lives in bench/out). Each plays a new user:
20 of their ratings, picked like the labelling page does (2/4/8/4/2 across the system's rating
bins), are the labels; the MAE is over all their other ratings. The original method (surprise SVD
refitted per user) and ours (fold-in, predict all, both metrics) run alternately, user by user.

    python -m bench.personal_vs_original [--users 5]
"""

from __future__ import annotations

import argparse
import time
from dataclasses import dataclass

import numpy as np
import pandas as pd
from threadpoolctl import threadpool_limits

from bench.kumar_data import ensure_kumar
from bench.original_method import OriginalMethod
from bench.report import OUT_DIR, markdown_table, say, spread, spread_text, verdict
from indielabel.data import dataset as datasets
from indielabel.data.dataset import Dataset
from indielabel.model import evaluation
from indielabel.model import personal as personal_model

HELD_OUT_RATERS = 200
LABELS = 20
SEED = 0
SPEED_TARGET = 1000


@dataclass
class UserRun:
    rater_id: str
    labels: dict[int, float]
    n_scored: int
    ours_seconds: float
    ours_mae: float
    offset_mae: float
    original_seconds: float | None = None
    original_fit_seconds: float | None = None
    original_mae: float | None = None


def held_out_base_model(data: Dataset, held_out: np.ndarray) -> tuple[Dataset, personal_model.BaseModel,
                                                                      float | None]:
    """The dataset without the held-out raters and its base model (fitted once, then cached).

    Returns the fit's seconds when it ran now, else None.
    """
    directory = OUT_DIR / f"kumar_{data.fingerprint()}_without_{len(held_out)}_raters_seed{SEED}"
    if not (directory / "dataset.json").is_file():
        datasets.save(evaluation.without_raters(data, held_out), directory)
    training = datasets.load(directory)
    if personal_model.cache_path(training).is_file():
        return training, personal_model.load_or_fit(training, quiet=True), None
    say(f"Refitting the base model without the {len(held_out)} held-out raters (minutes; cached afterwards) ...")
    started = time.perf_counter()
    base = personal_model.load_or_fit(training, quiet=True)
    return training, base, time.perf_counter() - started


def simulated_users(data: Dataset, held_out: np.ndarray):
    """Each held-out rater's ratings, with the columns the label picker needs, in rater order."""
    items = data.items
    rated_by_held_out = data.ratings[data.ratings["rater_id"].isin(held_out)]
    for rater_id, rated in rated_by_held_out.groupby("rater_id", sort=True):
        yield rater_id, rated.assign(rating_sys=items["rating_sys"].to_numpy()[rated["item_index"]],
                                     comment=items["comment"].to_numpy()[rated["item_index"]])


def run_user(rater_id, rated: pd.DataFrame, given: np.ndarray, base, crowd_means: tuple[np.ndarray, float],
             original: OriginalMethod | None, shuffle_rng: np.random.Generator) -> UserRun:
    """Train both ways for one simulated user (original first) and score both on the other ratings."""
    label_rows = rated.iloc[given]
    labels = dict(zip(label_rows["item_id"].tolist(), label_rows["rating"].astype(float).tolist()))
    others = rated.drop(index=label_rows.index)
    truth = others["rating"].to_numpy(np.float64)
    positions = others["item_index"].to_numpy()

    run = UserRun(rater_id, labels, len(others), 0.0, 0.0, 0.0)
    if original is not None:
        result = original.train_and_predict(rater_id, labels, shuffle_rng)
        run.original_seconds, run.original_fit_seconds = result.total_seconds, result.seconds["fit"]
        run.original_mae = float(np.mean(np.abs(result.predictions[positions] - truth)))

    started = time.perf_counter()
    ours = personal_model.train_personal(base, labels)
    run.ours_seconds = time.perf_counter() - started
    run.ours_mae = float(np.mean(np.abs(ours.predictions[positions] - truth)))
    baselines = evaluation.rater_predictions(base, *crowd_means, rated, given)
    run.offset_mae = float(np.mean(np.abs(baselines["item_mean_user_offset"].to_numpy() - truth)))
    return run


def compare(data: Dataset, n_users: int) -> str:
    """Run the comparison, print it as it goes and return the Markdown section."""
    rng = np.random.default_rng(SEED)
    held_out = evaluation.held_out_raters(data, LABELS, HELD_OUT_RATERS, rng)
    training, base, refit_seconds = held_out_base_model(data, held_out)
    if not np.array_equal(base.item_ids, data.items["item_id"].to_numpy()):
        raise RuntimeError("the held-out base model's items differ from the dataset's")
    crowd = training.ratings.rename(columns={"rater_id": "user_id"})
    original = OriginalMethod(crowd, data.items["item_id"].to_numpy(), seed=SEED)
    shuffle_rng = np.random.default_rng([SEED, 1])
    global_mean = float(training.ratings["rating"].mean())
    crowd_means = (training.items["crowd_mean"].fillna(global_mean).to_numpy(), global_mean)

    runs: list[UserRun] = []
    for index, (rater_id, rated) in enumerate(simulated_users(data, held_out)):
        given = evaluation.pick_labels(rated, LABELS, stratified=True, rng=rng)
        with_original = index < n_users
        run = run_user(rater_id, rated, given, base, crowd_means, original if with_original else None, shuffle_rng)
        runs.append(run)
        if with_original:
            say(f"  user {index + 1}/{n_users} ({rater_id}): original {run.original_seconds:.2f} s, "
                f"MAE {run.original_mae:.3f} | ours {1000 * run.ours_seconds:.2f} ms, MAE {run.ours_mae:.3f} "
                f"| over {run.n_scored} comments")
    compared = runs[:n_users]
    return _section(data, training, compared, runs, refit_seconds, one_thread_seconds(base, compared))


def one_thread_seconds(base, runs: list[UserRun]) -> list[float]:
    """Our time per user again, with the BLAS library held to one thread.

    On a small shared machine a matrix-vector product spread over every core waits on the busiest
    one; this shows how much of our time that costs.
    """
    seconds = []
    with threadpool_limits(limits=1, user_api="blas"):
        for run in runs:
            started = time.perf_counter()
            personal_model.train_personal(base, run.labels)
            seconds.append(time.perf_counter() - started)
    return seconds


def _pooled(runs: list[UserRun], field: str) -> float:
    errors = sum(getattr(run, field) * run.n_scored for run in runs)
    return errors / sum(run.n_scored for run in runs)


def _section(data: Dataset, training: Dataset, compared: list[UserRun], everyone: list[UserRun],
             refit_seconds: float | None, one_thread: list[float]) -> str:
    ratios = [run.original_seconds / run.ours_seconds for run in compared]
    scored = [run.n_scored for run in compared]
    rows = [
        ["time per user (train + predict all + metrics)",
         spread_text([run.original_seconds for run in compared], "{:.2f}", " s"),
         spread_text([1000 * run.ours_seconds for run in compared], "{:.2f}", " ms"), "—"],
        ["  of which the SVD fit", spread_text([run.original_fit_seconds for run in compared], "{:.2f}", " s"),
         "—", "—"],
        ["  ours again, BLAS held to one thread", "—", spread_text([1000 * s for s in one_thread], "{:.2f}", " ms"),
         "—"],
        ["speed-up, original ÷ ours (per user)", "—", spread_text(ratios, "{:,.0f}", "×"), "—"],
        ["MAE per user on their other comments", spread_text([run.original_mae for run in compared]),
         spread_text([run.ours_mae for run in compared]), spread_text([run.offset_mae for run in compared])],
        ["MAE pooled over those comments", f"{_pooled(compared, 'original_mae'):.3f}",
         f"{_pooled(compared, 'ours_mae'):.3f}", f"{_pooled(compared, 'offset_mae'):.3f}"],
    ]
    faster = spread(ratios)["median"] >= SPEED_TARGET
    more_accurate = _pooled(compared, "ours_mae") < _pooled(compared, "original_mae")
    refit = ("fitted now in {:.0f} s".format(refit_seconds) if refit_seconds is not None
             else "loaded from its cache")
    lines = [
        "## 1. Personal model vs the original method",
        "",
        f"Dataset: `kumar` preset, seed {SEED}: {data.meta['n_items']:,} comments, {data.meta['n_raters']:,} raters, "
        f"{data.meta['n_ratings']:,} ratings. {HELD_OUT_RATERS} raters with more than {LABELS} ratings are held "
        f"out of the base fit (base model on the other {training.meta['n_ratings']:,} ratings, {refit}).",
        f"Each simulated user gives {LABELS} labels picked across the system's rating bins (2/4/8/4/2); the MAE is "
        f"against their true ratings on all their other comments: {spread_text(scored, '{:.0f}')} comments "
        f"per user, {sum(scored)} in all.",
        "Original: scikit-surprise `SVD()` (default parameters) refitted on all crowd ratings plus 15 of the 20 "
        "labels (5 go to its validation set), `Reader(rating_scale=(0, 4))`, every comment predicted through "
        "`test()`; time = building the training set + fit + predicting all comments. Ours: "
        "`personal_model.train_personal(base, labels)` (fold-in, predict all comments, both metrics) with the "
        "base model already loaded. The two run alternately, user by user.",
        "",
        f"{len(compared)} simulated users, median (min–max):",
        "",
        markdown_table(["", "original (surprise SVD per user)", "ours (fold-in)", "item mean + your offset"], rows),
        "",
        f"Ours over all {len(everyone)} held-out raters ({sum(r.n_scored for r in everyone):,} comments): pooled MAE "
        f"{_pooled(everyone, 'ours_mae'):.3f} (item mean + your offset {_pooled(everyone, 'offset_mae'):.3f}); "
        f"time per user {spread_text([1000 * r.ours_seconds for r in everyone], '{:.2f}', ' ms')}.",
        "",
        f"- Target ≥ {SPEED_TARGET:,}× faster (median): {verdict(faster)}.",
        f"- Target more accurate (pooled MAE over the same users' comments): {verdict(more_accurate)}.",
    ]
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.personal_vs_original",
                                     description=__doc__.splitlines()[0])
    parser.add_argument("--users", type=int, default=5, help="simulated users that also run the original method")
    args = parser.parse_args(argv)
    if not 1 <= args.users <= HELD_OUT_RATERS:
        parser.error(f"--users must be between 1 and {HELD_OUT_RATERS}")
    data, _ = ensure_kumar()
    section = compare(data, args.users)
    say()
    say(section)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
