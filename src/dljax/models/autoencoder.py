"""MLP autoencoder, optionally denoising (Vincent et al. 2008).

Encoder: flatten, `len(hidden)` Linear + ReLU layers, a Linear layer to the latent code `z`.
Decoder: the mirror image (Linear + ReLU through `reversed(hidden)`), then a Linear layer to
one logit per pixel; pixels are `sigmoid(logits)` since the data lie in [0, 1].

For 8x8 digits with the defaults (hidden 256, 64; latent 16) the model has 68,304 parameters.

A denoising autoencoder is the same network trained to reconstruct `x` from `corrupt(x, ...)`
(`model.denoise` = "gaussian" or "salt_pepper", `model.noise_level`): the task corrupts the
inputs, the model does not.
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

NOISE_KINDS = ("none", "gaussian", "salt_pepper")


@dataclass(frozen=True)
class AutoencoderConfig:
    hidden: tuple[int, ...] = (256, 64)  # encoder widths; the decoder mirrors them
    latent: int = 16
    denoise: str = "none"  # "none", "gaussian" or "salt_pepper"
    noise_level: float = 0.3  # gaussian: noise std; salt_pepper: fraction of pixels

    def validate(self) -> None:
        check_fields(
            self, choices={"denoise": NOISE_KINDS}, at_least={"latent": 1}, widths=("hidden",)
        )
        if not 0.0 <= self.noise_level <= 1.0:
            raise DljaxError(
                f"model.noise_level={self.noise_level} harus di rentang [0, 1], mis. 0.3."
            )
        if self.denoise == "none":
            refuse_unused(
                self, "model", {"noise_level": "hanya untuk denoising (model.denoise=gaussian)"}
            )


def corrupt(x: jax.Array, kind: str, level: float, key: jax.Array) -> jax.Array:
    """Corrupt images x (B, H, W, C) in [0, 1] for a denoising autoencoder (pure JAX).

    - "none": `x` unchanged.
    - "gaussian": `clip(x + level * N(0, 1), 0, 1)`, fresh noise per element.
    - "salt_pepper": in every image exactly `round(level * H * W)` pixels, chosen at random,
      are set to 0 (pepper, `k // 2` of them) or 1 (salt, the other `k - k // 2`), across all
      channels of the pixel.

    The same key gives the same corruption.
    """
    if kind == "none":
        return x
    if kind == "gaussian":
        return jnp.clip(x + level * jax.random.normal(key, x.shape, x.dtype), 0.0, 1.0)
    if kind == "salt_pepper":
        b, h, w, _ = x.shape
        k = round(level * h * w)
        scores = jax.random.uniform(key, (b, h * w))  # (B, H*W)
        rank = jnp.argsort(jnp.argsort(scores, axis=1), axis=1)  # (B, H*W) a permutation
        rank = rank.reshape(b, h, w, 1)
        value = (rank >= k // 2).astype(x.dtype)  # 0 for the first k // 2 ranks, else 1
        return jnp.where(rank < k, value, x)  # (B, H, W, C)
    raise DljaxError(
        f"kind={kind!r} tidak dikenal untuk corrupt; pilih salah satu: {', '.join(NOISE_KINDS)}."
    )


def _mlp(sizes: Sequence[int], *, rngs: nnx.Rngs) -> nnx.List:
    return nnx.List(
        [nnx.Linear(a, b, rngs=rngs) for a, b in zip(sizes[:-1], sizes[1:], strict=True)]
    )


class Autoencoder(nnx.Module):
    """MLP autoencoder for images (H, W, C) in [0, 1]; see the module docstring."""

    def __init__(
        self,
        image_shape: Sequence[int],
        hidden: Sequence[int] = (256, 64),
        latent: int = 16,
        *,
        rngs: nnx.Rngs,
    ):
        self.image_shape = tuple(image_shape)
        self.latent_dim = latent
        d = math.prod(self.image_shape)
        self.encoder = _mlp([d, *hidden], rngs=rngs)
        self.to_latent = nnx.Linear(([d, *hidden])[-1], latent, rngs=rngs)
        self.decoder = _mlp([latent, *reversed(hidden)], rngs=rngs)
        self.to_pixels = nnx.Linear(([latent, *reversed(hidden)])[-1], d, rngs=rngs)

    def encode(self, x: jax.Array) -> jax.Array:
        """Images (B, H, W, C) -> codes z (B, latent)."""
        h = x.reshape(x.shape[0], -1)  # (B, D)
        for layer in self.encoder:
            h = nnx.relu(layer(h))  # (B, hidden_i)
        return self.to_latent(h)  # (B, L)

    def decode(self, z: jax.Array) -> jax.Array:
        """Codes z (B, latent) -> pixel logits (B, H, W, C); pixels = sigmoid(logits)."""
        h = z
        for layer in self.decoder:
            h = nnx.relu(layer(h))  # (B, hidden_i)
        return self.to_pixels(h).reshape(z.shape[0], *self.image_shape)  # (B, H, W, C)

    def __call__(self, x: jax.Array) -> jax.Array:
        """Images (B, H, W, C) -> reconstruction logits (B, H, W, C)."""
        return self.decode(self.encode(x))


def build(config: AutoencoderConfig, info, rngs: nnx.Rngs) -> Autoencoder:
    return Autoencoder(info.input_shape, config.hidden, config.latent, rngs=rngs)
