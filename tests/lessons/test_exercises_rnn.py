"""The checkers of chapter 4 accept a right answer, reject a wrong one, and never crash on
an unanswered exercise."""

import jax
import jax.numpy as jnp
import numpy as np
import pytest

from dljax.exercises import rnn


def unanswered(*args):
    return None


def rnn_step(x, h, w_ih, w_hh, b):
    return jnp.tanh(x @ w_ih + h @ w_hh + b)


def lstm_step(x, h, c, w_ih, w_hh, b, order="ifgo"):
    gates = dict(zip(order, jnp.split(x @ w_ih + h @ w_hh + b, 4, axis=-1), strict=True))
    c = jax.nn.sigmoid(gates["f"]) * c + jax.nn.sigmoid(gates["i"]) * jnp.tanh(gates["g"])
    return jax.nn.sigmoid(gates["o"]) * jnp.tanh(c), c


def jacobian_chain(w_hh, hs):
    jac = jnp.eye(w_hh.shape[0])
    for h in hs:
        jac = (jnp.diag(1 - h**2) @ w_hh.T) @ jac
    return jac


def gap(symbols):
    return symbols.shape[1] - 1 - jnp.argmax((symbols == 0) | (symbols == 1), axis=1)


def collect(model, x, keep="c"):
    carries, hs, cs = model.rnn.initial_carry(x.shape[0]), [], []
    for t in range(x.shape[1]):
        carries, h = model.rnn.step(carries, x[:, t])
        hs.append(h)
        cs.append(carries[0][1] if keep == "c" else h)
    return jnp.stack(hs, axis=1), jnp.stack(cs, axis=1)


def retention(f):
    later = jnp.concatenate([f[1:], jnp.ones((1, f.shape[1]))])
    return jnp.cumprod(later[::-1], axis=0)[::-1]


def bigram(train, test, v, smoothing=1.0):
    counts = jnp.full((v, v), smoothing).at[train[:-1], train[1:]].add(1)
    probs = counts / counts.sum(axis=1, keepdims=True)
    return -jnp.mean(jnp.log(probs[test[:-1], test[1:]]))


CASES = {
    "check_rnn_step": (rnn_step, lambda x, h, w_ih, w_hh, b: jnp.tanh(x @ w_ih + b)),
    "check_lstm_step": (
        lstm_step,
        lambda x, h, c, w_ih, w_hh, b: lstm_step(x, h, c, w_ih, w_hh, b, order="fgio"),
    ),
    "check_jacobian_chain": (jacobian_chain, lambda w_hh, hs: jacobian_chain(w_hh, hs[-1:])),
    "check_gap": (gap, lambda s: s.shape[1] - 1 - jnp.argmax(s == 0, axis=1)),
    "check_collect_states": (collect, lambda m, x: collect(m, x, keep="h")),
    "check_retention": (retention, lambda f: jnp.cumprod(f[::-1], axis=0)[::-1]),
    "check_softmax_temperature": (
        lambda z, t: jax.nn.softmax(z / t, axis=-1),
        lambda z, t: jax.nn.softmax(z * t, axis=-1),
    ),
    "check_entropy": (
        lambda p: jax.scipy.special.entr(p).sum(-1),
        lambda p: -jnp.sum(p * jnp.log(p + 1e-3), axis=-1),
    ),
    "check_bigram_loss": (bigram, lambda a, b, v: bigram(a, b, v, smoothing=0.5)),
}


@pytest.mark.parametrize("name", sorted(CASES))
def test_checkers(name, assert_checker):
    assert_checker(getattr(rnn, name), *CASES[name])


def test_every_checker_has_a_case(checker_names):
    assert checker_names(rnn) == set(CASES)


def test_jacobian_chain_reference_matches_autodiff():
    rng = np.random.default_rng(0)
    w_ih, w_hh = rng.normal(size=(2, 4)), rng.normal(size=(4, 4)) / 2
    b, xs = rng.normal(size=4) / 10, rng.normal(size=(6, 2))

    def last_state(h0):
        h = h0
        for x in xs:
            h = jnp.tanh(x @ w_ih + h @ w_hh + b)
        return h

    h0 = jnp.zeros(4)
    hs = rnn._rnn_states(w_ih, w_hh, b, xs, np.zeros(4))
    np.testing.assert_allclose(
        rnn._jacobian_chain_reference(w_hh, hs), jax.jacobian(last_state)(h0), rtol=1e-4
    )


def test_checkers_reject_a_raising_answer(capsys):
    def broken(*args):
        raise RuntimeError("oops")

    assert rnn.check_lstm_step(broken) is False
    assert rnn.check_collect_states(broken) is False
    assert "RuntimeError" in capsys.readouterr().out
