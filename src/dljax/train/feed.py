"""Feeding data to the jitted steps for one epoch.

- `DeviceFeed` ("device"): the training set is placed on the devices once, each epoch's
  permutation is drawn on the device, and `train.steps_per_dispatch` steps run in one
  `lax.scan` dispatch ("scan"), or one asynchronous dispatch each ("step", conv nets on CPU);
- `StreamFeed` ("grain"): batches come from a Grain pipeline with prefetch, one step each.

Both return the new state and the on-device metric sums; `show(steps, acc)` is called once
per dispatch chunk, the only time the host reads the metrics.
"""

from __future__ import annotations

import jax
import numpy as np

from dljax.data import as_arrays
from dljax.data.pipeline import grain_batches

DEVICE_PATH_MAX_BYTES = 2 * 1024**3  # "auto" keeps datasets up to this size on the device


def choose_pipeline(choice: str, train_source) -> str:
    if choice != "auto":
        return choice
    arrays = getattr(train_source, "arrays", None)
    if arrays is None:
        return "grain"
    size = sum(v.nbytes for v in arrays.values())
    return "device" if size <= DEVICE_PATH_MAX_BYTES else "grain"


def choose_dispatch(choice: str, scan_on_cpu: bool) -> str:
    if choice != "auto":
        return choice
    return "step" if jax.default_backend() == "cpu" and not scan_on_cpu else "scan"


class DeviceFeed:
    def __init__(self, config, dataset, fns, parallel, data_key, steps_per_epoch, dispatch):
        self.config, self.fns = config, fns
        self.n = len(dataset.train)
        # every process holds the whole (small) training set on each of its devices
        self.data = parallel.put_global(as_arrays(dataset.train), parallel.replicated)
        self.data_key, self.steps_per_epoch, self.dispatch = data_key, steps_per_epoch, dispatch

    def epoch(self, state, acc, epoch: int, show):
        batch_size = self.config.data.batch_size
        perm = self.fns.permutation(self.data_key, epoch, self.n)  # (N,)
        done = 0
        while done < self.steps_per_epoch:
            k = min(self.config.train.steps_per_dispatch, self.steps_per_epoch - done)
            if self.dispatch == "scan":  # k steps in one dispatch
                chunk = self.fns.device_chunk(k)
                state, acc = chunk(state, acc, self.data, perm, np.int32(done), batch_size)
            else:  # k asynchronous dispatches of one step each
                for i in range(done, done + k):
                    state, acc = self.fns.device_step(
                        state, acc, self.data, perm, np.int32(i), batch_size
                    )
            done += k
            show(k, acc)
        return state, acc


class StreamFeed:
    def __init__(self, config, dataset, fns, parallel, steps_per_epoch):
        self.config, self.dataset, self.fns, self.parallel = config, dataset, fns, parallel
        self.steps_per_epoch = steps_per_epoch

    def epoch(self, state, acc, epoch: int, show):
        cfg = self.config
        batches = grain_batches(
            self.dataset.train,
            cfg.data.batch_size,
            seed=cfg.train.seed,
            epoch=epoch,
            num_workers=cfg.data.num_workers,
            prefetch=cfg.data.prefetch,
            shard_index=jax.process_index(),
            shard_count=jax.process_count(),
        )
        sharding = self.parallel.batch_sharding()
        pending = 0
        for i, batch in enumerate(batches):
            state, acc = self.fns.stream_step(state, acc, self.parallel.put(batch, sharding))
            pending += 1
            if pending == cfg.train.steps_per_dispatch or i + 1 == self.steps_per_epoch:
                show(pending, acc)
                pending = 0
        return state, acc
