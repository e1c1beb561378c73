"""Benchmarks that print figures: the personal model against the original method, the app under load,
and start-up. `python -m bench` (or `make bench`) runs them all and writes bench/RESULTS.md."""
