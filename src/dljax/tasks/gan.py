"""GANs (Goodfellow et al. 2014): a discriminator step, then a generator step, per batch.

One NNX model `GAN(generator, discriminator)` is trained in two phases, each by its own
optimizer over its own parameters (selected by path: `discriminator`, `generator`) with its
own state in `TrainState.opt_state`. Images are scaled to [-1, 1] (the generator ends in
tanh) inside the losses; samples come back in [0, 1].

Batch norm stays right: in the discriminator's phase the generator runs in training mode to
make fakes, but the engine keeps only the discriminator's new statistics; in the generator's
phase only the generator's. Sampling runs the evaluation-mode model.
"""

from __future__ import annotations

import jax
import jax.numpy as jnp
from flax import nnx

from dljax.formatting import format_float
from dljax.tasks.base import Phase, masked_sums
from dljax.tasks.images import ClassConditional, ImageGenerativeTask, to_signed, to_unit
from dljax.tasks.losses import discriminator_loss, generator_loss


def r1_penalty(discriminator, real: jax.Array, labels) -> jax.Array:
    """E |grad_x D(x)|^2 over real images x (B, H, W, C) (Mescheder et al. 2018, "R1"): it
    pushes the discriminator to be flat on the data, which keeps GAN training from
    oscillating. The gradient is taken through a copy of D (its batch statistics from this
    extra pass are discarded)."""
    graphdef, state = nnx.split(discriminator)

    def total_logit(x):
        return nnx.merge(graphdef, state, copy=True)(x, labels).sum()

    grad = jax.grad(total_logit)(real)  # (B, H, W, C)
    return jnp.mean(jnp.sum(grad.reshape(grad.shape[0], -1) ** 2, axis=1))


class GANTask(ImageGenerativeTask):
    """Non-saturating GAN; conditional when the model is (labels from the batch)."""

    name = "gan"
    metrics = ("loss", "d_loss", "g_loss", "d_real", "d_fake")

    def __init__(self, r1: float = 0.0):
        self.r1 = r1  # the R1 penalty's gamma (model.r1); 0 = none

    @classmethod
    def from_config(cls, config) -> GANTask:
        return cls(config.model.r1)

    @property
    def phases(self) -> tuple[Phase, ...]:
        return (
            Phase("discriminator", self.d_loss_fn, nnx.PathContains("discriminator"), {}, "d_loss"),
            Phase("generator", self.g_loss_fn, nnx.PathContains("generator"), {}, "g_loss"),
        )

    @staticmethod
    def _labels(model, batch):
        return batch["label"] if model.conditional else None

    def d_loss_fn(self, model, batch, rngs):
        """The discriminator's BCE on real images and on fakes that carry no gradient to G."""
        real = to_signed(batch["input"])  # (B, H, W, C) in [-1, 1]
        labels = self._labels(model, batch)
        z = jax.random.normal(rngs.noise(), (real.shape[0], model.latent_dim))  # (B, L)
        fake = jax.lax.stop_gradient(model.generator(z, labels))
        real_logits = model.discriminator(real, labels)  # (B,)
        fake_logits = model.discriminator(fake, labels)  # (B,)
        aux = {
            "d_real": jax.nn.sigmoid(real_logits).mean(),
            "d_fake": jax.nn.sigmoid(fake_logits).mean(),
        }
        loss = discriminator_loss(real_logits, fake_logits)
        if self.r1 > 0:
            loss = loss + self.r1 / 2 * r1_penalty(model.discriminator, real, labels)
        return loss, aux

    def g_loss_fn(self, model, batch, rngs):
        """The non-saturating generator loss -log D(G(z)) on a fresh batch of latents."""
        labels = self._labels(model, batch)
        z = jax.random.normal(rngs.noise(), (batch["input"].shape[0], model.latent_dim))
        return generator_loss(model.discriminator(model.generator(z, labels), labels)), {}

    def eval_fn(self, model, batch, rngs):
        """Per-example D(x) on test images and D(G(z)) on as many fakes (eval mode)."""
        real = to_signed(batch["input"])
        labels = self._labels(model, batch)
        z = jax.random.normal(rngs.noise(), (real.shape[0], model.latent_dim))
        real_logits = model.discriminator(real, labels)
        fake_logits = model.discriminator(model.generator(z, labels), labels)
        per_example = {
            "d_real": jax.nn.sigmoid(real_logits),
            "d_fake": jax.nn.sigmoid(fake_logits),
            "d_loss": jax.nn.softplus(-real_logits) + jax.nn.softplus(fake_logits),
            "g_loss": jax.nn.softplus(-fake_logits),
        }
        sums = masked_sums(per_example, batch["mask"])
        sums["loss"] = sums["d_loss"] + sums["g_loss"]
        return sums

    def sample(self, model, key, n, *, labels=None, **_):
        """(n, H, W, C) images in [0, 1] from z ~ N(0, I) (and `labels` (n,) if conditional)."""
        z = jax.random.normal(key, (n, model.latent_dim))  # (n, L)
        return to_unit(model.generator(z, labels if model.conditional else None))

    def headline(self, summary: dict) -> list[str]:
        if "train_d_loss" not in summary:
            return super().headline(summary)
        d, g = summary["train_d_loss"], summary["train_g_loss"]
        return [
            f"loss D {format_float(d, 3)}, loss G {format_float(g, 3)}",
            *super().headline(summary),
        ]


class ConditionalGANTask(ClassConditional, GANTask):
    """A GAN whose networks both see the class label; samples come with the labels asked."""

    name = "conditional_gan"
    metrics = (*GANTask.metrics,)
