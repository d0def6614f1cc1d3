"""Residual networks (He, Zhang, Ren & Sun 2016, "Deep residual learning for image
recognition"), with basic blocks and batch norm.

`model.depth` selects the family:

- 18 or 34: the ImageNet ResNets (Table 1): stages of (2, 2, 2, 2) or (3, 4, 6, 3) basic
  blocks with `width * (1, 2, 4, 8)` channels (width 64), projection shortcuts (1x1 conv +
  batch norm, "option B") where the shape changes. ResNet-18 has 11,689,512 parameters for
  ImageNet (1000 classes, 7x7 stem) and 11,173,962 for 10 classes with the 3x3 stem commonly
  used on CIFAR.
- 6n + 2 (8, 14, 20, 32, 44, 56, 110): the CIFAR ResNets of Section 4.2: three stages of n
  basic blocks with `width * (1, 2, 4)` channels (width 16) and parameter-free shortcuts
  ("option A": subsample by 2 and pad the new channels with zeros). ResNet-20 has 269,722
  parameters ("0.27M" in Table 6).

The stem (`model.stem`): "small" is one 3x3 stride-1 convolution (CIFAR); "imagenet" is a
7x7 stride-2 convolution then a 3x3 stride-2 max-pool; "auto" uses "imagenet" for ResNet-18/34
on inputs of at least 64 pixels and "small" otherwise. Inputs of any size work (global average
pooling before the classifier), so digits 8x8 need no resizing.

`model.residual=false` drops the shortcuts: the "plain" networks the paper compares against
(same layers, same parameters with option-A shortcuts).

Batch norm (`nnx.BatchNorm`, momentum 0.9) normalizes with batch statistics and updates its
running averages in training (`model.train()`), and uses the running averages, unchanged, in
evaluation (`model.eval()`).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import jax
import jax.numpy as jnp
from flax import nnx

from dljax.config import check_fields
from dljax.errors import DljaxError

IMAGENET_BLOCKS = {18: (2, 2, 2, 2), 34: (3, 4, 6, 3)}
STEMS = ("auto", "small", "imagenet")
SHORTCUTS = ("auto", "pad", "conv")


def is_cifar_depth(depth: int) -> bool:
    return depth >= 8 and (depth - 2) % 6 == 0


@dataclass(frozen=True)
class ResNetConfig:
    depth: int = 20  # 18 or 34 (ImageNet-style) or 6n + 2 (CIFAR-style: 8, 14, 20, 32, 56...)
    width: int = 0  # channels of the first stage; 0 = the paper's (64 for 18/34, 16 for 6n+2)
    stem: str = "auto"  # "auto", "small" (3x3) or "imagenet" (7x7/2 + max-pool)
    shortcut: str = "auto"  # "auto", "pad" (option A) or "conv" (option B, 1x1 projection)
    residual: bool = True  # False = the "plain" network without shortcuts

    def validate(self) -> None:
        if self.depth not in IMAGENET_BLOCKS and not is_cifar_depth(self.depth):
            raise DljaxError(
                f"model.depth={self.depth} tidak didukung untuk ResNet; pilih 18 atau 34 "
                "(gaya ImageNet) atau 6n+2 seperti 8, 14, 20, 32, 56 (gaya CIFAR), "
                "mis. --set model.depth=20."
            )
        # width 0 = the paper's width for the depth
        check_fields(self, choices={"stem": STEMS, "shortcut": SHORTCUTS}, at_least={"width": 0})


def conv(in_ch: int, out_ch: int, size: int, stride: int, rngs: nnx.Rngs) -> nnx.Conv:
    """A bias-free "SAME" convolution with He initialization (batch norm follows it)."""
    return nnx.Conv(
        in_ch,
        out_ch,
        (size, size),
        strides=(stride, stride),
        padding="SAME",
        use_bias=False,
        kernel_init=nnx.initializers.he_normal(),
        rngs=rngs,
    )


def bn(channels: int, rngs: nnx.Rngs) -> nnx.BatchNorm:
    return nnx.BatchNorm(channels, momentum=0.9, rngs=rngs)


class BasicBlock(nnx.Module):
    """Two 3x3 conv + batch norm layers and a shortcut: `relu(F(x) + shortcut(x))`.

    (B, H, W, Cin) -> (B, H/stride, W/stride, Cout). Without `residual`: `relu(F(x))`.
    """

    def __init__(
        self,
        in_ch: int,
        out_ch: int,
        stride: int,
        *,
        shortcut: str,
        residual: bool,
        rngs: nnx.Rngs,
    ):
        self.conv1 = conv(in_ch, out_ch, 3, stride, rngs)
        self.bn1 = bn(out_ch, rngs)
        self.conv2 = conv(out_ch, out_ch, 3, 1, rngs)
        self.bn2 = bn(out_ch, rngs)
        self.residual, self.stride, self.pad = residual, stride, out_ch - in_ch
        needs_change = stride != 1 or in_ch != out_ch
        use_proj = residual and needs_change and shortcut == "conv"
        self.proj = conv(in_ch, out_ch, 1, stride, rngs) if use_proj else None
        self.proj_bn = bn(out_ch, rngs) if use_proj else None

    def _shortcut(self, x: jax.Array) -> jax.Array:
        if self.proj is not None:
            return self.proj_bn(self.proj(x))
        if self.stride != 1:  # option A: subsample...
            x = x[:, :: self.stride, :: self.stride, :]
        if self.pad:  # ...and pad the extra channels with zeros
            x = jnp.pad(x, ((0, 0), (0, 0), (0, 0), (0, self.pad)))
        return x

    def __call__(self, x: jax.Array) -> jax.Array:
        y = nnx.relu(self.bn1(self.conv1(x)))  # (B, H', W', Cout)
        y = self.bn2(self.conv2(y))
        if self.residual:
            y = y + self._shortcut(x)
        return nnx.relu(y)


class ResNet(nnx.Module):
    """ResNet-`depth`. Input (B, H, W, C) images; output logits (B, num_classes)."""

    def __init__(
        self,
        input_shape: Sequence[int],
        num_classes: int,
        *,
        depth: int = 20,
        width: int = 0,
        stem: str = "auto",
        shortcut: str = "auto",
        residual: bool = True,
        rngs: nnx.Rngs,
    ):
        h, _, c = input_shape
        imagenet_style = depth in IMAGENET_BLOCKS
        if imagenet_style:
            blocks, mults = IMAGENET_BLOCKS[depth], (1, 2, 4, 8)
        else:
            blocks, mults = ((depth - 2) // 6,) * 3, (1, 2, 4)
        width = width or (64 if imagenet_style else 16)
        if stem == "auto":
            stem = "imagenet" if imagenet_style and h >= 64 else "small"
        if shortcut == "auto":
            shortcut = "conv" if imagenet_style else "pad"
        self.big_stem = stem == "imagenet"
        self.stem = conv(c, width, 7 if self.big_stem else 3, 2 if self.big_stem else 1, rngs)
        self.stem_bn = bn(width, rngs)
        layers, ch = [], width
        for i, (n, mult) in enumerate(zip(blocks, mults, strict=True)):
            for j in range(n):
                stride = 2 if i > 0 and j == 0 else 1
                layers.append(
                    BasicBlock(
                        ch, width * mult, stride, shortcut=shortcut, residual=residual, rngs=rngs
                    )
                )
                ch = width * mult
        self.blocks = nnx.List(layers)
        self.head = nnx.Linear(ch, num_classes, rngs=rngs)

    def __call__(self, x: jax.Array, *, rngs: nnx.Rngs | None = None) -> jax.Array:
        x = nnx.relu(self.stem_bn(self.stem(x)))  # (B, H, W, width) or (B, H/2, W/2, width)
        if self.big_stem:
            x = nnx.max_pool(x, (3, 3), strides=(2, 2), padding="SAME")  # (B, H/4, W/4, width)
        for block in self.blocks:
            x = block(x)  # (B, h, w, C)
        x = x.mean(axis=(1, 2))  # (B, C) global average pooling
        return self.head(x)  # (B, num_classes)


def build(config: ResNetConfig, info, rngs: nnx.Rngs) -> ResNet:
    return ResNet(
        info.input_shape,
        info.num_classes,
        depth=config.depth,
        width=config.width,
        stem=config.stem,
        shortcut=config.shortcut,
        residual=config.residual,
        rngs=rngs,
    )
