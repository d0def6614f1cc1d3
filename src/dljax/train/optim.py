"""Optimizers and learning-rate schedules from a `TrainConfig`."""

from __future__ import annotations

import optax

from dljax.config import TrainConfig


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
        tx = optax.adamw(schedule, weight_decay=cfg.weight_decay)
    elif cfg.optimizer == "adam":
        tx = optax.adam(schedule)
    else:
        tx = optax.sgd(schedule, momentum=0.9)
    if cfg.grad_clip > 0:
        tx = optax.chain(optax.clip_by_global_norm(cfg.grad_clip), tx)
    return tx, schedule
