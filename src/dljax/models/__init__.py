"""Models by name: each entry knows its config dataclass, its builder, its task and presets."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from flax import nnx

from dljax.models import (
    autoencoder,
    cnn,
    gan,
    lenet,
    mlp,
    recurrent,
    resnet,
    transformer,
    unet,
    vae,
    vgg,
)
from dljax.models.autoencoder import Autoencoder, AutoencoderConfig
from dljax.models.cnn import CNN, CNNConfig
from dljax.models.gan import GAN, GANConfig
from dljax.models.lenet import LeNet5, LeNet5Config
from dljax.models.mlp import MLP, MLPConfig
from dljax.models.recurrent import CharLM, CharLMConfig, SequenceClassifier, SequenceConfig
from dljax.models.resnet import ResNet, ResNetConfig
from dljax.models.transformer import GPT, GPTConfig, ViT, ViTConfig
from dljax.models.unet import DiffusionConfig, UNet, UNetConfig
from dljax.models.vae import VAE, VAEConfig
from dljax.models.vgg import VGG, VGGConfig
from dljax.registry import Registry


@dataclass(frozen=True)
class ModelSpec:
    name: str
    description: str  # Indonesian, shown by `dljax list`
    config_cls: type
    build: Callable[..., nnx.Module]  # build(config, info: DatasetInfo, rngs) -> Module
    task: str  # the name of its task in dljax.train.tasks
    default_dataset: str = "digits"
    scan_on_cpu: bool = True  # False for conv nets: XLA:CPU convs are slow inside loops
    per_step_labels: bool = False  # can predict one label per time step (e.g. `echo`)
    presets: dict[str, dict[str, Any]] = field(default_factory=dict)


MODELS: Registry[ModelSpec] = Registry("model")
for _spec in (
    ModelSpec(
        "mlp",
        "Multilayer perceptron (lapisan Linear + ReLU + dropout)",
        MLPConfig,
        mlp.build,
        task="classification",
        presets={"tiny": {"model.hidden": (32,)}, "full": {"model.hidden": (512, 512)}},
    ),
    ModelSpec(
        "cnn",
        "Jaringan konvolusi kecil (blok konvolusi 3x3 + batch norm + max-pool)",
        CNNConfig,
        cnn.build,
        task="classification",
        scan_on_cpu=False,
        presets={"tiny": {"model.channels": (8,), "model.hidden": 16}},
    ),
    ModelSpec(
        "lenet5",
        "LeNet-5 (LeCun dkk. 1998): konvolusi 5x5, subsampling, 120-84-10; gambar ke 32x32",
        LeNet5Config,
        lenet.build,
        task="classification",
        scan_on_cpu=False,
        # default: measured >= 98% test accuracy on digits in ~35-50 s on 2 CPU cores
        presets={
            "tiny": {"model.variant": "modern"},
            "default": {"data.batch_size": 32, "train.epochs": 40, "train.lr": 3e-3},
        },
    ),
    ModelSpec(
        "vgg",
        "VGG (Simonyan & Zisserman 2015): tumpukan konvolusi 3x3 + batch norm; "
        "--set model.depth=11|13|16|19",
        VGGConfig,
        vgg.build,
        task="classification",
        scan_on_cpu=False,
        presets={
            "tiny": {"model.width": 4, "model.hidden": 16},
            "default": {"model.width": 32, "model.hidden": 256},
        },
    ),
    ModelSpec(
        "resnet",
        "ResNet (He dkk. 2016) dengan batch norm: ResNet-20 (CIFAR) atau ResNet-18; "
        "--set model.depth=18|20|32|...",
        ResNetConfig,
        resnet.build,
        task="classification",
        scan_on_cpu=False,
        presets={"tiny": {"model.depth": 8, "model.width": 4}},
    ),
):
    MODELS.register(_spec.name, _spec)


for _kind, _what in (("rnn", "RNN sederhana"), ("lstm", "LSTM"), ("gru", "GRU")):
    MODELS.register(
        _kind,
        ModelSpec(
            _kind,
            f"{_what} untuk klasifikasi urutan (lax.scan atas waktu)",
            SequenceConfig,
            recurrent.build_classifier(_kind),
            task="classification",
            default_dataset="temporal_order",
            per_step_labels=True,
            presets={"tiny": {"model.hidden": 8}},
        ),
    )
MODELS.register(
    "char_lstm",
    ModelSpec(
        "char_lstm",
        "Model bahasa tingkat karakter: embedding + LSTM + proyeksi (dljax sample)",
        CharLMConfig,
        recurrent.build_char_lm,
        task="language_model",
        default_dataset="text",
        presets={
            "tiny": {"model.embed": 8, "model.hidden": 16, "data.seq_len": 16, "data.stride": 16},
            # the embedded corpus grew 12x (lessons' prose): windows every 8 characters
            "default": {"train.epochs": 10, "train.lr": 3e-3, "data.stride": 8},
        },
    ),
)


def _build_autoencoder(config, info, rngs):
    """The autoencoder, carrying its corruption settings for the task (static attributes)."""
    model = autoencoder.build(config, info, rngs)
    model.denoise, model.noise_level = config.denoise, config.noise_level
    return model


# Generative models (chapter 5). Tiny presets skip the end-of-run quality metrics, which
# train the reference classifier on first use; GANs use Adam 2e-4, beta1 0.5 (DCGAN paper).
_GAN_OPTIM = {"train.optimizer": "adam", "train.lr": 2e-4, "train.beta1": 0.5}
_NO_QUALITY = {"train.quality": False, "train.epochs": 2}
for _spec in (
    ModelSpec(
        "autoencoder",
        "Autoencoder MLP; --set model.denoise=gaussian|salt_pepper untuk denoising AE",
        AutoencoderConfig,
        _build_autoencoder,
        task="autoencoder",
        presets={
            "tiny": {**_NO_QUALITY, "model.hidden": (32,), "model.latent": 4},
            "default": {"train.epochs": 100, "train.lr": 2e-3},
        },
    ),
    ModelSpec(
        "vae",
        "Variational autoencoder (MLP atau konvolusi; likelihood Bernoulli atau Gaussian)",
        VAEConfig,
        vae.build,
        task="vae",
        presets={
            "tiny": {**_NO_QUALITY, "model.hidden": (32,), "model.latent": 2},
            "default": {"train.epochs": 200, "train.lr": 2e-3},
        },
    ),
    ModelSpec(
        "gan",
        "GAN MLP (Goodfellow dkk. 2014), loss non-saturating; satu langkah D lalu satu G",
        GANConfig,
        gan.build,
        task="gan",
        presets={
            "tiny": {**_NO_QUALITY, "model.hidden": (16,), "model.latent": 4},
            "default": {**_GAN_OPTIM, "train.epochs": 300, "train.schedule": "constant"},
        },
    ),
    ModelSpec(
        "dcgan",
        "DCGAN (Radford dkk. 2016): konvolusi transpos + batch norm; digits diperbesar ke 16x16",
        GANConfig,
        gan.build,
        task="gan",
        scan_on_cpu=False,
        presets={
            "tiny": {
                **_NO_QUALITY,
                "model.variant": "dcgan",
                "model.width": 4,
                "data.image_size": 16,
                "model.latent": 8,
            },
            # width 64 measured FD 0,48 x the Gaussian baseline on digits (16: 0,75; 32: 0,56)
            "default": {
                **_GAN_OPTIM,
                "model.variant": "dcgan",
                "model.width": 64,
                "data.image_size": 16,
                "train.epochs": 100,
                "train.schedule": "constant",
            },
        },
    ),  # fmt: skip
    ModelSpec(
        "cgan",
        "DCGAN bersyarat: label kelas masuk ke generator dan diskriminator",
        GANConfig,
        gan.build,
        task="conditional_gan",
        scan_on_cpu=False,
        presets={
            "tiny": {
                **_NO_QUALITY,
                "model.variant": "dcgan",
                "model.width": 4,
                "model.conditional": True,
                "data.image_size": 16,
                "model.latent": 8,
            },
            "default": {
                **_GAN_OPTIM,
                "model.variant": "dcgan",
                "model.conditional": True,
                "data.image_size": 16,
                "train.epochs": 100,
                "train.schedule": "constant",
            },
        },
    ),  # fmt: skip
):
    MODELS.register(_spec.name, _spec)


# Diffusion models (chapter 6): an eps-predicting U-Net with EMA weights; digits at 8x8.
_DIFFUSION_TINY = {
    **_NO_QUALITY,
    "model.channels": (8, 16),
    "model.groups": 4,
    "model.sample_steps": 5,
    "train.ema_decay": 0.9,
}
# default: 8x8 digits (4x cheaper per conv than 16x16; the FD bar is relative to the
# Gaussian baseline at the same resolution); EMA 0.995 (a ~200-step horizon: with a few
# thousand steps, 0.999 would still weigh the random initial weights by several percent)
_DIFFUSION_DEFAULT = {
    "model.channels": (16, 32),
    "model.groups": 4,
    "model.schedule": "cosine",
    "train.epochs": 50,
    "train.lr": 1e-3,
    "train.warmup_steps": 100,
    "train.ema_decay": 0.995,
    "data.batch_size": 32,
}
for _spec in (
    ModelSpec(
        "ddpm",
        "Model difusi (Ho dkk. 2020): U-Net memprediksi derau; sampel DDPM atau DDIM",
        DiffusionConfig,
        unet.build,
        task="diffusion",
        scan_on_cpu=False,
        presets={"tiny": _DIFFUSION_TINY, "default": _DIFFUSION_DEFAULT},
    ),
    ModelSpec(
        "ddpm_cond",
        "Model difusi bersyarat kelas dengan classifier-free guidance (--guidance W)",
        DiffusionConfig,
        unet.build,
        task="conditional_diffusion",
        scan_on_cpu=False,
        presets={
            "tiny": {**_DIFFUSION_TINY, "model.conditional": True},
            "default": {**_DIFFUSION_DEFAULT, "model.conditional": True},
        },
    ),
):
    MODELS.register(_spec.name, _spec)

# Transformers (chapter 7).
for _spec in (
    ModelSpec(
        "gpt",
        "GPT tingkat karakter: blok transformer pre-LN, posisi rotary, cache kunci/nilai "
        "(dljax sample)",
        GPTConfig,
        transformer.build_gpt,
        task="language_model",
        default_dataset="text",
        presets={
            "tiny": {
                "model.dim": 16,
                "model.depth": 1,
                "model.heads": 2,
                "model.dropout": 0.0,
                "data.seq_len": 16,
                "data.stride": 16,
            },
            # ~1.000 steps of 64 windows of 128 characters on the embedded corpus (not timed)
            "default": {"data.seq_len": 128, "data.stride": 8, "train.epochs": 5},
        },
    ),
    ModelSpec(
        "vit",
        "Vision Transformer: potongan gambar (patch) + blok transformer; peta perhatian",
        ViTConfig,
        transformer.build_vit,
        task="classification",
        presets={
            "tiny": {"model.dim": 16, "model.depth": 1, "model.heads": 2, "model.dropout": 0.0},
            # measured >= 97% test accuracy on digits (benchmarks/default_runs.py)
            "default": {"train.epochs": 60, "train.lr": 1e-3},
        },
    ),
):
    MODELS.register(_spec.name, _spec)


def get_spec(name: str) -> ModelSpec:
    return MODELS.get(name)


__all__ = [
    "GAN",
    "GPT",
    "GPTConfig",
    "ViT",
    "ViTConfig",
    "VAE",
    "Autoencoder",
    "AutoencoderConfig",
    "GANConfig",
    "VAEConfig",
    "CNN",
    "CharLM",
    "CharLMConfig",
    "SequenceClassifier",
    "SequenceConfig",
    "MLP",
    "MODELS",
    "VGG",
    "CNNConfig",
    "DiffusionConfig",
    "UNet",
    "UNetConfig",
    "LeNet5",
    "LeNet5Config",
    "MLPConfig",
    "ModelSpec",
    "ResNet",
    "ResNetConfig",
    "VGGConfig",
    "get_spec",
]
