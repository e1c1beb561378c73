"""One user's flags as the log grows: reading them through the per-user index against scanning the
whole log (what `/get_flags` did before), and the cost of one flag, at 1k, 10k and 100k rows.

Each log is written in one go (as a log copied in from elsewhere would be), so the first read
rebuilds the tally and index; that one-off rebuild is timed too. 50 users share the rows (so a
heavy user holds 2% of them) and one more user has 20 flags at every size: that user's read is
the figure that must stay flat. Run: `python -m bench.flag_log [--rows 1000 10000 100000] [--repeats 30]`.
"""

from __future__ import annotations

import argparse
import statistics
import tempfile
import time
from pathlib import Path

import pandas as pd

from bench.crash_soak import OUT_DIR, ensure_small_dataset
from bench.report import say
from indielabel.flagging.loggers import CSVLogger, csv_line
from indielabel.flagging.reading import FLAG_COMPONENTS, flags_of_user, read_flag_log

USERS = 50
LIGHT_FLAGS = 20
COMMENT = "a comment of ordinary length, about as long as the ones people flag in the dataset " * 2


def write_log(directory: Path, rows: int, item_ids: list[int] | None = None) -> CSVLogger:
    """A log of `rows` flags; with `item_ids` the rows name those comments, the light user's 20 all different."""
    logger = CSVLogger()
    logger.setup(list(FLAG_COMPONENTS), directory)
    item_ids = item_ids or list(range(rows))
    step = rows // LIGHT_FLAGS
    lines = []
    for row in range(rows):
        light = row % step == 0
        item = item_ids[row // step] if light else item_ids[row % len(item_ids)]
        lines.append(csv_line([item, COMMENT, 3.1, 1.2, "4_game_team", "Offensive",
                               "light" if light else f"user_{row % USERS}", "2026-01-01T00:00:00.000+00:00"]))
    with open(logger.dataset_file, "a", encoding="utf-8", newline="") as file:
        file.write("".join(lines))
    return logger


def timed_ms(action, repeats: int) -> list[float]:
    times = []
    for _ in range(repeats):
        start = time.perf_counter()
        action()
        times.append((time.perf_counter() - start) * 1000)
    return times


def quartiles(times: list[float]) -> str:
    low, median, high = statistics.quantiles(times, n=4)
    return f"{median:.2f} ms (IQR {low:.2f}-{high:.2f})"


def measure(rows: int, repeats: int) -> list[str]:
    with tempfile.TemporaryDirectory() as scratch:
        directory = Path(scratch)
        logger = write_log(directory, rows)
        rebuild = timed_ms(lambda: flags_of_user(directory, "user_0"), 1)[0]
        assert len(flags_of_user(directory, "light")) == LIGHT_FLAGS
        light = timed_ms(lambda: flags_of_user(directory, "light"), repeats)
        indexed = timed_ms(lambda: flags_of_user(directory, "user_0"), repeats)
        scanned = timed_ms(lambda: [f for f in read_flag_log(directory).flags if f["username"] == "user_0"],
                           max(3, repeats // 10))
        counter = iter(range(rows, rows + repeats))
        appended = timed_ms(lambda: logger.flag([next(counter), COMMENT, 3.1, 1.2, "4_game_team"], "Spam",
                                                "user_0"), repeats)
    return [f"| {rows:,} | {quartiles(light)} | {quartiles(indexed)} | {quartiles(scanned)} | "
            f"{quartiles(appended)} | {rebuild:.0f} ms |"]


def measure_route(rows: int, repeats: int) -> str:
    from server import create_app

    dataset_dir = ensure_small_dataset(OUT_DIR / "crash_soak_small")
    with tempfile.TemporaryDirectory() as scratch:
        root = Path(scratch)
        item_ids = pd.read_csv(dataset_dir / "items.csv", usecols=["item_id"])["item_id"].tolist()
        write_log(root / "flagged", rows, item_ids)
        client = create_app({"dataset": str(dataset_dir), "output_dir": root / "output",
                             "flagging_dir": root / "flagged", "avid_api_url": None, "avid_api_key": None}
                            ).test_client()
        assert client.post("/users", json={"user": "light"}).status_code == 200  # this client owns "light"
        answer = client.get("/get_flags", query_string={"user": "light"})  # loads the service, rebuilds the index
        assert answer.status_code == 200 and len(answer.get_json()["flags"]) == LIGHT_FLAGS, answer.get_data()
        times = timed_ms(lambda: client.get("/get_flags", query_string={"user": "light"}), repeats)
    return f"| {rows:,} | {quartiles(times)} |"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.flag_log", description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, nargs="+", default=[1_000, 10_000, 100_000])
    parser.add_argument("--repeats", type=int, default=30)
    args = parser.parse_args(argv)
    lines = ["| log rows | a user's 20 flags (index) | a user's 2% of the rows (index) | "
             "scanning the whole log | one flag | first read (rebuild) |", "|---|---|---|---|---|---|"]
    for rows in args.rows:
        lines += measure(rows, args.repeats)
        say(lines[-1])
    lines += ["", "| log rows | GET /get_flags, a user's 20 flags |", "|---|---|"]
    for rows in args.rows:
        lines.append(measure_route(rows, args.repeats))
        say(lines[-1])
    print("\n".join(lines))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
