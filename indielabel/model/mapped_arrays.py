"""The arrays of an uncompressed .npz file (``np.savez``), memory-mapped read-only.

Every worker of a server that maps the same cache file shares one copy of its pages in the page
cache, where ``np.load`` would give each worker its own copy. A member that cannot be mapped
(compressed, or of object dtype) is read into memory as ``np.load`` reads it.
"""

from __future__ import annotations

import mmap
import struct
import zipfile
from pathlib import Path

import numpy as np

LOCAL_HEADER_SIZE = 30  # fixed part of a zip local file header; name and extra-field lengths end it
LENGTHS_AT = 26
HEADER_READERS = {(1, 0): np.lib.format.read_array_header_1_0, (2, 0): np.lib.format.read_array_header_2_0}


def load_npz(path: str | Path) -> dict[str, np.ndarray]:
    """Each array of the file by name, read-only; OSError or ValueError when it is no readable .npz."""
    path = Path(path)
    try:
        with zipfile.ZipFile(path) as archive, open(path, "rb") as stream:
            mapping = mmap.mmap(stream.fileno(), 0, access=mmap.ACCESS_READ)
            arrays = {}
            for info in archive.infolist():
                mapped = _mapped_member(stream, mapping, info)
                arrays[info.filename.removesuffix(".npy")] = (mapped if mapped is not None
                                                              else _read_member(archive, info))
    except (zipfile.BadZipFile, struct.error, EOFError) as error:
        raise ValueError(f"{path}: {error}") from error
    return arrays


def _mapped_member(stream, mapping: mmap.mmap, info: zipfile.ZipInfo) -> np.ndarray | None:
    if info.compress_type != zipfile.ZIP_STORED:
        return None
    stream.seek(info.header_offset)
    header = stream.read(LOCAL_HEADER_SIZE)
    name_length, extra_length = struct.unpack("<HH", header[LENGTHS_AT:LOCAL_HEADER_SIZE])
    stream.seek(info.header_offset + LOCAL_HEADER_SIZE + name_length + extra_length)
    reader = HEADER_READERS.get(np.lib.format.read_magic(stream))
    if reader is None:
        return None
    shape, fortran_order, dtype = reader(stream)
    count = int(np.prod(shape, dtype=np.int64))
    if dtype.hasobject or count == 0:
        return None
    array = np.frombuffer(mapping, dtype=dtype, count=count, offset=stream.tell())
    return array.reshape(shape, order="F" if fortran_order else "C")


def _read_member(archive: zipfile.ZipFile, info: zipfile.ZipInfo) -> np.ndarray:
    with archive.open(info) as member:
        return np.lib.format.read_array(member, allow_pickle=False)
