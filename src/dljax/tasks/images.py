"""Image generative tasks: autoencoder (plain or denoising) and VAE, on images in [0, 1].

`ImageGenerativeTask` holds what every image generator shares: the sample grid written
after each epoch (the same latents every time), the CLI's sample request, and the quality
numbers computed once after training with the reference classifier (`dljax.metrics`).
"""

from __future__ import annotations

import math

import jax
import jax.numpy as jnp
import numpy as np

from dljax.errors import DljaxError
from dljax.formatting import format_float
from dljax.models.autoencoder import corrupt
from dljax.train.tasks.base import Task, masked_sums
from dljax.train.tasks.losses import (
    bce_with_logits,
    gaussian_kl,
    gaussian_nll,
    per_image_sum,
    psnr,
)

QUALITY_SAMPLES = 1000  # generated images compared with the test set for FD/precision/recall


class ImageGenerativeTask(Task):
    sample_kind = "image"
    conditional = False  # set per model: does `sample` take class labels?

    def check_dataset(self, dataset) -> str | None:
        if dataset.info.kind != "image":
            return f"butuh dataset gambar, bukan {dataset.info.kind!r}"
        return None

    def snapshot_options(self, dataset) -> dict:
        return {"n": 64, "cols": 8, **self.sample_request(dataset, 64, None)}

    def sample_request(self, dataset, n: int, label: int | None) -> dict:
        """Options of `sample` for `dljax sample --n N [--label K]`."""
        return {}

    def grid_cols(self, dataset, n: int, label: int | None) -> int:
        """Columns of the grid that shows `n` samples (a square by default)."""
        return max(1, min(n, math.ceil(math.sqrt(n))))

    def final_metrics(self, run) -> dict[str, float]:
        """FD, its floor and baseline, precision and recall of `QUALITY_SAMPLES` samples
        against the test set, on the reference classifier's features (see dljax.metrics).

        Everything is compared at the resolution the model was trained at: a run on digits
        resized to 16x16 is scored against the 16x16 test and training images, which the
        reference resizes to its own input exactly as it resizes the samples. (Scoring 16x16
        samples against the native 8x8 test set would charge the model for the resize round
        trip itself: real training images round-tripped 8 -> 16 -> 8 measure FD ~110 against
        a floor of ~4.)
        """
        if not run.config.train.quality:
            return {}
        from dljax.metrics import ReferenceClassifier, quality_report

        reference = ReferenceClassifier.load_or_train(run.config.data.name)
        options = self.sample_request(run.dataset, QUALITY_SAMPLES, None)
        samples = run.sample(QUALITY_SAMPLES, seed=run.config.train.seed, **options)
        labels = options.get("labels")
        report = quality_report(
            reference,
            samples,
            run.dataset,
            labels=None if labels is None else jax.device_get(labels),
        )
        return {k: float(v) for k, v in report.items()}

    def headline(self, summary: dict) -> list[str]:
        parts = []
        if "fd" in summary:
            fd, floor, base = (
                format_float(summary[k], 2) for k in ("fd", "fd_floor", "fd_baseline")
            )
            parts.append(f"FD {fd} (lantai {floor}, baseline Gaussian {base})")
        if "label_accuracy" in summary:
            parts.append(f"akurasi label {format_float(100 * summary['label_accuracy'], 1)} %")
        return parts


class ClassConditional:
    """Mixin for an image task whose model takes class labels (cgan, ddpm_cond): needs a
    labelled dataset; samples ask for one label or the classes in turn; grids show one
    class per column."""

    def check_dataset(self, dataset) -> str | None:
        if dataset.info.num_classes < 2:
            return "butuh dataset gambar berlabel kelas"
        return super().check_dataset(dataset)

    def sample_request(self, dataset, n: int, label: int | None) -> dict:
        """`label` for every sample, or the classes in turn (column c of a K-column grid
        shows class c)."""
        k = dataset.info.num_classes
        if label is None:
            return {"labels": jnp.asarray(np.arange(n) % k, jnp.int32)}
        if not 0 <= label < k:
            raise DljaxError(f"--label={label} harus dalam 0..{k - 1} (kelas dataset ini).")
        return {"labels": jnp.full((n,), label, jnp.int32)}

    def grid_cols(self, dataset, n: int, label: int | None) -> int:
        return dataset.info.num_classes if label is None else super().grid_cols(dataset, n, label)

    def snapshot_options(self, dataset) -> dict:
        """Eight rows of every class, one class per column."""
        n = 8 * dataset.info.num_classes
        return {"n": n, "cols": dataset.info.num_classes, **self.sample_request(dataset, n, None)}


class AutoencoderTask(ImageGenerativeTask):
    """Reconstruct the clean image from itself, or from a corrupted copy (denoising AE).

    Loss: binary cross-entropy per pixel (mean). Metrics: `mse` of the reconstruction, and its
    `psnr` in dB next to `psnr_noisy`, the PSNR of the corrupted input (the denoising gain).
    Sampling shows a test batch: the (corrupted) inputs in the first row(s), their
    reconstructions in the next.
    """

    name = "autoencoder"
    metrics = ("loss", "mse")

    @staticmethod
    def _corrupted(model, x, key):
        return corrupt(x, model.denoise, model.noise_level, key)

    def _terms(self, model, x, key):
        noisy = self._corrupted(model, x, key)
        logits = model(noisy)  # (B, H, W, C)
        recon = jax.nn.sigmoid(logits)
        per_pixel = per_image_sum(bce_with_logits(logits, x)) / x[0].size  # (B,)
        mse = per_image_sum((recon - x) ** 2) / x[0].size  # (B,)
        return noisy, recon, per_pixel, mse

    def loss_fn(self, model, batch, rngs):
        _, _, loss, mse = self._terms(model, batch["input"], rngs.noise())
        return loss.mean(), {"mse": mse.mean()}

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
        return {"images": jnp.asarray(dataset.test[np.arange(min(n, len(dataset.test)))]["input"])}

    def sample(self, model, key, n, *, images=None, **_):
        """(2n, H, W, C): n test images (corrupted as in training), then their reconstructions."""
        x = images[:n]
        noisy = self._corrupted(model, x, key)
        return jnp.concatenate([noisy, jax.nn.sigmoid(model(noisy))], axis=0)

    def final_metrics(self, run) -> dict[str, float]:
        return {}  # an autoencoder does not generate new images: no FD

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

    def loss_fn(self, model, batch, rngs):
        recon, kl = self.terms(model, batch["input"], rngs.noise())
        return (recon + kl).mean(), {"recon": recon.mean(), "kl": kl.mean()}

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
        parts = []
        if "test_neg_elbo" in summary:
            parts.append(
                f"-ELBO uji {format_float(summary['test_neg_elbo'], 2)} nats/gambar "
                f"(rekonstruksi {format_float(summary['test_recon'], 2)}, "
                f"KL {format_float(summary['test_kl'], 2)})"
            )
        return parts + super().headline(summary)
