"""The checkers of chapter 2 accept a right answer, reject a wrong one, and never crash on
an unanswered exercise."""

import jax
import jax.numpy as jnp
import optax
import pytest
from flax import nnx

from dljax.exercises import mlp


def unanswered(*args):
    return None


def mse_grad(w, b, x, y):
    loss = lambda w, b: jnp.mean((w * x + b - y) ** 2)
    return jax.grad(loss, argnums=(0, 1))(w, b)


def cross_entropy(logits, labels):
    logp = jax.nn.log_softmax(logits)
    return -jnp.mean(jnp.take_along_axis(logp, labels[:, None], axis=1))


def naive_cross_entropy(logits, labels):  # wrong: no normalization by the softmax
    return -jnp.mean(jnp.take_along_axis(logits, labels[:, None], axis=1))


def confusion(labels, preds, k):
    return jnp.zeros((k, k)).at[labels, preds].add(1)


CASES = {
    "check_mse_gradient": (mse_grad, lambda w, b, x, y: (jnp.mean(x), jnp.mean(y))),
    "check_sgd_step": (
        lambda p, g, lr: jax.tree.map(lambda a, b: a - lr * b, p, g),
        lambda p, g, lr: jax.tree.map(lambda a, b: a + lr * b, p, g),
    ),
    "check_cross_entropy": (cross_entropy, naive_cross_entropy),
    "check_accuracy": (
        lambda z, y: jnp.mean(jnp.argmax(z, axis=1) == y),
        lambda z, y: jnp.mean(jnp.argmin(z, axis=1) == y),
    ),
    "check_count_params": (
        lambda p: sum(x.size for x in jax.tree.leaves(p)),
        lambda p: len(jax.tree.leaves(p)),
    ),
    "check_confusion_matrix": (confusion, lambda y, p, k: confusion(p, y, k)),
    "check_per_class_accuracy": (
        lambda y, p, k: jnp.diag(confusion(y, p, k)) / confusion(y, p, k).sum(axis=1),
        lambda y, p, k: jnp.diag(confusion(y, p, k)) / confusion(y, p, k).sum(axis=0),
    ),
}


@pytest.mark.parametrize("name", sorted(CASES))
def test_function_checkers(name, assert_checker):
    assert_checker(getattr(mlp, name), *CASES[name])


class GoodMLP(nnx.Module):
    def __init__(self, din, dhid, dout, *, rngs):
        self.l1 = nnx.Linear(din, dhid, rngs=rngs)
        self.l2 = nnx.Linear(dhid, dhid, rngs=rngs)
        self.l3 = nnx.Linear(dhid, dout, rngs=rngs)

    def __call__(self, x):
        return self.l3(nnx.relu(self.l2(nnx.relu(self.l1(x)))))


class LinearOnly(GoodMLP):  # wrong: no activation, the whole net is one linear map
    def __call__(self, x):
        return self.l3(self.l2(self.l1(x)))


class OneHidden(nnx.Module):  # wrong: one hidden layer only
    def __init__(self, din, dhid, dout, *, rngs):
        self.l1 = nnx.Linear(din, dhid, rngs=rngs)
        self.l2 = nnx.Linear(dhid, dout, rngs=rngs)

    def __call__(self, x):
        return self.l2(nnx.relu(self.l1(x)))


def test_nnx_mlp():
    assert mlp.check_nnx_mlp(GoodMLP) is True
    assert mlp.check_nnx_mlp(LinearOnly) is False
    assert mlp.check_nnx_mlp(OneHidden) is False
    assert mlp.check_nnx_mlp(None) is False


def test_optimizer():
    good = optax.chain(optax.clip_by_global_norm(1.0), optax.adam(3e-3))
    assert mlp.check_optimizer(good) is True
    assert mlp.check_optimizer(optax.adam(3e-3)) is False
    assert (
        mlp.check_optimizer(optax.chain(optax.clip_by_global_norm(1.0), optax.sgd(3e-3))) is False
    )
    assert mlp.check_optimizer(None) is False
