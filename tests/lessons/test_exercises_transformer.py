"""The checkers of chapter 7 accept a right answer, reject a wrong one, and never crash on
an unanswered exercise."""

import jax
import jax.numpy as jnp
import pytest

from dljax.exercises import transformer


def unanswered(*args):
    return None


def attention(q, k, v, mask, scale=True):
    scores = q @ k.T / (jnp.sqrt(q.shape[-1]) if scale else 1.0)
    return jax.nn.softmax(jnp.where(mask, scores, -jnp.inf), axis=-1) @ v


def top_k(logits, k):
    kth = jnp.sort(logits, axis=-1)[:, -k][:, None]
    return jnp.where(logits < kth, -jnp.inf, logits)


def patchify(x, p, order=(0, 1, 3, 2, 4, 5)):
    b, h, w, c = x.shape
    x = x.reshape(b, h // p, p, w // p, p, c).transpose(order)
    return x.reshape(b, (h // p) * (w // p), p * p * c)


CASES = {
    "check_attention": (attention, lambda q, k, v, m: attention(q, k, v, m, scale=False)),
    "check_causal_mask": (
        lambda t: jnp.tril(jnp.ones((t, t), bool)),
        lambda t: jnp.triu(jnp.ones((t, t), bool)),
    ),
    "check_top_k": (top_k, lambda logits, k: top_k(logits, k + 1)),
    "check_patchify": (patchify, lambda x, p: patchify(x, p, order=(0, 3, 1, 2, 4, 5))),
}


@pytest.mark.parametrize("name", sorted(CASES))
def test_checkers(name, assert_checker):
    assert_checker(getattr(transformer, name), *CASES[name])


def test_every_checker_has_a_case(checker_names):
    assert checker_names(transformer) == set(CASES)


def test_checkers_reject_a_raising_answer(capsys):
    def broken(*args):
        raise RuntimeError("oops")

    assert transformer.check_attention(broken) is False
    assert transformer.check_top_k(broken) is False
    assert "RuntimeError" in capsys.readouterr().out
