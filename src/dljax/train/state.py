"""The training state: one pytree that holds everything a step changes."""

from __future__ import annotations

from typing import Any, NamedTuple

import jax
import jax.numpy as jnp
from flax import nnx


class TrainState(NamedTuple):
    step: jax.Array  # () int32, number of optimizer steps taken
    params: nnx.State  # trainable variables (nnx.Param)
    rest: nnx.State  # other model variables (batch-norm statistics, ...)
    opt_state: Any
    rng: jax.Array  # raw uint32 key data; step keys are fold_in(key, step)
    extra: dict  # task-owned state (EMA weights, ...)


def create_state(model: nnx.Module, tx, task, seed_key: jax.Array):
    """Split `model` into (train graphdef, eval graphdef, TrainState)."""
    model.train()
    graphdef, params, rest = nnx.split(model, nnx.Param, ...)
    model.eval()
    eval_graphdef, _, _ = nnx.split(model, nnx.Param, ...)
    state = TrainState(
        step=jnp.zeros((), jnp.int32),
        params=params,
        rest=rest,
        opt_state=tx.init(params),
        rng=jax.random.key_data(seed_key),
        extra=task.init_extra(params),
    )
    return graphdef, eval_graphdef, state


def step_key(state: TrainState) -> jax.Array:
    """The PRNG key of the current step (dropout etc.), a pure function of (seed, step)."""
    return jax.random.fold_in(jax.random.wrap_key_data(state.rng), state.step)
