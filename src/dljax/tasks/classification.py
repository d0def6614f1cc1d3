"""Softmax classification: one label per example, or one per time step."""

from __future__ import annotations

import jax.numpy as jnp
import numpy as np

from dljax.formatting import format_percent
from dljax.tasks.base import Task, cross_entropy


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

    def eval_fn(self, model, batch, rngs=None):
        losses, correct = self._per_label(model(batch["input"]), batch["label"])  # (B, S)
        mask = batch["mask"][:, None]  # (B, 1): 1 for real examples, 0 for padding
        return {
            "loss": jnp.sum(losses * mask),
            "accuracy": jnp.sum(correct * mask),
            "count": jnp.sum(mask) * losses.shape[1],
        }

    def headline(self, summary: dict) -> list[str]:
        parts = []
        if "test_accuracy" in summary:
            parts.append(f"akurasi uji {format_percent(summary['test_accuracy'], 2)}")
        return parts + super().headline(summary)
