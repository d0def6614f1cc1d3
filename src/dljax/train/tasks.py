"""Tasks: what a model family is trained to do, as pure functions.

A task owns two pure functions of a model and a batch:

- `loss_fn(model, batch, rngs) -> (loss, aux)`: the scalar training loss and a dict of
  batch-mean metrics (`aux`), used inside the jitted training step;
- `eval_fn(model, batch) -> sums`: per-batch *sums* of metrics over the examples where
  `batch["mask"]` is 1, plus their `"count"`, so padded batches evaluate exactly.

and may override `make_train_step` when one optimizer and one model are not enough (a GAN's
two optimizers, a diffusion model's EMA weights: see the README's developer section).
"""

from __future__ import annotations

from typing import Any

import jax
import jax.numpy as jnp
import numpy as np
from flax import nnx

Batch = dict[str, jax.Array]


def cross_entropy(logits: jax.Array, labels: jax.Array) -> jax.Array:
    """Per-example softmax cross-entropy `-log softmax(logits)[label]`.

    logits (B, K) float, labels (B,) int -> (B,) float.
    """
    log_probs = jax.nn.log_softmax(logits, axis=-1)  # (B, K)
    return -jnp.take_along_axis(log_probs, labels[:, None], axis=-1)[:, 0]  # (B,)


class Task:
    """Base class; subclasses set `metrics` and implement `loss_fn` and `eval_fn`."""

    name: str = ""
    metrics: tuple[str, ...] = ("loss",)  # training metrics returned by each step

    def loss_fn(self, model: nnx.Module, batch: Batch, rngs: nnx.Rngs) -> tuple[jax.Array, dict]:
        raise NotImplementedError

    def eval_fn(self, model: nnx.Module, batch: Batch) -> dict[str, jax.Array]:
        raise NotImplementedError

    def check_dataset(self, dataset) -> str | None:
        """Why `dataset` cannot feed this task (Indonesian), or None when it can."""
        return None

    def derived(self, record: dict) -> dict:
        """Metrics computed on the host from an epoch record (e.g. perplexity)."""
        return {}

    def init_extra(self, params: Any) -> dict:
        """Task-owned training state beyond params and optimizer (e.g. EMA weights)."""
        return {}

    def make_train_step(self, graphdef, tx):
        """A pure `step(state, batch) -> (state, metrics)`; the default is supervised."""
        from dljax.train.steps import supervised_step

        return supervised_step(self, graphdef, tx)


class ClassificationTask(Task):
    """Softmax classification of `batch["input"]` into `batch["label"]`."""

    name = "classification"
    metrics = ("loss", "accuracy")

    def check_dataset(self, dataset) -> str | None:
        record = dataset.train[0]
        if "input" not in record or "label" not in record:
            return f"butuh contoh berisi 'input' dan 'label', bukan {sorted(record)}"
        if np.shape(record["label"]) != dataset.info.label_shape or dataset.info.num_classes < 2:
            return "bentuk label tidak sesuai dengan info dataset"
        return None

    @staticmethod
    def _per_label(logits, labels):
        """Losses and correctness per label, (B, S): S = 1, or T for per-step labels."""
        b, k = labels.shape[0], logits.shape[-1]
        losses = cross_entropy(logits.reshape(-1, k), labels.reshape(-1)).reshape(b, -1)
        correct = (jnp.argmax(logits, axis=-1) == labels).astype(jnp.float32).reshape(b, -1)
        return losses, correct

    def loss_fn(self, model, batch, rngs):
        logits = model(batch["input"], rngs=rngs)  # (B, K) or (B, T, K)
        losses, correct = self._per_label(logits, batch["label"])
        return losses.mean(), {"accuracy": correct.mean()}

    def eval_fn(self, model, batch):
        losses, correct = self._per_label(model(batch["input"]), batch["label"])  # (B, S)
        mask = batch["mask"][:, None]  # (B, 1): 1 for real examples, 0 for padding
        return {
            "loss": jnp.sum(losses * mask),
            "accuracy": jnp.sum(correct * mask),
            "count": jnp.sum(mask) * losses.shape[1],
        }


class LanguageModelTask(Task):
    """Next-token prediction on `batch["tokens"]` (B, T + 1); loss in nats per token."""

    name = "language_model"
    metrics = ("loss",)

    def check_dataset(self, dataset) -> str | None:
        if "tokens" not in dataset.train[0]:
            return f"butuh contoh berisi 'tokens', bukan {sorted(dataset.train[0])}"
        return None

    def _token_losses(self, model, tokens, rngs=None) -> jax.Array:
        logits = model(tokens[:, :-1], rngs=rngs)  # (B, T, V)
        b, t, v = logits.shape
        losses = cross_entropy(logits.reshape(b * t, v), tokens[:, 1:].reshape(b * t))
        return losses.reshape(b, t)  # (B, T)

    def loss_fn(self, model, batch, rngs):
        return self._token_losses(model, batch["tokens"], rngs).mean(), {}

    def eval_fn(self, model, batch):
        losses = self._token_losses(model, batch["tokens"])  # (B, T)
        mask = batch["mask"]  # (B,)
        return {
            "loss": jnp.sum(losses * mask[:, None]),
            "count": jnp.sum(mask) * losses.shape[1],
        }

    def derived(self, record: dict) -> dict:
        return {
            f"{split}_perplexity": float(np.exp(record[f"{split}_loss"]))
            for split in ("train", "test")
            if f"{split}_loss" in record
        }


TASKS: dict[str, Task] = {
    "classification": ClassificationTask(),
    "language_model": LanguageModelTask(),
}


def get_task(name: str) -> Task:
    return TASKS[name]
