"""dljax.diffusion against closed forms: forward noising, schedules, the DDIM/DDPM samplers,
inversion, and classifier-free guidance. Samplers run on an analytic denoiser: for data
x0 ~ N(mu, s^2 I) the optimal noise prediction is known in closed form."""

import jax
import jax.numpy as jnp
import numpy as np
import pytest

from dljax import diffusion as d
from dljax.errors import DljaxError

MU, S = 0.3, 0.5  # the Gaussian "data" of the analytic denoiser


def gaussian_eps(schedule):
    """E[eps | x_t] for x0 ~ N(MU, S^2): sqrt(1 - ab) (x_t - sqrt(ab) MU) / (ab S^2 + 1 - ab)."""

    def eps_fn(x, t):
        ab = schedule.alpha_bars[t].reshape(-1, *([1] * (x.ndim - 1)))
        return jnp.sqrt(1 - ab) * (x - jnp.sqrt(ab) * MU) / (ab * S**2 + 1 - ab)

    return eps_fn


def test_closed_form_q_matches_iterated_one_step_noising():
    schedule = d.linear_schedule(1000)
    n, t = 40_000, 299
    x0 = jnp.broadcast_to(jnp.array([1.0, -0.5]), (n, 2))

    def body(i, carry):
        x, key = carry
        key, sub = jax.random.split(key)
        return d.q_step(schedule, x, jnp.full((n,), i), jax.random.normal(sub, x.shape)), key

    x_iter, _ = jax.lax.fori_loop(0, t + 1, body, (x0, jax.random.key(0)))
    x_closed = d.q_sample(
        schedule, x0, jnp.full((n,), t), jax.random.normal(jax.random.key(1), x0.shape)
    )
    ab = float(np.prod(1 - np.asarray(schedule.betas[: t + 1], np.float64)))
    want_mean, want_var = np.sqrt(ab) * np.array([1.0, -0.5]), 1 - ab
    for x in (x_iter, x_closed):
        np.testing.assert_allclose(np.mean(x, axis=0), want_mean, atol=0.02)
        np.testing.assert_allclose(np.var(x, axis=0), [want_var] * 2, rtol=0.03)


def test_schedule_endpoints_and_monotonicity():
    linear = d.linear_schedule(1000)
    np.testing.assert_allclose(np.asarray(linear.betas)[[0, -1]], [1e-4, 0.02], rtol=1e-5)
    cosine = d.cosine_schedule(1000)
    f = lambda t: np.cos((t / 1000 + 0.008) / 1.008 * np.pi / 2) ** 2  # noqa: E731
    np.testing.assert_allclose(cosine.alpha_bars[:500], f(np.arange(1, 501)) / f(0), rtol=1e-5)
    assert cosine.alpha_bars[-1] < 1e-4 and cosine.betas.max() <= 0.999 + 1e-6
    signal = d.signal_rate_schedule(1000)
    ends = np.asarray(signal.alpha_bars)[[0, -1]]
    np.testing.assert_allclose(ends, [0.95**2, 0.02**2], rtol=1e-5)
    rate, noise = d.signal_rates(np.linspace(0, 1, 7))
    np.testing.assert_allclose(rate**2 + noise**2, 1.0, rtol=1e-12)
    for schedule in (linear, cosine, signal):
        ab = np.asarray(schedule.alpha_bars)
        assert np.all(np.diff(ab) < 0) and 0 < ab[-1] < ab[0] <= 1
        assert np.all(np.diff(np.asarray(d.snr(schedule))) < 0)
        assert np.all((np.asarray(schedule.betas) > 0) & (np.asarray(schedule.betas) < 1))
        np.testing.assert_allclose(
            np.cumprod(1 - np.asarray(schedule.betas, np.float64)), ab, rtol=1e-4
        )
    with pytest.raises(DljaxError, match="tidak dikenal"):
        d.make_schedule("quadratic")


def test_ddim_with_eta_one_uses_the_ddpm_posterior_variance():
    schedule = d.linear_schedule(50)
    betas = np.asarray(schedule.betas, np.float64)
    ab = np.cumprod(1 - betas)
    ab_prev = np.concatenate([[1.0], ab[:-1]])
    hand = (1 - ab_prev) / (1 - ab) * betas  # Ho et al. 2020, eq. 7
    np.testing.assert_allclose(d.posterior_variance(schedule), hand, rtol=1e-4, atol=1e-9)
    sigma = d.ddim_sigma(schedule.alpha_bars[1:], schedule.alpha_bars[:-1], 1.0)
    np.testing.assert_allclose(sigma**2, hand[1:], rtol=1e-3)
    # hence DDIM with S = T and eta = 1 is the ancestral sampler, draw for draw
    eps_fn = gaussian_eps(schedule)
    x_T = jax.random.normal(jax.random.key(0), (64, 3))
    key = jax.random.key(1)
    ddpm = d.ddpm_sample(eps_fn, schedule, x_T, key)
    ddim = d.ddim_sample(eps_fn, schedule, x_T, steps=50, eta=1.0, key=key)
    np.testing.assert_allclose(ddim, ddpm, atol=1e-4)
    assert not np.allclose(ddim, d.ddim_sample(eps_fn, schedule, x_T, steps=50, eta=0.0))


def test_ddpm_and_ddim_reach_the_data_distribution_with_the_exact_denoiser():
    schedule = d.linear_schedule(1000)
    eps_fn = gaussian_eps(schedule)
    x_T = jax.random.normal(jax.random.key(0), (20_000, 1))
    for x in (
        d.ddpm_sample(eps_fn, schedule, x_T, jax.random.key(1)),
        d.ddim_sample(eps_fn, schedule, x_T, steps=100),
    ):
        assert abs(float(x.mean()) - MU) < 0.02 and abs(float(x.std()) - S) < 0.02


def test_ddim_eta_zero_is_deterministic_and_inversion_reconstructs():
    schedule = d.cosine_schedule(1000)
    eps_fn = gaussian_eps(schedule)
    x_T = jax.random.normal(jax.random.key(0), (256, 4))
    a = d.ddim_sample(eps_fn, schedule, x_T, steps=20, key=jax.random.key(1))
    b = d.ddim_sample(eps_fn, schedule, x_T, steps=20, key=jax.random.key(2))
    np.testing.assert_array_equal(a, b)
    x0 = MU + S * jax.random.normal(jax.random.key(3), (256, 4))
    noise = d.ddim_invert(eps_fn, schedule, x0, steps=100)
    assert abs(float(noise.std()) - 1.0) < 0.1  # the data went to (about) N(0, I)
    back = d.ddim_sample(eps_fn, schedule, noise, steps=100)
    err = jnp.abs(back - x0)  # DDIM is first order: the error halves when S doubles
    assert float(err.mean()) < 0.02 and float(err.max()) < 0.06, (err.mean(), err.max())


def test_inversion_of_an_imperfect_denoiser_needs_clipping_at_t_max():
    """A learned eps is slightly off. At the cosine schedule's last step alpha_bar is about
    2e-9, so DDIM's first x0 estimate divides that error by sqrt(alpha_bar) ~ 5e-5: the
    unclipped round trip blows up, while clipping x0 to [-1, 1] (what the task's sampler does)
    keeps the reconstruction faithful."""
    schedule = d.cosine_schedule(1000)
    exact = gaussian_eps(schedule)

    def eps_fn(x, t):  # a 2 % error, as a trained network has
        return exact(x, t) + 0.02 * jnp.sin(3 * x + 0.01 * t[:, None])

    x0 = MU + S * jax.random.normal(jax.random.key(3), (256, 4))
    noise = d.ddim_invert(eps_fn, schedule, x0, steps=100)
    assert abs(float(noise.std()) - 1.0) < 0.1
    unclipped = d.ddim_sample(eps_fn, schedule, noise, steps=100)
    clipped = d.ddim_sample(eps_fn, schedule, noise, steps=100, clip=True)
    assert float(jnp.abs(unclipped - x0).mean()) > 0.5
    assert float(jnp.abs(clipped - x0).mean()) < 0.06


def test_samplers_return_the_trajectory_and_check_steps():
    schedule = d.linear_schedule(100)
    eps_fn = gaussian_eps(schedule)
    x_T = jnp.ones((3, 2))
    final, path = d.ddim_sample(eps_fn, schedule, x_T, steps=7, trajectory=True)
    assert path.shape == (8, 3, 2)
    np.testing.assert_array_equal(path[0], x_T)
    np.testing.assert_array_equal(path[-1], final)
    _, path = d.ddpm_sample(eps_fn, schedule, x_T, jax.random.key(0), trajectory=True)
    assert path.shape == (101, 3, 2)
    ts = d.ddim_timesteps(100, 7)
    assert ts[0] == 99 and ts[-1] == 0 and np.all(np.diff(ts) < 0) and len(ts) == 7
    with pytest.raises(DljaxError, match="steps=101"):
        d.ddim_timesteps(100, 101)


def test_guidance_interpolates_between_unconditional_and_conditional():
    eps_u, eps_c = jnp.array([1.0, -2.0]), jnp.array([3.0, 0.5])
    np.testing.assert_array_equal(d.guided_eps(eps_u, eps_c, 1.0), eps_c)
    np.testing.assert_array_equal(d.guided_eps(eps_u, eps_c, 0.0), eps_u)
    np.testing.assert_allclose(d.guided_eps(eps_u, eps_c, 3.0), [7.0, 5.5])  # u + 3 (c - u)


@pytest.mark.parametrize("name", ["linear", "cosine", "signal_rate"])
def test_posterior_coefficients_are_exact_at_t0_and_match_float64(name):
    """Like diffusers' DDPMScheduler: the last reverse step returns x0 itself (coefficient
    1 on x0, 0 on x_t), which mixing float64 betas with float32 1 - alpha_bar did not give."""
    schedule = d.make_schedule(name, 1000)
    assert float(schedule.posterior_x0_coef[0]) == 1.0
    assert float(schedule.posterior_xt_coef[0]) == 0.0
    if name == "signal_rate":
        return
    # the schedules' betas written out again, in float64
    if name == "linear":
        beta = np.linspace(1e-4, 0.02, 1000)
    else:
        f = np.cos((np.arange(1001) / 1000 + 0.008) / 1.008 * np.pi / 2) ** 2
        beta = np.clip(1 - f[1:] / f[:-1], 0, 0.999)
    ab = np.cumprod(1 - beta)
    prev = np.concatenate([[1.0], ab[:-1]])
    t = np.array([1, 10, 500, 999])
    np.testing.assert_allclose(
        schedule.posterior_x0_coef[t], np.sqrt(prev[t]) * beta[t] / (1 - ab[t]), rtol=1e-4
    )
    np.testing.assert_allclose(
        schedule.posterior_xt_coef[t],
        np.sqrt(1 - beta[t]) * (1 - prev[t]) / (1 - ab[t]),
        rtol=1e-4,
    )


def test_ddpm_with_clipping_ends_on_the_clipped_x0_prediction():
    """With a noise prediction of zero, x0_hat = x_t / sqrt(ab): the final step must return
    exactly clip(x0_hat) (no noise at t = 0, coefficient 1)."""
    schedule = d.make_schedule("cosine", 10)
    x_T = jnp.full((2, 2), 3.0)
    path = d.ddpm_sample(
        lambda x, t: jnp.zeros_like(x), schedule, x_T, jax.random.key(0), clip=True,
        trajectory=True,
    )[1]  # fmt: skip
    x1 = path[-2]
    expected = jnp.clip(x1 / jnp.sqrt(schedule.alpha_bars[0]), -1, 1)
    np.testing.assert_array_equal(path[-1], expected)
