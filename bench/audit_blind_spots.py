"""Section 4: does the overview point a new user at the blind spots planted for their group?

The `default` preset is generated into a temporary directory (`python -m indielabel generate
--preset default`). Raters are held out of the base fit; each plays a new user who labels 20 of
their own rated comments, picked by the app's current sampler (`label_selection.sample_to_label`:
2/4/8/4/2 across the system's rating bins). Their overview ranks the topics worst first (largest
share of comments where the system's decision differs from their predicted one); we count how often
the topics where a planted phenomenon lives are among the top 5, for raters in the phenomenon's
group and for the others.

A phenomenon *lives* in a topic when at least 10% of the topic's comments carry it (the generator's
ground truth in items.csv). For five phenomena the group is the side the system fails (their
blind spot); for `profanity_praise` and `counter_speech` the group (raters aged 55 or older) rates
swearing higher, so the system's over-flagging fails the *others* more, and the contrast is
expected the other way.

    python -m bench.audit_blind_spots [--raters 400]
"""

from __future__ import annotations

import argparse
import math
import tempfile
import time
from pathlib import Path

import numpy as np
import pandas as pd

import audit_utils
from bench.kumar_data import run_indielabel
from bench.report import OUT_DIR, markdown_table, say
from indielabel.data import dataset as datasets
from indielabel.audit import ranking_charts
from indielabel.audit.overview import summary_text
from indielabel.data.topic_names import topic_labels
from indielabel.model import evaluation, neighbours
from indielabel.model import personal as personal_model
from indielabel.synth.raters import is_member

HELD_OUT_RATERS = 400
LABELS = 20
TOP = 5
LIVES_SHARE = 0.10
SEED = 0
Z95 = 1.959964


def phenomenon_topics(items: pd.DataFrame, share: float = LIVES_SHARE) -> dict[str, set[str]]:
    """Per planted phenomenon, the topics (outliers left out) in which at least ``share`` of comments carry it."""
    topical = items[items["topic_id"] >= 0]
    shares = pd.crosstab(topical["topic"], topical["phenomenon"], normalize="index")
    return {name: set(shares.index[shares[name] >= share]) for name in shares.columns if name != "none"}


def top_topics(frame: pd.DataFrame, predictions: np.ndarray, top: int = TOP) -> list[str]:
    overview = audit_utils.topic_overview(audit_utils.with_predictions(frame, predictions))
    return overview["key"].head(top).tolist()


def wilson(hits: int, n: int) -> tuple[float, float]:
    """95% Wilson score interval of a proportion."""
    if n == 0:
        return math.nan, math.nan
    p = hits / n
    centre = (p + Z95**2 / (2 * n)) / (1 + Z95**2 / n)
    half = Z95 * math.sqrt(p * (1 - p) / n + Z95**2 / (4 * n**2)) / (1 + Z95**2 / n)
    return centre - half, centre + half


def chance(n_topics: int, n_living: int, top: int = TOP) -> float:
    """The chance that ``top`` topics drawn at random include at least one of ``n_living``."""
    return 1 - math.comb(n_topics - n_living, top) / math.comb(n_topics, top)


def held_out_base_model(data: datasets.Dataset, held_out: np.ndarray, seed: int):
    """The base model fitted without the held-out raters (cached in bench/out; None seconds when loaded)."""
    path = OUT_DIR / f"default_without_{len(held_out)}_raters_seed{seed}_{data.fingerprint()[:16]}.npz"
    if path.is_file():
        return personal_model.BaseModel.load(path), None
    started = time.perf_counter()
    base = personal_model.fit(evaluation.without_raters(data, held_out), quiet=True)
    seconds = time.perf_counter() - started
    base.save(path)
    return base, seconds


def rater_tops(data: datasets.Dataset, base, held_out: np.ndarray, rng: np.random.Generator) -> dict[str, list[str]]:
    """Each held-out rater's top topics after folding in ``LABELS`` of their ratings."""
    frame = audit_utils.base_frame(data.items)
    rating_sys, comments = data.items["rating_sys"].to_numpy(), data.items["comment"].to_numpy()
    tops = {}
    ratings = data.ratings[data.ratings["rater_id"].isin(held_out)]
    for rater_id, rated in ratings.groupby("rater_id", sort=True):
        rated = rated.assign(rating_sys=rating_sys[rated["item_index"]],
                             comment=comments[rated["item_index"]]).reset_index(drop=True)
        given = evaluation.pick_labels(rated, LABELS, stratified=True, rng=rng)
        labels = dict(zip(rated["item_id"].iloc[given].tolist(), rated["rating"].iloc[given].tolist()))
        tops[rater_id] = top_topics(frame, personal_model.predict_all(base, personal_model.fold_in(base, labels)))
    return tops


def measure(data: datasets.Dataset, n_raters: int = HELD_OUT_RATERS, seed: int = SEED) -> tuple[pd.DataFrame, dict]:
    rng = np.random.default_rng(seed)
    held_out = evaluation.held_out_raters(data, LABELS, n_raters, rng)
    base, fit_seconds = held_out_base_model(data, held_out, seed)
    started = time.perf_counter()
    tops = rater_tops(data, base, held_out, rng)
    per_rater_ms = 1000 * (time.perf_counter() - started) / len(tops)
    raters = data.raters.set_index("rater_id").loc[list(tops)].reset_index()
    living = phenomenon_topics(data.items)
    n_topics = int(data.items.loc[data.items["topic_id"] >= 0, "topic_id"].nunique())
    rows = []
    for planted in data.meta["planted"]:
        name, group = planted["phenomenon"], planted["group"]
        member = is_member(raters, group["attribute"], group["values"])
        hits = np.array([bool(living[name] & set(top)) for top in tops.values()])
        counts = np.array([len(living[name] & set(top)) for top in tops.values()])
        group_fails = (planted["direction"] == "over-sensitive") == (planted["group_shift"] < 0)
        row = {"phenomenon": name, "group": f"{group['attribute']}: {'/'.join(group['values'][:2])}"
               + ("/…" if len(group["values"]) > 2 else ""), "system fails": "group" if group_fails else "others",
               "topics": len(living[name]), "chance": chance(n_topics, len(living[name]))}
        for side, mask in (("group", member), ("others", ~member)):
            row[f"n_{side}"] = int(mask.sum())
            row[f"hits_{side}"] = int(hits[mask].sum())
            row[f"mean_{side}"] = float(counts[mask].mean()) if mask.any() else math.nan
        rows.append(row)
    context = {"n_raters": len(tops), "n_topics": n_topics, "fit_seconds": fit_seconds, "per_rater_ms": per_rater_ms,
               "n_items": len(data.items), "n_ratings": len(data.ratings)}
    return pd.DataFrame(rows), context


def _fit_text(seconds: float | None) -> str:
    return "refitted without them, loaded from its cache in bench/out" if seconds is None else \
        f"refitted without them in {seconds:.0f} s"


def _rate(hits: int, n: int) -> str:
    low, high = wilson(hits, n)
    return f"{hits / n:.0%} ({low:.0%}–{high:.0%}), n={n}" if n else "—"


def section(table: pd.DataFrame, context: dict) -> str:
    rows = []
    for row in table.to_dict(orient="records"):
        rows.append([f"`{row['phenomenon']}`", row["group"], row["system fails"], row["topics"],
                     _rate(row["hits_group"], row["n_group"]), _rate(row["hits_others"], row["n_others"]),
                     f"{row['mean_group']:.2f} / {row['mean_others']:.2f}", f"{row['chance']:.0%}"])
    affected = table[table["system fails"] == "group"]
    pooled_group = affected["hits_group"].sum() / affected["n_group"].sum()
    pooled_others = affected["hits_others"].sum() / affected["n_others"].sum()
    g_low, g_high = wilson(int(affected["hits_group"].sum()), int(affected["n_group"].sum()))
    o_low, o_high = wilson(int(affected["hits_others"].sum()), int(affected["n_others"].sum()))
    return "\n".join([
        "## 4. The overview points at your group's blind spots",
        "",
        f"Dataset: `default` preset, seed 0 (generated into a temporary directory): {context['n_items']:,} comments, "
        f"{context['n_topics']} topics, {context['n_ratings']:,} ratings. {context['n_raters']} raters are held out of "
        f"the base fit ({_fit_text(context['fit_seconds'])}). Each labels {LABELS} of their own "
        "rated comments, picked by the app's current sampler (2/4/8/4/2 across the system's rating bins; the "
        "informative labeling of the validity issue had not landed); their overview ranks topics by the share of "
        "comments where the system's decision differs from their predicted one, worst first "
        f"({context['per_rater_ms']:.0f} ms per rater for fold-in, predictions and overview). "
        f"A phenomenon lives in a topic when ≥ {LIVES_SHARE:.0%} of the topic's comments carry it.",
        "",
        f"Share of raters whose top {TOP} topics include a topic where the phenomenon lives (95% Wilson interval):",
        "",
        markdown_table(["phenomenon", "group", "system fails", "topics", f"group: hit in top {TOP}",
                        f"others: hit in top {TOP}", f"mean such topics in top {TOP} (group / others)",
                        "chance (5 random topics)"], rows),
        "",
        f"Pooled over the {len(affected)} phenomena whose group the system fails: **{pooled_group:.0%} "
        f"({g_low:.0%}–{g_high:.0%}) of group members vs {pooled_others:.0%} ({o_low:.0%}–{o_high:.0%}) of other "
        f"raters** see a topic of their blind spot in their top {TOP}.",
        "For `profanity_praise` and `counter_speech` the system's over-flagging of swearing fails the younger "
        "raters (the 'others'), so there the others should see it more often.",
    ])


def _median_ms(action, runs: int) -> float:
    times = []
    for _ in range(runs):
        started = time.perf_counter()
        action()
        times.append(time.perf_counter() - started)
    return 1000 * float(np.median(times))


def speed_section(data: datasets.Dataset, runs: int = 5, queries: int = 50) -> str:
    """The audit's new calls at the size of ``data`` (the Kumar preset in `python -m bench`): overview with
    its chart, category breakdown, you vs the crowd, and similar comments (index build or load, and a query)."""
    base = audit_utils.base_frame(data.items)
    labels = topic_labels(sorted(set(base.loc[base["topic_id"] >= 0, "topic"])))
    rng = np.random.default_rng(SEED)
    frame = audit_utils.with_predictions(base, rng.uniform(0, 4, len(base)))
    crowd = audit_utils.topic_overview(audit_utils.crowd_frame(base, data.items), labels)

    def overview_with_chart():
        table = audit_utils.topic_overview(frame, labels)
        table["summary"] = [summary_text(record) for record in table.to_dict(orient="records")]
        ranking_charts.ranking_chart(table, "fp_fn", True, audit_utils.AGREE_MAX_SHARE)

    started = time.perf_counter()
    index = neighbours.load_or_build(data)
    index_seconds = time.perf_counter() - started
    positions = rng.integers(0, len(base), queries)
    query_ms = [_median_ms(lambda p=int(p): index.nearest(p, 20), 1) for p in positions]
    rows = [
        ["overview of all topics with its chart (fp_fn)", f"{_median_ms(overview_with_chart, runs):.0f} ms"],
        ["breakdown by toxicity category", f"{_median_ms(lambda: audit_utils.category_overview(frame, data.items), runs):.0f} ms"],
        ["you vs the crowd (crowd overview cached)",
         f"{_median_ms(lambda: audit_utils.view_comparison(audit_utils.topic_overview(frame, labels), crowd), runs):.0f} ms"],
        ["similar comments: index build (or load from the dataset's cache)", f"{index_seconds:.1f} s"],
        [f"similar comments: one query, 20 neighbours (median / max of {queries})",
         f"{np.median(query_ms):.1f} / {max(query_ms):.1f} ms"],
    ]
    return "\n".join([f"Speed of these calls on {len(base):,} comments (median of {runs} runs, in process):", "",
                      markdown_table(["call", "time"], rows)])


def default_dataset(directory: Path) -> datasets.Dataset:
    run_indielabel("generate", "--preset", "default", "--seed", str(SEED), "--out", str(directory))
    return datasets.load(directory)


def blind_spot_section(n_raters: int = HELD_OUT_RATERS) -> str:
    with tempfile.TemporaryDirectory(prefix="indielabel-default-") as directory:
        data = default_dataset(Path(directory) / "default")
        table, context = measure(data, n_raters)
    return section(table, context)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.audit_blind_spots", description=__doc__.splitlines()[0])
    parser.add_argument("--raters", type=int, default=HELD_OUT_RATERS, help="held-out raters")
    args = parser.parse_args(argv)
    say(blind_spot_section(args.raters))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
