"""The checkers of chapter 5 accept a right answer, reject a wrong one, and never crash on
an unanswered exercise; their references agree with the library and with hand values."""

import jax
import jax.numpy as jnp
import numpy as np
import pytest

from dljax.exercises import generative
from dljax.models.vae import VAE
from dljax.tasks.losses import discriminator_loss, gaussian_kl, generator_loss, psnr


def unanswered(*args):
    return None


def kl_diagonal(m1, lv1, m2, lv2):
    return 0.5 * jnp.sum(lv2 - lv1 + (jnp.exp(lv1) + (m1 - m2) ** 2) / jnp.exp(lv2) - 1, axis=-1)


def reparameterize(mean, logvar, key):
    return mean + jnp.exp(0.5 * logvar) * jax.random.normal(key, mean.shape)


def interpolate(z0, z1, steps):
    t = jnp.linspace(0.0, 1.0, steps)[:, None]
    return (1 - t) * z0[None, :] + t * z1[None, :]


CASES = {
    "check_gaussian_corruption": (
        lambda x, eps, level: jnp.clip(x + level * eps, 0.0, 1.0),
        lambda x, eps, level: x + level * eps,  # forgets the clip
    ),
    "check_psnr": (
        lambda x, ref: 10 * jnp.log10(1.0 / jnp.mean((x - ref) ** 2, axis=(1, 2, 3))),
        lambda x, ref: 10 * jnp.log10(1.0 / jnp.mean((x - ref) ** 2)),  # one MSE for the batch
    ),
    "check_kl_diagonal": (
        kl_diagonal,
        lambda m1, lv1, m2, lv2: kl_diagonal(m2, lv2, m1, lv1),  # the reversed KL
    ),
    "check_reparameterize": (
        reparameterize,
        lambda m, lv, key: m + jnp.exp(lv) * jax.random.normal(key, m.shape),  # variance
    ),
    "check_interpolate": (
        interpolate,
        lambda z0, z1, steps: interpolate(z0, z1, steps + 1)[:-1],  # misses the end point
    ),
    "check_discriminator_loss": (
        lambda r, f: jnp.mean(jax.nn.softplus(-r)) + jnp.mean(jax.nn.softplus(f)),
        lambda r, f: jnp.mean(jax.nn.softplus(-r)) - jnp.mean(jax.nn.softplus(-f)),
    ),
    "check_generator_loss": (
        lambda f: jnp.mean(jax.nn.softplus(-f)),
        lambda f: -jnp.mean(jax.nn.softplus(f)),  # the saturating loss log(1 - D(G(z)))
    ),
    "check_transposed_conv_size": (
        lambda n, k, s, p: (n - 1) * s - 2 * p + k,
        lambda n, k, s, p: (n + 2 * p - k) // s + 1,  # the forward convolution's size
    ),
    "check_label_channels": (
        lambda x, e: jnp.concatenate(
            [x, jnp.broadcast_to(e[:, None, None, :], (*x.shape[:3], e.shape[1]))], axis=-1
        ),
        lambda x, e: jnp.concatenate(
            [jnp.broadcast_to(e[:, None, None, :], (*x.shape[:3], e.shape[1])), x], axis=-1
        ),  # embedding first
    ),
    "check_conv_output_size": (
        lambda n, k, s, p: (n + 2 * p - k) // s + 1,
        lambda n, k, s, p: (n + 2 * p - k) / s + 1,  # forgets to round down
    ),
    "check_grid_labels": (
        lambda k, n: jnp.repeat(jnp.arange(k), n),
        lambda k, n: jnp.tile(jnp.arange(k), n),  # one column per class
    ),
}


@pytest.mark.parametrize("name", sorted(CASES))
def test_checkers(name, assert_checker):
    assert_checker(getattr(generative, name), *CASES[name])


def test_every_checker_has_a_case(checker_names):
    assert checker_names(generative) == set(CASES)


def test_checker_inputs_do_not_depend_on_order(capsys):
    seen = []

    def spy(x, eps, level):
        seen.append(np.asarray(x).copy())
        return jnp.clip(x + level * eps, 0.0, 1.0)

    generative.check_gaussian_corruption(spy)
    generative.check_kl_diagonal(kl_diagonal)
    generative.check_gaussian_corruption(spy)
    half = len(seen) // 2
    assert half > 0
    for a, b in zip(seen[:half], seen[half:], strict=True):
        np.testing.assert_array_equal(a, b)


def test_reparameterize_rejects_an_answer_without_gradient(capsys):
    def detached(mean, logvar, key):
        return jax.lax.stop_gradient(reparameterize(mean, logvar, key))

    assert generative.check_reparameterize(detached) is False


def test_references_match_the_library():
    rng = np.random.default_rng(0)
    mean, logvar = rng.normal(size=(2, 4, 3)).astype(np.float32)
    zeros = np.zeros_like(mean)
    np.testing.assert_allclose(
        generative._kl_reference(mean, logvar, zeros, zeros), gaussian_kl(mean, logvar), rtol=1e-5
    )
    key = jax.random.key(1)
    np.testing.assert_allclose(
        reparameterize(mean, logvar, key), VAE.reparameterize(mean, logvar, key), rtol=1e-6
    )
    real, fake = rng.normal(size=(2, 6))
    np.testing.assert_allclose(
        generative._d_loss_reference(real, fake), discriminator_loss(real, fake), rtol=1e-5
    )
    # hand values: D = sigmoid(0) = 1/2 everywhere -> each BCE term is log 2
    np.testing.assert_allclose(generative._d_loss_reference([0.0], [0.0]), 2 * np.log(2))
    np.testing.assert_allclose(generator_loss(jnp.zeros(3)), np.log(2), rtol=1e-6)
    x = rng.uniform(size=(2, 4, 4, 1))
    noisy = np.clip(x + 0.1 * rng.normal(size=x.shape), 0, 1)
    np.testing.assert_allclose(generative._psnr_reference(noisy, x), psnr(noisy, x), rtol=1e-4)
    # a uniform error of 0.1 on every pixel: MSE 0.01 -> 20 dB
    np.testing.assert_allclose(generative._psnr_reference(x * 0 + 0.6, x * 0 + 0.5), [20, 20])


def test_kl_reference_hand_value():
    # KL(N(1, 1) || N(0, 1)) = 1/2; KL(N(0, e) || N(0, 1)) = (e - 1 - 1) / 2
    got = generative._kl_reference([[1.0, 0.0]], [[0.0, 1.0]], [[0.0, 0.0]], [[0.0, 0.0]])
    np.testing.assert_allclose(got, [0.5 + (np.e - 2) / 2])
