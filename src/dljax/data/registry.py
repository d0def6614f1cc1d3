"""The datasets `dljax` knows by name."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from dljax.data import digits
from dljax.data.base import Dataset
from dljax.errors import DljaxError


@dataclass(frozen=True)
class DatasetEntry:
    name: str
    description: str  # Indonesian
    load: Callable[..., Dataset]  # load(config: DataConfig) -> Dataset
    offline: bool  # True when it needs no download


DATASETS: dict[str, DatasetEntry] = {}


def register(entry: DatasetEntry) -> None:
    DATASETS[entry.name] = entry


register(DatasetEntry("digits", digits.INFO.description, digits.load, offline=True))


def get_entry(name: str) -> DatasetEntry:
    if name not in DATASETS:
        raise DljaxError(
            f"Dataset {name!r} tidak dikenal. Pilihan: {', '.join(sorted(DATASETS))}. "
            "Lihat `dljax list`."
        )
    return DATASETS[name]


def load_dataset(config) -> Dataset:
    """Load the dataset named by a `DataConfig`."""
    return get_entry(config.name).load(config)
