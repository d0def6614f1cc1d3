"""Data sources: random-access containers that return numpy, never JAX.

Every source implements `__len__` and `__getitem__` (the Grain `RandomAccessDataSource`
protocol). `ArraySource` also accepts an integer array as index and returns a whole batch
in one vectorized numpy gather, which is what the pipelines use.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Protocol, runtime_checkable

import numpy as np


@runtime_checkable
class Source(Protocol):
    def __len__(self) -> int: ...

    def __getitem__(self, index: Any) -> dict[str, np.ndarray]: ...


class ArraySource:
    """A source backed by equally long numpy arrays, e.g. `{"input": (N, H, W, C), "label": (N,)}`.

    `source[i]` returns one record; `source[idx]` with an integer array returns a batch.
    """

    def __init__(self, arrays: dict[str, np.ndarray]):
        lengths = {k: len(v) for k, v in arrays.items()}
        if len(set(lengths.values())) != 1:
            raise ValueError(f"All arrays must have the same length, got {lengths}.")
        self.arrays = {k: np.asarray(v) for k, v in arrays.items()}
        self._len = next(iter(lengths.values()))

    def __len__(self) -> int:
        return self._len

    def __getitem__(self, index: Any) -> dict[str, np.ndarray]:
        return {k: v[index] for k, v in self.arrays.items()}

    def __repr__(self) -> str:
        shapes = ", ".join(f"{k}: {v.shape} {v.dtype}" for k, v in self.arrays.items())
        return f"ArraySource(n={self._len}, {shapes})"


@dataclass(frozen=True)
class DatasetInfo:
    """What a model and a task need to know about a dataset."""

    name: str
    description: str  # Indonesian, shown by `dljax list` and `dljax data list`
    kind: str  # "image", "sequence", "text", "table"
    input_shape: tuple[int, ...]  # one example, e.g. (8, 8, 1)
    num_classes: int = 0
    class_names: tuple[str, ...] = field(default_factory=tuple)
    label_shape: tuple[int, ...] = ()  # () = one label per example; (T,) = one per time step


@dataclass
class Dataset:
    """A dataset split into train and test sources."""

    info: DatasetInfo
    train: Source
    test: Source


def as_arrays(source: Source) -> dict[str, np.ndarray]:
    """All records of a source as stacked numpy arrays (for the on-device fast path)."""
    arrays = getattr(source, "arrays", None)
    if arrays is not None:
        return arrays
    return fetch_batch(source, np.arange(len(source)))


def fetch_batch(source: Source, indices: np.ndarray) -> dict[str, np.ndarray]:
    """Read the records at `indices` as one batch, vectorized when the source allows it."""
    if isinstance(source, ArraySource):
        return source[indices]
    records = [source[int(i)] for i in indices]  # fallback for record-only sources
    return {k: np.stack([r[k] for r in records]) for k in records[0]}
