"""The Vision Transformer (Dosovitskiy et al. 2021): patches of an image as tokens."""

from __future__ import annotations

from dataclasses import dataclass

import jax
import jax.numpy as jnp
from flax import nnx

from dljax.config import check_fields
from dljax.errors import DljaxError
from dljax.models.attention import INIT, Block, check_heads

POOLS = ("cls", "mean")


def patchify(images: jax.Array, patch: int) -> jax.Array:
    """Images (B, H, W, C) -> patches (B, N, P*P*C), N = (H/P)(W/P), row by row."""
    b, h, w, c = images.shape
    x = images.reshape(b, h // patch, patch, w // patch, patch, c)
    x = x.transpose(0, 1, 3, 2, 4, 5)  # (B, H/P, W/P, P, P, C)
    return x.reshape(b, (h // patch) * (w // patch), patch * patch * c)


def unpatchify(patches: jax.Array, patch: int, height: int, width: int) -> jax.Array:
    """The inverse of `patchify`: (B, N, P*P*C) -> (B, H, W, C)."""
    b, _, f = patches.shape
    c = f // (patch * patch)
    x = patches.reshape(b, height // patch, width // patch, patch, patch, c)
    return x.transpose(0, 1, 3, 2, 4, 5).reshape(b, height, width, c)


@dataclass(frozen=True)
class ViTConfig:
    patch: int = 0  # patch side in pixels; 0 = 2 for images up to 16 pixels, else 4
    dim: int = 64
    depth: int = 4
    heads: int = 4
    mlp_ratio: int = 2
    dropout: float = 0.1
    pool: str = "cls"  # "cls" (a learned class token) or "mean" (average of the patches)

    def validate(self) -> None:
        check_fields(
            self,
            choices={"pool": POOLS},
            at_least={"patch": 0, "depth": 1, "mlp_ratio": 1},  # patch 0 = automatic
            fractions=("dropout",),
        )
        check_heads(self.dim, self.heads, "learned")


class ViT(nnx.Module):
    """Vision Transformer (Dosovitskiy et al. 2021): images (B, H, W, C) -> logits (B, K).

    Patches of P x P pixels are flattened and projected to D (the same as a P x P convolution
    with stride P), a class token is prepended (`pool="cls"`), learned position vectors are
    added, then `depth` blocks without a mask; the class token (or the mean of the patch
    tokens) is classified.
    """

    def __init__(
        self,
        image_shape,
        num_classes: int,
        patch: int,
        dim: int = 64,
        depth: int = 4,
        heads: int = 4,
        *,
        mlp_ratio: int = 2,
        dropout: float = 0.0,
        pool: str = "cls",
        rngs: nnx.Rngs,
    ):
        h, w, c = image_shape
        for side, name in ((h, "tinggi"), (w, "lebar")):
            if patch < 1 or side % patch:
                raise DljaxError(
                    f"{name.capitalize()} gambar {side} harus habis dibagi model.patch={patch} "
                    f"(sisa {side % patch if patch >= 1 else '-'}). Pilih patch yang membagi "
                    f"{side}, mis. 2 atau 4."
                )
        check_heads(dim, heads, "learned")
        self.patch, self.pool, self.image_shape = patch, pool, tuple(image_shape)
        self.num_patches = (h // patch) * (w // patch)
        self.embed = nnx.Linear(patch * patch * c, dim, kernel_init=INIT, rngs=rngs)
        self.cls = nnx.Param(jnp.zeros((1, 1, dim))) if pool == "cls" else None
        tokens = self.num_patches + (pool == "cls")
        self.pos = nnx.Param(INIT(rngs.params(), (1, tokens, dim)))
        self.dropout = nnx.Dropout(dropout)
        self.blocks = nnx.List(
            [
                Block(dim, heads, mlp_ratio * dim, dropout=dropout, depth=depth, rngs=rngs)
                for _ in range(depth)
            ]
        )
        self.ln = nnx.LayerNorm(dim, rngs=rngs)
        self.head = nnx.Linear(dim, num_classes, rngs=rngs)

    def tokens(self, images: jax.Array) -> jax.Array:
        """Patch tokens with position vectors (and the class token first): (B, S, D)."""
        x = self.embed(patchify(images, self.patch))  # (B, N, D)
        if self.cls is not None:
            cls = jnp.broadcast_to(self.cls[...], (x.shape[0], 1, x.shape[2]))  # (B, 1, D)
            x = jnp.concatenate([cls, x], axis=1)  # (B, N + 1, D)
        return x + self.pos[...]

    def __call__(self, images: jax.Array, *, rngs: nnx.Rngs | None = None) -> jax.Array:
        x = self.dropout(self.tokens(images), rngs=rngs)  # (B, S, D)
        for block in self.blocks:
            x, _ = block(x, rngs=rngs)
        x = self.ln(x)
        pooled = x[:, 0] if self.cls is not None else x.mean(axis=1)  # (B, D)
        return self.head(pooled)  # (B, K)

    def attention_maps(self, images: jax.Array) -> jax.Array:
        """Attention weights of every layer, (L, B, H, S, S), in evaluation mode.

        S = number of patches (+ 1 with the class token, which comes first): row 0 of a map
        is where the class token looks.
        """
        x, maps = self.tokens(images), []
        for block in self.blocks:
            maps.append(block.attn.weights(block.ln1(x)))
            x, _ = block(x)
        return jnp.stack(maps)


def default_patch(image_shape) -> int:
    """2 for images up to 16 pixels on a side (digits: 16 patches), else 4."""
    return 2 if max(image_shape[:2]) <= 16 else 4


def build_vit(config: ViTConfig, info, rngs: nnx.Rngs) -> ViT:
    return ViT(
        info.input_shape,
        info.num_classes,
        config.patch or default_patch(info.input_shape),
        config.dim,
        config.depth,
        config.heads,
        mlp_ratio=config.mlp_ratio,
        dropout=config.dropout,
        pool=config.pool,
        rngs=rngs,
    )
