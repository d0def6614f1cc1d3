"""The checkers of chapter 8 accept a right answer, reject a wrong one, and never crash on
an unanswered exercise; the right answers are checked against NumPy here too."""

import jax
import jax.numpy as jnp
import numpy as np
import pytest

from dljax.exercises import paralel


def unanswered(*args):
    return None


def per_example_grads(w, x, y):
    def loss(w, xi, yi):
        return 0.5 * (xi @ w - yi) ** 2

    return jax.vmap(jax.grad(loss), in_axes=(None, 0, 0))(w, x, y)


def global_mean(x_local):
    total = jax.lax.psum(x_local.sum(axis=0), "data")
    count = jax.lax.psum(x_local.shape[0], "data")
    return total / count


CASES = {
    "check_per_example_grads": (
        per_example_grads,
        lambda w, x, y: jnp.broadcast_to(per_example_grads(w, x, y).mean(0), x.shape),  # batch mean
    ),
    "check_global_mean": (
        global_mean,
        lambda x_local: x_local.mean(axis=0),  # each device's own mean, no collective
    ),
}


@pytest.mark.parametrize("name", sorted(CASES))
def test_checkers(name, assert_checker):
    assert_checker(getattr(paralel, name), *CASES[name])


def test_every_checker_has_a_case(checker_names):
    assert checker_names(paralel) == set(CASES)


def test_per_example_grads_match_numpy():
    rng = np.random.default_rng(0)
    w, x, y = rng.standard_normal(3), rng.standard_normal((4, 3)), rng.standard_normal(4)
    expected = (x @ w - y)[:, None] * x
    got = per_example_grads(*(jnp.asarray(a, jnp.float32) for a in (w, x, y)))
    np.testing.assert_allclose(got, expected, rtol=1e-5, atol=1e-6)
