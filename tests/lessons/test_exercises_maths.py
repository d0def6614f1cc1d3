"""The checkers of chapter 1 accept a right answer, reject a wrong one, and never crash on
an unanswered exercise."""

import jax
import jax.numpy as jnp
import numpy as np
import pytest

from dljax.exercises import maths


def unanswered(*args):
    return None


def taylor(f, z, x):
    return f(z) + jax.grad(f)(z) @ (x - z)


def directional(f, x, v):
    return jax.jvp(f, (x,), (v,))[1]


def matmul(a, b):
    return (a[:, :, None] * b[None, :, :]).sum(axis=1)


def inverse_2x2(a):
    (p, q), (r, s) = a
    return jnp.array([[s, -q], [-r, p]]) / (p * s - q * r)


def rotation(t):
    return jnp.array([[jnp.cos(t), -jnp.sin(t)], [jnp.sin(t), jnp.cos(t)]])


CASES = {
    "check_inner_product": (lambda x, y: jnp.sum(x * y), lambda x, y: jnp.sum(x + y)),
    "check_unit_vector": (lambda x: x / jnp.linalg.norm(x), lambda x: x / jnp.sum(x)),
    "check_angle": (
        lambda x, y: jnp.arccos(x @ y / (jnp.linalg.norm(x) * jnp.linalg.norm(y))),
        lambda x, y: x @ y / (jnp.linalg.norm(x) * jnp.linalg.norm(y)),
    ),
    "check_taylor": (taylor, lambda f, z, x: f(z)),
    "check_directional_derivative": (directional, lambda f, x, v: jax.grad(f)(x) @ x),
    "check_matmul": (matmul, lambda a, b: a[:, : b.shape[1]] * 2),
    "check_frobenius_norm": (lambda a: jnp.sqrt(jnp.sum(a**2)), lambda a: jnp.sum(jnp.abs(a))),
    "check_inverse_2x2": (inverse_2x2, lambda a: a.T),
    "check_normal_equations": (
        lambda a, b: jnp.linalg.solve(a.T @ a, a.T @ b),
        lambda a, b: a.T @ b,
    ),
    "check_rms_error": (
        lambda a, x, b: jnp.sqrt(jnp.mean((a @ x - b) ** 2)),
        lambda a, x, b: jnp.mean((a @ x - b) ** 2),
    ),
    "check_add_intercept": (
        lambda x: jnp.concatenate([jnp.ones((x.shape[0], 1)), x], axis=1),
        lambda x: jnp.concatenate([x, jnp.ones((x.shape[0], 1))], axis=1),
    ),
    "check_rotation_matrix": (rotation, lambda t: rotation(t).T),
    "check_shear_matrix": (
        lambda k: jnp.array([[1.0, k], [0.0, 1.0]]),
        lambda k: jnp.array([[1.0, 0.0], [k, 1.0]]),
    ),
}


@pytest.mark.parametrize("name", sorted(CASES))
def test_function_checkers(name, assert_checker):
    assert_checker(getattr(maths, name), *CASES[name])


def test_is_linear():
    assert maths.check_is_linear({"f1": True, "f2": False, "f3": False, "f4": True}) is True
    assert maths.check_is_linear({"f1": True, "f2": False, "f3": True, "f4": True}) is False
    assert maths.check_is_linear({"f1": None, "f2": None, "f3": None, "f4": None}) is False
    assert maths.check_is_linear(None) is False


def test_composition():
    rot90 = np.array([[0.0, -1.0], [1.0, 0.0]])
    scale = np.diag([2.0, 1.0])
    assert maths.check_composition(scale @ rot90) is True
    assert maths.check_composition(rot90 @ scale) is False
    assert maths.check_composition(None) is False
