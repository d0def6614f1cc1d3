"""Evaluation on the test set: masked metric sums over padded batches, means per example."""

from __future__ import annotations

import math

import jax
import jax.numpy as jnp
import numpy as np

from dljax.data.pipeline import grain_batches
from dljax.train.accumulate import eval_means
from dljax.train.state import TrainState, inference_params

EVAL_BATCH = 512


def pad_to_batches(arrays: dict[str, np.ndarray], batch: int) -> dict[str, np.ndarray]:
    """(N, ...) arrays -> (ceil(N / batch), batch, ...) with a `mask` of real examples."""
    n = len(next(iter(arrays.values())))
    nb = max(1, math.ceil(n / batch))
    out = {}
    for k, v in arrays.items():
        padded = np.zeros((nb * batch, *v.shape[1:]), v.dtype)
        padded[:n] = v
        out[k] = padded.reshape(nb, batch, *v.shape[1:])
    mask = np.zeros(nb * batch, np.float32)
    mask[:n] = 1.0
    out["mask"] = mask.reshape(nb, batch)
    return out


class Evaluator:
    """`evaluator(state) -> {"test_loss": ..., ...}` with the weights that evaluate (EMA when
    kept). Batch i draws its randomness from fold_in(eval_key, i): the same every time."""

    def __init__(self, test_source, fns, parallel, eval_key):
        self.test, self.fns, self.parallel, self.eval_key = test_source, fns, parallel, eval_key
        # at most EVAL_BATCH examples, never more than the test set needs (padding costs compute)
        wanted = min(EVAL_BATCH, max(1, len(test_source)))
        self.batch = parallel.num_devices * math.ceil(wanted / parallel.num_devices)
        self._cached = None
        self._keys: list[jax.Array] = []  # batch i's key, fold_in(eval_key, i)
        self._zeros = None  # zeroed metric sums, the first batch's `sums`

    def batches(self):
        """Padded test batches on the device (cached when the test set is in memory)."""
        if self._cached is not None:
            return self._cached
        sharding = self.parallel.batch_sharding()
        if getattr(self.test, "arrays", None) is not None:
            stacked = pad_to_batches(self.test.arrays, self.batch)
            self._cached = [
                self.parallel.put_global({k: v[i] for k, v in stacked.items()}, sharding)
                for i in range(len(stacked["mask"]))
            ]
            return self._cached
        return (
            self.parallel.put_global(
                {k: v[0] for k, v in pad_to_batches(b, self.batch).items()}, sharding
            )
            for b in grain_batches(
                self.test, self.batch, seed=0, epoch=0, shuffle=False, drop_remainder=False
            )
        )

    def start(self, state: TrainState):
        """Dispatch the evaluation of `state` and return its metric sums, still on the device:
        the host does not wait, so the evaluation queues behind the epoch's training steps."""
        params, rest = inference_params(state), state.rest
        sums = None
        for i, batch in enumerate(self.batches()):
            if i == len(self._keys):
                self._keys.append(jax.random.fold_in(self.eval_key, i))
            key = self._keys[i]
            if sums is None:
                if self._zeros is None:  # the sums' shapes, once: eval_batch compiles once
                    shapes = jax.eval_shape(self.fns.eval_batch, params, rest, batch, None, key)
                    self._zeros = jax.tree.map(lambda s: jnp.zeros(s.shape, s.dtype), shapes)
                sums = self._zeros
            sums = self.fns.eval_batch(params, rest, batch, sums, key)
        return sums

    def __call__(self, state: TrainState) -> dict[str, float]:
        return eval_means(jax.device_get(self.start(state)))
