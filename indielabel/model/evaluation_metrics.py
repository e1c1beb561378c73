"""The figures of `evaluate`: MAE, RMSE and decision error per method with bootstrap intervals over
raters, and, on a dataset with planted phenomena, how much of each planted group shift the personal
model recovers."""

from __future__ import annotations

import numpy as np
import pandas as pd

from indielabel.data.dataset import TOXIC_THRESHOLD

METHODS = ("personal", "model_item_user_offset", "item_mean_user_offset", "item_mean", "global_mean")
METHOD_NAMES = {
    "personal": "personal model",
    "model_item_user_offset": "model's item + your offset",
    "item_mean_user_offset": "item mean + your offset",
    "item_mean": "item mean",
    "global_mean": "global mean",
}
METRICS = ("mae", "rmse", "decision_error")
METRIC_NAMES = {"mae": "MAE", "rmse": "RMSE", "decision_error": "decision error"}
BOOTSTRAP_SAMPLES = 2000


def per_rater_sums(predictions: pd.DataFrame) -> tuple[np.ndarray, dict[str, np.ndarray]]:
    """Ratings per rater, and per metric an (n_raters, n_methods) array of summed errors."""
    grouped = predictions.groupby("rater_id", sort=True)
    truth = predictions["rating"].to_numpy()
    errors = {}
    for metric in METRICS:
        columns = {}
        for method in METHODS:
            predicted = predictions[method].to_numpy()
            if metric == "mae":
                columns[method] = np.abs(predicted - truth)
            elif metric == "rmse":
                columns[method] = (predicted - truth) ** 2
            else:
                columns[method] = ((predicted > TOXIC_THRESHOLD) != (truth > TOXIC_THRESHOLD)).astype(float)
        frame = pd.DataFrame(columns).assign(rater_id=predictions["rater_id"].to_numpy())
        errors[metric] = frame.groupby("rater_id", sort=True)[list(METHODS)].sum().to_numpy()
    return grouped.size().to_numpy(), errors


def pooled(metric: str, error_sums: np.ndarray, counts: np.ndarray) -> np.ndarray:
    """Pooled metric per method (last axis) from error sums and counts summed over raters."""
    mean = error_sums / counts[..., None]
    return np.sqrt(mean) if metric == "rmse" else mean


def metric_table(predictions: pd.DataFrame, rng: np.random.Generator) -> dict:
    """Per metric: each method's value and 95% interval, the best baseline, and the personal model's
    paired difference from it with its interval (percentile bootstrap, resampling raters)."""
    counts, errors = per_rater_sums(predictions)
    weights = rng.multinomial(len(counts), np.full(len(counts), 1 / len(counts)), size=BOOTSTRAP_SAMPLES)
    table = {}
    for metric in METRICS:
        value = pooled(metric, errors[metric].sum(axis=0), np.array(counts.sum()))
        draws = pooled(metric, weights @ errors[metric], weights @ counts)
        best = 1 + int(np.argmin(value[1:]))
        gaps = draws[:, 0] - draws[:, best]
        table[metric] = {
            "value": dict(zip(METHODS, value.tolist())),
            "interval": {method: _interval(draws[:, column]) for column, method in enumerate(METHODS)},
            "best_baseline": METHODS[best],
            "difference": float(value[0] - value[best]),
            "difference_interval": _interval(gaps),
        }
    return table


def _interval(draws: np.ndarray) -> tuple[float, float]:
    low, high = np.percentile(draws, [2.5, 97.5])
    return float(low), float(high)


def planted_rows(per_rater: pd.DataFrame, planted: list[dict], rng: np.random.Generator) -> list[dict]:
    """Per planted phenomenon: members, true shift, predicted shift, recovery and marked share.

    ``per_rater`` has one row per held-out rater: ``member:<name>`` (in the phenomenon's group),
    ``mean:<name>`` (their mean predicted rating on its comments) and ``marked:<name>`` (whether the
    app marks the planted error type on most of those comments for them). Recovery's interval
    resamples members and non-members.
    """
    rows = []
    for phenomenon in planted:
        name, true_shift = phenomenon["phenomenon"], float(phenomenon["group_shift"])
        member = per_rater[f"member:{name}"].to_numpy(bool)
        means, marked = per_rater[f"mean:{name}"].to_numpy(), per_rater[f"marked:{name}"].to_numpy(bool)
        if member.all() or not member.any():
            continue
        shift = means[member].mean() - means[~member].mean()
        draws = np.array([rng.choice(means[member], member.sum()).mean() - rng.choice(means[~member], (~member).sum()).mean()
                          for _ in range(BOOTSTRAP_SAMPLES // 4)])
        rows.append({"phenomenon": name, "direction": phenomenon["direction"], "members": int(member.sum()),
                     "true_shift": true_shift, "predicted_shift": float(shift), "recovery": float(shift / true_shift),
                     "recovery_interval": _interval(draws / true_shift),
                     "members_marked": float(marked[member].mean()), "others_marked": float(marked[~member].mean())})
    return rows


def phenomenon_view(predicted: np.ndarray, system_rating: np.ndarray, rows: np.ndarray, direction: str):
    """A rater's mean predicted rating on a phenomenon's comments, and whether the app marks the
    planted error type (system over- or under-sensitive for them) on most of them."""
    user_toxic = predicted[rows] > TOXIC_THRESHOLD
    system_toxic = system_rating[rows] > TOXIC_THRESHOLD
    error = (system_toxic & ~user_toxic) if direction == "over-sensitive" else (~system_toxic & user_toxic)
    return float(predicted[rows].mean()), bool(error.mean() > 0.5)


def format_report(result: dict) -> str:
    lines = [f"held-out raters: {result['n_raters']} in {result['folds']} fold(s), predicted ratings: "
             f"{result['n_ratings']}, {result['labels']} labels each, sampler: {result['sampler']}, "
             f"attributes: {'yes' if result['attributes'] else 'no'}",
             f"answers: {result['answers']}"]
    for metric, figures in result["metrics"].items():
        lines.append(f"{METRIC_NAMES[metric]} (95% bootstrap interval over raters):")
        for method in METHODS:
            low, high = figures["interval"][method]
            lines.append(f"  {METHOD_NAMES[method]:<26}{figures['value'][method]:.4f}  [{low:.4f}, {high:.4f}]")
        low, high = figures["difference_interval"]
        lines.append(f"  personal - {METHOD_NAMES[figures['best_baseline']]}: {figures['difference']:+.4f} "
                     f"[{low:+.4f}, {high:+.4f}]")
    if result["planted"]:
        lines.append("planted phenomena (recovery = predicted shift / true shift; marked = share of raters for "
                     "whom the app marks the planted error on most of its comments):")
        lines.append(f"  {'phenomenon':<18}{'members':>8}{'true':>7}{'pred':>7}{'recovery':>9}  {'95% interval':<16}"
                     f"{'marked':>7}{'others':>7}")
        for row in result["planted"]:
            low, high = row["recovery_interval"]
            lines.append(f"  {row['phenomenon']:<18}{row['members']:>8}{row['true_shift']:>7.2f}"
                         f"{row['predicted_shift']:>7.2f}{row['recovery']:>9.2f}  [{low:.2f}, {high:.2f}]    "
                         f"{row['members_marked']:>7.0%}{row['others_marked']:>7.0%}")
        lines.append(f"  mean recovery {np.mean([row['recovery'] for row in result['planted']]):.2f}")
    return "\n".join(lines)
