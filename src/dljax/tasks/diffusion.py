"""Denoising diffusion (Ho et al. 2020): train a U-Net to predict the noise, sample with
DDPM or DDIM (`dljax.diffusion`), conditional models with classifier-free guidance.

Training: images in [0, 1] are scaled to [-1, 1]; for each image a timestep t ~ U{0..T-1}
and noise eps ~ N(0, I) give x_t = `q_sample(x0, t, eps)`; the loss is the mean squared
(or absolute, `model.loss=l1`) error of the predicted noise, averaged over pixels then
images. Conditional models see the "no label" token instead of the label for a share
`model.label_dropout` of the images, so one network also predicts unconditionally.

The task's settings (schedule, T, loss, label dropout, default sampler) come from the run's
`DiffusionConfig` (`DiffusionTask.from_config`); the schedule is built once, in float64.
EMA weights (`train.ema_decay`) are what samples, evaluation and export use.
"""

from __future__ import annotations

import math

import jax
import jax.numpy as jnp
import numpy as np

from dljax import diffusion
from dljax.errors import DljaxError
from dljax.tasks.base import masked_sums
from dljax.tasks.images import ClassConditional, ImageGenerativeTask, to_signed, to_unit
from dljax.tasks.losses import per_image_sum

SNAPSHOT_STEPS = 20  # DDIM steps of the per-epoch sample grids (cheap, good enough to watch)


class DiffusionTask(ImageGenerativeTask):
    """eps-prediction diffusion; conditional when the model is (labels from the batch)."""

    name = "diffusion"
    metrics = ("loss",)
    option_names = ("sampler", "steps", "eta", "trajectory")

    def __init__(self, config: diffusion.DiffusionConfig | None = None):
        """`config`: the `DiffusionConfig` settings (schedule, T, loss, label dropout and the
        sampler defaults); None = its defaults."""
        self.settings = config if config is not None else diffusion.DiffusionConfig()
        self.schedule = diffusion.make_schedule(self.settings.schedule, self.settings.timesteps)

    @classmethod
    def from_config(cls, config) -> DiffusionTask:
        return cls(config.model)

    @property
    def timesteps(self) -> int:
        return self.settings.timesteps

    def noise_loss(self, model, x0, t, noise, labels):
        """Per-image (B,) loss of the predicted noise: mean over pixels of (eps_hat - eps)^2
        (or |eps_hat - eps| for model.loss=l1)."""
        x_t = diffusion.q_sample(self.schedule, x0, t, noise)
        err = model(x_t, t, labels) - noise  # (B, H, W, C)
        per_pixel = jnp.abs(err) if self.settings.loss == "l1" else err**2
        return per_image_sum(per_pixel) / x0[0].size  # (B,)

    def _draw(self, x0, key):
        k_t, k_n = jax.random.split(key)
        t = jax.random.randint(k_t, (x0.shape[0],), 0, self.timesteps)  # (B,)
        return t, jax.random.normal(k_n, x0.shape, x0.dtype)

    def loss_fn(self, model, batch, rngs):
        x0 = to_signed(batch["input"])  # (B, H, W, C) in [-1, 1]
        key = rngs.noise()
        t, noise = self._draw(x0, key)
        labels = None
        if model.conditional:
            dropout = self.settings.label_dropout
            drop = jax.random.bernoulli(jax.random.fold_in(key, 7), dropout, t.shape)
            labels = jnp.where(drop, model.num_classes, batch["label"])  # (B,)
        return self.noise_loss(model, x0, t, noise, labels).mean(), {}

    def eval_fn(self, model, batch, rngs):
        """The noise loss per test image at one random t (fixed per batch index), with the
        true label for conditional models."""
        x0 = to_signed(batch["input"])
        t, noise = self._draw(x0, rngs.noise())
        labels = batch["label"] if model.conditional else None
        loss = self.noise_loss(model, x0, t, noise, labels)
        return masked_sums({"loss": loss}, batch["mask"])

    def sample(
        self,
        model,
        key,
        n,
        *,
        sampler: str | None = None,
        steps: int | None = None,
        eta=None,
        guidance=None,
        labels=None,
        trajectory: bool = False,
        clip: bool = True,
        **_,
    ):
        """(n, H, W, C) images in [0, 1] from x_T ~ N(0, I): `sampler` "ddim" (`steps`,
        `eta`) or "ddpm" (all T steps); conditional models take `labels` (n,) and the guidance
        scale `guidance` (w; the unconditional and conditional predictions are made in one
        batch of 2n). With `trajectory`, (S + 1, n, H, W, C): x_T, ..., x_0 (scaled like
        images, clipped to [0, 1]). `clip` clips the implied x0 to [-1, 1] at every step.
        Options left None take the run's defaults (`model.sampler`, `model.sample_steps`,
        `model.eta`, `model.guidance`)."""
        d = self.settings
        sampler = d.sampler if sampler is None else sampler
        steps = d.sample_steps if steps is None else steps
        eta = d.eta if eta is None else eta
        guidance = d.guidance if guidance is None else guidance
        schedule = self.schedule
        k_init, k_steps = jax.random.split(key)
        x_T = jax.random.normal(k_init, (n, *model.image_shape))  # (n, H, W, C)

        if model.conditional:
            if labels is None:
                labels = jnp.arange(n, dtype=jnp.int32) % model.num_classes
            both = jnp.concatenate([labels, jnp.full_like(labels, model.num_classes)])  # (2n,)

            def eps_fn(x, t):
                eps = model(jnp.concatenate([x, x]), jnp.concatenate([t, t]), both)
                return diffusion.guided_eps(eps[n:], eps[:n], guidance)
        else:

            def eps_fn(x, t):
                return model(x, t)

        if sampler == "ddpm":
            out = diffusion.ddpm_sample(
                eps_fn, schedule, x_T, k_steps, clip=clip, trajectory=trajectory
            )
        else:
            out = diffusion.ddim_sample(
                eps_fn, schedule, x_T, steps=steps, eta=eta, key=k_steps, clip=clip,
                trajectory=trajectory,
            )  # fmt: skip
        if trajectory:
            return to_unit(out[1])
        return to_unit(out)

    # ---------------------------------------------------------------- options and requests
    def sample_options(self, options: dict) -> dict:
        """`dljax sample`'s sampler options (None = the run's default), checked: `sampler`
        ddim|ddpm, `steps` >= 1 (at most T, checked when sampling), `eta` >= 0, `guidance`
        (conditional models only) and `trajectory`."""
        given = {k: v for k, v in options.items() if v is not None and v is not False}
        if "guidance" in given and "guidance" not in self.option_names:
            raise DljaxError(
                f"--guidance={given['guidance']} hanya untuk model difusi bersyarat (ddpm_cond); "
                "run ini tidak bersyarat. Hapus --guidance, atau latih `dljax train ddpm_cond`."
            )
        super().sample_options({k: v for k, v in given.items() if k not in self.option_names})
        out: dict = {}
        if "sampler" in given:
            if given["sampler"] not in diffusion.SAMPLERS:
                raise DljaxError(
                    f"--sampler={given['sampler']!r} tidak dikenal; pilih salah satu: "
                    f"{', '.join(diffusion.SAMPLERS)}."
                )
            out["sampler"] = str(given["sampler"])
        if "steps" in given:
            if int(given["steps"]) < 1:
                raise DljaxError(f"--steps={given['steps']} harus >= 1, mis. --steps 20.")
            out["steps"] = int(given["steps"])
        if "eta" in given:
            eta = float(given["eta"])
            if not (math.isfinite(eta) and 0 <= eta <= 10):
                raise DljaxError(
                    f"--eta={eta} harus dalam 0..10 (0 = DDIM deterministik, 1 = seperti DDPM)."
                )
            out["eta"] = np.float32(eta)
        if "guidance" in given:
            w = float(given["guidance"])
            if not (math.isfinite(w) and -10 <= w <= 100):
                raise DljaxError(f"--guidance={w} harus dalam -10..100, mis. --guidance 3.")
            out["guidance"] = np.float32(w)
        if given.get("trajectory"):
            out["trajectory"] = True
        return out

    def snapshot_options(self, dataset) -> dict:
        request = self.sample_request(dataset, 64, None)
        return {"n": 64, "cols": 8, **request, "sampler": "ddim", "steps": SNAPSHOT_STEPS}


class ConditionalDiffusionTask(ClassConditional, DiffusionTask):
    """A class-conditional diffusion model; samples come with the labels asked for, guided
    with the scale w (`--guidance`, default `model.guidance`)."""

    name = "conditional_diffusion"
    option_names = (*DiffusionTask.option_names, "guidance")

    def snapshot_options(self, dataset) -> dict:
        return {**super().snapshot_options(dataset), "sampler": "ddim", "steps": SNAPSHOT_STEPS}
