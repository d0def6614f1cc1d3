"""Gaussian diffusion in pure JAX: noise schedules, forward noising, and the samplers.

Notation (Ho et al. 2020): T discrete steps t = 0 .. T-1, `betas[t]` the variance added at
step t, `alphas = 1 - betas`, `alpha_bars[t] = prod_{s <= t} alphas[s]`. The forward process

    q(x_t | x_0) = N(sqrt(alpha_bar_t) x_0, (1 - alpha_bar_t) I)

is sampled in one shot by `q_sample`; `q_step` takes one step of q(x_t | x_{t-1}).

Schedules (`make_schedule(name, T)`):
- "linear": betas from 1e-4 to 0.02 (Ho et al. 2020);
- "cosine": alpha_bar(t) = f(t) / f(0), f(t) = cos^2(((t / T) + s) / (1 + s) * pi / 2),
  s = 0.008, betas clipped at 0.999 (Nichol & Dhariwal 2021);
- "signal_rate": the original course script's continuous schedule, the signal rate
  sqrt(alpha_bar) = cos(angle) with the angle moving linearly from arccos(0.95) to
  arccos(0.02) as the diffusion time goes from 0 to 1 (`signal_rates`), evaluated at
  t / (T - 1) so that the discrete samplers run it too.

Samplers take `eps_fn(x, t) -> eps`, x (B, ...) and t (B,) int32, and run in one `lax.scan`
(never a Python loop over steps); with `trajectory=True` they also return every x_t:
- `ddpm_sample`: ancestral sampling over all T steps, x_{t-1} ~ N(mu(x_t, eps), beta_tilde_t),
  with the posterior variance beta_tilde_t = (1 - alpha_bar_{t-1}) / (1 - alpha_bar_t) beta_t;
- `ddim_sample`: DDIM (Song et al. 2021) on S of the T steps, with
  sigma = eta * sqrt((1 - ab_prev) / (1 - ab) * (1 - ab / ab_prev)): eta = 0 is deterministic,
  eta = 1 with S = T is DDPM's posterior variance;
- `ddim_invert`: the deterministic DDIM map run backwards, image -> noise;
- `guided_eps`: classifier-free guidance eps = eps_u + w (eps_c - eps_u) (Ho & Salimans 2022).

`DiffusionConfig` is the `ddpm`/`ddpm_cond` model config: the U-Net plus the process it is
trained for (schedule, T, loss) and the default sampler; `SCHEDULES`, `LOSSES` and `SAMPLERS`
are the one table of each choice.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass
from typing import NamedTuple

import jax
import jax.numpy as jnp
import numpy as np

from dljax.config import check_fields, refuse_unused
from dljax.errors import DljaxError
from dljax.models.unet import UNetConfig

EpsFn = Callable[[jax.Array, jax.Array], jax.Array]
SCHEDULES = ("linear", "cosine", "signal_rate")
LOSSES = ("mse", "l1")
SAMPLERS = ("ddim", "ddpm")


@dataclass(frozen=True)
class DiffusionConfig(UNetConfig):
    """The U-Net plus the diffusion process it is trained for and the default sampler."""

    schedule: str = "linear"  # linear | cosine (T discrete steps) | signal_rate (continuous)
    timesteps: int = 1000  # T
    loss: str = "mse"  # on the predicted noise: mse (Ho et al.) or l1 (the original script)
    label_dropout: float = 0.1  # conditional: share of labels replaced by "no label"
    sampler: str = "ddim"  # default of samples, snapshots and quality: ddim | ddpm
    sample_steps: int = 50  # DDIM steps S (DDPM always takes T)
    eta: float = 0.0  # DDIM eta: 0 deterministic, 1 = DDPM's posterior variance
    guidance: float = 3.0  # conditional: classifier-free guidance scale w

    def validate(self) -> None:
        super().validate()
        check_fields(
            self,
            choices={"schedule": SCHEDULES, "loss": LOSSES, "sampler": SAMPLERS},
            at_least={"timesteps": 2, "eta": 0},  # eta 0 = deterministic DDIM
            fractions=("label_dropout",),
        )
        if not 1 <= self.sample_steps <= self.timesteps:
            raise DljaxError(
                f"model.sample_steps={self.sample_steps} harus dalam 1..{self.timesteps} "
                "(model.timesteps), mis. 50."
            )
        if not self.conditional:
            unconditional = "hanya untuk model bersyarat (model.conditional=true, ddpm_cond)"
            refuse_unused(
                self, "model", {"label_dropout": unconditional, "guidance": unconditional}
            )


class Schedule(NamedTuple):
    """Per-step arrays, each (T,) float32, derived once in float64.

    `posterior_x0_coef` and `posterior_xt_coef` are the coefficients of the posterior mean
    mu(x_t, x0) = c0_t x0 + ct_t x_t of q(x_{t-1} | x_t, x0) (Ho et al. 2020, eq. 7): at t = 0
    they are exactly 1 and 0 (the last step returns x0 itself).
    """

    betas: jax.Array
    alphas: jax.Array
    alpha_bars: jax.Array
    posterior_variance: jax.Array
    posterior_x0_coef: jax.Array
    posterior_xt_coef: jax.Array

    @property
    def num_steps(self) -> int:
        return self.betas.shape[0]


def _from_alpha_bars(alpha_bars: np.ndarray) -> Schedule:
    alpha_bars = np.asarray(alpha_bars, np.float64)
    previous = np.concatenate([[1.0], alpha_bars[:-1]])
    alphas = alpha_bars / previous
    betas = 1.0 - alphas
    arrays = {
        "betas": betas,
        "alphas": alphas,
        "alpha_bars": alpha_bars,
        "posterior_variance": (1.0 - previous) / (1.0 - alpha_bars) * betas,
        "posterior_x0_coef": np.sqrt(previous) * betas / (1.0 - alpha_bars),
        "posterior_xt_coef": np.sqrt(alphas) * (1.0 - previous) / (1.0 - alpha_bars),
    }
    return Schedule(**{k: jnp.asarray(v, jnp.float32) for k, v in arrays.items()})


def linear_schedule(num_steps: int = 1000, beta_start: float = 1e-4, beta_end: float = 0.02):
    """Betas linear in t (Ho et al. 2020), scaled to keep the same total noise for T != 1000."""
    scale = 1000 / num_steps
    betas = np.linspace(scale * beta_start, scale * beta_end, num_steps, dtype=np.float64)
    return _from_alpha_bars(np.cumprod(1.0 - betas))


def cosine_schedule(num_steps: int = 1000, s: float = 0.008, max_beta: float = 0.999):
    """alpha_bar from the squared cosine of Nichol & Dhariwal (2021), betas clipped."""
    f = np.cos((np.arange(num_steps + 1) / num_steps + s) / (1 + s) * np.pi / 2) ** 2
    betas = np.clip(1.0 - f[1:] / f[:-1], 0.0, max_beta)
    return _from_alpha_bars(np.cumprod(1.0 - betas))


def signal_rates(diffusion_times, min_signal: float = 0.02, max_signal: float = 0.95):
    """(signal rate, noise rate) at continuous times in [0, 1] (the original script):
    cos and sin of an angle linear in time, so signal**2 + noise**2 = 1."""
    start, end = math.acos(max_signal), math.acos(min_signal)
    angles = start + np.asarray(diffusion_times, np.float64) * (end - start)
    return np.cos(angles), np.sin(angles)


def signal_rate_schedule(num_steps: int = 1000, min_signal=0.02, max_signal=0.95):
    """The continuous schedule sampled at t / (T - 1): alpha_bar = signal_rate**2."""
    signal, _ = signal_rates(np.linspace(0.0, 1.0, num_steps), min_signal, max_signal)
    return _from_alpha_bars(signal**2)


def make_schedule(name: str, num_steps: int = 1000) -> Schedule:
    builders = {
        "linear": linear_schedule,
        "cosine": cosine_schedule,
        "signal_rate": signal_rate_schedule,
    }
    if name not in builders:
        raise DljaxError(
            f"Jadwal derau {name!r} tidak dikenal; pilih salah satu: {', '.join(SCHEDULES)}."
        )
    if num_steps < 2:
        raise DljaxError(f"Jumlah langkah difusi T={num_steps} harus >= 2, mis. 1000.")
    return builders[name](num_steps)


def snr(schedule: Schedule) -> jax.Array:
    """Signal-to-noise ratio alpha_bar / (1 - alpha_bar) per step, (T,)."""
    return schedule.alpha_bars / (1.0 - schedule.alpha_bars)


def _per_example(values: jax.Array, x: jax.Array) -> jax.Array:
    """(B,) -> (B, 1, ..., 1) broadcastable against x (B, ...)."""
    return values.reshape(values.shape + (1,) * (x.ndim - 1))


def q_sample(schedule: Schedule, x0: jax.Array, t: jax.Array, noise: jax.Array) -> jax.Array:
    """x_t = sqrt(alpha_bar_t) x0 + sqrt(1 - alpha_bar_t) noise; x0, noise (B, ...), t (B,)."""
    ab = _per_example(schedule.alpha_bars[t], x0)
    return jnp.sqrt(ab) * x0 + jnp.sqrt(1.0 - ab) * noise


def q_step(schedule: Schedule, x_prev: jax.Array, t: jax.Array, noise: jax.Array) -> jax.Array:
    """One forward step x_t = sqrt(1 - beta_t) x_{t-1} + sqrt(beta_t) noise; t (B,)."""
    beta = _per_example(schedule.betas[t], x_prev)
    return jnp.sqrt(1.0 - beta) * x_prev + jnp.sqrt(beta) * noise


def posterior_variance(schedule: Schedule) -> jax.Array:
    """beta_tilde_t = (1 - alpha_bar_{t-1}) / (1 - alpha_bar_t) beta_t, (T,) (0 at t = 0)."""
    return schedule.posterior_variance


def ddim_sigma(ab: jax.Array, ab_prev: jax.Array, eta) -> jax.Array:
    """The DDIM noise scale of a step ab -> ab_prev (Song et al. 2021, eq. 16)."""
    return eta * jnp.sqrt((1.0 - ab_prev) / (1.0 - ab) * (1.0 - ab / ab_prev))


def guided_eps(eps_uncond: jax.Array, eps_cond: jax.Array, scale) -> jax.Array:
    """Classifier-free guidance: eps_u + w (eps_c - eps_u); w = 1 is the conditional
    prediction, w = 0 the unconditional one, w > 1 pushes further towards the label."""
    return eps_uncond + scale * (eps_cond - eps_uncond)


def predict_x0(x: jax.Array, eps: jax.Array, ab: jax.Array) -> jax.Array:
    """x0 = (x_t - sqrt(1 - ab) eps) / sqrt(ab)."""
    return (x - jnp.sqrt(1.0 - ab) * eps) / jnp.sqrt(ab)


def ddim_timesteps(num_steps: int, steps: int) -> np.ndarray:
    """S timesteps evenly spread over 0 .. T-1, descending (first T-1, last 0), int32."""
    if not 1 <= steps <= num_steps:
        raise DljaxError(
            f"steps={steps} harus dalam 1..{num_steps} (jumlah langkah difusi T), mis. 50."
        )
    ts = np.unique(np.round(np.linspace(0, num_steps - 1, steps)).astype(np.int32))
    return ts[::-1].copy()


def _batch_t(t: jax.Array, x: jax.Array) -> jax.Array:
    return jnp.full((x.shape[0],), t, jnp.int32)  # (B,)


def _scan(step, x, xs, trajectory: bool):
    """Run `step(x, xs_i) -> x` in one lax.scan; return x_final or (x_final, (S+1, B, ...))."""

    def body(x, inputs):
        x = step(x, inputs)
        return x, (x if trajectory else None)

    final, path = jax.lax.scan(body, x, xs)
    if trajectory:
        return final, jnp.concatenate([x[None], path], axis=0)
    return final


def ddpm_sample(
    eps_fn: EpsFn,
    schedule: Schedule,
    x_T: jax.Array,
    key: jax.Array,
    *,
    clip: bool = False,
    trajectory: bool = False,
):
    """Ancestral sampling x_T -> x_0 over all T steps (Ho et al. 2020, algorithm 2) with the
    posterior variance: x_{t-1} = mu + sqrt(beta_tilde_t) z, no noise at t = 0, where
    mu = (x_t - beta_t / sqrt(1 - alpha_bar_t) eps) / sqrt(alpha_t). The noise of step t is
    `normal(fold_in(key, t))`. With `clip`, the implied x0 is clipped to [-1, 1] first (then
    mu is the posterior mean of the clipped x0)."""
    var = schedule.posterior_variance

    def step(x, t):
        eps = eps_fn(x, _batch_t(t, x))
        ab, beta, alpha = schedule.alpha_bars[t], schedule.betas[t], schedule.alphas[t]
        if clip:
            x0 = jnp.clip(predict_x0(x, eps, ab), -1.0, 1.0)
            mean = schedule.posterior_x0_coef[t] * x0 + schedule.posterior_xt_coef[t] * x
        else:
            mean = (x - beta / jnp.sqrt(1.0 - ab) * eps) / jnp.sqrt(alpha)
        z = jax.random.normal(jax.random.fold_in(key, t), x.shape, x.dtype)
        return mean + jnp.where(t > 0, jnp.sqrt(var[t]), 0.0) * z

    ts = jnp.arange(schedule.num_steps - 1, -1, -1, dtype=jnp.int32)
    return _scan(step, x_T, ts, trajectory)


def ddim_sample(
    eps_fn: EpsFn,
    schedule: Schedule,
    x_T: jax.Array,
    *,
    steps: int,
    eta=0.0,
    key: jax.Array | None = None,
    clip: bool = False,
    trajectory: bool = False,
):
    """DDIM x_T -> x_0 on `steps` (static) of the T timesteps:
    x_prev = sqrt(ab_prev) x0 + sqrt(1 - ab_prev - sigma^2) eps + sigma z, with
    sigma = `ddim_sigma(ab, ab_prev, eta)`; the noise of timestep t is
    `normal(fold_in(key, t))` (as in `ddpm_sample`). `eta` may be traced; a `key` is needed
    when it is not 0. After the last timestep (0) the sample is x0 itself (ab_prev = 1)."""
    ts = ddim_timesteps(schedule.num_steps, steps)
    prev = np.concatenate([ts[1:], [-1]]).astype(np.int32)
    ab_all = jnp.concatenate([schedule.alpha_bars, jnp.ones((1,))])  # index -1 -> 1
    if key is None:
        key = jax.random.key(0)  # only used with eta > 0

    def step(x, pair):
        t, t_prev = pair
        ab, ab_prev = ab_all[t], ab_all[t_prev]
        eps = eps_fn(x, _batch_t(t, x))
        x0 = predict_x0(x, eps, ab)
        if clip:
            x0 = jnp.clip(x0, -1.0, 1.0)
            eps = (x - jnp.sqrt(ab) * x0) / jnp.sqrt(1.0 - ab)
        sigma = ddim_sigma(ab, ab_prev, eta)
        z = jax.random.normal(jax.random.fold_in(key, t), x.shape, x.dtype)
        direction = jnp.sqrt(jnp.clip(1.0 - ab_prev - sigma**2, 0.0, None)) * eps
        return jnp.sqrt(ab_prev) * x0 + direction + sigma * z

    return _scan(step, x_T, (jnp.asarray(ts), jnp.asarray(prev)), trajectory)


def ddim_invert(
    eps_fn: EpsFn, schedule: Schedule, x0: jax.Array, *, steps: int, trajectory: bool = False
):
    """The deterministic DDIM map run forwards in t: an image x0 -> the x_T that DDIM
    (eta = 0, same `steps`) maps back to about x0. Each step s -> t evaluates eps at the
    current x and the target t: x_t = sqrt(ab_t) x0_hat + sqrt(1 - ab_t) eps."""
    ts = ddim_timesteps(schedule.num_steps, steps)[::-1].copy()  # ascending
    prev = np.concatenate([[-1], ts[:-1]]).astype(np.int32)
    ab_all = jnp.concatenate([schedule.alpha_bars, jnp.ones((1,))])

    def step(x, pair):
        t, t_prev = pair
        ab, ab_prev = ab_all[t], ab_all[t_prev]
        eps = eps_fn(x, _batch_t(t, x))
        x0_hat = predict_x0(x, eps, ab_prev)
        return jnp.sqrt(ab) * x0_hat + jnp.sqrt(1.0 - ab) * eps

    return _scan(step, x0, (jnp.asarray(ts), jnp.asarray(prev)), trajectory)
