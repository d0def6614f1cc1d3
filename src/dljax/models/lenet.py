"""LeNet-5 (LeCun, Bottou, Bengio & Haffner 1998, "Gradient-based learning applied to
document recognition", Fig. 2), for 32x32 inputs.

Layers (for a 32x32x1 input)::

    C1  conv 6@5x5            -> (28, 28, 6)      156 parameters
    S2  2x2 subsampling       -> (14, 14, 6)       12 (paper) / 0 (modern)
    C3  conv 16@5x5           -> (10, 10, 16)   1,516 (paper) / 2,416 (modern)
    S4  2x2 subsampling       -> (5, 5, 16)        32 (paper) / 0 (modern)
    C5  conv 120@5x5          -> (1, 1, 120)   48,120
    F6  full 84               -> (84,)         10,164
    out full 10               -> (10,)            850

Two variants (`model.variant`):

- `"paper"`: as in the paper. S2/S4 are *trainable* subsampling: the sum of each 2x2 block is
  multiplied by a trainable coefficient and shifted by a trainable bias per map (2 parameters
  per map), then squashed. C3 uses the paper's partial connection table (Table I): maps 0-5
  see 3 contiguous S2 maps, 6-11 see 4 contiguous, 12-14 see 4 non-contiguous and 15 sees all
  6, i.e. 1,516 parameters instead of 2,416. The squashing function is the paper's scaled
  tanh `1.7159 tanh(2a/3)`. C1..F6 then have exactly the paper's 60,000 trainable parameters.
  The paper's output layer is 10 Euclidean RBF units whose centres are fixed, hand-designed
  +-1 codes (not trained); we use a trainable linear layer (84*10 + 10 = 850) with softmax
  cross-entropy instead, so the total is 60,850.
- `"modern"` (default): the simplified variant of today's tutorials: ReLU, 2x2 max-pooling
  without parameters and a fully connected C3, i.e. 61,706 parameters in total.

Input size: the architecture expects 32x32 images. With `model.fit="auto"`, images of 28 to
32 pixels are zero-padded to 32x32 (MNIST's 28x28 digits centred in a 32x32 field, as in the
paper), smaller images are resized bilinearly (`jax.image.resize`) into a 20x20 box and
centred in the 32x32 field (the paper's layout: digits were size-normalized to 20x20; for
`digits` 8x8 this measured ~1 point better test accuracy than stretching to 32x32), and
larger images are resized to 32x32. `"pad"` only pads, `"resize"` always stretches to 32x32.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import jax
import jax.numpy as jnp
import numpy as np
from flax import nnx

from dljax.config import check_fields
from dljax.errors import DljaxError

INPUT_SIZE = 32
DIGIT_BOX = 20  # small images are resized into a 20x20 box centred in the 32x32 field
VARIANTS = ("modern", "paper")
FITS = ("auto", "pad", "resize")

# Table I of the paper: which S2 maps (rows 0-5) feed each C3 map (columns 0-15), grouped by
# the number of inputs so that each group is one grouped convolution.
C3_TABLE: tuple[tuple[int, ...], ...] = (
    (0, 1, 2),
    (1, 2, 3),
    (2, 3, 4),
    (3, 4, 5),
    (4, 5, 0),
    (5, 0, 1),
    (0, 1, 2, 3),
    (1, 2, 3, 4),
    (2, 3, 4, 5),
    (3, 4, 5, 0),
    (4, 5, 0, 1),
    (5, 0, 1, 2),
    (0, 1, 3, 4),
    (1, 2, 4, 5),
    (0, 2, 3, 5),
    (0, 1, 2, 3, 4, 5),
)


@dataclass(frozen=True)
class LeNet5Config:
    variant: str = "modern"  # "modern" (ReLU, max-pool, full C3) or "paper" (see module doc)
    fit: str = "auto"  # how non-32x32 inputs reach 32x32: "auto", "pad" or "resize"

    def validate(self) -> None:
        check_fields(self, choices={"variant": VARIANTS, "fit": FITS})


def scaled_tanh(x: jax.Array) -> jax.Array:
    """The paper's squashing function `A tanh(S a)` with A = 1.7159, S = 2/3."""
    return 1.7159 * jnp.tanh(x * (2.0 / 3.0))


def fit_to_size(x: jax.Array, size: int = INPUT_SIZE, mode: str = "auto") -> jax.Array:
    """(B, H, W, C) -> (B, size, size, C) by zero-padding and/or bilinear resizing (module doc)."""
    b, h, w, c = x.shape
    if (h, w) == (size, size):
        return x
    if mode == "resize" or (mode == "auto" and max(h, w) > size):
        return jax.image.resize(x, (b, size, size, c), method="bilinear")
    if mode == "auto" and min(h, w) < size - 4:  # small images: into the 20x20 box first
        box = size * DIGIT_BOX // INPUT_SIZE
        x = jax.image.resize(x, (b, box, box, c), method="bilinear")
        h = w = box
    top, left = (size - h) // 2, (size - w) // 2
    return jnp.pad(x, ((0, 0), (top, size - h - top), (left, size - w - left), (0, 0)))


class Subsample(nnx.Module):
    """Trainable 2x2 subsampling of the paper: `coef * sum(2x2 block) + bias` per map.

    (B, H, W, C) -> (B, H/2, W/2, C); 2 * C parameters. The coefficient starts at 1/4, so the
    layer starts as average pooling.
    """

    def __init__(self, channels: int, *, rngs: nnx.Rngs):
        self.coef = nnx.Param(jnp.full((channels,), 0.25))
        self.bias = nnx.Param(jnp.zeros((channels,)))

    def __call__(self, x: jax.Array) -> jax.Array:
        s = nnx.avg_pool(x, (2, 2), strides=(2, 2)) * 4.0  # (B, H/2, W/2, C) block sums
        return s * self.coef[...][None, None, None, :] + self.bias[...][None, None, None, :]


class SparseC3(nnx.Module):
    """C3 with the paper's partial connectivity: 6 -> 16 maps, 5x5, 1,516 parameters.

    The parameters are stored compactly, one (5, 5, k, n) kernel per group of `n` C3 maps
    that see `k` S2 maps each (450 + 900 + 150 weights and 16 biases). At call time they are
    scattered into a dense (5, 5, 6, 16) kernel whose unconnected entries are zero, and one
    ordinary convolution runs: (B, 14, 14, 6) -> (B, 10, 10, 16), maps in the paper's order.
    (Grouped convolutions over gathered maps are much slower on XLA:CPU.)
    """

    def __init__(self, *, rngs: nnx.Rngs):
        groups: dict[int, list[tuple[int, ...]]] = {}
        for inputs in C3_TABLE:
            groups.setdefault(len(inputs), []).append(inputs)
        # (rows, cols) index the dense kernel's (input map, output map) axes, shape (k, n)
        self.index, start = [], 0
        for g in groups.values():
            rows = np.array(g).T  # (k, n)
            cols = np.broadcast_to(np.arange(start, start + len(g)), rows.shape)  # (k, n)
            self.index.append((tuple(map(tuple, rows)), tuple(map(tuple, cols))))
            start += len(g)
        self.index = tuple(self.index)  # static
        init = nnx.initializers.lecun_normal()
        self.kernels = nnx.List(
            [nnx.Param(init(rngs.params(), (5, 5, k, len(g)))) for k, g in groups.items()]
        )
        self.bias = nnx.Param(jnp.zeros((len(C3_TABLE),)))

    def dense_kernel(self) -> jax.Array:
        """The (5, 5, 6, 16) kernel with zeros where the table has no connection."""
        full = jnp.zeros((5, 5, 6, len(C3_TABLE)))
        for kernel, (rows, cols) in zip(self.kernels, self.index, strict=True):
            full = full.at[:, :, np.array(rows), np.array(cols)].set(kernel[...])
        return full

    def __call__(self, x: jax.Array) -> jax.Array:
        y = jax.lax.conv_general_dilated(
            x, self.dense_kernel(), (1, 1), "VALID", dimension_numbers=("NHWC", "HWIO", "NHWC")
        )
        return y + self.bias[...][None, None, None, :]  # (B, 10, 10, 16)


class LeNet5(nnx.Module):
    """LeNet-5. Input (B, H, W, C) images (fitted to 32x32); output logits (B, num_classes)."""

    def __init__(
        self,
        input_shape: Sequence[int],
        num_classes: int,
        *,
        variant: str = "modern",
        fit: str = "auto",
        rngs: nnx.Rngs,
    ):
        _, _, c = input_shape
        self.variant, self.fit = variant, fit
        paper = variant == "paper"
        self.c1 = nnx.Conv(c, 6, (5, 5), padding="VALID", rngs=rngs)
        self.s2 = Subsample(6, rngs=rngs) if paper else None
        self.c3 = (
            SparseC3(rngs=rngs) if paper else nnx.Conv(6, 16, (5, 5), padding="VALID", rngs=rngs)
        )
        self.s4 = Subsample(16, rngs=rngs) if paper else None
        self.c5 = nnx.Conv(16, 120, (5, 5), padding="VALID", rngs=rngs)
        self.f6 = nnx.Linear(120, 84, rngs=rngs)
        self.out = nnx.Linear(84, num_classes, rngs=rngs)

    def _act(self, x: jax.Array) -> jax.Array:
        return scaled_tanh(x) if self.variant == "paper" else nnx.relu(x)

    def _pool(self, layer: Subsample | None, x: jax.Array) -> jax.Array:
        if layer is not None:
            return self._act(layer(x))
        return nnx.max_pool(x, (2, 2), strides=(2, 2))

    def __call__(self, x: jax.Array, *, rngs: nnx.Rngs | None = None) -> jax.Array:
        x = fit_to_size(x, INPUT_SIZE, self.fit)  # (B, 32, 32, C)
        x = self._act(self.c1(x))  # (B, 28, 28, 6)
        x = self._pool(self.s2, x)  # (B, 14, 14, 6)
        x = self._act(self.c3(x))  # (B, 10, 10, 16)
        x = self._pool(self.s4, x)  # (B, 5, 5, 16)
        x = self._act(self.c5(x))  # (B, 1, 1, 120)
        x = self._act(self.f6(x.reshape(x.shape[0], -1)))  # (B, 84)
        return self.out(x)  # (B, num_classes)


def build(config: LeNet5Config, info, rngs: nnx.Rngs) -> LeNet5:
    h, w, _ = info.input_shape
    if config.fit == "pad" and (h > INPUT_SIZE or w > INPUT_SIZE):
        raise DljaxError(
            f"model.fit='pad' tidak bisa dipakai untuk gambar {h}x{w} yang lebih besar dari "
            f"{INPUT_SIZE}x{INPUT_SIZE}; pakai --set model.fit=resize."
        )
    return LeNet5(
        info.input_shape, info.num_classes, variant=config.variant, fit=config.fit, rngs=rngs
    )
