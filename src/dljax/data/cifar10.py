"""`cifar10`: 60,000 colour images 32x32 in 10 classes, from the *binary* version.

The archive `cifar-10-binary.tar.gz` (published MD5 c32a1d4ab5d03f1284b67883e8d87530) holds
`cifar-10-batches-bin/data_batch_1.bin` ... `data_batch_5.bin` (10,000 records each, the
50,000 training images) and `test_batch.bin` (10,000 test images). Records are parsed with
numpy (`dljax.data.formats.parse_cifar10`), never unpickled. The archive's MD5 is checked on
every load and its members are read straight from it, after every member has been checked
for unsafe paths and links. With `--data-dir`, a folder with the archive or with the six
`.bin` files (optionally inside `cifar-10-batches-bin/`) works.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np

from dljax.data.base import ArraySource, Dataset, DatasetInfo
from dljax.data.download import RemoteDataset, RemoteFile, fetch, read_tar_files
from dljax.data.formats import DataFormatError, parse_cifar10, to_unit_float

ARCHIVE = "cifar-10-binary.tar.gz"
ARCHIVE_MD5 = "c32a1d4ab5d03f1284b67883e8d87530"
MIRRORS = (
    "https://www.cs.toronto.edu/~kriz/",
    "https://mindspore-website.obs.cn-north-4.myhuaweicloud.com/notebook/datasets/",
)
TRAIN_FILES = tuple(f"data_batch_{i}.bin" for i in range(1, 6))
TEST_FILES = ("test_batch.bin",)
RECORDS_PER_FILE = 10_000

REMOTE = RemoteDataset("cifar10", (RemoteFile(ARCHIVE, ARCHIVE_MD5, MIRRORS),))

INFO = DatasetInfo(
    name="cifar10",
    description="CIFAR-10: foto berwarna 32x32 dalam 10 kelas (60.000 gambar, diunduh ~163 MB)",
    kind="image",
    input_shape=(32, 32, 3),
    num_classes=10,
    # airplane, automobile, bird, cat, deer, dog, frog, horse, ship, truck
    class_names=tuple("pesawat mobil burung kucing rusa anjing katak kuda kapal truk".split()),
)


def parse_split(
    blobs: dict[str, bytes], names: tuple[str, ...], *, records_per_file: int | None
) -> ArraySource:
    """Concatenate the records of `names` into an `ArraySource` with input/label."""
    images, labels = [], []
    for name in names:
        x, y = parse_cifar10(blobs[name], source=name)
        if records_per_file is not None and len(y) != records_per_file:
            raise DataFormatError(
                f"{name} berisi {len(y)} rekaman, seharusnya {records_per_file}: berkas "
                "terpotong. Hapus lalu unduh ulang."
            )
        images.append(x)
        labels.append(y)
    return ArraySource(
        {"input": to_unit_float(np.concatenate(images)), "label": np.concatenate(labels)}
    )


def _bin_folder(data_dir: str) -> Path | None:
    root = Path(data_dir).expanduser()
    for folder in (root / "cifar-10-batches-bin", root):
        if all((folder / n).is_file() for n in TRAIN_FILES + TEST_FILES):
            return folder
    return None


def read_blobs(config=None) -> dict[str, bytes]:
    """The six `.bin` files as bytes, from `--data-dir` or the verified archive."""
    data_dir = getattr(config, "data_dir", None)
    folder = _bin_folder(data_dir) if data_dir else None
    if folder is not None:
        return {n: (folder / n).read_bytes() for n in TRAIN_FILES + TEST_FILES}
    paths = fetch(REMOTE, data_dir)
    return read_tar_files(paths[ARCHIVE], TRAIN_FILES + TEST_FILES)


def load_from_blobs(blobs: dict[str, bytes], records_per_file: int | None) -> Dataset:
    return Dataset(
        info=INFO,
        train=parse_split(blobs, TRAIN_FILES, records_per_file=records_per_file),
        test=parse_split(blobs, TEST_FILES, records_per_file=records_per_file),
    )


def load(config=None) -> Dataset:
    return load_from_blobs(read_blobs(config), RECORDS_PER_FILE)
