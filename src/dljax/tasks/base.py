"""The task interface: what a model family is trained to do, as pure functions.

A task owns pure functions of a model and a batch:

- `loss_fn(model, batch, rngs) -> (loss, aux)`: the scalar training loss and a dict of
  batch-mean metrics (`aux`);
- `eval_fn(model, batch, rngs) -> sums`: per-batch *sums* of metrics over the examples where
  `batch["mask"]` is 1, plus their `"count"`, so padded batches evaluate exactly. `rngs` is
  derived from the seed and the batch index only: stochastic metrics are reproducible.

and declares how it is optimized and what it can produce:

- `phases`: the optimizer steps of one training step, in order (`Phase`). Most tasks have
  one (`"model"`, every parameter, `loss_fn`); a GAN has two (the discriminator's step, then
  the generator's), each on its own part of the parameters with its own optimizer. The one
  training step of the engine (`dljax.train.step.train_step`) runs them;
- `sample(model, key, n, **options)`: for generative tasks, `n` samples in one compiled call
  (`sample_kind` says whether they are images or token ids);
- `headline(summary)`: the few numbers the CLI prints after training, in Indonesian.

A task's settings come from the run's config (`Task.from_config(config)`), never from
attributes attached to a model after it was built.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import jax
import jax.numpy as jnp
from flax import nnx

from dljax.errors import DljaxError

Batch = dict[str, jax.Array]
LossFn = Callable[[nnx.Module, Batch, nnx.Rngs], tuple[jax.Array, dict]]
ALL = ...  # the parameter filter that selects every parameter


@dataclass(frozen=True)
class Phase:
    """One optimizer step of a training step.

    `loss(model, batch, rngs) -> (loss, aux)` is differentiated with respect to the
    parameters that `params` selects (an nnx filter such as `nnx.PathContains("generator")`;
    `...` = all), by the optimizer called `part`; `train` overrides fields of the run's
    `TrainConfig` for that optimizer (e.g. its own `lr`); `metric` names the loss in the
    step's metrics.
    """

    part: str
    loss: LossFn
    params: Any = ALL
    train: dict[str, Any] = field(default_factory=dict)
    metric: str = "loss"


def cross_entropy(logits: jax.Array, labels: jax.Array) -> jax.Array:
    """Per-example softmax cross-entropy `-log softmax(logits)[label]`.

    logits (B, K) float, labels (B,) int -> (B,) float.
    """
    log_probs = jax.nn.log_softmax(logits, axis=-1)  # (B, K)
    return -jnp.take_along_axis(log_probs, labels[:, None], axis=-1)[:, 0]  # (B,)


def masked_sums(per_example: dict[str, jax.Array], mask: jax.Array) -> dict[str, jax.Array]:
    """Sums over the real examples (`mask` (B,) is 1) of per-example (B,) metrics + `count`."""
    out = {k: jnp.sum(v * mask) for k, v in per_example.items()}
    out["count"] = jnp.sum(mask)
    return out


class Task:
    """Base class; subclasses set `name` and `metrics` and implement `loss_fn`/`eval_fn`."""

    name: str = ""
    metrics: tuple[str, ...] = ("loss",)  # training metrics returned by each step
    sample_kind: str | None = None  # "image" or "tokens" when the task can sample
    sample_needs_data: bool = False  # True when `sample` reads real examples (not a stand-in)

    @classmethod
    def from_config(cls, config) -> Task:
        """The task with its settings read from a run's `Config` (default: none)."""
        return cls()

    @property
    def phases(self) -> tuple[Phase, ...]:
        """The optimizer steps of one training step (default: `loss_fn` on every parameter)."""
        return (Phase("model", self.loss_fn),)

    def loss_fn(self, model: nnx.Module, batch: Batch, rngs: nnx.Rngs) -> tuple[jax.Array, dict]:
        raise NotImplementedError

    def eval_fn(self, model: nnx.Module, batch: Batch, rngs: nnx.Rngs) -> dict[str, jax.Array]:
        raise NotImplementedError

    def check_dataset(self, dataset) -> str | None:
        """Why `dataset` cannot feed this task (Indonesian), or None when it can."""
        return None

    def derived(self, record: dict) -> dict:
        """Metrics computed on the host from an epoch record (e.g. perplexity)."""
        return {}

    def init_extra(self, params: Any) -> dict:
        """Task-owned training state beyond params and optimizer state."""
        return {}

    def sample(self, model: nnx.Module, key: jax.Array, n: int, **options) -> jax.Array:
        """`n` samples from a generative model in evaluation mode (see `sample_kind`)."""
        raise DljaxError(
            f"Tugas {self.name!r} tidak membangkitkan sampel; `dljax sample` butuh run model "
            "generatif (mis. gan, vae) atau model bahasa (char_lstm)."
        )

    def sample_options(self, options: dict) -> dict:
        """Sampler options given to `dljax sample` (e.g. `steps`, `eta`; None or False =
        not given), checked and converted for `sample`. Tasks list the ones they take; this
        default takes none and names the first one given."""
        given = [k for k, v in options.items() if v is not None and v is not False]
        if given:
            flag = "--" + given[0].replace("_", "-")
            raise DljaxError(
                f"Opsi {flag} tidak berlaku untuk run ini (tugas {self.name!r}); opsi sampler "
                "(--sampler, --steps, --eta, --guidance, --trajectory) hanya untuk model difusi "
                "(ddpm, ddpm_cond). Hapus opsi itu."
            )
        return {}

    def snapshot_options(self, dataset) -> dict | None:
        """What the per-epoch sample grid shows: `{"n": ..., "cols": ..., **sample options}`,
        or None when the task writes no grids."""
        return None

    def headline(self, summary: dict) -> list[str]:
        """Indonesian phrases for the CLI's last line, e.g. ["akurasi uji 97,8 %"]."""
        if "test_loss" in summary:
            return [f"loss uji {summary['test_loss']:.4f}"]
        return []
