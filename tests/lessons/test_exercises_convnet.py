"""The chapter-3 exercise checkers accept a right answer and reject a wrong or missing one."""

import jax
import jax.numpy as jnp
import numpy as np
import pytest

from dljax.exercises import convnet as ex


def conv1d_valid(x, w):
    k = len(w)
    idx = jnp.arange(len(x) - k + 1)[:, None] + jnp.arange(k)[None, :]
    return jax.vmap(lambda window: jnp.dot(window, w[::-1]))(jnp.asarray(x)[idx])


def conv1d_full(x, w):
    k = len(w)
    return conv1d_valid(jnp.pad(jnp.asarray(x), (k - 1, k - 1)), jnp.asarray(w))


def detect_note(wave, freqs, sample_rate):
    t = np.arange(200) / sample_rate
    energies = [
        np.sum(np.convolve(wave, np.sin(2 * np.pi * f * t), "valid") ** 2)
        + np.sum(np.convolve(wave, np.cos(2 * np.pi * f * t), "valid") ** 2)
        for f in freqs
    ]
    return int(np.argmax(energies))


def max_pool(x):
    h, w = x.shape
    return jnp.asarray(x).reshape(h // 2, 2, w // 2, 2).max(axis=(1, 3))


def shortcut(x, c_out):
    y = jnp.asarray(x)[:, ::2, ::2, :]
    return jnp.pad(y, ((0, 0), (0, 0), (0, 0), (0, c_out - x.shape[-1])))


CASES = [
    # checker, right answer, wrong answer
    (ex.check_conv1d_full, conv1d_full, conv1d_valid),
    (
        ex.check_output_length,
        lambda n, k, p=0, s=1: (n + 2 * p - k) // s + 1,
        lambda n, k, p=0, s=1: (n - k) // s + 1,
    ),
    (ex.check_correlate, lambda x, w: conv1d_valid(x, w[::-1]), conv1d_valid),
    (
        ex.check_tone,
        lambda f, d, sr: jnp.sin(2 * jnp.pi * f * jnp.arange(int(round(d * sr))) / sr),
        lambda f, d, sr: jnp.sin(f * jnp.arange(int(round(d * sr))) / sr),
    ),
    (ex.check_detect_note, detect_note, lambda wave, freqs, sr: 0),
    (
        ex.check_conv2d_shape,
        lambda h, w, k, s, p: ((h + 2 * p - k) // s + 1, (w + 2 * p - k) // s + 1),
        lambda h, w, k, s, p: (h - k + 1, w - k + 1),
    ),
    (
        ex.check_conv2d_params,
        lambda k, ci, co, b: k * k * ci * co + (co if b else 0),
        lambda k, ci, co, b: k * k * ci * co + co,
    ),
    (ex.check_max_pool, max_pool, lambda x: x[::2, ::2]),
    (
        ex.check_basic_block_params,
        lambda ci, co: 9 * ci * co + 9 * co * co + 4 * co,
        lambda ci, co: 9 * ci * co + 9 * co * co,
    ),
    (ex.check_shortcut, shortcut, lambda x, c_out: x[:, ::2, ::2, :]),
]
IDS = [c[0].__name__ for c in CASES]


@pytest.mark.parametrize(("checker", "right", "wrong"), CASES, ids=IDS)
def test_checker_accepts_right_and_rejects_wrong(checker, right, wrong, assert_checker):
    assert_checker(checker, right, wrong)


@pytest.mark.parametrize("checker", [c[0] for c in CASES], ids=IDS)
def test_unanswered_or_crashing_answers_do_not_crash(checker, capsys):
    assert checker(lambda *args: None) is False

    def boom(*args):
        raise ValueError("belum dikerjakan")

    assert checker(boom) is False
    assert capsys.readouterr().out.count("belum tepat") == 2
