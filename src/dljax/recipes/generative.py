"""Generative image models (chapters 5 and 6): autoencoders, GANs and diffusion.

Tiny presets skip the end-of-run quality numbers (which train the reference classifier on
first use); GANs use Adam 2e-4, beta1 0.5 (the DCGAN paper).
"""

from __future__ import annotations

from dljax import diffusion
from dljax.models import autoencoder, gan, unet, vae
from dljax.recipes.base import Recipe
from dljax.tasks import (
    AutoencoderTask,
    ConditionalDiffusionTask,
    ConditionalGANTask,
    DiffusionTask,
    GANTask,
    VAETask,
)

GAN_OPTIMIZER = {"train.optimizer": "adam", "train.lr": 2e-4, "train.beta1": 0.5}
# sampled from EMA weights (decay 0.999) and an R1 gradient penalty on D (gamma 1), constant lr
GAN_STABLE = {"train.ema_decay": 0.999, "model.r1": 1.0, "train.schedule": "constant"}
NO_QUALITY = {"train.quality": False, "train.epochs": 2}
DCGAN_16 = {"model.variant": "dcgan", "data.image_size": 16}
DCGAN_TINY = {**NO_QUALITY, **DCGAN_16, "model.width": 4, "model.latent": 8}

AUTOENCODERS = (
    Recipe(
        "autoencoder",
        "Autoencoder MLP; --set model.denoise=gaussian|salt_pepper untuk denoising AE",
        autoencoder.AutoencoderConfig,
        autoencoder.build,
        AutoencoderTask,
        inputs="image",
        presets={
            "tiny": {**NO_QUALITY, "model.hidden": (32,), "model.latent": 4},
            "default": {"train.epochs": 100, "train.lr": 2e-3},
        },
    ),
    Recipe(
        "vae",
        "Variational autoencoder (MLP atau konvolusi; likelihood Bernoulli atau Gaussian)",
        vae.VAEConfig,
        vae.build,
        VAETask,
        inputs="image",
        presets={
            "tiny": {**NO_QUALITY, "model.hidden": (32,), "model.latent": 2},
            # hidden 512-256 and beta 0.5 (a KL weight below 1 keeps more of each image in z):
            # recall 0,80 and FD 0,43 x the Gaussian baseline in the second feature space (the
            # 128-64 ELBO VAE: recall 0,54, 1,18 x the baseline)
            "default": {
                "model.hidden": (512, 256),
                "model.beta": 0.5,
                "train.epochs": 1000,
                "train.lr": 2e-3,
            },
        },
    ),
)

GANS = (
    Recipe(
        "gan",
        "GAN MLP (Goodfellow dkk. 2014), loss non-saturating; satu langkah D lalu satu G",
        gan.GANConfig,
        gan.build,
        GANTask,
        inputs="image",
        presets={
            "tiny": {**NO_QUALITY, "model.hidden": (16,), "model.latent": 4},
            # EMA weights of G and D and an R1 penalty on D: FD 2,5 x the floor and recall 0,92
            # (300 epochs without them: 13,9 x the floor)
            "default": {**GAN_OPTIMIZER, **GAN_STABLE, "train.epochs": 1000},
        },
    ),
    Recipe(
        "dcgan",
        "DCGAN (Radford dkk. 2016): konvolusi transpos + batch norm; digits diperbesar ke 16x16",
        gan.GANConfig,
        gan.build,
        GANTask,
        inputs="image",
        scan_on_cpu=False,
        presets={
            "tiny": DCGAN_TINY,
            # width 64 measured FD 0,48 x the Gaussian baseline on digits (16: 0,75; 32: 0,56)
            "default": {
                **GAN_OPTIMIZER,
                **DCGAN_16,
                "model.width": 64,
                "train.epochs": 100,
                "train.schedule": "constant",
            },
        },
    ),
    Recipe(
        "cgan",
        "DCGAN bersyarat: label kelas masuk ke generator dan diskriminator",
        gan.GANConfig,
        gan.build,
        ConditionalGANTask,
        inputs="image",
        scan_on_cpu=False,
        presets={
            "tiny": {**DCGAN_TINY, "model.conditional": True},
            # EMA and R1 as for `gan`: FD 3,1 x the floor, recall 0,76, label accuracy 96 %,
            # lowest per-class recall 0,54 (100 epochs without them: 4,4 x, 0,41, -, 0,19:
            # each class a few near copies); still 1,06 x the Gaussian baseline in the second
            # feature space
            "default": {
                **GAN_OPTIMIZER,
                **GAN_STABLE,
                **DCGAN_16,
                "model.conditional": True,
                "train.epochs": 150,
            },
        },
    ),
)

# Diffusion (chapter 6): an eps-predicting U-Net with EMA weights; digits at 8x8.
DIFFUSION_TINY = {
    **NO_QUALITY,
    "model.channels": (8, 16),
    "model.groups": 4,
    "model.sample_steps": 5,
    "train.ema_decay": 0.9,
}
# default: 8x8 digits (4x cheaper per conv than 16x16; the FD bar is relative to the
# Gaussian baseline at the same resolution); EMA 0.995 (a ~200-step horizon: with a few
# thousand steps, 0.999 would still weigh the random initial weights by several percent)
DIFFUSION_DEFAULT = {
    "model.channels": (16, 32),
    "model.groups": 4,
    "model.schedule": "cosine",
    # 120 epochs (5280 steps of 32, 1,4 s per epoch on 2 cores: about 3 minutes of training,
    # 4 with a run directory's checkpoints and grids). Measured quietly with
    # benchmarks/diffusion_quality.py: FD 4,2 x the floor, 0,24 x the Gaussian baseline in the
    # second feature space, recall 0,94; at 100 epochs FD 5,1 x the floor; at 50, 11 x
    "train.epochs": 120,
    "train.lr": 1e-3,
    "train.warmup_steps": 100,
    "train.ema_decay": 0.995,
    "data.batch_size": 32,
}

DIFFUSION = (
    Recipe(
        "ddpm",
        "Model difusi (Ho dkk. 2020): U-Net memprediksi derau; sampel DDPM atau DDIM",
        diffusion.DiffusionConfig,
        unet.build,
        DiffusionTask,
        inputs="image",
        scan_on_cpu=False,
        presets={"tiny": DIFFUSION_TINY, "default": DIFFUSION_DEFAULT},
    ),
    Recipe(
        "ddpm_cond",
        "Model difusi bersyarat kelas dengan classifier-free guidance (--guidance W)",
        diffusion.DiffusionConfig,
        unet.build,
        ConditionalDiffusionTask,
        inputs="image",
        scan_on_cpu=False,
        presets={
            "tiny": {**DIFFUSION_TINY, "model.conditional": True},
            # guidance w = 1: per-class recall >= 0,78 for every digit, label accuracy 83 %
            # (w = 3: 99,7 % but one look per digit, 1,7 x the Gaussian baseline in the
            # second feature space; measured after 50 epochs)
            "default": {**DIFFUSION_DEFAULT, "model.conditional": True, "model.guidance": 1.0},
        },
    ),
)

RECIPES = (*AUTOENCODERS, *GANS, *DIFFUSION)
