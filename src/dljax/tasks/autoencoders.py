"""Autoencoders on images in [0, 1]: the autoencoder (plain or denoising) and the VAE."""

from __future__ import annotations

import jax
import jax.numpy as jnp
import numpy as np

from dljax.formatting import format_float
from dljax.models.autoencoder import corrupt
from dljax.tasks.base import masked_sums
from dljax.tasks.images import ImageGenerativeTask
from dljax.tasks.losses import bce_with_logits, gaussian_kl, gaussian_nll, per_image_sum, psnr


class AutoencoderTask(ImageGenerativeTask):
    """Reconstruct the clean image from itself, or from a corrupted copy (denoising AE).

    Loss: binary cross-entropy per pixel (mean). Evaluation metrics: `mse` of the
    reconstruction, and its `psnr` in dB next to `psnr_noisy`, the PSNR of the corrupted input
    (the denoising gain). Training keeps only the loss: a training MSE (one more sigmoid pass
    over every pixel) cost the MLP autoencoder 3 to 15 % of its step on the CPU (timed in
    turn with a hand-written loop).
    Sampling shows a test batch: the (corrupted) inputs in the first row(s), their
    reconstructions in the next.
    """

    name = "autoencoder"
    metrics = ("loss",)
    quality = False  # it reconstructs, it does not generate new images: no FD
    sample_needs_data = True  # samples reconstruct test images: `dljax sample` loads them

    def __init__(self, denoise: str = "none", noise_level: float = 0.3):
        self.denoise, self.noise_level = denoise, noise_level

    @classmethod
    def from_config(cls, config) -> AutoencoderTask:
        return cls(config.model.denoise, config.model.noise_level)

    def _corrupted(self, x, key):
        return corrupt(x, self.denoise, self.noise_level, key)

    def _terms(self, model, x, key):
        noisy = self._corrupted(x, key)
        logits = model(noisy)  # (B, H, W, C)
        recon = jax.nn.sigmoid(logits)
        per_pixel = per_image_sum(bce_with_logits(logits, x)) / x[0].size  # (B,)
        mse = per_image_sum((recon - x) ** 2) / x[0].size  # (B,)
        return noisy, recon, per_pixel, mse

    def loss_fn(self, model, batch, rngs):
        x = batch["input"]
        logits = model(self._corrupted(x, rngs.noise()))  # (B, H, W, C)
        return (per_image_sum(bce_with_logits(logits, x)) / x[0].size).mean(), {}

    def eval_fn(self, model, batch, rngs):
        x = batch["input"]
        noisy, recon, loss, mse = self._terms(model, x, rngs.noise())
        return masked_sums(
            {"loss": loss, "mse": mse, "psnr": psnr(recon, x), "psnr_noisy": psnr(noisy, x)},
            batch["mask"],
        )

    def snapshot_options(self, dataset) -> dict:
        return {"n": 16, "cols": 16, **self.sample_request(dataset, 16, None)}

    def sample_request(self, dataset, n: int, label: int | None) -> dict:
        """The first `n` test images, to corrupt and reconstruct."""
        super().sample_request(dataset, n, label)  # refuses --label
        return {"images": jnp.asarray(dataset.test[np.arange(min(n, len(dataset.test)))]["input"])}

    def sample(self, model, key, n, *, images=None, **_):
        """(2n, H, W, C): n test images (corrupted as in training), then their reconstructions."""
        x = images[:n]
        noisy = self._corrupted(x, key)
        return jnp.concatenate([noisy, jax.nn.sigmoid(model(noisy))], axis=0)

    def headline(self, summary: dict) -> list[str]:
        parts = []
        if "test_mse" in summary:
            parts.append(f"MSE uji {format_float(summary['test_mse'], 4)}")
        if "test_psnr" in summary:
            text = f"PSNR {format_float(summary['test_psnr'], 1)} dB"
            if summary.get("test_psnr_noisy", 100.0) < 99.0:  # denoising: the noisy input's
                text += f" (masukan berderau: {format_float(summary['test_psnr_noisy'], 1)} dB)"
            parts.append(text)
        return parts


class VAETask(ImageGenerativeTask):
    """Variational autoencoder (Kingma & Welling 2014): minimize the negative ELBO.

    neg_elbo = recon + kl per image, in nats: `recon` is -log p(x | z) summed over pixels
    (Bernoulli on grey values in [0, 1], or Gaussian with the model's fixed sigma) for one
    z ~ q(z | x), and `kl` = KL(q(z | x) || N(0, I)) in closed form. The loss is its mean over
    the batch; evaluation reports the test set's mean per image (not a mean of batch means).
    With `model.beta` != 1 the training loss weighs the KL term by beta (a beta-VAE); the
    reported neg_elbo stays recon + kl.
    """

    name = "vae"
    metrics = ("loss", "recon", "kl")

    @staticmethod
    def terms(model, x, key):
        """(recon (B,), kl (B,)) of images x (B, H, W, C) with one reparameterized z."""
        out, mean, logvar = model(x, key)
        if model.likelihood == "gaussian":
            recon = per_image_sum(gaussian_nll(x, out, model.sigma))
        else:
            recon = per_image_sum(bce_with_logits(out, x))
        return recon, gaussian_kl(mean, logvar)

    def __init__(self, beta: float = 1.0):
        self.beta = beta  # weight of the KL term in the training loss (model.beta)

    @classmethod
    def from_config(cls, config) -> VAETask:
        return cls(config.model.beta)

    def loss_fn(self, model, batch, rngs):
        """recon + beta * kl per image, batch mean; beta = 1 is the negative ELBO."""
        recon, kl = self.terms(model, batch["input"], rngs.noise())
        return (recon + self.beta * kl).mean(), {"recon": recon.mean(), "kl": kl.mean()}

    def eval_fn(self, model, batch, rngs):
        recon, kl = self.terms(model, batch["input"], rngs.noise())
        sums = masked_sums({"recon": recon, "kl": kl, "neg_elbo": recon + kl}, batch["mask"])
        sums["loss"] = sums["neg_elbo"]
        return sums

    def sample(self, model, key, n, **_):
        """(n, H, W, C) decoded from z ~ N(0, I): Bernoulli means, or Gaussian means."""
        z = jax.random.normal(key, (n, model.latent_dim))  # (n, L)
        out = model.decode(z)
        return out if model.likelihood == "gaussian" else jax.nn.sigmoid(out)

    def headline(self, summary: dict) -> list[str]:
        if "test_neg_elbo" not in summary:
            return super().headline(summary)
        elbo = (
            f"-ELBO uji {format_float(summary['test_neg_elbo'], 2)} nats/gambar "
            f"(rekonstruksi {format_float(summary['test_recon'], 2)}, "
            f"KL {format_float(summary['test_kl'], 2)})"
        )
        return [elbo, *super().headline(summary)]
