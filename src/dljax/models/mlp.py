"""Multilayer perceptron."""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass

import jax
from flax import nnx

from dljax.config import check_fields


@dataclass(frozen=True)
class MLPConfig:
    hidden: tuple[int, ...] = (256, 256)
    dropout: float = 0.2

    def validate(self) -> None:
        check_fields(self, widths=("hidden",), fractions=("dropout",))


class MLP(nnx.Module):
    """Flatten, then `len(hidden)` blocks of Linear -> ReLU -> Dropout, then a Linear head.

    Input (B, ...) of `in_features` values per example; output logits (B, num_classes).
    """

    def __init__(
        self,
        in_features: int,
        hidden: Sequence[int],
        num_classes: int,
        *,
        dropout: float = 0.0,
        rngs: nnx.Rngs,
    ):
        sizes = [in_features, *hidden]
        self.layers = nnx.List(
            [nnx.Linear(a, b, rngs=rngs) for a, b in zip(sizes[:-1], sizes[1:], strict=True)]
        )
        self.dropout = nnx.Dropout(dropout)
        self.head = nnx.Linear(sizes[-1], num_classes, rngs=rngs)

    def __call__(self, x: jax.Array, *, rngs: nnx.Rngs | None = None) -> jax.Array:
        x = x.reshape(x.shape[0], -1)  # (B, D)
        for layer in self.layers:
            x = self.dropout(nnx.relu(layer(x)), rngs=rngs)  # (B, H)
        return self.head(x)  # (B, num_classes)


def build(config: MLPConfig, info, rngs: nnx.Rngs) -> MLP:
    return MLP(
        math.prod(info.input_shape),
        config.hidden,
        info.num_classes,
        dropout=config.dropout,
        rngs=rngs,
    )
