"""The base model's cache is memory-mapped read-only, so server workers share one copy of its pages."""

from __future__ import annotations

import mmap

import numpy as np
import pytest

from indielabel.model import mapped_arrays


def arrays() -> dict[str, np.ndarray]:
    return {"factors": np.arange(24, dtype=np.float32).reshape(6, 4), "ids": np.arange(6, dtype=np.int64),
            "fortran": np.asfortranarray(np.arange(6.0).reshape(2, 3)), "empty": np.zeros(0),
            "name": np.str_("a fingerprint"), "scalar": np.float64(0.5)}


def is_mapped(array: np.ndarray) -> bool:
    owner = array.base
    while isinstance(owner, np.ndarray):
        owner = owner.base
    return isinstance(owner, memoryview) and isinstance(owner.obj, mmap.mmap)


def test_uncompressed_arrays_come_back_equal_and_mapped_from_the_file(tmp_path):
    path = tmp_path / "model.npz"
    np.savez(path, **arrays())
    loaded = mapped_arrays.load_npz(path)
    assert set(loaded) == set(arrays())
    for name, expected in arrays().items():
        np.testing.assert_array_equal(loaded[name], expected)
        assert loaded[name].dtype == np.asarray(expected).dtype
    assert is_mapped(loaded["factors"]) and is_mapped(loaded["fortran"])
    assert str(loaded["name"]) == "a fingerprint" and float(loaded["scalar"]) == 0.5


def test_mapped_arrays_are_read_only(tmp_path):
    path = tmp_path / "model.npz"
    np.savez(path, **arrays())
    loaded = mapped_arrays.load_npz(path)
    with pytest.raises(ValueError, match="read-only"):
        loaded["factors"][0, 0] = 1.0


def test_compressed_members_are_read_into_memory(tmp_path):
    path = tmp_path / "model.npz"
    np.savez_compressed(path, **arrays())
    loaded = mapped_arrays.load_npz(path)
    np.testing.assert_array_equal(loaded["factors"], arrays()["factors"])
    assert not is_mapped(loaded["factors"])


def test_a_file_that_is_no_npz_is_a_value_error(tmp_path):
    path = tmp_path / "model.npz"
    path.write_bytes(b"not a model")
    with pytest.raises(ValueError):
        mapped_arrays.load_npz(path)
