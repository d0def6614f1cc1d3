"""GANs (Goodfellow et al. 2014): a discriminator step, then a generator step, per batch.

One NNX model `GAN(generator, discriminator)` is trained by two optimizers selected by path
(`generator` / `discriminator`), each with its own state in `TrainState.opt_state`. Images are
scaled to [-1, 1] (the generator ends in tanh) inside the task; samples come back in [0, 1].

Batch norm stays right: in the discriminator's step the generator runs in training mode to
make fakes, but `update_part` keeps only the discriminator's new statistics; in the
generator's step only the generator's. Sampling runs the evaluation-mode model.
"""

from __future__ import annotations

import jax
import jax.numpy as jnp
from flax import nnx

from dljax.errors import DljaxError
from dljax.train.optim import OptimizerPart
from dljax.train.state import TrainState, step_key
from dljax.train.tasks.base import masked_sums
from dljax.train.tasks.generative import ClassConditional, ImageGenerativeTask
from dljax.train.tasks.losses import discriminator_loss, generator_loss


def to_signed(x: jax.Array) -> jax.Array:
    """Images in [0, 1] -> [-1, 1]."""
    return 2.0 * x - 1.0


def to_unit(x: jax.Array) -> jax.Array:
    """Images in [-1, 1] -> [0, 1]."""
    return jnp.clip((x + 1.0) / 2.0, 0.0, 1.0)


class GANTask(ImageGenerativeTask):
    """Non-saturating GAN; conditional when the model is (labels from the batch)."""

    name = "gan"
    metrics = ("loss", "d_loss", "g_loss", "d_real", "d_fake")

    def optimizer_parts(self, config) -> dict[str, OptimizerPart]:
        def part(name: str) -> OptimizerPart:
            lr = getattr(config.model, f"{name[0]}_lr", 0.0)  # model.d_lr / model.g_lr
            return OptimizerPart(nnx.PathContains(name), {"lr": lr} if lr > 0 else {})

        return {"discriminator": part("discriminator"), "generator": part("generator")}

    @staticmethod
    def _labels(model, batch):
        return batch["label"] if model.conditional else None

    def make_train_step(self, graphdef, optimizers):
        from dljax.train.steps import update_part

        def step(state: TrainState, batch):
            real = to_signed(batch["input"])  # (B, H, W, C) in [-1, 1]
            k_d, k_g = jax.random.split(step_key(state))

            def d_loss_fn(model):
                labels = self._labels(model, batch)
                z = jax.random.normal(k_d, (real.shape[0], model.latent_dim))  # (B, L)
                fake = jax.lax.stop_gradient(model.generator(z, labels))
                real_logits = model.discriminator(real, labels)  # (B,)
                fake_logits = model.discriminator(fake, labels)  # (B,)
                aux = {
                    "d_real": jax.nn.sigmoid(real_logits).mean(),
                    "d_fake": jax.nn.sigmoid(fake_logits).mean(),
                }
                return discriminator_loss(real_logits, fake_logits), aux

            def g_loss_fn(model):
                labels = self._labels(model, batch)
                z = jax.random.normal(k_g, (real.shape[0], model.latent_dim))  # (B, L)
                return generator_loss(model.discriminator(model.generator(z, labels), labels)), {}

            state, d_loss, aux = update_part(
                optimizers, graphdef, state, "discriminator", d_loss_fn
            )
            state, g_loss, _ = update_part(optimizers, graphdef, state, "generator", g_loss_fn)
            metrics = {"loss": d_loss + g_loss, "d_loss": d_loss, "g_loss": g_loss, **aux}
            return state._replace(step=state.step + 1), metrics

        return step

    def loss_fn(self, model, batch, rngs):
        """Both players' losses on one batch (the step above optimizes them in turn)."""
        real = to_signed(batch["input"])
        labels = self._labels(model, batch)
        z = jax.random.normal(rngs.noise(), (real.shape[0], model.latent_dim))
        fake_logits = model.discriminator(model.generator(z, labels), labels)
        d = discriminator_loss(model.discriminator(real, labels), fake_logits)
        g = generator_loss(fake_logits)
        return d + g, {"d_loss": d, "g_loss": g}

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
        from dljax.formatting import format_float

        parts = []
        if "train_d_loss" in summary:
            parts.append(
                f"loss D {format_float(summary['train_d_loss'], 3)}, "
                f"loss G {format_float(summary['train_g_loss'], 3)}"
            )
        return parts + super().headline(summary)

    def sample_request(self, dataset, n: int, label: int | None) -> dict:
        if label is not None:
            raise DljaxError(
                "--label hanya untuk model bersyarat (cgan); run ini tidak bersyarat. "
                "Hapus --label, atau latih `dljax train cgan`."
            )
        return {}


class ConditionalGANTask(ClassConditional, GANTask):
    """A GAN whose networks both see the class label; samples come with the labels asked."""

    name = "conditional_gan"
    metrics = (*GANTask.metrics,)
