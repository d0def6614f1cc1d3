"""A small U-Net that predicts the noise of a noised image (Ho et al. 2020, simplified).

`UNet(image_shape, channels=(32, 64, 64), ...)(x, t, labels=None) -> eps`, with x (B, H, W, C)
in [-1, 1], t (B,) integer timesteps and labels (B,) class ids (conditional models only).

- Stem: a 3x3 conv C -> channels[0].
- Down path, level i (resolution H / 2**i): `blocks` residual blocks to channels[i], each
  output kept as a skip; then (except on the last level) a 3x3 stride-2 conv, kept too.
- Middle: residual block, self-attention over the H/2**L x W/2**L positions (optional), residual
  block.
- Up path, mirrored: `blocks + 1` residual blocks per level, each on the concatenation of the
  current map and one skip; then (except on the top level) nearest upsampling x2 + 3x3 conv.
- Head: GroupNorm, SiLU, a 3x3 conv to C channels whose kernel and bias start at zero, so the
  untrained network predicts eps = 0.

Residual block: GroupNorm, SiLU, 3x3 conv, + a projection of the time (and label) embedding
(one vector per image added to every position), GroupNorm, SiLU, 3x3 conv; the input is added
back (through a 1x1 conv when the width changes). GroupNorm, not batch norm: its statistics
are per image, so training, EMA weights and sampling all compute the same function.

Time embedding: sinusoidal features of t (Vaswani et al. 2017), then Linear, SiLU, Linear.
Class conditioning: `nnx.Embed(num_classes + 1, ...)` added to the time embedding; index
`num_classes` is the "no label" token that classifier-free guidance uses for the
unconditional prediction (Ho & Salimans 2022).

Nothing depends on the image size except the check that its sides are divisible by
2**(len(channels) - 1).
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass

import jax
import jax.numpy as jnp
from flax import nnx

from dljax.config import check_fields
from dljax.errors import DljaxError


@dataclass(frozen=True)
class UNetConfig:
    """The network: widths per resolution level, blocks, attention, conditioning."""

    channels: tuple[int, ...] = (32, 64, 64)  # width of each level; len - 1 downsamplings
    blocks: int = 1  # residual blocks per level on the way down (blocks + 1 on the way up)
    attention: bool = True  # self-attention at the lowest resolution
    groups: int = 8  # GroupNorm groups (must divide every width)
    conditional: bool = False  # class-conditional, with a "no label" token for guidance

    def validate(self) -> None:
        check_fields(self, at_least={"blocks": 1, "groups": 1}, widths=("channels",))
        bad = [c for c in self.channels if c % self.groups]
        if bad:
            raise DljaxError(
                f"model.groups={self.groups} harus membagi habis setiap lebar di "
                f"model.channels={self.channels} (tidak membagi {bad[0]}); pilih mis. "
                "--set model.groups=4."
            )


def check_image_shape(image_shape: Sequence[int], levels: int) -> None:
    """Sides divisible by 2**levels, else an Indonesian error naming the fix."""
    h, w = image_shape[0], image_shape[1]
    factor = 2**levels
    if h % factor or w % factor:
        raise DljaxError(
            f"U-Net dengan {levels + 1} tingkat (model.channels) mengecilkan gambar "
            f"{levels} kali, jadi sisinya harus habis dibagi {factor}; gambarnya {h}x{w} "
            f"(sisa {h % factor}). Kurangi tingkat (mis. --set model.channels=32,64) atau "
            "ubah ukuran gambar (mis. --set data.image_size=16)."
        )


def timestep_embedding(t: jax.Array, dim: int, max_period: float = 10_000.0) -> jax.Array:
    """Sinusoidal features of t (B,) -> (B, dim): [cos(t w_k), sin(t w_k)],
    w_k = max_period**(-k / (dim/2)), k = 0 .. dim/2 - 1 (dim even)."""
    half = dim // 2
    freqs = jnp.exp(-math.log(max_period) * jnp.arange(half, dtype=jnp.float32) / half)  # (D/2,)
    args = t.astype(jnp.float32)[:, None] * freqs[None, :]  # (B, D/2)
    return jnp.concatenate([jnp.cos(args), jnp.sin(args)], axis=-1)  # (B, D)


def _conv(c_in: int, c_out: int, rngs: nnx.Rngs, *, kernel: int = 3, stride: int = 1, zero=False):
    kwargs = {"kernel_init": nnx.initializers.zeros} if zero else {}
    return nnx.Conv(
        c_in, c_out, (kernel, kernel), strides=stride, padding="SAME", rngs=rngs, **kwargs
    )


class ResBlock(nnx.Module):
    """x (B, H, W, Ci), emb (B, E) -> (B, H, W, Co)."""

    def __init__(self, c_in: int, c_out: int, emb_dim: int, groups: int, *, rngs: nnx.Rngs):
        self.norm1 = nnx.GroupNorm(c_in, num_groups=groups, rngs=rngs)
        self.conv1 = _conv(c_in, c_out, rngs)
        self.emb = nnx.Linear(emb_dim, c_out, rngs=rngs)
        self.norm2 = nnx.GroupNorm(c_out, num_groups=groups, rngs=rngs)
        self.conv2 = _conv(c_out, c_out, rngs)
        self.skip = _conv(c_in, c_out, rngs, kernel=1) if c_in != c_out else None

    def __call__(self, x: jax.Array, emb: jax.Array) -> jax.Array:
        h = self.conv1(nnx.silu(self.norm1(x)))  # (B, H, W, Co)
        h = h + self.emb(nnx.silu(emb))[:, None, None, :]  # the time embedding everywhere
        h = self.conv2(nnx.silu(self.norm2(h)))
        return h + (x if self.skip is None else self.skip(x))


class SpatialAttention(nnx.Module):
    """Single-head self-attention over the H*W positions, residual: (B, H, W, C) -> same."""

    def __init__(self, channels: int, groups: int, *, rngs: nnx.Rngs):
        self.norm = nnx.GroupNorm(channels, num_groups=groups, rngs=rngs)
        self.qkv = nnx.Linear(channels, 3 * channels, rngs=rngs)
        self.out = nnx.Linear(channels, channels, rngs=rngs)

    def __call__(self, x: jax.Array) -> jax.Array:
        b, h, w, c = x.shape
        q, k, v = jnp.split(self.qkv(self.norm(x)).reshape(b, h * w, 3 * c), 3, axis=-1)
        weights = jax.nn.softmax(q @ k.transpose(0, 2, 1) / math.sqrt(c), axis=-1)  # (B, N, N)
        return x + self.out(weights @ v).reshape(b, h, w, c)


class UNet(nnx.Module):
    """eps-prediction network: (x (B, H, W, C), t (B,), labels (B,) | None) -> (B, H, W, C)."""

    def __init__(
        self,
        image_shape: Sequence[int],
        channels: Sequence[int] = (32, 64, 64),
        *,
        blocks: int = 1,
        attention: bool = True,
        groups: int = 8,
        num_classes: int = 0,
        rngs: nnx.Rngs,
    ):
        channels = tuple(channels)
        check_image_shape(image_shape, len(channels) - 1)
        c_img = image_shape[-1]
        self.image_shape = tuple(image_shape)
        self.num_classes = num_classes  # 0: unconditional; else index num_classes = no label
        self.conditional = num_classes > 0
        base = channels[0]
        emb_dim = 4 * base
        self.base = base
        self.time1 = nnx.Linear(base, emb_dim, rngs=rngs)
        self.time2 = nnx.Linear(emb_dim, emb_dim, rngs=rngs)
        self.label_embed = (
            nnx.Embed(num_classes + 1, emb_dim, rngs=rngs) if self.conditional else None
        )
        self.stem = _conv(c_img, base, rngs)
        down, skips, c = [], [base], base
        for i, width in enumerate(channels):
            for _ in range(blocks):
                down.append(ResBlock(c, width, emb_dim, groups, rngs=rngs))
                c = width
                skips.append(c)
            if i < len(channels) - 1:
                down.append(_conv(c, c, rngs, stride=2))
                skips.append(c)
        self.down = nnx.List(down)
        self.mid1 = ResBlock(c, c, emb_dim, groups, rngs=rngs)
        self.attn = SpatialAttention(c, groups, rngs=rngs) if attention else None
        self.mid2 = ResBlock(c, c, emb_dim, groups, rngs=rngs)
        up = []
        for i, width in reversed(list(enumerate(channels))):
            for _ in range(blocks + 1):
                up.append(ResBlock(c + skips.pop(), width, emb_dim, groups, rngs=rngs))
                c = width
            if i > 0:
                up.append(_conv(c, c, rngs))  # after a nearest x2 upsampling
        self.up = nnx.List(up)
        self.norm_out = nnx.GroupNorm(c, num_groups=groups, rngs=rngs)
        self.head = _conv(c, c_img, rngs, zero=True)

    def embedding(self, t: jax.Array, labels: jax.Array | None) -> jax.Array:
        """(B, E): the time embedding, plus the label embedding for conditional models
        (labels None = the "no label" token for every image)."""
        emb = self.time2(nnx.silu(self.time1(timestep_embedding(t, self.base))))  # (B, E)
        if self.conditional:
            if labels is None:
                labels = jnp.full(t.shape, self.num_classes, jnp.int32)
            emb = emb + self.label_embed(labels)
        elif labels is not None:
            raise DljaxError(
                "U-Net ini tidak bersyarat: jangan berikan labels, atau latih model bersyarat "
                "(mis. `dljax train ddpm_cond`)."
            )
        return emb

    def __call__(self, x: jax.Array, t: jax.Array, labels: jax.Array | None = None) -> jax.Array:
        emb = self.embedding(t, labels)  # (B, E)
        h = self.stem(x)  # (B, H, W, c0)
        hs = [h]
        for layer in self.down:
            h = layer(h, emb) if isinstance(layer, ResBlock) else layer(h)
            hs.append(h)
        h = self.mid1(h, emb)
        if self.attn is not None:
            h = self.attn(h)
        h = self.mid2(h, emb)
        for layer in self.up:
            if isinstance(layer, ResBlock):
                h = layer(jnp.concatenate([h, hs.pop()], axis=-1), emb)
            else:
                h = layer(jnp.repeat(jnp.repeat(h, 2, axis=1), 2, axis=2))  # (B, 2H, 2W, c)
        return self.head(nnx.silu(self.norm_out(h)))  # (B, H, W, C)


def build(config: UNetConfig, info, rngs: nnx.Rngs) -> UNet:
    """The U-Net for a dataset (the diffusion settings of a `DiffusionConfig` are the task's)."""
    return UNet(
        info.input_shape,
        config.channels,
        blocks=config.blocks,
        attention=config.attention,
        groups=config.groups,
        num_classes=info.num_classes if config.conditional else 0,
        rngs=rngs,
    )
