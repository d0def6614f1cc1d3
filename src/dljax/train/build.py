"""Building a run: model, optimizers, the initial `TrainState` and the jitted steps."""

from __future__ import annotations

from dataclasses import dataclass

import jax
from flax import nnx

from dljax.config import Config
from dljax.recipes import Recipe
from dljax.tasks import Task
from dljax.train.compiled import StepFunctions
from dljax.train.optim import Optimizers
from dljax.train.parallel import DataParallel
from dljax.train.state import TrainState, create_state


@dataclass
class Built:
    optimizers: Optimizers
    state: TrainState
    fns: StepFunctions
    num_params: int
    data_key: jax.Array  # orders the training data: epoch e uses fold_in(data_key, e)
    eval_key: jax.Array  # evaluation randomness, the same on every evaluation
    sample_key: jax.Array  # the fixed latents of the per-epoch sample grids


def build(
    config: Config,
    recipe: Recipe,
    task: Task,
    info,
    parallel: DataParallel,
    total_steps: int,
) -> Built:
    """Everything a run needs before its first step, as a pure function of the config."""
    seed_key = jax.random.key(config.train.seed)
    init_key, dropout_key, data_key = jax.random.split(seed_key, 3)
    eval_key, sample_key = jax.random.fold_in(seed_key, 1), jax.random.fold_in(seed_key, 2)
    model = recipe.build_model(config, info, nnx.Rngs(params=init_key))
    optimizers = Optimizers(config.train, task.phases, total_steps)
    graphdef, eval_graphdef, state = create_state(
        model, optimizers, task, dropout_key, ema=config.train.ema_decay > 0
    )
    fns = StepFunctions(task, graphdef, eval_graphdef, optimizers, parallel, config.train.ema_decay)
    return Built(
        optimizers=optimizers,
        state=parallel.place_state(state),
        fns=fns,
        num_params=sum(x.size for x in jax.tree.leaves(state.params)),
        data_key=data_key,
        eval_key=eval_key,
        sample_key=sample_key,
    )
