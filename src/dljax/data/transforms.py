"""Whole-dataset image transforms in vectorized numpy (run once, on load).

`resize_images` is antialiased bilinear interpolation (a triangle kernel with half-pixel
centres, the same weights as `jax.image.resize(..., "linear", antialias=True)`):

- upsampling (digits 8x8 -> 16x16) is plain bilinear interpolation;
- downsampling (MNIST 28x28 -> 16x16, CIFAR 32x32 -> 16x16) widens the triangle by the
  scale factor, so every input pixel contributes (an area-like average). Plain bilinear
  would read only the 2x2 pixels nearest to each output centre and skip the rest, which
  aliases thin strokes (a 1-pixel pen line can vanish).

Each output pixel is a convex combination of input pixels (non-negative weights that sum to
1), so the pixel range is preserved: images in [0, 1] stay in [0, 1].
"""

from __future__ import annotations

import numpy as np

from dljax.errors import DljaxError


def interpolation_matrix(in_size: int, out_size: int) -> np.ndarray:
    """Weights (out_size, in_size) of antialiased linear interpolation along one axis.

    Output pixel `i` samples the input at `x_i = (i + 0.5) * in_size / out_size - 0.5`;
    input pixel `j` gets weight `max(0, 1 - |x_i - j| / k)` with `k = max(1, in/out)`,
    then each row is normalized to sum to 1 (at the borders the missing neighbours drop out).
    """
    scale = out_size / in_size
    kernel_width = max(1.0, 1.0 / scale)
    x = (np.arange(out_size) + 0.5) / scale - 0.5  # (out,)
    dist = np.abs(x[:, None] - np.arange(in_size)[None, :]) / kernel_width  # (out, in)
    weights = np.maximum(0.0, 1.0 - dist)
    return weights / weights.sum(axis=1, keepdims=True)


def resize_images(images: np.ndarray, size: int) -> np.ndarray:
    """Resize images (N, H, W, C) to (N, size, size, C) float32 (see the module docstring).

    Two interpolation matrices, applied as batched matrix products: no loop over images.
    """
    images = np.asarray(images)
    if images.ndim != 4:
        raise DljaxError(
            f"resize_images butuh gambar berbentuk (N, tinggi, lebar, kanal), bukan {images.shape}."
        )
    if size < 1:
        raise DljaxError(f"data.image_size={size} harus >= 1, mis. 16.")
    _, h, w, _ = images.shape
    x = images.astype(np.float32)
    if (h, w) == (size, size):
        return x.copy()
    rows = interpolation_matrix(h, size).astype(np.float32)  # (S, H)
    cols = interpolation_matrix(w, size).astype(np.float32)  # (S, W)
    x = x.transpose(0, 3, 1, 2)  # (N, C, H, W)
    y = rows @ x @ cols.T  # (N, C, S, S)
    return np.ascontiguousarray(y.transpose(0, 2, 3, 1))  # (N, S, S, C)
