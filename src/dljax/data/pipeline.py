"""Input pipelines: the on-device fast path and the streaming Grain path.

Both are deterministic for a seed: the order of epoch `e` depends only on `(seed, e)`, so a
resumed run sees exactly the batches that an uninterrupted run would have seen.
"""

from __future__ import annotations

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
) -> grain.IterDataset:
    """One epoch of batches (dicts of numpy arrays) from `source` through Grain.

    Indices are shuffled and batched first, then each batch is read with one vectorized
    gather: there is no per-record Python loop for array-backed sources. With several hosts,
    each reads its own `shard_index`-th slice of every global batch.
    """
    ds = grain.MapDataset.range(len(source))
    if shuffle:
        ds = ds.shuffle(seed=epoch_seed(seed, epoch))
    ds = ds.batch(batch_size, drop_remainder=drop_remainder)
    if shard_count > 1:
        per_host = batch_size // shard_count
        ds = ds.map(lambda idx: idx[shard_index * per_host : (shard_index + 1) * per_host])
    ds = ds.map(lambda idx: fetch_batch(source, np.asarray(idx)))
    it = ds.to_iter_dataset(grain.ReadOptions(num_threads=1, prefetch_buffer_size=prefetch))
    if num_workers > 0:
        it = it.mp_prefetch(grain.MultiprocessingOptions(num_workers=num_workers))
    return it


def steps_per_epoch(num_examples: int, batch_size: int) -> int:
    """Full batches per epoch (the remainder is dropped, a different one every epoch)."""
    return num_examples // batch_size
