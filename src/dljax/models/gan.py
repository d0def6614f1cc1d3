"""Generative adversarial networks (Goodfellow et al. 2014): MLP GAN, DCGAN (Radford, Metz &
Chintala 2016) and the conditional DCGAN (Mirza & Osindero 2014), in one file.

Generators output images in [-1, 1] (tanh), so the task scales the data to [-1, 1].
Discriminators output one logit per image.

`variant="mlp"`: G is z -> Linear + LeakyReLU(0.2) through `hidden` -> Linear -> tanh; D is the
    flattened image -> Linear + LeakyReLU(0.2) through `reversed(hidden)` -> Linear -> logit.
    No batch norm. Default Flax initialization.
`variant="dcgan"`: G projects z with a Linear layer to (H/4, W/4, 2*width), then BatchNorm +
    ReLU, a 4x4 stride-2 transposed conv to `width` channels + BatchNorm + ReLU, and a 4x4
    stride-2 transposed conv to C channels + tanh (`layers.ConvTranspose2x`: the function of
    `nnx.ConvTranspose`, with a gradient ~7x faster on XLA:CPU). D mirrors it: a 4x4 stride-2
    conv to `width` channels + LeakyReLU(0.2) (no BatchNorm on the first layer, as in the
    paper), a 4x4 stride-2 conv to 2*width + BatchNorm + LeakyReLU(0.2), flatten,
    Linear -> logit. No pooling.
    The image side must be divisible by 4 (16, 32, 64). Initialization as in the paper:
    conv, transposed-conv and Linear kernels N(0, 0.02), BatchNorm scale N(1, 0.02), biases 0.

Conditioning (`conditional=True`, `num_classes` labels): each network has its own
`nnx.Embed(num_classes, label_embed)`. G concatenates the label embedding to z. D (dcgan)
broadcasts the embedding over the image as `label_embed` extra input channels (B, H, W, E),
so the first conv sees pixels and label together; D (mlp) concatenates it to the flattened
image.

Batch norm: G's and D's statistics are `nnx.BatchStat` variables of their own submodules;
calling one network reads and updates only its own. Use `model.eval()` for sampling
(running averages, nothing mutated) and `model.train()` for training.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass

import jax
import jax.numpy as jnp
from flax import nnx

from dljax.config import check_fields, refuse_unused
from dljax.errors import DljaxError
from dljax.models.layers import ConvTranspose2x

VARIANTS = ("mlp", "dcgan")
INIT_STD = 0.02  # Radford et al. 2016, section 4
BN_MOMENTUM = 0.9  # PyTorch's momentum=0.1 (the DCGAN reference code) in Flax's convention
LEAK = 0.2


def dcgan_normal(key, shape, dtype=jnp.float32):
    """N(0, 0.02) kernels (Radford et al. 2016)."""
    return INIT_STD * jax.random.normal(key, shape, dtype)


def dcgan_scale(key, shape, dtype=jnp.float32):
    """N(1, 0.02) BatchNorm scales (the DCGAN reference code's `weights_init`)."""
    return 1.0 + INIT_STD * jax.random.normal(key, shape, dtype)


@dataclass(frozen=True)
class GANConfig:
    variant: str = "mlp"  # "mlp" or "dcgan"
    latent: int = 32  # dimension of the noise z
    hidden: tuple[int, ...] = (128, 256)  # mlp: G widths (D uses them reversed)
    width: int = 16  # dcgan: base channels (G: 2*width -> width -> C; D: width -> 2*width)
    conditional: bool = False  # condition G and D on the class label
    label_embed: int = 16  # size of the label embedding (conditional only)
    # R1 gradient penalty (Mescheder et al. 2018): gamma/2 E|grad_x D(x)|^2 on real images
    r1: float = 0.0

    def validate(self) -> None:
        check_fields(
            self,
            choices={"variant": VARIANTS},
            at_least={"latent": 1, "width": 1, "label_embed": 1, "r1": 0},
            widths=("hidden",),
        )
        unused = {}
        if self.variant == "mlp":
            unused["width"] = "hanya untuk model.variant=dcgan"
        else:
            unused["hidden"] = "hanya untuk model.variant=mlp"
        if not self.conditional:
            unused["label_embed"] = "hanya untuk model bersyarat (model.conditional=true)"
        refuse_unused(self, "model", unused)


def check_dcgan_shape(image_shape: Sequence[int]) -> None:
    """DCGAN needs a side divisible by 4 (two stride-2 levels); else an Indonesian error."""
    h, w = image_shape[0], image_shape[1]
    if h % 4 or w % 4 or h < 4 or w < 4:
        raise DljaxError(
            f"DCGAN butuh sisi gambar yang habis dibagi 4 (mis. 16, 32, 64), tetapi gambarnya "
            f"{h}x{w}. Ubah ukurannya saat dimuat: --set data.image_size=16 (atau 32)."
        )


def _check_labels(conditional: bool, labels) -> None:
    if conditional and labels is None:
        raise DljaxError("GAN bersyarat butuh labels (B,) berisi kelas tiap gambar.")
    if not conditional and labels is not None:
        raise DljaxError(
            "GAN ini tidak bersyarat: jangan berikan labels, atau bangun ulang dengan "
            "--set model.conditional=true."
        )


class Generator(nnx.Module):
    """z (B, L) [+ labels (B,)] -> images (B, H, W, C) in [-1, 1]."""

    def __init__(
        self,
        image_shape: Sequence[int],
        latent: int,
        *,
        variant: str = "mlp",
        hidden: Sequence[int] = (128, 256),
        width: int = 16,
        num_classes: int = 0,
        label_embed: int = 16,
        rngs: nnx.Rngs,
    ):
        h, w, c = image_shape
        self.image_shape = (h, w, c)
        self.variant = variant
        self.conditional = num_classes > 0
        self.embed = nnx.Embed(num_classes, label_embed, rngs=rngs) if self.conditional else None
        d_in = latent + (label_embed if self.conditional else 0)
        if variant == "dcgan":
            check_dcgan_shape(image_shape)
            self.base_shape = (h // 4, w // 4, 2 * width)
            self.project = nnx.Linear(
                d_in,
                math.prod(self.base_shape),
                use_bias=False,
                kernel_init=dcgan_normal,
                rngs=rngs,
            )
            self.norm0 = nnx.BatchNorm(
                2 * width, momentum=BN_MOMENTUM, scale_init=dcgan_scale, rngs=rngs
            )
            self.up1 = ConvTranspose2x(
                2 * width, width, use_bias=False, kernel_init=dcgan_normal, rngs=rngs
            )
            self.norm1 = nnx.BatchNorm(
                width, momentum=BN_MOMENTUM, scale_init=dcgan_scale, rngs=rngs
            )
            self.up2 = ConvTranspose2x(width, c, kernel_init=dcgan_normal, rngs=rngs)
        else:
            sizes = [d_in, *hidden]
            self.layers = nnx.List(
                [nnx.Linear(a, b, rngs=rngs) for a, b in zip(sizes[:-1], sizes[1:], strict=True)]
            )
            self.out = nnx.Linear(sizes[-1], h * w * c, rngs=rngs)

    def __call__(self, z: jax.Array, labels: jax.Array | None = None) -> jax.Array:
        _check_labels(self.conditional, labels)
        if self.embed is not None:
            z = jnp.concatenate([z, self.embed(labels)], axis=-1)  # (B, L + E)
        b = z.shape[0]
        if self.variant == "dcgan":
            x = self.project(z).reshape(b, *self.base_shape)  # (B, H/4, W/4, 2w)
            x = nnx.relu(self.norm0(x))
            x = nnx.relu(self.norm1(self.up1(x)))  # (B, H/2, W/2, w)
            return jnp.tanh(self.up2(x))  # (B, H, W, C)
        x = z
        for layer in self.layers:
            x = nnx.leaky_relu(layer(x), LEAK)  # (B, hidden_i)
        return jnp.tanh(self.out(x)).reshape(b, *self.image_shape)  # (B, H, W, C)


class Discriminator(nnx.Module):
    """Images (B, H, W, C) [+ labels (B,)] -> logits (B,) of "real"."""

    def __init__(
        self,
        image_shape: Sequence[int],
        *,
        variant: str = "mlp",
        hidden: Sequence[int] = (256, 128),
        width: int = 16,
        num_classes: int = 0,
        label_embed: int = 16,
        rngs: nnx.Rngs,
    ):
        h, w, c = image_shape
        self.variant = variant
        self.conditional = num_classes > 0
        self.embed = nnx.Embed(num_classes, label_embed, rngs=rngs) if self.conditional else None
        extra = label_embed if self.conditional else 0
        if variant == "dcgan":
            check_dcgan_shape(image_shape)
            self.down1 = nnx.Conv(
                c + extra,
                width,
                (4, 4),
                strides=2,
                padding="SAME",
                kernel_init=dcgan_normal,
                rngs=rngs,
            )
            self.down2 = nnx.Conv(
                width,
                2 * width,
                (4, 4),
                strides=2,
                padding="SAME",
                use_bias=False,
                kernel_init=dcgan_normal,
                rngs=rngs,
            )
            self.norm2 = nnx.BatchNorm(
                2 * width, momentum=BN_MOMENTUM, scale_init=dcgan_scale, rngs=rngs
            )
            self.head = nnx.Linear(
                (h // 4) * (w // 4) * 2 * width, 1, kernel_init=dcgan_normal, rngs=rngs
            )
        else:
            sizes = [h * w * c + extra, *hidden]
            self.layers = nnx.List(
                [nnx.Linear(a, b, rngs=rngs) for a, b in zip(sizes[:-1], sizes[1:], strict=True)]
            )
            self.head = nnx.Linear(sizes[-1], 1, rngs=rngs)

    def __call__(self, x: jax.Array, labels: jax.Array | None = None) -> jax.Array:
        _check_labels(self.conditional, labels)
        b = x.shape[0]
        if self.variant == "dcgan":
            if self.embed is not None:
                e = self.embed(labels)[:, None, None, :]  # (B, 1, 1, E)
                e = jnp.broadcast_to(e, (*x.shape[:3], e.shape[-1]))  # (B, H, W, E)
                x = jnp.concatenate([x, e], axis=-1)  # (B, H, W, C + E)
            x = nnx.leaky_relu(self.down1(x), LEAK)  # (B, H/2, W/2, w)
            x = nnx.leaky_relu(self.norm2(self.down2(x)), LEAK)  # (B, H/4, W/4, 2w)
            return self.head(x.reshape(b, -1))[:, 0]  # (B,)
        x = x.reshape(b, -1)  # (B, D)
        if self.embed is not None:
            x = jnp.concatenate([x, self.embed(labels)], axis=-1)  # (B, D + E)
        for layer in self.layers:
            x = nnx.leaky_relu(layer(x), LEAK)  # (B, hidden_i)
        return self.head(x)[:, 0]  # (B,)


class GAN(nnx.Module):
    """A generator and a discriminator, as the attributes `generator` and `discriminator`.

    Optimizers select their parameters by these names (path filters), and each network's
    batch statistics live inside its own attribute.
    """

    def __init__(
        self,
        image_shape: Sequence[int],
        *,
        variant: str = "mlp",
        latent: int = 32,
        hidden: Sequence[int] = (128, 256),
        width: int = 16,
        num_classes: int = 0,
        label_embed: int = 16,
        rngs: nnx.Rngs,
    ):
        self.image_shape = tuple(image_shape)
        self.latent_dim = latent
        self.conditional = num_classes > 0
        self.num_classes = num_classes
        common = dict(
            variant=variant, width=width, num_classes=num_classes, label_embed=label_embed
        )
        self.generator = Generator(image_shape, latent, hidden=hidden, **common, rngs=rngs)
        self.discriminator = Discriminator(
            image_shape, hidden=tuple(reversed(hidden)), **common, rngs=rngs
        )

    def __call__(self, z: jax.Array, labels: jax.Array | None = None) -> jax.Array:
        """Generate images (B, H, W, C) in [-1, 1] from z (B, L) (and labels (B,))."""
        return self.generator(z, labels)


def build(config: GANConfig, info, rngs: nnx.Rngs) -> GAN:
    return GAN(
        info.input_shape,
        variant=config.variant,
        latent=config.latent,
        hidden=config.hidden,
        width=config.width,
        num_classes=info.num_classes if config.conditional else 0,
        label_embed=config.label_embed,
        rngs=rngs,
    )
