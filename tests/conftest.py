"""Shared fixtures: a generated `small` dataset and its fitted base model, made once per session."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))


@pytest.fixture(scope="session")
def small_dataset_dir(tmp_path_factory) -> Path:
    from indielabel.synth import generator as synth

    directory = tmp_path_factory.mktemp("datasets") / "small"
    synth.generate_dataset("small", 0, directory, quiet=True)
    return directory


@pytest.fixture(scope="session")
def small_dataset(small_dataset_dir):
    from indielabel.data import dataset

    return dataset.load(small_dataset_dir)


@pytest.fixture(scope="session")
def small_base_model(small_dataset):
    from indielabel.model import personal as personal_model

    return personal_model.load_or_fit(small_dataset, quiet=True)
