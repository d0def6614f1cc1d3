"""The task interface: what a model family is trained to do, as pure functions.

A task owns two pure functions of a model and a batch:

- `loss_fn(model, batch, rngs) -> (loss, aux)`: the scalar training loss and a dict of
  batch-mean metrics (`aux`), used inside the jitted training step;
- `eval_fn(model, batch, rngs) -> sums`: per-batch *sums* of metrics over the examples where
  `batch["mask"]` is 1, plus their `"count"`, so padded batches evaluate exactly. `rngs` is
  derived from the seed and the batch index only: stochastic metrics are reproducible.

and says how it is optimized and what it can produce:

- `optimizer_parts(config)`: one optimizer per named part of the model, selected by a path
  filter (one part for most tasks; a GAN's `generator` and `discriminator`);
- `make_train_step(graphdef, optimizers)`: the pure `step(state, batch)`; the default is the
  supervised step, built on the shared `steps.update_part`;
- `sample(model, key, n, **options)`: for generative tasks, `n` samples in one compiled call
  (`sample_kind` says whether they are images or token ids);
- `final_metrics(run)`: quality numbers computed once at the end of training (FD, ...);
- `headline(summary)`: the few numbers the CLI prints after training, in Indonesian.
"""

from __future__ import annotations

from typing import Any

import jax
import jax.numpy as jnp
from flax import nnx

from dljax.errors import DljaxError
from dljax.train.optim import OptimizerPart

Batch = dict[str, jax.Array]


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

    def optimizer_parts(self, config) -> dict[str, OptimizerPart]:
        """The optimizers of this task by name; the default trains every parameter."""
        return {"model": OptimizerPart()}

    def make_train_step(self, graphdef, optimizers):
        """A pure `step(state, batch) -> (state, metrics)`; the default is supervised."""
        from dljax.train.steps import supervised_step

        return supervised_step(self, graphdef, optimizers)

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

    def final_metrics(self, run) -> dict[str, float]:
        """Quality numbers computed once after training (default: none)."""
        return {}

    def headline(self, summary: dict) -> list[str]:
        """Indonesian phrases for the CLI's last line, e.g. ["akurasi uji 97,8 %"]."""
        if "test_loss" in summary:
            return [f"loss uji {summary['test_loss']:.4f}"]
        return []
