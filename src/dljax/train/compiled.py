"""The jitted functions of a run. They only update state; the host never waits per step.

- `device_chunk(k)`: k training steps per dispatch, one `lax.scan` over an on-device dataset;
- `device_step`: one step per dispatch over an on-device dataset. XLA:CPU runs convolutions
  inside a loop (`scan`/`while`) through a slow generic path (measured ~55x slower for a
  3x3 conv on this machine), so conv nets on the CPU dispatch step by step; dispatch is
  asynchronous, so the host still never waits per step;
- `stream_step`: one step on a batch that came from the Grain pipeline;
- `eval_batch`: masked metric sums over one (padded) batch.

Each wraps `dljax.train.step.train_step` (the step itself) and adds the metric sums of the
step to the on-device accumulator (a chunk adds its k steps' metrics once, after its scan).
"""

from __future__ import annotations

from collections import Counter
from functools import partial

import jax
import jax.numpy as jnp
from flax import nnx

from dljax.train.accumulate import accumulate, accumulate_stacked
from dljax.train.state import TrainState, task_rngs
from dljax.train.step import train_step


class StepFunctions:
    """Builds the jitted functions of a run and counts how often each one is traced."""

    def __init__(self, task, graphdef, eval_graphdef, optimizers, parallel, ema_decay=0.0):
        self.task = task
        self.graphdef = graphdef
        self.eval_graphdef = eval_graphdef
        self.parallel = parallel
        self._train_step = partial(train_step, task, optimizers, graphdef, ema_decay)
        self.traces: Counter[str] = Counter()
        self._chunks: dict[int, object] = {}
        self.stream_step = jax.jit(self._stream_step, donate_argnums=(0, 1))
        self.device_step = jax.jit(self._device_step, donate_argnums=(0, 1), static_argnums=(5,))
        self.eval_batch = jax.jit(self._eval_batch)
        self.permutation = jax.jit(self._permutation, static_argnums=(2,))

    def step(self, state: TrainState, batch):
        """`train_step` of this run, keeping the state's layout on the mesh (fsdp)."""
        new_state, metrics = self._train_step(state, batch)
        return self.parallel.constrain_state(new_state), metrics

    def _constrain(self, batch, leading_axes: int = 0):
        sharding = self.parallel.batch_sharding(leading_axes)
        return jax.tree.map(lambda x: jax.lax.with_sharding_constraint(x, sharding), batch)

    def _permutation(self, data_key, epoch, n: int):
        self.traces["permutation"] += 1
        return jax.random.permutation(jax.random.fold_in(data_key, epoch), n)  # (N,)

    def _gathered_metrics(self, state, data, perm, i, batch_size):
        idx = jax.lax.dynamic_slice_in_dim(perm, i * batch_size, batch_size)  # (B,)
        batch = self._constrain(jax.tree.map(lambda a: a[idx], data))  # (B, ...)
        return self.step(state, batch)

    def _gathered_step(self, state, acc, data, perm, i, batch_size):
        new_state, metrics = self._gathered_metrics(state, data, perm, i, batch_size)
        return new_state, accumulate(acc, metrics, state.step)

    def device_chunk(self, num_steps: int):
        """`chunk(state, acc, data, perm, start, batch_size) -> (state, acc)`: `num_steps`
        steps on device. data: dict of (N, ...) arrays on the device; perm: (N,) permutation
        of the epoch; start: index of the first step of the chunk within the epoch."""
        if num_steps not in self._chunks:

            def chunk(state, acc, data, perm, start, batch_size):
                self.traces["device_chunk"] += 1

                def body(state, i):
                    return self._gathered_metrics(state, data, perm, start + i, batch_size)

                first_step = state.step
                state, metrics = jax.lax.scan(body, state, jnp.arange(num_steps))
                return state, accumulate_stacked(acc, metrics, first_step)  # (k,) metrics

            self._chunks[num_steps] = jax.jit(chunk, donate_argnums=(0, 1), static_argnums=(5,))
        return self._chunks[num_steps]

    def _device_step(self, state, acc, data, perm, i, batch_size):
        self.traces["device_step"] += 1
        return self._gathered_step(state, acc, data, perm, i, batch_size)

    def _stream_step(self, state, acc, batch):
        self.traces["stream_step"] += 1
        new_state, metrics = self.step(state, self._constrain(batch))
        return new_state, accumulate(acc, metrics, state.step)

    def _eval_batch(self, params, rest, batch, sums, key):
        """Add the masked metric sums of one padded batch (B, ...) to `sums`.

        `key` is the batch's evaluation key: a function of the seed and the batch index only,
        so stochastic metrics (a VAE's ELBO) are identical on every evaluation.
        """
        self.traces["eval_batch"] += 1
        model = nnx.merge(self.eval_graphdef, params, rest, copy=True)
        out = self.task.eval_fn(model, self._constrain(batch), task_rngs(key))
        return out if sums is None else jax.tree.map(jnp.add, sums, out)
