"""Strict parsers for the file formats of the downloaded datasets (numpy only, no pickle).

- IDX (MNIST, Fashion-MNIST): two zero bytes, a type code (0x08 = uint8, 0x09 = int8,
  0x0B = int16, 0x0C = int32, 0x0D = float32, 0x0E = float64), the number of dimensions,
  then one big-endian uint32 per dimension and the big-endian data. Gzip-compressed files are
  recognised by their magic bytes, not by their name.
- CIFAR-10 binary version: records of 3,073 bytes, one label byte (0..9) followed by
  3,072 pixel bytes: the 1,024 red values of the 32x32 image in row-major order, then the
  green, then the blue ones.

Any deviation (wrong magic, truncated data, a length that is not a whole number of records,
labels out of range) raises `DataFormatError`: a parser never returns garbage.
"""

from __future__ import annotations

import gzip
import zlib
from pathlib import Path

import numpy as np

from dljax.errors import DljaxError

GZIP_MAGIC = b"\x1f\x8b"
IDX_TYPES: dict[int, np.dtype] = {
    0x08: np.dtype(np.uint8),
    0x09: np.dtype(np.int8),
    0x0B: np.dtype(">i2"),
    0x0C: np.dtype(">i4"),
    0x0D: np.dtype(">f4"),
    0x0E: np.dtype(">f8"),
}
CIFAR_RECORD_BYTES = 1 + 32 * 32 * 3
CIFAR_NUM_CLASSES = 10


class DataFormatError(DljaxError):
    """A data file is malformed (wrong magic number, truncated, wrong record length)."""


def read_bytes(path: str | Path) -> bytes:
    """The content of `path`, decompressed when it is gzip (recognised by its magic bytes)."""
    path = Path(path)
    try:
        raw = path.read_bytes()
    except OSError as e:
        raise DataFormatError(f"Berkas {str(path)!r} tidak dapat dibaca: {e}.") from None
    if raw[:2] != GZIP_MAGIC:
        return raw
    try:
        return gzip.decompress(raw)
    except (EOFError, OSError, zlib.error) as e:
        raise DataFormatError(
            f"Berkas gzip {str(path)!r} rusak atau terpotong ({e}). Hapus berkas itu lalu "
            "unduh ulang (mis. `dljax data download NAMA`)."
        ) from None


def parse_idx(data: bytes, *, source: str = "<bytes>") -> np.ndarray:
    """Parse IDX bytes into an array of the file's shape, in native byte order.

    Raises `DataFormatError` on a wrong magic number, an unknown type code, or a data
    length that does not match the header exactly.
    """
    if len(data) < 4:
        raise DataFormatError(
            f"Berkas IDX {source!r} terlalu pendek ({len(data)} byte) untuk header 4 byte."
        )
    if data[0] != 0 or data[1] != 0 or data[2] not in IDX_TYPES:
        raise DataFormatError(
            f"Berkas {source!r} bukan berkas IDX: magic number {data[:4].hex()} tidak valid "
            "(harus 0000 lalu kode tipe 08/09/0b/0c/0d/0e dan jumlah dimensi). Periksa bahwa "
            "berkas yang dipakai adalah berkas MNIST/Fashion-MNIST asli."
        )
    dtype = IDX_TYPES[data[2]]
    ndim = data[3]
    header = 4 + 4 * ndim
    if ndim == 0 or len(data) < header:
        raise DataFormatError(
            f"Header berkas IDX {source!r} tidak lengkap: {ndim} dimensi butuh {header} byte, "
            f"berkas hanya {len(data)} byte."
        )
    shape = tuple(int(d) for d in np.frombuffer(data, ">u4", count=ndim, offset=4))
    expected = header + int(np.prod(shape, dtype=np.int64)) * dtype.itemsize
    if len(data) != expected:
        kind = "terpotong" if len(data) < expected else "lebih panjang dari header"
        raise DataFormatError(
            f"Berkas IDX {source!r} {kind}: header menyatakan bentuk {shape} "
            f"({expected} byte), tetapi berkas berisi {len(data)} byte. Hapus lalu unduh ulang."
        )
    array = np.frombuffer(data, dtype, offset=header).reshape(shape)
    return array.astype(dtype.newbyteorder("="), copy=False)


def read_idx(path: str | Path) -> np.ndarray:
    """Read an IDX file (optionally gzip-compressed)."""
    return parse_idx(read_bytes(path), source=str(path))


def parse_cifar10(data: bytes, *, source: str = "<bytes>") -> tuple[np.ndarray, np.ndarray]:
    """CIFAR-10 binary records -> images uint8 (N, 32, 32, 3) and labels int32 (N,)."""
    if len(data) == 0 or len(data) % CIFAR_RECORD_BYTES:
        raise DataFormatError(
            f"Berkas CIFAR-10 {source!r} berisi {len(data)} byte, bukan kelipatan panjang "
            f"rekaman {CIFAR_RECORD_BYTES} byte (1 byte label + 3.072 byte piksel): berkas "
            "terpotong atau bukan versi biner CIFAR-10. Hapus lalu unduh ulang."
        )
    records = np.frombuffer(data, np.uint8).reshape(-1, CIFAR_RECORD_BYTES)  # (N, 3073)
    labels = records[:, 0].astype(np.int32)  # (N,)
    if labels.max() >= CIFAR_NUM_CLASSES:
        bad = int(np.argmax(labels >= CIFAR_NUM_CLASSES))
        raise DataFormatError(
            f"Berkas CIFAR-10 {source!r}: label rekaman ke-{bad} bernilai {labels[bad]}, "
            f"padahal harus 0..{CIFAR_NUM_CLASSES - 1}. Berkas rusak atau bukan CIFAR-10."
        )
    images = records[:, 1:].reshape(-1, 3, 32, 32).transpose(0, 2, 3, 1)  # (N, 32, 32, 3)
    return np.ascontiguousarray(images), labels


def to_unit_float(images: np.ndarray) -> np.ndarray:
    """uint8 images -> float32 in [0, 1]."""
    return images.astype(np.float32) * np.float32(1.0 / 255.0)
