"""Variational autoencoder (Kingma & Welling 2014), MLP and convolutional variants.

The encoder gives the mean and log-variance of a diagonal Gaussian `q(z | x)`; a code is drawn
with the reparameterization `z = mean + exp(logvar / 2) * eps`, `eps ~ N(0, I)`; the decoder
gives the parameters of `p(x | z)` per pixel:

- `likelihood="bernoulli"` (default): `decode` returns *logits*; `p(x | z)` is Bernoulli with
  probability `sigmoid(logits)` (summed binary cross-entropy, as in Flax's examples/vae).
- `likelihood="gaussian"`: `decode` returns *means in [0, 1]* (`sigmoid` applied);
  `p(x | z) = N(mean, sigma^2)` with the fixed `model.sigma`.

Variants (`model.variant`):

- `"mlp"`: flatten, `hidden` Linear + ReLU layers, two Linear heads (mean, logvar); the decoder
  mirrors it. Flax's examples/vae uses 784-500-20 on MNIST; our defaults (256, 128; latent 8)
  suit the 8x8 digits (the JAX AI Stack digits VAE also uses latent 8) and still train on MNIST.
- `"conv"`: `len(channels)` 4x4 stride-2 convolutions + ReLU (each halves the side), flatten,
  `hidden` Linear + ReLU layers, the two heads; the decoder mirrors it with 4x4 stride-2
  transposed convolutions (`layers.ConvTranspose2x`). The image side must be divisible by
  `2 ** len(channels)` (4 with the default two levels: digits 8x8, MNIST 28x28, CIFAR 32x32).
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

VARIANTS = ("mlp", "conv")
LIKELIHOODS = ("bernoulli", "gaussian")


@dataclass(frozen=True)
class VAEConfig:
    variant: str = "mlp"  # "mlp" or "conv"
    hidden: tuple[int, ...] = (256, 128)  # Linear widths of the encoder; the decoder mirrors
    latent: int = 8
    likelihood: str = "bernoulli"  # "bernoulli" (decoder logits) or "gaussian" (means)
    sigma: float = 0.1  # fixed decoder standard deviation of the gaussian likelihood
    channels: tuple[int, ...] = (32, 64)  # conv variant: one stride-2 conv per entry
    # weight of the KL term in the training loss (beta-VAE, Higgins et al. 2017); 1 = ELBO
    beta: float = 1.0

    def validate(self) -> None:
        check_fields(
            self,
            choices={"variant": VARIANTS, "likelihood": LIKELIHOODS},
            at_least={"latent": 1, "beta": 0},
            widths=("hidden", "channels") if self.variant == "conv" else ("hidden",),
        )
        if not self.sigma > 0:
            raise DljaxError(f"model.sigma={self.sigma} harus > 0, mis. 0.1.")
        unused = {}
        if self.likelihood != "gaussian":
            unused["sigma"] = "hanya untuk model.likelihood=gaussian"
        if self.variant != "conv":
            unused["channels"] = "hanya untuk model.variant=conv"
        refuse_unused(self, "model", unused)


class VAE(nnx.Module):
    """VAE for images (H, W, C) in [0, 1]; see the module docstring.

    `encode(x (B, H, W, C)) -> (mean (B, L), logvar (B, L))`; `decode(z (B, L)) -> (B, H, W, C)`:
    logits when `likelihood == "bernoulli"`, means in [0, 1] when `"gaussian"`.
    """

    def __init__(
        self,
        image_shape: Sequence[int],
        *,
        variant: str = "mlp",
        hidden: Sequence[int] = (256, 128),
        latent: int = 8,
        likelihood: str = "bernoulli",
        sigma: float = 0.1,
        channels: Sequence[int] = (32, 64),
        rngs: nnx.Rngs,
    ):
        h, w, c = image_shape
        self.image_shape = (h, w, c)
        self.variant = variant
        self.latent_dim = latent
        self.likelihood = likelihood
        self.sigma = sigma
        if variant == "conv":
            levels = len(channels)
            if h % 2**levels or w % 2**levels:
                raise DljaxError(
                    f"VAE konvolusi dengan model.channels={tuple(channels)} ({levels} tingkat "
                    f"stride 2) butuh sisi gambar habis dibagi {2**levels}, tetapi gambarnya "
                    f"{h}x{w}. Ubah ukurannya saat dimuat (mis. --set data.image_size=16) atau "
                    "pakai --set model.variant=mlp."
                )
            ins = [c, *channels[:-1]]
            self.convs = nnx.List(
                [
                    nnx.Conv(a, b, (4, 4), strides=2, padding="SAME", rngs=rngs)
                    for a, b in zip(ins, channels, strict=True)
                ]
            )
            # mirror: channels[-1] -> ... -> channels[0] -> c (the last one gives the output)
            outs = [*reversed(channels[:-1]), c]
            self.deconvs = nnx.List(
                [
                    ConvTranspose2x(a, b, rngs=rngs)
                    for a, b in zip(reversed(channels), outs, strict=True)
                ]
            )
            self.feature_shape = (h // 2**levels, w // 2**levels, channels[-1])
        else:
            self.convs = nnx.List([])
            self.deconvs = nnx.List([])
            self.feature_shape = (h, w, c)
        d = math.prod(self.feature_shape)
        enc = [d, *hidden]
        self.encoder = nnx.List(
            [nnx.Linear(a, b, rngs=rngs) for a, b in zip(enc[:-1], enc[1:], strict=True)]
        )
        self.mean = nnx.Linear(enc[-1], latent, rngs=rngs)
        self.logvar = nnx.Linear(enc[-1], latent, rngs=rngs)
        dec = [latent, *reversed(hidden), d]
        self.decoder = nnx.List(
            [nnx.Linear(a, b, rngs=rngs) for a, b in zip(dec[:-1], dec[1:], strict=True)]
        )

    def encode(self, x: jax.Array) -> tuple[jax.Array, jax.Array]:
        """Images (B, H, W, C) -> (mean (B, L), logvar (B, L)) of q(z | x)."""
        for conv in self.convs:
            x = nnx.relu(conv(x))  # (B, H/2^i, W/2^i, C_i)
        h = x.reshape(x.shape[0], -1)  # (B, D)
        for layer in self.encoder:
            h = nnx.relu(layer(h))  # (B, hidden_i)
        return self.mean(h), self.logvar(h)  # (B, L), (B, L)

    def decode(self, z: jax.Array) -> jax.Array:
        """Codes (B, L) -> (B, H, W, C): Bernoulli logits, or Gaussian means in [0, 1]."""
        h = z
        last = len(self.decoder) - 1
        for i, layer in enumerate(self.decoder):
            h = layer(h)  # (B, width_i)
            if i < last or self.deconvs:
                h = nnx.relu(h)
        h = h.reshape(z.shape[0], *self.feature_shape)  # (B, h, w, c)
        for i, deconv in enumerate(self.deconvs):
            h = deconv(h)  # (B, 2h, 2w, c_i)
            if i < len(self.deconvs) - 1:
                h = nnx.relu(h)
        if self.likelihood == "gaussian":
            return jax.nn.sigmoid(h)  # (B, H, W, C) means
        return h  # (B, H, W, C) logits

    @staticmethod
    def reparameterize(mean: jax.Array, logvar: jax.Array, key: jax.Array) -> jax.Array:
        """A sample z = mean + exp(logvar / 2) * eps, eps ~ N(0, I); shapes (B, L)."""
        eps = jax.random.normal(key, mean.shape, mean.dtype)
        return mean + jnp.exp(0.5 * logvar) * eps

    def __call__(self, x: jax.Array, key: jax.Array) -> tuple[jax.Array, jax.Array, jax.Array]:
        """Images (B, H, W, C) -> (decoded (B, H, W, C), mean (B, L), logvar (B, L))."""
        mean, logvar = self.encode(x)
        z = self.reparameterize(mean, logvar, key)
        return self.decode(z), mean, logvar


def build(config: VAEConfig, info, rngs: nnx.Rngs) -> VAE:
    return VAE(
        info.input_shape,
        variant=config.variant,
        hidden=config.hidden,
        latent=config.latent,
        likelihood=config.likelihood,
        sigma=config.sigma,
        channels=config.channels,
        rngs=rngs,
    )
