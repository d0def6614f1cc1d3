"""The checkers of chapter 6 accept a right answer, reject a wrong one, and never crash on
an unanswered exercise; their references agree with the library."""

import jax.numpy as jnp
import numpy as np
import pytest

from dljax import diffusion
from dljax.exercises import diffusion as checks


def q_sample(x0, alpha_bar, eps):
    ab = alpha_bar[:, None, None, None]
    return jnp.sqrt(ab) * x0 + jnp.sqrt(1 - ab) * eps


CASES = {
    "check_q_sample": (q_sample, lambda x0, ab, eps: ab[:, None, None, None] * x0 + eps),
    "check_guidance": (diffusion.guided_eps, lambda u, c, w: u + w * c),
    "check_predict_x0": (
        lambda x, eps, ab: diffusion.predict_x0(x, eps, ab),
        lambda x, eps, ab: x - jnp.sqrt(1 - ab) * eps,  # forgets to divide by sqrt(ab)
    ),
}


@pytest.mark.parametrize("name", sorted(CASES))
def test_checker_accepts_right_rejects_wrong_and_unanswered(name, assert_checker):
    assert_checker(getattr(checks, name), *CASES[name])


def test_q_sample_answer_matches_the_library():
    schedule = diffusion.linear_schedule(1000)
    t = jnp.array([0, 500, 999])
    x0 = jnp.linspace(-1, 1, 3 * 16).reshape(3, 4, 4, 1)
    eps = jnp.ones_like(x0)
    np.testing.assert_allclose(
        q_sample(x0, schedule.alpha_bars[t], eps),
        diffusion.q_sample(schedule, x0, t, eps),
        rtol=1e-6,
    )
