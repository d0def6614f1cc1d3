"""Building a run: model, task, optimizers, the initial `TrainState` and the jitted steps."""

from __future__ import annotations

from dataclasses import dataclass

import jax
from flax import nnx

from dljax.config import Config
from dljax.data import Dataset
from dljax.errors import DljaxError
from dljax.models import ModelSpec
from dljax.train.optim import Optimizers
from dljax.train.parallel import DataParallel
from dljax.train.state import TrainState, create_state
from dljax.train.steps import StepFunctions
from dljax.train.tasks import Task


@dataclass
class Built:
    optimizers: Optimizers
    state: TrainState
    fns: StepFunctions
    num_params: int
    data_key: jax.Array  # orders the training data: epoch e uses fold_in(data_key, e)
    eval_key: jax.Array  # evaluation randomness, the same on every evaluation
    sample_key: jax.Array  # the fixed latents of the per-epoch sample grids


def check_compatible(config: Config, spec: ModelSpec, task: Task, dataset: Dataset) -> None:
    """Refuse a dataset that cannot feed the model's task, in Indonesian."""
    problem = task.check_dataset(dataset)
    if problem is None and dataset.info.label_shape and not spec.per_step_labels:
        problem = "dataset ini punya satu label per langkah waktu; pakai rnn, lstm atau gru"
    if problem is not None:
        raise DljaxError(
            f"Dataset {dataset.info.name!r} tidak cocok untuk model "
            f"{config.model_name!r} (tugas {task.name}): {problem}. "
            f"Pilih dataset yang cocok, mis. --dataset {spec.default_dataset} "
            "(lihat `dljax list`)."
        )


def build(
    config: Config,
    spec: ModelSpec,
    task: Task,
    dataset: Dataset,
    parallel: DataParallel,
    total_steps: int,
) -> Built:
    """Everything a run needs before its first step, as a pure function of the config."""
    seed_key = jax.random.key(config.train.seed)
    init_key, dropout_key, data_key = jax.random.split(seed_key, 3)
    eval_key, sample_key = jax.random.fold_in(seed_key, 1), jax.random.fold_in(seed_key, 2)
    model = spec.build(config.model, dataset.info, nnx.Rngs(params=init_key))
    optimizers = Optimizers(config.train, task.optimizer_parts(config), total_steps)
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
