"""VGG (Simonyan & Zisserman 2015, "Very deep convolutional networks for large-scale image
recognition", Table 1), with configurable depth and optional batch norm.

`model.depth` picks a column of Table 1: VGG-11 (A), -13 (B), -16 (D) or -19 (E). The network
is five stages of 3x3 convolutions (stride 1, "SAME" padding) each followed by a 2x2
max-pool; stage `i` has `width * (1, 2, 4, 8, 8)[i]` channels (width 64 in the paper). The
classifier is the paper's: two hidden fully connected layers (`model.hidden`, 4096 in the
paper) with ReLU and dropout, then the output layer; `hidden=0` keeps only the output layer
(the usual choice for CIFAR).

Small images are not resized: max-pooling uses "SAME" padding, so a map of 1x1 stays 1x1
(digits 8x8: 8 -> 4 -> 2 -> 1 -> 1 -> 1). With `batch_norm=True` (VGG-BN) each convolution is
followed by batch norm and has no bias of its own.

Parameter counts of the convolutional part without batch norm (3-channel input), equal to
torchvision's `vgg*.features`: VGG-11 9,220,480; VGG-13 9,404,992; VGG-16 14,714,688;
VGG-19 20,024,384.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import jax
from flax import nnx

from dljax.config import check_fields

# Convolutions per stage for each depth (Table 1, columns A, B, D, E).
STAGES: dict[int, tuple[int, ...]] = {
    11: (1, 1, 2, 2, 2),
    13: (2, 2, 2, 2, 2),
    16: (2, 2, 3, 3, 3),
    19: (2, 2, 4, 4, 4),
}
WIDTH_MULT = (1, 2, 4, 8, 8)


@dataclass(frozen=True)
class VGGConfig:
    depth: int = 11  # 11, 13, 16 or 19 weight layers (Table 1 of the paper)
    width: int = 64  # channels of the first stage; stages use width * (1, 2, 4, 8, 8)
    hidden: int = 512  # units of the two hidden fully connected layers (0 = none)
    dropout: float = 0.5
    batch_norm: bool = True

    def validate(self) -> None:
        check_fields(
            self,
            choices={"depth": tuple(STAGES)},
            at_least={"width": 1, "hidden": 0},  # hidden 0 = no fully connected layer
            fractions=("dropout",),
        )


class ConvBNReLU(nnx.Module):
    """3x3 "SAME" convolution, optional batch norm, ReLU: (B, H, W, Cin) -> (B, H, W, Cout)."""

    def __init__(self, in_ch: int, out_ch: int, *, batch_norm: bool, rngs: nnx.Rngs):
        self.conv = nnx.Conv(
            in_ch,
            out_ch,
            (3, 3),
            padding="SAME",
            use_bias=not batch_norm,
            kernel_init=nnx.initializers.he_normal(),
            rngs=rngs,
        )
        self.norm = nnx.BatchNorm(out_ch, momentum=0.9, rngs=rngs) if batch_norm else None

    def __call__(self, x: jax.Array) -> jax.Array:
        x = self.conv(x)
        if self.norm is not None:
            x = self.norm(x)
        return nnx.relu(x)


class VGG(nnx.Module):
    """VGG-`depth`. Input (B, H, W, C) images; output logits (B, num_classes)."""

    def __init__(
        self,
        input_shape: Sequence[int],
        num_classes: int,
        *,
        depth: int = 11,
        width: int = 64,
        hidden: int = 512,
        dropout: float = 0.5,
        batch_norm: bool = True,
        rngs: nnx.Rngs,
    ):
        h, w, c = input_shape
        layers: list[list[ConvBNReLU]] = []
        for n_convs, mult in zip(STAGES[depth], WIDTH_MULT, strict=True):
            stage = []
            for _ in range(n_convs):
                stage.append(ConvBNReLU(c, width * mult, batch_norm=batch_norm, rngs=rngs))
                c = width * mult
            layers.append(nnx.List(stage))
            h, w = -(-h // 2), -(-w // 2)  # "SAME" 2x2 max-pool
        self.features = nnx.List(layers)
        sizes = [h * w * c] + [hidden] * (2 if hidden else 0)
        self.fcs = nnx.List(
            [nnx.Linear(a, b, rngs=rngs) for a, b in zip(sizes[:-1], sizes[1:], strict=True)]
        )
        self.dropout = nnx.Dropout(dropout)
        self.head = nnx.Linear(sizes[-1], num_classes, rngs=rngs)

    def __call__(self, x: jax.Array, *, rngs: nnx.Rngs | None = None) -> jax.Array:
        for stage in self.features:
            for layer in stage:
                x = layer(x)  # (B, H, W, C_stage)
            x = nnx.max_pool(x, (2, 2), strides=(2, 2), padding="SAME")  # (B, H/2, W/2, C)
        x = x.reshape(x.shape[0], -1)  # (B, h * w * c)
        for fc in self.fcs:
            x = self.dropout(nnx.relu(fc(x)), rngs=rngs)  # (B, hidden)
        return self.head(x)  # (B, num_classes)


def build(config: VGGConfig, info, rngs: nnx.Rngs) -> VGG:
    return VGG(
        info.input_shape,
        info.num_classes,
        depth=config.depth,
        width=config.width,
        hidden=config.hidden,
        dropout=config.dropout,
        batch_norm=config.batch_norm,
        rngs=rngs,
    )
