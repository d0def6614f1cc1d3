"""Data: sources (numpy only), the dataset registry and the input pipelines."""

from dljax.data.base import ArraySource, Dataset, DatasetInfo, Source, as_arrays, fetch_batch
from dljax.data.registry import DATASETS, DatasetEntry, get_entry, load_dataset, register

__all__ = [
    "DATASETS",
    "ArraySource",
    "Dataset",
    "DatasetEntry",
    "DatasetInfo",
    "Source",
    "as_arrays",
    "fetch_batch",
    "get_entry",
    "load_dataset",
    "register",
]
