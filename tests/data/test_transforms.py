"""Image resizing on load: hand values, a JAX reference, and `data.image_size` in the registry."""

from __future__ import annotations

import jax
import numpy as np
import pytest

from dljax.config import DataConfig
from dljax.data.registry import load_dataset
from dljax.data.transforms import interpolation_matrix, resize_images
from dljax.errors import DljaxError


def test_upsample_2x2_to_4x4_hand_values():
    # Half-pixel centres: output pixels sample the input at -0.25, 0.25, 0.75, 1.25, so a row
    # [a, b] becomes [a, 3a/4 + b/4, a/4 + 3b/4, b] (the border samples are clamped).
    x = np.array([[0.0, 1.0], [2.0, 3.0]], np.float32)[None, :, :, None]
    expected = np.array(
        [
            [0.0, 0.25, 0.75, 1.0],
            [0.5, 0.75, 1.25, 1.5],
            [1.5, 1.75, 2.25, 2.5],
            [2.0, 2.25, 2.75, 3.0],
        ]
    )
    y = resize_images(x, 4)
    assert y.shape == (1, 4, 4, 1) and y.dtype == np.float32
    np.testing.assert_allclose(y[0, :, :, 0], expected, atol=1e-6)


def test_downsample_is_antialiased_hand_values():
    # 4 -> 2: samples at 0.5 and 2.5, triangle widened to 2 pixels: weights for output 0 are
    # (1 - |0.5 - j| / 2) for j = 0..3 = (3/4, 3/4, 1/4, 0), normalized -> (3, 3, 1, 0) / 7.
    np.testing.assert_allclose(
        interpolation_matrix(4, 2), np.array([[3, 3, 1, 0], [0, 1, 3, 3]]) / 7, atol=1e-12
    )
    # a one-pixel line between the two sample points still shows up (plain bilinear would
    # give 0 for output pixel 0, whose nearest inputs are 0 and 1)
    x = np.zeros((1, 4, 4, 1), np.float32)
    x[0, :, 2, 0] = 1.0
    y = resize_images(x, 2)
    np.testing.assert_allclose(y[0, :, :, 0], [[1 / 7, 3 / 7], [1 / 7, 3 / 7]], atol=1e-6)


@pytest.mark.parametrize(("side", "size"), [(8, 16), (28, 16), (32, 16), (8, 13), (5, 3)])
def test_matches_jax_image_resize(side, size):
    rng = np.random.default_rng(side * 100 + size)
    x = rng.random((3, side, side, 2)).astype(np.float32)
    expected = jax.image.resize(x, (3, size, size, 2), method="linear", antialias=True)
    np.testing.assert_allclose(resize_images(x, size), np.asarray(expected), atol=1e-5)


def test_identity_range_and_channels():
    rng = np.random.default_rng(0)
    x = rng.random((4, 8, 8, 3)).astype(np.float32)
    same = resize_images(x, 8)
    np.testing.assert_array_equal(same, x)
    assert same is not x
    for size in (4, 16, 11):
        y = resize_images(x, size)
        assert y.shape == (4, size, size, 3)
        assert y.min() >= 0.0 and y.max() <= 1.0
        # channels are resized independently: resizing channel 1 alone gives the same values
        np.testing.assert_allclose(y[..., 1:2], resize_images(x[..., 1:2], size), atol=1e-6)


def test_rejects_bad_input():
    with pytest.raises(DljaxError, match="tinggi, lebar, kanal"):
        resize_images(np.zeros((8, 8)), 4)


def test_digits_at_16_via_image_size():
    plain = load_dataset(DataConfig(name="digits"))
    big = load_dataset(DataConfig(name="digits", image_size=16))
    assert big.info.input_shape == (16, 16, 1)
    for split in ("train", "test"):
        a, b = getattr(plain, split).arrays, getattr(big, split).arrays
        assert b["input"].shape == (len(a["input"]), 16, 16, 1)
        assert b["input"].dtype == np.float32
        assert 0.0 <= b["input"].min() and b["input"].max() <= 1.0
        np.testing.assert_array_equal(b["label"], a["label"])
        np.testing.assert_allclose(b["input"], resize_images(a["input"], 16))


def test_image_size_on_a_non_image_dataset_is_an_indonesian_error():
    with pytest.raises(DljaxError, match=r"data.image_size=16 hanya berlaku untuk dataset gambar"):
        load_dataset(DataConfig(name="spiral", image_size=16))
