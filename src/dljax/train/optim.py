"""Optimizers and learning-rate schedules from a `TrainConfig`.

A task trains its model in one or several phases (`dljax.tasks.Phase`). Each phase names an
optimizer part: the parameters its filter selects (e.g. everything under `generator`) and
overrides of the run's `TrainConfig` (its own `lr`, ...); `Optimizers` builds one optax
transformation per part and keeps their states side by side in `TrainState.opt_state`.

Weight decay: `adamw` applies decoupled weight decay (`TrainConfig.decay`); `adam` and `sgd`
take none, and a `train.weight_decay` given with them is refused by the config.
"""

from __future__ import annotations

import dataclasses
from typing import Any

import optax
from flax import nnx

from dljax.config import TrainConfig
from dljax.tasks import ALL, Phase


def make_schedule(cfg: TrainConfig, total_steps: int) -> optax.Schedule:
    if cfg.schedule == "constant":
        main = optax.constant_schedule(cfg.lr)
    else:  # cosine decay to 1% of the peak over the steps after warm-up
        main = optax.cosine_decay_schedule(cfg.lr, max(total_steps - cfg.warmup_steps, 1), 0.01)
    if cfg.warmup_steps == 0:
        return main
    warmup = optax.linear_schedule(0.0, cfg.lr, cfg.warmup_steps)
    return optax.join_schedules([warmup, main], [cfg.warmup_steps])


def make_optimizer(
    cfg: TrainConfig, total_steps: int
) -> tuple[optax.GradientTransformation, optax.Schedule]:
    schedule = make_schedule(cfg, total_steps)
    if cfg.optimizer == "adamw":
        tx = optax.adamw(schedule, b1=cfg.beta1, weight_decay=cfg.decay)
    elif cfg.optimizer == "adam":
        tx = optax.adam(schedule, b1=cfg.beta1)
    else:
        tx = optax.sgd(schedule, momentum=0.9)
    if cfg.grad_clip > 0:
        tx = optax.chain(optax.clip_by_global_norm(cfg.grad_clip), tx)
    return tx, schedule


class Optimizers:
    """One optax transformation and schedule per named part of a model's parameters."""

    def __init__(self, cfg: TrainConfig, phases: tuple[Phase, ...], total_steps: int):
        if not phases:
            raise ValueError("a task needs at least one phase")
        self.parts = {p.part: p for p in phases}
        if len(self.parts) != len(phases):
            raise ValueError(f"two phases share an optimizer part: {[p.part for p in phases]}")
        self.configs = {n: dataclasses.replace(cfg, **p.train) for n, p in self.parts.items()}
        built = {n: make_optimizer(c, total_steps) for n, c in self.configs.items()}
        self.txs = {n: tx for n, (tx, _) in built.items()}
        self.schedules = {n: s for n, (_, s) in built.items()}
        # train.dtype: what `step.update_part` computes in (parameters stay float32)
        self.compute_dtype = cfg.dtype

    @property
    def names(self) -> tuple[str, ...]:
        return tuple(self.parts)

    def split(self, tree: nnx.State, name: str) -> tuple[nnx.State, nnx.State]:
        """(the variables of part `name`, all the others) of a params or rest State."""
        selector = self.parts[name].params
        if selector is ALL:
            return tree, nnx.State({})
        own, others = nnx.split_state(tree, selector, ...)
        return own, others

    def init(self, params: nnx.State) -> dict[str, Any]:
        """The initial optimizer state of every part, keyed by part name."""
        return {n: self.txs[n].init(self.split(params, n)[0]) for n in self.parts}

    def lr(self, step: int) -> dict[str, float]:
        """Learning rate of every part at `step` (for the run's history)."""
        return {n: float(s(step)) for n, s in self.schedules.items()}
