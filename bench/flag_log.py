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

from bench.report import say
from indielabel.flagging.loggers import CSVLogger, csv_line
from indielabel.flagging.reading import FLAG_COMPONENTS, flags_of_user, read_flag_log

USERS = 50
LIGHT_FLAGS = 20
COMMENT = "a comment of ordinary length, about as long as the ones people flag in the dataset " * 2


def write_log(directory: Path, rows: int) -> CSVLogger:
    logger = CSVLogger()
    logger.setup(list(FLAG_COMPONENTS), directory)
    lines = [csv_line([item, COMMENT, 3.1, 1.2, "4_game_team", "Offensive",
                       "light" if item % (rows // LIGHT_FLAGS) == 0 else f"user_{item % USERS}",
                       "2026-01-01T00:00:00.000+00:00"]) for item in range(rows)]
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
    print("\n".join(lines))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
