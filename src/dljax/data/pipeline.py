"""Input pipelines: the on-device fast path and the streaming Grain path.

Both are deterministic for a seed: the order of epoch `e` depends only on `(seed, e)`, so a
resumed run sees exactly the batches that an uninterrupted run would have seen.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import grain
import numpy as np

from dljax.data.base import Source, fetch_batch


def epoch_seed(seed: int, epoch: int) -> int:
    """A well-mixed 32-bit seed for the shuffle of one epoch."""
    return int(np.random.SeedSequence([seed, epoch]).generate_state(1)[0])


def grain_batches(
    source: Source,
    batch_size: int,
    *,
    seed: int,
    epoch: int,
    shuffle: bool = True,
    drop_remainder: bool = True,
    num_workers: int = 0,
    prefetch: int = 2,
    shard_index: int = 0,
    shard_count: int = 1,
    transform: Callable[[dict, np.random.Generator], dict] | None = None,
) -> grain.IterDataset:
    """One epoch of batches (dicts of numpy arrays) from `source` through Grain.

    The epoch's permutation is drawn once with numpy (from `epoch_seed(seed, epoch)`) and
    element `b` of the Grain dataset is batch `b`: its slice of the permutation, read with
    one vectorized gather, then `transform(batch, rng)` when given. There is one Python call
    per batch, never one per record (shuffling and batching record indices element by element
    in Grain was ~10x slower, see benchmarks/data_throughput.py). Grain provides prefetch,
    worker processes and the checkpointable position (the next batch number). With several
    hosts, each reads its own `shard_index`-th slice of every global batch.
    """
    n = len(source)
    order = (
        np.random.default_rng(epoch_seed(seed, epoch)).permutation(n) if shuffle else np.arange(n)
    )
    num_batches = n // batch_size if drop_remainder else -(-n // batch_size)
    per_host = batch_size // shard_count
    lo, hi = shard_index * per_host, (shard_index + 1) * per_host

    def read(b: int) -> dict[str, np.ndarray]:
        idx = order[b * batch_size : (b + 1) * batch_size]  # (B,)
        if shard_count > 1:
            idx = idx[lo:hi]
        return fetch_batch(source, idx)

    ds = grain.MapDataset.range(num_batches).map(read)
    if transform is not None:
        ds = ds.random_map(transform, seed=epoch_seed(seed + 1, epoch))
    it = ds.to_iter_dataset(grain.ReadOptions(num_threads=1, prefetch_buffer_size=prefetch))
    if num_workers > 0:
        ensure_absl_flags_parsed()
        it = it.mp_prefetch(grain.MultiprocessingOptions(num_workers=num_workers))
    return it


def ensure_absl_flags_parsed() -> None:
    """Grain's worker processes read Abseil flags, which raise when a script (not an
    `absl.app`) never parsed them; mark them parsed so that the defaults apply."""
    from absl import flags

    if not flags.FLAGS.is_parsed():
        flags.FLAGS.mark_as_parsed()


def steps_per_epoch(num_examples: int, batch_size: int) -> int:
    """Full batches per epoch (the remainder is dropped, a different one every epoch)."""
    return num_examples // batch_size


class EpochBatches:
    """Batches over several epochs whose position can be saved and restored (`--resume`).

    Epoch `e` is exactly `grain_batches(source, batch_size, seed=seed, epoch=e, ...)`, with
    an optional vectorized `transform(batch, rng) -> batch` (e.g. augmentation; `rng` is a
    numpy Generator fixed by seed, epoch and batch index). `get_state()` returns a small
    JSON-serializable dict; a new `EpochBatches` with `set_state(state)` continues with
    exactly the batches that the original would have produced next.
    """

    def __init__(
        self,
        source: Source,
        batch_size: int,
        *,
        seed: int,
        num_epochs: int | None = None,
        transform: Callable[[dict, np.random.Generator], dict] | None = None,
        **options: Any,
    ):
        self.source, self.batch_size, self.seed = source, batch_size, seed
        self.num_epochs, self.transform, self.options = num_epochs, transform, options
        self.epoch = 0
        self._it = None

    def _iterator(self):
        if self._it is None:
            ds = grain_batches(
                self.source,
                self.batch_size,
                seed=self.seed,
                epoch=self.epoch,
                transform=self.transform,
                **self.options,
            )
            self._it = iter(ds)
        return self._it

    def __iter__(self) -> EpochBatches:
        return self

    def __next__(self) -> dict[str, np.ndarray]:
        while self.num_epochs is None or self.epoch < self.num_epochs:
            try:
                return next(self._iterator())
            except StopIteration:
                self.epoch += 1
                self._it = None
        raise StopIteration

    def get_state(self) -> dict[str, Any]:
        """{"epoch": e, "iterator": Grain's position inside epoch e}."""
        return {"epoch": self.epoch, "iterator": self._iterator().get_state()}

    def set_state(self, state: dict[str, Any]) -> None:
        self.epoch = int(state["epoch"])
        self._it = None
        self._iterator().set_state(state["iterator"])
