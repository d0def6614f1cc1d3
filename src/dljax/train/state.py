"""The training state: one pytree that holds everything a step changes."""

from __future__ import annotations

from typing import Any, NamedTuple

import jax
import jax.numpy as jnp
from flax import nnx


class TrainState(NamedTuple):
    step: jax.Array  # () int32, number of training steps taken
    params: nnx.State  # trainable variables (nnx.Param) of the whole model
    rest: nnx.State  # other model variables (batch-norm statistics, ...)
    opt_state: dict[str, Any]  # one optax state per optimizer part (see train.optim)
    rng: jax.Array  # raw uint32 key data; step keys are fold_in(key, step)
    extra: dict  # task-owned state; "ema": averaged params when train.ema_decay > 0


def create_state(model: nnx.Module, optimizers, task, seed_key: jax.Array, ema: bool = False):
    """Split `model` into (train graphdef, eval graphdef, TrainState)."""
    model.train()
    graphdef, params, rest = nnx.split(model, nnx.Param, ...)
    model.eval()
    eval_graphdef, _, _ = nnx.split(model, nnx.Param, ...)
    extra = dict(task.init_extra(params))
    if ema:
        extra["ema"] = jax.tree.map(jnp.copy, params)
    state = TrainState(
        step=jnp.zeros((), jnp.int32),
        params=params,
        rest=rest,
        opt_state=optimizers.init(params),
        rng=jax.random.key_data(seed_key),
        extra=extra,
    )
    return graphdef, eval_graphdef, state


def step_key(state: TrainState) -> jax.Array:
    """The PRNG key of the current step (dropout etc.), a pure function of (seed, step)."""
    return jax.random.fold_in(jax.random.wrap_key_data(state.rng), state.step)


def inference_params(state: TrainState) -> nnx.State:
    """The weights that evaluate, sample and export: the EMA weights when the run keeps them."""
    return state.extra.get("ema", state.params)


def task_rngs(key: jax.Array) -> nnx.Rngs:
    """The Rngs a task's loss or eval function receives: `dropout` for layers, `noise` for
    the task's own randomness (latents, corruption, sampling); independent streams of `key`."""
    return nnx.Rngs(dropout=key, noise=jax.random.fold_in(key, 1))
