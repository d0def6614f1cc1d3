"""`mnist` and `fashion_mnist`: 28x28 grey images in IDX files, downloaded and verified.

Both have 60,000 training and 10,000 test images with labels 0..9, stored as four gzip
IDX files (magic 2051 for images, 2049 for labels). Images become float32 (N, 28, 28, 1) in
[0, 1], labels int32 (N,). The MD5 values are the published ones (as listed by torchvision).
Files are read from the cache (downloaded on first use) or from `--data-dir`, where the
uncompressed IDX files (without `.gz`) are accepted too.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np

from dljax.data.base import ArraySource, Dataset, DatasetInfo
from dljax.data.download import RemoteDataset, RemoteFile, fetch
from dljax.data.formats import DataFormatError, read_idx, to_unit_float

IDX_IMAGES_MAGIC = 2051  # 0x00000803: uint8, 3 dimensions
IDX_LABELS_MAGIC = 2049  # 0x00000801: uint8, 1 dimension
TRAIN_SIZE, TEST_SIZE = 60_000, 10_000

SPLIT_FILES = {
    "train": ("train-images-idx3-ubyte.gz", "train-labels-idx1-ubyte.gz"),
    "test": ("t10k-images-idx3-ubyte.gz", "t10k-labels-idx1-ubyte.gz"),
}

MNIST_MIRRORS = (
    "https://ossci-datasets.s3.amazonaws.com/mnist/",
    "https://storage.googleapis.com/cvdf-datasets/mnist/",
    "http://yann.lecun.com/exdb/mnist/",
)
MNIST_MD5 = {
    "train-images-idx3-ubyte.gz": "f68b3c2dcbeaaa9fbdd348bbdeb94873",
    "train-labels-idx1-ubyte.gz": "d53e105ee54ea40749a09fcbcd1e9432",
    "t10k-images-idx3-ubyte.gz": "9fb629c4189551a2d022fa330f9573f3",
    "t10k-labels-idx1-ubyte.gz": "ec29112dd5afa0611ce80d1b7f02629c",
}
FASHION_MIRRORS = (
    "http://fashion-mnist.s3-website.eu-central-1.amazonaws.com/",
    "https://raw.githubusercontent.com/zalandoresearch/fashion-mnist/master/data/fashion/",
)
FASHION_MD5 = {
    "train-images-idx3-ubyte.gz": "8d4fb7e6c68d591d4c3dfef9ec88bf0d",
    "train-labels-idx1-ubyte.gz": "25c81989df183df01b3e8a0aad5dffbe",
    "t10k-images-idx3-ubyte.gz": "bef4ecab320f06d8554ea6380940ec79",
    "t10k-labels-idx1-ubyte.gz": "bb300cfdad3c16e7a12a480ee83cd310",
}

MNIST_REMOTE = RemoteDataset(
    "mnist", tuple(RemoteFile(n, md5, MNIST_MIRRORS) for n, md5 in MNIST_MD5.items())
)
FASHION_REMOTE = RemoteDataset(
    "fashion_mnist", tuple(RemoteFile(n, md5, FASHION_MIRRORS) for n, md5 in FASHION_MD5.items())
)

MNIST_INFO = DatasetInfo(
    name="mnist",
    description="Angka tulisan tangan MNIST 28x28 (70.000 gambar, diunduh ~11 MB)",
    kind="image",
    input_shape=(28, 28, 1),
    num_classes=10,
    class_names=tuple(str(i) for i in range(10)),
)
FASHION_INFO = DatasetInfo(
    name="fashion_mnist",
    description="Fashion-MNIST: foto produk busana 28x28 (70.000 gambar, diunduh ~30 MB)",
    kind="image",
    input_shape=(28, 28, 1),
    num_classes=10,
    # T-shirt/top, Trouser, Pullover, Dress, Coat, Sandal, Shirt, Sneaker, Bag, Ankle boot
    class_names=(
        *("kaus", "celana panjang", "pullover", "gaun", "mantel"),
        *("sandal", "kemeja", "sepatu kets", "tas", "sepatu bot"),
    ),
)


def load_idx_pair(
    images_path: str | Path, labels_path: str | Path, *, expected: int | None = None
) -> tuple[np.ndarray, np.ndarray]:
    """Images float32 (N, H, W, 1) in [0, 1] and labels int32 (N,) from two IDX files."""
    images = read_idx(images_path)
    labels = read_idx(labels_path)
    if images.ndim != 3 or images.dtype != np.uint8:
        raise DataFormatError(
            f"{str(images_path)!r} bukan berkas gambar IDX (magic {IDX_IMAGES_MAGIC}: uint8, "
            f"3 dimensi); isinya {images.dtype} berbentuk {images.shape}."
        )
    if labels.ndim != 1 or labels.dtype != np.uint8:
        raise DataFormatError(
            f"{str(labels_path)!r} bukan berkas label IDX (magic {IDX_LABELS_MAGIC}: uint8, "
            f"1 dimensi); isinya {labels.dtype} berbentuk {labels.shape}."
        )
    if len(images) != len(labels):
        raise DataFormatError(
            f"Jumlah gambar ({len(images)}) di {str(images_path)!r} tidak sama dengan jumlah "
            f"label ({len(labels)}) di {str(labels_path)!r}."
        )
    if expected is not None and len(images) != expected:
        raise DataFormatError(
            f"{str(images_path)!r} berisi {len(images)} gambar, seharusnya {expected}."
        )
    if labels.size and labels.max() > 9:
        raise DataFormatError(
            f"{str(labels_path)!r} berisi label {int(labels.max())}; label harus 0..9."
        )
    return to_unit_float(images)[..., None], labels.astype(np.int32)


def _local_files(data_dir: str) -> dict[str, Path] | None:
    """Uncompressed IDX files in `data_dir` (e.g. unpacked by another tool), if all exist."""
    names = [n for pair in SPLIT_FILES.values() for n in pair]
    plain = {n: Path(data_dir).expanduser() / n.removesuffix(".gz") for n in names}
    return plain if all(p.is_file() for p in plain.values()) else None


def load_remote(remote: RemoteDataset, info: DatasetInfo, config=None) -> Dataset:
    data_dir = getattr(config, "data_dir", None)
    paths = (_local_files(data_dir) if data_dir else None) or fetch(remote, data_dir)
    splits = {}
    for split, (img, lab) in SPLIT_FILES.items():
        expected = TRAIN_SIZE if split == "train" else TEST_SIZE
        images, labels = load_idx_pair(paths[img], paths[lab], expected=expected)
        splits[split] = ArraySource({"input": images, "label": labels})
    return Dataset(info=info, train=splits["train"], test=splits["test"])


def load_mnist(config=None) -> Dataset:
    return load_remote(MNIST_REMOTE, MNIST_INFO, config)


def load_fashion_mnist(config=None) -> Dataset:
    return load_remote(FASHION_REMOTE, FASHION_INFO, config)
