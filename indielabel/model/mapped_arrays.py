"""An .npz file whose arrays can be memory-mapped read-only, and the reading that maps them.

Every worker of a server that maps the same cache file shares one copy of its pages in the page
cache, where ``np.load`` would give each worker its own copy. ``np.savez`` puts each array wherever
its zip entry's header ends, at an unaligned address, and numpy then copies an unaligned array in
every matrix product; ``save_npz`` pads each entry's header (with a zip extra field, as zipalign does)
so that its data starts at a multiple of 64 bytes. The file stays an ordinary .npz. A member that
cannot be mapped aligned (compressed, of object dtype, or written by ``np.savez``) is read into
memory as ``np.load`` reads it.
"""

from __future__ import annotations

import io
import mmap
import struct
import zipfile
from pathlib import Path

import numpy as np

LOCAL_HEADER_SIZE = 30  # fixed part of a zip local file header; name and extra-field lengths end it
LENGTHS_AT = 26
ALIGNMENT = 64  # an .npy header ends on a multiple of 64 bytes from the entry's start
PADDING_FIELD = 0xD935  # the zip extra-field id that zipalign uses for padding
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


def save_npz(stream, **arrays) -> None:
    """Write ``arrays`` as an uncompressed .npz to a seekable binary ``stream``, each array's data aligned."""
    with zipfile.ZipFile(stream, "w", compression=zipfile.ZIP_STORED) as archive:
        for name, value in arrays.items():
            buffer = io.BytesIO()
            np.lib.format.write_array(buffer, np.asanyarray(value), allow_pickle=False)
            info = zipfile.ZipInfo(f"{name}.npy", date_time=(1980, 1, 1, 0, 0, 0))
            header_end = stream.tell() + LOCAL_HEADER_SIZE + len(info.filename.encode()) + 4
            info.extra = struct.pack("<HH", PADDING_FIELD, -header_end % ALIGNMENT) + bytes(-header_end % ALIGNMENT)
            archive.writestr(info, buffer.getvalue())


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
    if not array.flags.aligned:
        return None
    return array.reshape(shape, order="F" if fortran_order else "C")


def _read_member(archive: zipfile.ZipFile, info: zipfile.ZipInfo) -> np.ndarray:
    with archive.open(info) as member:
        return np.lib.format.read_array(member, allow_pickle=False)
