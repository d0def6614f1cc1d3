"""The datasets `dljax` knows by name."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, replace

from dljax.data import cifar10, digits, folder, mnist, synthetic, table, text
from dljax.data.base import ArraySource, Dataset, as_arrays
from dljax.data.transforms import resize_images
from dljax.errors import DljaxError
from dljax.registry import Registry


@dataclass(frozen=True)
class DatasetEntry:
    name: str
    description: str  # Indonesian
    load: Callable[..., Dataset]  # load(config: DataConfig) -> Dataset
    offline: bool  # True when it needs no download


DATASETS: Registry[DatasetEntry] = Registry("dataset")
for _entry in (
    DatasetEntry("digits", digits.INFO.description, digits.load, offline=True),
    DatasetEntry("mnist", mnist.MNIST_INFO.description, mnist.load_mnist, offline=False),
    DatasetEntry(
        "fashion_mnist", mnist.FASHION_INFO.description, mnist.load_fashion_mnist, offline=False
    ),
    DatasetEntry("cifar10", cifar10.INFO.description, cifar10.load, offline=False),
    DatasetEntry("spiral", synthetic.SPIRAL_INFO.description, synthetic.load_spiral, offline=True),
    DatasetEntry(
        "temporal_order",
        "Urutan temporal X/Y (Hochreiter & Schmidhuber 1997, tugas QRSU); "
        "--set data.difficulty=easy|normal|moderate|hard|nightmare|6b",
        synthetic.load_temporal_order,
        offline=True,
    ),
    DatasetEntry(
        "echo",
        "Gema tertunda: bit acak diulang beberapa langkah kemudian (label per langkah)",
        synthetic.load_echo,
        offline=True,
    ),
    DatasetEntry(
        "tones",
        "Melodi sintetis 4 kHz dengan 4 pola naik/turun untuk pelajaran conv1d",
        synthetic.load_tones,
        offline=True,
    ),
    DatasetEntry(
        "house_prices",
        "Harga rumah sintetis (koefisien diketahui) atau CSV sendiri lewat --data-dir",
        table.load_house_prices,
        offline=True,
    ),
    DatasetEntry("text", text.TEXT_DESCRIPTION, text.load, offline=True),
    DatasetEntry("folder", folder.DESCRIPTION, folder.load, offline=True),
):
    DATASETS.register(_entry.name, _entry)


def register(entry: DatasetEntry) -> None:
    """Add a dataset (e.g. one of a course project) under `entry.name`."""
    DATASETS.register(entry.name, entry)


def get_entry(name: str) -> DatasetEntry:
    return DATASETS[name]


def load_dataset(config) -> Dataset:
    """Load the dataset named by a `DataConfig`, resized once when `image_size` is set."""
    dataset = get_entry(config.name).load(config)
    size = getattr(config, "image_size", 0)
    if size and dataset.info.input_shape[:2] != (size, size):  # folders resize on load
        dataset = resize_dataset(dataset, size)
    return dataset


def resize_dataset(dataset: Dataset, size: int) -> Dataset:
    """A copy of `dataset` whose `input` images (both splits) are (size, size); the original
    is left untouched."""
    info = dataset.info
    if info.kind != "image":
        raise DljaxError(
            f"data.image_size={size} hanya berlaku untuk dataset gambar, tetapi {info.name!r} "
            f"berjenis {info.kind!r}. Hapus opsi itu (--set data.image_size=0)."
        )
    splits = {}
    for split in ("train", "test"):
        arrays = dict(as_arrays(getattr(dataset, split)))
        arrays["input"] = resize_images(arrays["input"], size)  # (N, size, size, C)
        splits[split] = ArraySource(arrays)
    return replace(
        dataset, info=replace(info, input_shape=(size, size, info.input_shape[-1])), **splits
    )
