"""Metric accumulators that live on the device; the host reads them once per chunk."""

from __future__ import annotations

import jax
import jax.numpy as jnp
import numpy as np


def init_acc(names: tuple[str, ...]) -> dict[str, np.ndarray]:
    """Zeroed sums for `names`, a step count, and the first step whose loss was not finite.

    Host arrays: the caller places them on the devices in one transfer (no dispatch each).
    """
    acc = {name: np.zeros((), np.float32) for name in names}
    acc["steps"] = np.zeros((), np.int32)
    acc["bad_step"] = np.full((), -1, np.int32)
    return acc


def accumulate(acc: dict, metrics: dict, step: jax.Array) -> dict:
    """Add one step's metrics; remember `step` if it is the first with a NaN/Inf loss."""
    bad = ~jnp.isfinite(metrics["loss"])
    out = {k: acc[k] + metrics[k].astype(jnp.float32) for k in metrics}
    out["steps"] = acc["steps"] + 1
    out["bad_step"] = jnp.where((acc["bad_step"] < 0) & bad, step, acc["bad_step"])
    return out


def accumulate_stacked(acc: dict, metrics: dict, first_step: jax.Array) -> dict:
    """`accumulate` of k consecutive steps at once: `metrics` holds (k,) arrays, and the
    first of the k steps has index `first_step`.

    A chunk's `lax.scan` returns its per-step metrics as outputs and adds them here once,
    after the loop: summing inside the loop body costs XLA:CPU a few small ops per step.
    """
    bad = ~jnp.isfinite(metrics["loss"])  # (k,)
    first_bad = jnp.where(bad.any(), first_step + jnp.argmax(bad), -1)
    out = {k: acc[k] + metrics[k].astype(jnp.float32).sum() for k in metrics}
    out["steps"] = acc["steps"] + bad.shape[0]
    out["bad_step"] = jnp.where(acc["bad_step"] < 0, first_bad, acc["bad_step"])
    return out


def means(acc_host: dict, prefix: str = "train_") -> dict[str, float]:
    """Host-side means of an accumulator already fetched with `jax.device_get`."""
    steps = max(int(acc_host["steps"]), 1)
    return {
        f"{prefix}{k}": float(v) / steps
        for k, v in acc_host.items()
        if k not in ("steps", "bad_step")
    }


def eval_means(sums_host: dict, prefix: str = "test_") -> dict[str, float]:
    """Per-example means of evaluation sums (`count` is the number of real examples)."""
    count = max(float(sums_host["count"]), 1.0)
    return {f"{prefix}{k}": float(v) / count for k, v in sums_host.items() if k != "count"}


def first_bad_loss(acc_host: dict) -> float:
    loss = float(acc_host["loss"])
    return loss if not np.isfinite(loss) else float("nan")
