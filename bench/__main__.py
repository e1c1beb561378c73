"""`python -m bench` (what `make bench` runs): every benchmark in turn, then bench/RESULTS.md.

The results file is rewritten after each section, so a failure later keeps what was measured.
"""

from __future__ import annotations

import argparse
import time

from bench import audit_blind_spots, load_test, personal_vs_original, startup
from bench.kumar_data import KUMAR_DIR, ensure_kumar
from bench.report import RESULTS_PATH, ROOT, machine_lines, say

TITLE = "# Benchmark results"


def write_results(sections: list[str], elapsed: float) -> None:
    header = [
        TITLE,
        "",
        "Written by `make bench` (`python -m bench`); every figure below is printed by the benchmarks in this "
        f"directory. This run took {elapsed / 60:.1f} min.",
        "",
        *machine_lines(),
    ]
    RESULTS_PATH.write_text("\n".join(header) + "\n\n" + "\n\n".join(sections) + "\n")
    say(f"Wrote {RESULTS_PATH.relative_to(ROOT)}")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench", description=__doc__.splitlines()[0])
    parser.add_argument("--users", type=int, default=5, help="simulated users that also run the original method")
    parser.add_argument("--runs", nargs="+", default=list(load_test.DEFAULT_RUNS), metavar="PACING:AUDITORS",
                        help="load-test runs in order")
    parser.add_argument("--starts", type=int, default=3, help="cold starts per server")
    args = parser.parse_args(argv)
    if not 1 <= args.users <= personal_vs_original.HELD_OUT_RATERS:
        parser.error(f"--users must be between 1 and {personal_vs_original.HELD_OUT_RATERS}")
    if args.starts < 1:
        parser.error("--starts must be at least 1")
    try:
        runs = [load_test.parse_run(text) for text in args.runs]
    except ValueError as error:
        parser.error(str(error))
    started = time.perf_counter()
    data, build_timings = ensure_kumar()
    sections: list[str] = []
    for title, run in (
        ("personal model vs the original method", lambda: personal_vs_original.compare(data, args.users)),
        ("HTTP under load", lambda: load_test.run_load_test(KUMAR_DIR, runs)),
        ("start-up", lambda: startup.startup_section(build_timings, args.starts)),
        ("the overview and planted blind spots",
         lambda: audit_blind_spots.blind_spot_section() + "\n\n" + audit_blind_spots.speed_section(data)),
    ):
        say(f"== {title} ==")
        sections.append(run())
        say(sections[-1])
        write_results(sections, time.perf_counter() - started)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
