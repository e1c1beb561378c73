"""Audit analysis over predictions: pure functions over DataFrames (no Flask, no files)."""
