"""A small convolutional network for small images (digits 8x8, MNIST 28x28, CIFAR 32x32)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import asdict, dataclass

import jax
from flax import nnx

from dljax.config import check_fields


@dataclass(frozen=True)
class CNNConfig:
    channels: tuple[int, ...] = (32, 64)  # one block (two 3x3 convs + 2x2 max-pool) each
    hidden: int = 128
    dropout: float = 0.3
    batch_norm: bool = True

    def validate(self) -> None:
        check_fields(self, at_least={"hidden": 1}, widths=("channels",), fractions=("dropout",))


class ConvBlock(nnx.Module):
    """Two 3x3 convolutions (optionally batch-normalized) with ReLU, then 2x2 max-pooling."""

    def __init__(self, in_ch: int, out_ch: int, *, batch_norm: bool, rngs: nnx.Rngs):
        self.conv1 = nnx.Conv(
            in_ch, out_ch, (3, 3), padding="SAME", use_bias=not batch_norm, rngs=rngs
        )
        self.conv2 = nnx.Conv(
            out_ch, out_ch, (3, 3), padding="SAME", use_bias=not batch_norm, rngs=rngs
        )
        self.norm1 = nnx.BatchNorm(out_ch, momentum=0.9, rngs=rngs) if batch_norm else None
        self.norm2 = nnx.BatchNorm(out_ch, momentum=0.9, rngs=rngs) if batch_norm else None

    def __call__(self, x: jax.Array) -> jax.Array:
        x = self.conv1(x)  # (B, H, W, C)
        if self.norm1 is not None:
            x = self.norm1(x)
        x = self.conv2(nnx.relu(x))
        if self.norm2 is not None:
            x = self.norm2(x)
        x = nnx.relu(x)
        return nnx.max_pool(x, (2, 2), strides=(2, 2), padding="SAME")  # (B, H/2, W/2, C)


class CNN(nnx.Module):
    """Conv blocks, flatten, a hidden Linear layer with dropout, and a Linear head.

    Input (B, H, W, C) images; output logits (B, num_classes).
    """

    def __init__(
        self,
        input_shape: Sequence[int],
        num_classes: int,
        *,
        channels: Sequence[int] = (32, 64),
        hidden: int = 128,
        dropout: float = 0.0,
        batch_norm: bool = True,
        rngs: nnx.Rngs,
    ):
        h, w, c = input_shape
        blocks = []
        for out_ch in channels:
            blocks.append(ConvBlock(c, out_ch, batch_norm=batch_norm, rngs=rngs))
            c, h, w = out_ch, -(-h // 2), -(-w // 2)
        self.blocks = nnx.List(blocks)
        self.fc = nnx.Linear(h * w * c, hidden, rngs=rngs)
        self.dropout = nnx.Dropout(dropout)
        self.head = nnx.Linear(hidden, num_classes, rngs=rngs)

    def __call__(self, x: jax.Array, *, rngs: nnx.Rngs | None = None) -> jax.Array:
        for block in self.blocks:
            x = block(x)
        x = x.reshape(x.shape[0], -1)  # (B, h * w * c)
        x = self.dropout(nnx.relu(self.fc(x)), rngs=rngs)  # (B, hidden)
        return self.head(x)  # (B, num_classes)


def build(config: CNNConfig, info, rngs: nnx.Rngs) -> CNN:
    return CNN(info.input_shape, info.num_classes, **asdict(config), rngs=rngs)
