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
            "default": {"train.epochs": 200, "train.lr": 2e-3},
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
            "default": {**GAN_OPTIMIZER, "train.epochs": 300, "train.schedule": "constant"},
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
            "default": {
                **GAN_OPTIMIZER,
                **DCGAN_16,
                "model.conditional": True,
                "train.epochs": 100,
                "train.schedule": "constant",
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
    "train.epochs": 50,
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
            "default": {**DIFFUSION_DEFAULT, "model.conditional": True},
        },
    ),
)

RECIPES = (*AUTOENCODERS, *GANS, *DIFFUSION)
