"""Jitted steps. They only update state; the host never waits on them per step.

- `update_part`: one optimizer step on one part of the model (the shared mechanism of every
  task: a classifier has one part, a GAN two).
- `supervised_step`: the pure step of a one-model, one-optimizer task.
- `StepFunctions`: the jitted functions of a run:
  - `device_chunk`: many steps per dispatch with `lax.scan` over an on-device dataset;
  - `device_step`: one step per dispatch over an on-device dataset. XLA:CPU runs convolutions
    inside a loop (`scan`/`while`) through a slow generic path (measured ~55x slower for a
    3x3 conv on this machine), so conv nets on the CPU dispatch step by step; dispatch is
    asynchronous, so the host still never waits per step;
  - `stream_step`: one step on a batch that came from the Grain pipeline;
  - `eval_batch`: masked metric sums over one (padded) batch.
  Every training step ends with the EMA update when the run keeps EMA weights.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable

import jax
import jax.numpy as jnp
import optax
from flax import nnx

from dljax.train.metrics import accumulate
from dljax.train.state import TrainState, step_key, task_rngs


def to_compute(tree, dtype):
    """Floating leaves of `tree` cast to `dtype` (mixed precision; None/float32: unchanged)."""
    if dtype in (None, "float32"):
        return tree
    return jax.tree.map(
        lambda x: x.astype(dtype) if jnp.issubdtype(x.dtype, jnp.floating) else x, tree
    )


def update_part(
    optimizers,
    graphdef,
    state: TrainState,
    name: str,
    loss_fn: Callable[[nnx.Module], tuple[jax.Array, dict]],
) -> tuple[TrainState, jax.Array, dict]:
    """One optimizer step of part `name`: `loss_fn(model) -> (loss, aux)` is differentiated
    with respect to that part's parameters only.

    Only the part's own variables change: its parameters, its optimizer state, and its
    non-parameter variables (batch-norm statistics). Running the other parts inside
    `loss_fn` (a generator making fakes for the discriminator's step) leaves their
    statistics untouched.

    Mixed precision (`train.dtype=bfloat16`, `optimizers.compute_dtype`): the floating
    parameters are cast to bfloat16 *inside* the differentiated function, so the model
    computes in bfloat16 while the parameters, their gradients, the optimizer state, the
    statistics and the loss stay float32 (float inputs are cast by the step that owns the
    batch, e.g. `supervised_step`). It pays on GPU/TPU; XLA:CPU gains nothing from it.
    """
    own, others = optimizers.split(state.params, name)
    own_rest_before, other_rest = optimizers.split(state.rest, name)
    dtype = getattr(optimizers, "compute_dtype", None)

    def loss_of(own_params):
        params = to_compute(own_params, dtype), to_compute(others, dtype)
        model = nnx.merge(graphdef, *params, state.rest, copy=True)
        loss, aux = loss_fn(model)
        _, _, rest = nnx.split(model, nnx.Param, ...)
        own_rest = optimizers.split(rest, name)[0]
        if dtype not in (None, "float32"):  # statistics keep their own dtype
            own_rest = jax.tree.map(lambda n, o: n.astype(o.dtype), own_rest, own_rest_before)
            loss = loss.astype(jnp.float32)
            aux = jax.tree.map(lambda a: a.astype(jnp.float32), aux)
        return loss, (aux, own_rest)

    (loss, (aux, own_rest)), grads = jax.value_and_grad(loss_of, has_aux=True)(own)
    tx = optimizers.txs[name]
    updates, part_opt = tx.update(grads, state.opt_state[name], own)
    own = optax.apply_updates(own, updates)
    new_state = state._replace(
        params=nnx.merge_state(own, others),
        rest=nnx.merge_state(own_rest, other_rest),
        opt_state={**state.opt_state, name: part_opt},
    )
    return new_state, loss, aux


def supervised_step(task, graphdef, optimizers):
    """`step(state, batch) -> (state, metrics)` with the task's loss and its one optimizer."""
    (name,) = optimizers.names

    def step(state: TrainState, batch):
        key = step_key(state)
        batch = to_compute(batch, getattr(optimizers, "compute_dtype", None))
        state, loss, aux = update_part(  # Rngs are made inside the traced loss: NNX needs it
            optimizers, graphdef, state, name, lambda m: task.loss_fn(m, batch, task_rngs(key))
        )
        return state._replace(step=state.step + 1), {"loss": loss, **aux}

    return step


def ema_update(ema: nnx.State, params: nnx.State, decay: float) -> nnx.State:
    """`decay * ema + (1 - decay) * params`, leaf by leaf."""
    return optax.incremental_update(params, ema, step_size=1.0 - decay)


class StepFunctions:
    """Builds the jitted functions of a run and counts how often each one is traced."""

    def __init__(self, task, graphdef, eval_graphdef, optimizers, parallel, ema_decay=0.0):
        self.task = task
        self.graphdef = graphdef
        self.eval_graphdef = eval_graphdef
        self.parallel = parallel
        self._task_step = task.make_train_step(graphdef, optimizers)
        self.ema_decay = ema_decay
        self.traces: Counter[str] = Counter()
        self._chunks: dict[int, object] = {}
        self.stream_step = jax.jit(self._stream_step, donate_argnums=(0, 1))
        self.device_step = jax.jit(self._device_step, donate_argnums=(0, 1), static_argnums=(5,))
        self.eval_batch = jax.jit(self._eval_batch)
        self.permutation = jax.jit(self._permutation, static_argnums=(2,))

    def step(self, state: TrainState, batch):
        """The task's step, followed by the EMA update when the run keeps EMA weights."""
        new_state, metrics = self._task_step(state, batch)
        if self.ema_decay > 0:
            ema = ema_update(new_state.extra["ema"], new_state.params, self.ema_decay)
            new_state = new_state._replace(extra={**new_state.extra, "ema": ema})
        return self.parallel.constrain_state(new_state), metrics  # fsdp: stay sharded

    def _constrain(self, batch, leading_axes: int = 0):
        sharding = self.parallel.batch_sharding(leading_axes)
        return jax.tree.map(lambda x: jax.lax.with_sharding_constraint(x, sharding), batch)

    def _permutation(self, data_key, epoch, n: int):
        self.traces["permutation"] += 1
        return jax.random.permutation(jax.random.fold_in(data_key, epoch), n)  # (N,)

    def device_chunk(self, num_steps: int):
        """`chunk(state, acc, data, perm, start) -> (state, acc)`: `num_steps` steps on device.

        data: dict of (N, ...) arrays on the device; perm: (N,) permutation of the epoch;
        start: index of the first step of the chunk within the epoch.
        """
        if num_steps not in self._chunks:

            def chunk(state, acc, data, perm, start, batch_size):
                self.traces["device_chunk"] += 1

                def body(carry, i):
                    state, acc = carry
                    idx = jax.lax.dynamic_slice_in_dim(perm, (start + i) * batch_size, batch_size)
                    batch = self._constrain(jax.tree.map(lambda a: a[idx], data))  # (B, ...)
                    new_state, metrics = self.step(state, batch)
                    return (new_state, accumulate(acc, metrics, state.step)), None

                (state, acc), _ = jax.lax.scan(body, (state, acc), jnp.arange(num_steps))
                return state, acc

            self._chunks[num_steps] = jax.jit(chunk, donate_argnums=(0, 1), static_argnums=(5,))
        return self._chunks[num_steps]

    def _device_step(self, state, acc, data, perm, i, batch_size):
        self.traces["device_step"] += 1
        idx = jax.lax.dynamic_slice_in_dim(perm, i * batch_size, batch_size)  # (B,)
        batch = self._constrain(jax.tree.map(lambda a: a[idx], data))  # (B, ...)
        new_state, metrics = self.step(state, batch)
        return new_state, accumulate(acc, metrics, state.step)

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
