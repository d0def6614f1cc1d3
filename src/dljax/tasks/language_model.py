"""Next-token prediction on token sequences; sampling with the model's own `generate`."""

from __future__ import annotations

import jax.numpy as jnp
import numpy as np

from dljax.formatting import format_float
from dljax.tasks.base import Task, cross_entropy


class LanguageModelTask(Task):
    """Next-token prediction on `batch["tokens"]` (B, T + 1); loss in nats per token.

    Sampling asks the model for `generate(prompt (B, T), length, key, temperature=, top_k=)`
    (token ids (B, length)): the model decides how to carry its state forward (a recurrent
    state, or a key/value cache) so generation costs O(length).
    """

    name = "language_model"
    metrics = ("loss",)
    sample_kind = "tokens"

    def check_dataset(self, dataset) -> str | None:
        if "tokens" not in dataset.train[0]:
            return f"butuh contoh berisi 'tokens', bukan {sorted(dataset.train[0])}"
        return None

    def _token_losses(self, model, tokens, rngs=None):
        logits = model(tokens[:, :-1], rngs=rngs)  # (B, T, V)
        b, t, v = logits.shape
        losses = cross_entropy(logits.reshape(b * t, v), tokens[:, 1:].reshape(b * t))
        return losses.reshape(b, t)  # (B, T)

    def loss_fn(self, model, batch, rngs):
        return self._token_losses(model, batch["tokens"], rngs).mean(), {}

    def eval_fn(self, model, batch, rngs=None):
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

    def sample(self, model, key, n, *, prompt, length, temperature=1.0, top_k=0, **_):
        """(n, length) token ids after `prompt` (T,) int."""
        prompts = jnp.broadcast_to(prompt[None], (n, prompt.shape[0]))  # (n, T)
        return model.generate(prompts, length, key, temperature=temperature, top_k=top_k)

    def headline(self, summary: dict) -> list[str]:
        parts = []
        if "test_loss" in summary:
            parts.append(f"loss uji {format_float(summary['test_loss'], 3)} nats/token")
        if "test_perplexity" in summary:
            parts.append(f"perplexity {format_float(summary['test_perplexity'], 2)}")
        return parts
