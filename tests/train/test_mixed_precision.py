"""train.dtype=bfloat16: the step computes in bfloat16, while parameters, gradients, optimizer
state and loss stay float32, and one step lands close to the float32 step."""

import jax
import jax.numpy as jnp
import numpy as np
import pytest
from flax import nnx

from dljax.errors import DljaxError
from dljax.train import Trainer
from dljax.train.step import to_compute


def _one_step(tiny, digits, dtype):
    # SGD: the update is lr * gradient, so it shows the gradient's precision (Adam's first
    # step is about lr * sign(gradient))
    config = tiny("mlp", train__dtype=dtype, train__lr="0.1", train__optimizer="sgd")
    trainer = Trainer(config, dataset=digits)
    batch = {k: jnp.asarray(v[:32]) for k, v in digits.train.arrays.items()}
    return trainer, *jax.jit(trainer.fns.step)(trainer.state, batch)


def test_bfloat16_step_keeps_float32_state_and_matches_float32(tiny, digits):
    trainer, new16, m16 = _one_step(tiny, digits, "bfloat16")
    _, new32, m32 = _one_step(tiny, digits, "float32")
    for leaf in jax.tree.leaves((new16.params, new16.opt_state)):
        if jnp.issubdtype(leaf.dtype, jnp.floating):
            assert leaf.dtype == jnp.float32
    assert m16["loss"].dtype == jnp.float32
    np.testing.assert_allclose(m16["loss"], m32["loss"], rtol=2e-2)  # bf16: ~3 digits
    assert m16["loss"] != m32["loss"]  # it really computed in bfloat16
    for a, b, p0 in zip(
        jax.tree.leaves(new16.params),
        jax.tree.leaves(new32.params),
        jax.tree.leaves(trainer.state.params),
        strict=True,
    ):
        step = np.abs(np.asarray(b) - np.asarray(p0)).max()  # the float32 update's size
        assert np.abs(np.asarray(a) - np.asarray(b)).max() <= 0.05 * step + 1e-7


def test_bfloat16_trains_a_conditional_dcgan(tiny, digits):
    """A GAN draws its latents in float32 inside the step; its transposed convolutions then
    meet bfloat16 kernels."""
    config = tiny("cgan", train__dtype="bfloat16", data__image_size="16")
    trainer = Trainer(config)
    batch = {k: jnp.asarray(v[:8]) for k, v in trainer.dataset.train.arrays.items()}
    _, metrics = jax.jit(trainer.fns.step)(trainer.state, batch)
    assert np.isfinite(float(metrics["loss"]))


def test_to_compute_casts_only_floating_leaves():
    tree = {"x": jnp.ones(2), "label": jnp.arange(2), "w": nnx.Param(jnp.ones(3))}
    out = to_compute(tree, "bfloat16")
    assert out["x"].dtype == jnp.bfloat16 and out["label"].dtype == jnp.int32
    assert to_compute(tree, "float32") is tree


def test_unknown_dtype_is_refused(tiny):
    with pytest.raises(DljaxError, match="train.dtype='float16'"):
        tiny("mlp", train__dtype="float16").validate()
