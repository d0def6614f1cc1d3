"""Chapter 5's tasks: loss terms against hand values, tiny smoke runs, batch-norm isolation,
reproducible sampling, resume equality with two optimizers, and the CLI's sample grid."""

import subprocess
import sys

import jax
import jax.numpy as jnp
import numpy as np
import pytest
from flax import nnx
from PIL import Image

from dljax.runs import train
from dljax.tasks.losses import (
    bce_with_logits,
    discriminator_loss,
    gaussian_kl,
    gaussian_nll,
    generator_loss,
    per_image_sum,
    psnr,
)
from dljax.train import Trainer
from dljax.train.state import step_key, task_rngs

GENERATIVE = ("autoencoder", "vae", "gan", "dcgan", "cgan")


def test_bce_with_logits_matches_the_textbook_formula():
    logits = np.array([-3.0, -0.5, 0.0, 2.0, 12.0], np.float32)
    targets = np.array([0.0, 1.0, 0.5, 1.0, 0.0], np.float32)
    p = 1 / (1 + np.exp(-logits.astype(np.float64)))
    expected = -(targets * np.log(p) + (1 - targets) * np.log1p(-p))
    np.testing.assert_allclose(bce_with_logits(logits, targets), expected, rtol=1e-5)


def test_gan_losses_equal_hand_computed_bce():
    # D(x) = sigmoid(logit): real logits 0 and ln 3 -> D = 1/2, 3/4; fake logit -ln 3 -> 1/4
    real = jnp.array([0.0, np.log(3.0)])
    fake = jnp.array([-np.log(3.0), -np.log(3.0)])
    d = -(np.log(0.5) + np.log(0.75)) / 2 - np.log(1 - 0.25)  # -mean log D(x) - mean log(1-D)
    np.testing.assert_allclose(discriminator_loss(real, fake), d, rtol=1e-6)
    np.testing.assert_allclose(generator_loss(fake), -np.log(0.25), rtol=1e-6)  # -log D(G(z))


def test_kl_term_equals_the_closed_form_and_a_monte_carlo_estimate():
    mean = jnp.array([[1.0, 0.0], [0.0, 0.5]])
    logvar = jnp.array([[0.0, 0.0], [np.log(4.0), 0.0]])
    # 1-D: KL(N(m, s^2) || N(0, 1)) = (s^2 + m^2 - 1 - ln s^2) / 2
    hand = [0.5 * 1.0, 0.5 * (4 + 0 - 1 - np.log(4.0)) + 0.5 * 0.25]
    np.testing.assert_allclose(gaussian_kl(mean, logvar), hand, rtol=1e-6)
    z = np.random.default_rng(0).normal(size=(200_000, 2)) * 2.0  # q = N((0, 0), diag(4, 1))
    z[:, 1] /= 2.0
    log_q = -0.5 * (z[:, 0] ** 2 / 4 + np.log(4.0) + z[:, 1] ** 2) - np.log(2 * np.pi)
    log_p = -0.5 * (z**2).sum(axis=1) - np.log(2 * np.pi)
    mc = np.mean(log_q - log_p)
    exact = float(gaussian_kl(jnp.zeros((1, 2)), jnp.array([[np.log(4.0), 0.0]]))[0])
    assert abs(mc - exact) < 0.01


def test_per_image_sum_equals_a_sum_over_all_but_the_batch_axis():
    x = jax.random.normal(jax.random.key(0), (5, 6, 7, 3))
    expected = np.asarray(x).reshape(5, -1).sum(axis=1)
    np.testing.assert_allclose(np.asarray(per_image_sum(x)), expected, rtol=1e-5, atol=1e-5)
    ones = jnp.ones((2, 28, 28, 1), jnp.bfloat16)  # 784 ones: exact in a float32 accumulator
    assert per_image_sum(ones).dtype == jnp.bfloat16
    np.testing.assert_array_equal(np.asarray(per_image_sum(ones), np.float32), [784.0, 784.0])
    grad = jax.grad(lambda x: per_image_sum(x**2).sum())(x)
    np.testing.assert_allclose(np.asarray(grad), 2 * np.asarray(x), rtol=1e-5)


def test_gaussian_nll_and_psnr_hand_values():
    np.testing.assert_allclose(
        gaussian_nll(jnp.array(1.0), jnp.array(0.0), 1.0), 0.5 + 0.5 * np.log(2 * np.pi)
    )
    x = jnp.zeros((1, 2, 2, 1))
    np.testing.assert_allclose(psnr(x + 0.1, x), [20.0], rtol=1e-5)  # MSE 0.01 -> 20 dB


@pytest.mark.parametrize("model", GENERATIVE)
def test_tiny_run_is_finite_writes_grids_and_compiles_once(
    tiny, digits, model, tmp_path, trace_log, assert_smoke
):
    config = tiny(model, train__epochs=3)
    # the conv GANs load digits resized to 16x16 (their preset's data.image_size)
    dataset = None if model in ("dcgan", "cgan") else digits
    result = train(config, tmp_path, dataset=dataset, progress=False, hooks=[trace_log])
    # the GANs' losses need not go down; the autoencoders' must
    assert_smoke(result, trace_log, decreasing=model in ("autoencoder", "vae"))
    grids = sorted((tmp_path / "samples").glob("epoch_*.png"))
    assert [g.name for g in grids] == ["epoch_001.png", "epoch_002.png", "epoch_003.png"]
    gif = Image.open(tmp_path / "samples" / "training.gif")
    assert gif.n_frames == 3


def test_vae_reports_negative_elbo_per_image_as_recon_plus_kl(tiny, digits):
    result = train(tiny("vae"), dataset=digits, progress=False)
    s = result.summary
    np.testing.assert_allclose(s["test_neg_elbo"], s["test_recon"] + s["test_kl"], rtol=1e-5)
    assert s["test_kl"] >= 0


def test_denoising_autoencoder_reports_the_noisy_inputs_psnr(tiny, digits):
    result = train(
        tiny("autoencoder", model__denoise="salt_pepper", model__noise_level="0.2"),
        dataset=digits,
        progress=False,
    )
    s = result.summary
    assert 0 < s["test_psnr_noisy"] < 20  # 20 % of pixels flipped to 0/1 is a lot of noise


def test_discriminator_step_leaves_generator_batch_statistics_alone(tiny):
    trainer = Trainer(tiny("dcgan"))
    assert trainer.dataset.info.input_shape == (16, 16, 1)
    state0 = trainer.state
    batch = {k: jnp.asarray(v[:32]) for k, v in digits_16(trainer).items()}
    new, _ = jax.jit(trainer.fns.step)(state0, batch)
    # expected: the generator's statistics moved exactly once, by its own step's forward pass
    _, k_g = jax.random.split(step_key(state0))  # the key of the second phase (generator)
    model = nnx.merge(trainer.fns.graphdef, state0.params, state0.rest, copy=True)
    model.generator(jax.random.normal(task_rngs(k_g).noise(), (32, model.latent_dim)))
    expected = nnx.state(model.generator, nnx.BatchStat)
    got = nnx.split_state(new.rest, nnx.PathContains("generator"), ...)[0]
    for a, b in zip(jax.tree.leaves(got), jax.tree.leaves(expected), strict=True):
        np.testing.assert_allclose(a, b, rtol=1e-5, atol=1e-6)
    before = nnx.split_state(state0.rest, nnx.PathContains("generator"), ...)[0]
    assert any(
        not np.allclose(a, b)
        for a, b in zip(jax.tree.leaves(got), jax.tree.leaves(before), strict=True)
    )


def digits_16(trainer):
    return trainer.dataset.train.arrays


def test_sampling_is_reproducible_per_seed_and_mutates_nothing(tiny):
    trainer = Trainer(tiny("cgan"))
    rest_before = jax.tree.map(np.asarray, trainer.state.rest)
    labels = jnp.arange(20) % 10
    a = trainer.sample(20, seed=3, labels=labels)
    b = trainer.sample(20, seed=3, labels=labels)
    c = trainer.sample(20, seed=4, labels=labels)
    assert a.shape == (20, 16, 16, 1) and 0 <= a.min() and a.max() <= 1
    np.testing.assert_array_equal(a, b)
    assert not np.array_equal(a, c)
    for x, y in zip(jax.tree.leaves(trainer.state.rest), jax.tree.leaves(rest_before), strict=True):
        np.testing.assert_array_equal(x, y)


def test_gan_resumes_to_identical_params(tiny, digits, tmp_path):
    config = tiny("gan", train__epochs=4)
    full = train(config, dataset=digits, progress=False)

    def stop_after_two(epoch, record):
        if epoch == 2:
            raise KeyboardInterrupt  # as Ctrl+C after the epoch-2 checkpoint

    with pytest.raises(KeyboardInterrupt):
        train(config, tmp_path / "run", dataset=digits, progress=False, on_epoch_end=stop_after_two)
    resumed = train(config, tmp_path / "run", resume=True, dataset=digits, progress=False)
    assert [r["epoch"] for r in resumed.history] == [1, 2, 3, 4]
    for a, b in zip(jax.tree.leaves(full.state), jax.tree.leaves(resumed.state), strict=True):
        np.testing.assert_array_equal(a, b)
    assert set(full.state.opt_state) == {"discriminator", "generator"}


def test_cli_trains_a_gan_and_writes_a_sample_grid(tmp_path):
    def run(*args):
        return subprocess.run(
            [sys.executable, "-m", "dljax", *args],
            cwd=tmp_path,
            capture_output=True,
            text=True,
            timeout=600,
        )

    trained = run("train", "cgan", "--preset", "tiny", "--out", "r", "--quiet")
    assert trained.returncode == 0, trained.stderr
    assert "parameter" in trained.stderr and "Selesai: loss D" in trained.stdout
    sampled = run("sample", "r", "--n", "20", "--out", "grid.png", "--seed", "1")
    assert sampled.returncode == 0, sampled.stderr
    grid = Image.open(tmp_path / "grid.png")
    assert grid.size[0] > grid.size[1]  # 10 columns (one per class) by 2 rows
    bad = run("sample", "r", "--label", "12")
    assert bad.returncode == 2 and "--label=12" in bad.stderr and "Traceback" not in bad.stderr


def test_r1_penalty_of_a_linear_discriminator_is_its_squared_weight_norm():
    """D(x) = w . flatten(x) + b has grad_x D = w for every image: E|grad|^2 = |w|^2."""
    from dljax.tasks.gan import r1_penalty

    class LinearD(nnx.Module):
        def __init__(self):
            self.lin = nnx.Linear(12, 1, rngs=nnx.Rngs(0))

        def __call__(self, x, labels=None):
            return self.lin(x.reshape(x.shape[0], -1))[:, 0]

    d = LinearD()
    x = jax.random.normal(jax.random.key(1), (5, 2, 2, 3))
    expected = float(jnp.sum(d.lin.kernel[...] ** 2))
    np.testing.assert_allclose(float(r1_penalty(d, x, None)), expected, rtol=1e-5)


def test_r1_is_read_from_the_config_and_adds_to_the_discriminator_loss(tiny, digits):
    plain = Trainer(tiny("gan"), dataset=digits)
    with_r1 = Trainer(tiny("gan", model__r1="10"), dataset=digits)
    assert plain.task.r1 == 0 and with_r1.task.r1 == 10
    batch = {k: jnp.asarray(v[:32]) for k, v in digits.train.arrays.items()}
    model = with_r1.model()
    model.train()
    rngs = task_rngs(jax.random.key(0))
    d_plain, _ = plain.task.d_loss_fn(model, batch, rngs)
    d_r1, _ = with_r1.task.d_loss_fn(model, batch, task_rngs(jax.random.key(0)))
    assert float(d_r1) > float(d_plain)


def test_vae_beta_weighs_the_kl_term_of_the_training_loss(tiny, digits):
    trainer = Trainer(tiny("vae", model__beta="0.25"), dataset=digits)
    assert trainer.task.beta == 0.25
    model = trainer.model()
    batch = {k: jnp.asarray(v[:16]) for k, v in digits.train.arrays.items()}
    loss, aux = trainer.task.loss_fn(model, batch, task_rngs(jax.random.key(3)))
    np.testing.assert_allclose(float(loss), float(aux["recon"] + 0.25 * aux["kl"]), rtol=1e-5)
