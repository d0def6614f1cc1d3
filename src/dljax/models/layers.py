"""Layers shared by the generative models.

`ConvTranspose2x` is a 4x4 stride-2 transposed convolution with "SAME" padding: the same
function and the same parameters as `nnx.ConvTranspose(cin, cout, (4, 4), strides=2,
padding="SAME")`, computed differently because XLA:CPU is slow at the gradient of a
transposed convolution (measured on 2 cores, batch 64, 16x16x64 -> 32x32x32: forward +
backward 2,050 ms with `nnx.ConvTranspose`, about 290 ms this way).

How: `nnx.ConvTranspose` is a cross-correlation of the input dilated by 2 (zeros between
pixels), padded by 2 on each side. Output pixel `2a + r` (phase `r` in {0, 1}) only meets real
input pixels at kernel taps `k = 2j - r` (`j` in {0, 1, 2}, `0 <= k < 4`) over the input pixels
`a + j - 1`. So each of the 4 output phases (ry, rx) is a 3x3 convolution of the undilated
input with a kernel gathered from the 4x4 kernel (zeros where `k` is out of range); one 3x3
convolution to `4 * cout` channels computes all phases, and depth-to-space interleaves them.
"""

from __future__ import annotations

import jax
import jax.numpy as jnp
import numpy as np
from flax import nnx

DEFAULT_KERNEL_INIT = nnx.initializers.lecun_normal()  # as nnx.ConvTranspose
DEFAULT_BIAS_INIT = nnx.initializers.zeros_init()

# TAP[j, r] = index of the 4x4 kernel tap used at 3x3 offset j for output phase r (4 = zero)
TAP = np.array([[2 * j - r if 0 <= 2 * j - r < 4 else 4 for r in (0, 1)] for j in range(3)])


def subpixel_kernel(kernel: jax.Array) -> jax.Array:
    """A 4x4 transposed-conv kernel (4, 4, cin, cout) -> 3x3 conv kernel (3, 3, cin, 4 cout).

    Output channels are ordered (ry, rx, cout), matching `depth_to_space`.
    """
    cin, cout = kernel.shape[2:]
    padded = jnp.pad(kernel, ((0, 1), (0, 1), (0, 0), (0, 0)))  # (5, 5, cin, cout), row 4 = 0
    ty, tx = TAP[:, None, :, None], TAP[None, :, None, :]  # (3, 1, 2, 1), (1, 3, 1, 2)
    w = padded[ty, tx]  # (3, 3, 2, 2, cin, cout) [jy, jx, ry, rx, ...]
    return w.transpose(0, 1, 4, 2, 3, 5).reshape(3, 3, cin, 4 * cout)


def depth_to_space(y: jax.Array) -> jax.Array:
    """(B, h, w, 4 C) with channels ordered (ry, rx, c) -> (B, 2h, 2w, C)."""
    b, h, w, c4 = y.shape
    y = y.reshape(b, h, w, 2, 2, c4 // 4)  # (B, h, w, ry, rx, C)
    return y.transpose(0, 1, 3, 2, 4, 5).reshape(b, 2 * h, 2 * w, c4 // 4)


class ConvTranspose2x(nnx.Module):
    """4x4, stride-2, "SAME" transposed convolution: (B, h, w, cin) -> (B, 2h, 2w, cout).

    Parameters `kernel` (4, 4, cin, cout) and `bias` (cout,), as in `nnx.ConvTranspose`.
    """

    def __init__(
        self,
        in_features: int,
        out_features: int,
        *,
        use_bias: bool = True,
        kernel_init=DEFAULT_KERNEL_INIT,
        bias_init=DEFAULT_BIAS_INIT,
        rngs: nnx.Rngs,
    ):
        self.kernel = nnx.Param(kernel_init(rngs.params(), (4, 4, in_features, out_features)))
        self.bias = nnx.Param(bias_init(rngs.params(), (out_features,))) if use_bias else None

    def __call__(self, x: jax.Array) -> jax.Array:
        w = subpixel_kernel(self.kernel[...])  # (3, 3, cin, 4 cout)
        # compute in the parameters' dtype (bfloat16 under train.dtype=bfloat16, where a
        # float32 input such as a freshly drawn latent would otherwise not match)
        y = jax.lax.conv_general_dilated(
            x.astype(w.dtype), w, (1, 1), "SAME", dimension_numbers=("NHWC", "HWIO", "NHWC")
        )  # (B, h, w, 4 cout)
        y = depth_to_space(y)  # (B, 2h, 2w, cout)
        if self.bias is not None:
            y = y + self.bias[...][None, None, None, :]
        return y
