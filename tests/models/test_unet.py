"""The diffusion U-Net: shapes for any image size divisible by its downsampling, the
zero-initialized head, the sinusoidal time embedding, conditioning and config errors."""

import jax
import jax.numpy as jnp
import numpy as np
import pytest
from flax import nnx

from dljax.diffusion import DiffusionConfig
from dljax.errors import DljaxError
from dljax.models.unet import UNet, UNetConfig, timestep_embedding


@nnx.jit
def forward(model, x, t, labels=None):
    """One compiled call (eager mode would compile every op of the U-Net on its own)."""
    return model(x, t, labels)


@pytest.mark.parametrize(("side", "channels"), [(8, (8, 16)), (12, (8, 16, 16))])
def test_output_has_the_input_shape_and_starts_at_zero(side, channels):
    model = UNet((side, side, 3), channels, groups=4, rngs=nnx.Rngs(0))
    x = jax.random.normal(jax.random.key(1), (2, side, side, 3))
    out = forward(model, x, jnp.array([0, 999]))
    assert out.shape == (2, side, side, 3)
    np.testing.assert_array_equal(out, 0.0)  # zero-init head: the untrained net predicts 0
    model.head.kernel[...] = jax.random.normal(jax.random.key(2), model.head.kernel.shape)
    out = forward(model, x, jnp.array([0, 999]))
    assert np.all(np.isfinite(out)) and not np.allclose(out[0], out[1])


def test_sides_not_divisible_by_the_downsampling_are_refused_in_indonesian():
    with pytest.raises(DljaxError, match=r"habis dibagi 4; gambarnya 10x10 \(sisa 2\)"):
        UNet((10, 10, 1), (8, 16, 16), groups=4, rngs=nnx.Rngs(0))
    with pytest.raises(DljaxError, match="model.groups=8 harus membagi habis"):
        UNetConfig(channels=(12, 24)).validate()
    with pytest.raises(DljaxError, match="model.schedule='quadratic'"):
        DiffusionConfig(schedule="quadratic").validate()
    with pytest.raises(DljaxError, match=r"model.sample_steps=2000 harus dalam 1..1000"):
        DiffusionConfig(sample_steps=2000).validate()


def test_time_embedding_hand_values():
    emb = timestep_embedding(jnp.array([0, 5]), 4)  # frequencies 1 and 10000**(-1/2) = 0.01
    want = [[1, 1, 0, 0], [np.cos(5), np.cos(0.05), np.sin(5), np.sin(0.05)]]
    np.testing.assert_allclose(emb, want, rtol=1e-5, atol=1e-6)


def test_labels_change_the_prediction_and_the_no_label_token_exists():
    model = UNet((8, 8, 1), (8, 16), groups=4, num_classes=10, rngs=nnx.Rngs(0))
    assert model.label_embed.num_embeddings == 11  # index 10 = "no label" (guidance)
    model.head.kernel[...] = jnp.ones(model.head.kernel.shape)
    x, t = jnp.ones((3, 8, 8, 1)), jnp.array([10, 10, 10])
    a = forward(model, x, t, jnp.array([1, 2, 10]))
    np.testing.assert_array_equal(forward(model, x, t)[2], a[2])  # None = the no-label token
    assert not np.allclose(a[0], a[1])
    plain = UNet((8, 8, 1), (8, 16), groups=4, rngs=nnx.Rngs(0))
    with pytest.raises(DljaxError, match="tidak bersyarat"):
        forward(plain, x, t, jnp.array([1, 2, 3]))
