"""The training step: one pure function of the train state and a batch.

`train_step(task, optimizers, graphdef, ema_decay, state, batch) -> (state, metrics)` runs
the task's phases in order (`task.phases`: one for most tasks, a GAN's discriminator then
generator); each phase is `update_part`: the gradient of the phase's loss with respect to its
part of the parameters, and one step of that part's optimizer. The task's loss is a pure
function (`task.loss_fn(model, batch, rngs)`); randomness comes from the step key, a pure
function of (seed, step). After the phases, the EMA weights move when the run keeps them.

Nothing here talks to the host: `dljax.train.compiled` jits this step (alone, or many steps
inside one `lax.scan`), and metrics stay on the device.
"""

from __future__ import annotations

from collections.abc import Callable

import jax
import jax.numpy as jnp
import optax
from flax import nnx

from dljax.train.state import TrainState, step_key, task_rngs


def train_step(task, optimizers, graphdef, ema_decay: float, state: TrainState, batch):
    """One training step: the task's phases, then the EMA update (`ema_decay` > 0)."""
    phases = task.phases
    key = step_key(state)
    keys = [key] if len(phases) == 1 else jax.random.split(key, len(phases))
    batch = to_compute(batch, optimizers.compute_dtype)  # float inputs, mixed precision
    metrics, total = {}, 0.0
    for phase, phase_key in zip(phases, keys, strict=True):

        def loss_fn(model, phase=phase, phase_key=phase_key):
            # the Rngs are made inside the traced loss: NNX needs it
            return phase.loss(model, batch, task_rngs(phase_key))

        state, loss, aux = update_part(optimizers, graphdef, state, phase.part, loss_fn)
        metrics.update({phase.metric: loss, **aux})
        total = total + loss
    metrics["loss"] = total
    state = state._replace(step=state.step + 1)
    if ema_decay > 0:
        ema = ema_update(state.extra["ema"], state.params, ema_decay)
        state = state._replace(extra={**state.extra, "ema": ema})
    return state, metrics


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
    statistics and the loss stay float32 (float inputs are cast by `train_step`). It pays
    on GPU/TPU; XLA:CPU gains nothing from it.
    """
    own, others = optimizers.split(state.params, name)
    own_rest_before, other_rest = optimizers.split(state.rest, name)
    dtype = optimizers.compute_dtype

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


def to_compute(tree, dtype):
    """Floating leaves of `tree` cast to `dtype` (mixed precision; None/float32: unchanged)."""
    if dtype in (None, "float32"):
        return tree
    return jax.tree.map(
        lambda x: x.astype(dtype) if jnp.issubdtype(x.dtype, jnp.floating) else x, tree
    )


def ema_update(ema: nnx.State, params: nnx.State, decay: float) -> nnx.State:
    """`decay * ema + (1 - decay) * params`, leaf by leaf."""
    return optax.incremental_update(params, ema, step_size=1.0 - decay)
