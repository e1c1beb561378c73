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


@pytest.fixture(scope="session")
def real_dataset_dir(small_dataset_dir, small_base_model, tmp_path_factory) -> Path:
    """The small dataset (with its fitted base model) described as an imported dataset, not a synthetic
    one: what AVID submission needs, as reports about synthetic data are never sent."""
    import json
    import shutil

    directory = tmp_path_factory.mktemp("datasets") / "forum"
    shutil.copytree(small_dataset_dir, directory)
    meta_path = directory / "dataset.json"
    meta = json.loads(meta_path.read_text())
    meta.update({"name": "acme-forum", "source": "csv", "system": "Acme comment filter"})
    meta_path.write_text(json.dumps(meta, indent=2, sort_keys=True) + "\n")
    return directory


def create_user(client, base_url: str = "", user: str | None = None) -> str:
    """Start an audit as the app does (POST /users): a new id, or ``user``; ``client`` then owns it.

    ``client`` is a Flask test client or a requests.Session (with ``base_url``, the server's address).
    """
    over_http = not hasattr(client, "application")
    response = client.post(f"{base_url}/users", json={"user": user} if user else {},
                           **({"timeout": 60} if over_http else {}))
    assert response.status_code == 200, response.text
    return (response.json() if over_http else response.get_json())["user"]
