"""The base model's cache is memory-mapped read-only, so server workers share one copy of its pages."""

from __future__ import annotations

import mmap

import numpy as np
import pytest

from indielabel.model import mapped_arrays
from indielabel.model.personal import BaseModel


def arrays() -> dict[str, np.ndarray]:
    return {"factors": np.arange(24, dtype=np.float32).reshape(6, 4), "ids": np.arange(6, dtype=np.int64),
            "fortran": np.asfortranarray(np.arange(6.0).reshape(2, 3)), "empty": np.zeros(0),
            "name": np.str_("a fingerprint"), "scalar": np.float64(0.5)}


def is_mapped(array: np.ndarray) -> bool:
    owner = array.base
    while isinstance(owner, np.ndarray):
        owner = owner.base
    return isinstance(owner, memoryview) and isinstance(owner.obj, mmap.mmap)


def saved(path):
    with open(path, "wb") as stream:
        mapped_arrays.save_npz(stream, **arrays())
    return path


def test_saved_arrays_come_back_equal_mapped_from_the_file_and_aligned(tmp_path):
    loaded = mapped_arrays.load_npz(saved(tmp_path / "model.npz"))
    assert set(loaded) == set(arrays())
    for name, expected in arrays().items():
        np.testing.assert_array_equal(loaded[name], expected)
        assert loaded[name].dtype == np.asarray(expected).dtype
    assert is_mapped(loaded["factors"]) and is_mapped(loaded["fortran"])
    assert loaded["factors"].__array_interface__["data"][0] % mapped_arrays.ALIGNMENT == 0
    assert str(loaded["name"]) == "a fingerprint" and float(loaded["scalar"]) == 0.5


def test_saved_file_is_an_ordinary_npz(tmp_path):
    with np.load(saved(tmp_path / "model.npz"), allow_pickle=False) as stored:
        np.testing.assert_array_equal(stored["factors"], arrays()["factors"])


def test_arrays_numpy_saved_unaligned_are_read_into_memory_aligned(tmp_path):
    path = tmp_path / "model.npz"
    np.savez(path, **arrays())
    loaded = mapped_arrays.load_npz(path)
    for name, expected in arrays().items():
        np.testing.assert_array_equal(loaded[name], expected)
        assert loaded[name].flags.aligned


def test_mapped_arrays_are_read_only(tmp_path):
    loaded = mapped_arrays.load_npz(saved(tmp_path / "model.npz"))
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


def test_a_loaded_base_model_maps_its_item_factors_from_the_cache_file(small_base_model, tmp_path):
    loaded = BaseModel.load(small_base_model.save(tmp_path / "model.npz"))
    assert is_mapped(loaded.item_factors) and loaded.item_factors.flags.aligned
    np.testing.assert_array_equal(loaded.item_factors, small_base_model.item_factors)
