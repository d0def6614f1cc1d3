"""Shared exercise helpers: each checker's random inputs are its own (independent of which
checkers ran before), and a learner's exception becomes a report, not a crash."""

import copy
import inspect

import numpy as np
import pytest

from dljax.exercises import _common, convnet, maths, mlp, rnn

MODULES = (maths, mlp, convnet, rnn)
CHECKERS = [
    (module.__name__.rsplit(".", 1)[1], name, fn)
    for module in MODULES
    for name, fn in inspect.getmembers(module, inspect.isfunction)
    if name.startswith("check_") and fn.__module__ == module.__name__
]


def inputs_seen_by(checker) -> list:
    """The arguments a checker passes to the learner's function (None answers everywhere)."""
    seen = []

    def spy(*args):
        seen.append(copy.deepcopy([np.asarray(a) for a in args if _is_array_like(a)]))

    checker(spy)
    return seen


def _is_array_like(value) -> bool:
    return isinstance(value, np.ndarray) or hasattr(value, "__array__")


def test_checkers_found():
    assert len(CHECKERS) >= 20


def test_inputs_do_not_depend_on_the_order_of_checks(capsys):
    forward = {name: inputs_seen_by(fn) for _, name, fn in CHECKERS}
    backward = {name: inputs_seen_by(fn) for _, name, fn in reversed(CHECKERS)}
    drawn = [name for name, seen in forward.items() if any(len(args) for args in seen)]
    assert len(drawn) >= 10, drawn  # most checkers draw random arrays
    for name in drawn:
        for a, b in zip(forward[name], backward[name], strict=True):
            for x, y in zip(a, b, strict=True):
                np.testing.assert_array_equal(x, y, err_msg=name)


def test_rng_for_is_stable_and_distinct():
    a1 = _common.rng_for("maths.check_inner_product").standard_normal(3)
    a2 = _common.rng_for("maths.check_inner_product").standard_normal(3)
    b = _common.rng_for("maths.check_angle").standard_normal(3)
    np.testing.assert_array_equal(a1, a2)
    assert not np.allclose(a1, b)


def test_raised_reports_in_indonesian(capsys):
    assert _common.raised("Latihan X", ValueError("bentuk salah"), "Coba lagi.") is False
    out = capsys.readouterr().out
    assert "Latihan X" in out and "ValueError: bentuk salah" in out and "Coba lagi." in out


@pytest.mark.parametrize(
    ("answer", "ok", "message"),
    [
        (lambda n, k: n - k + 1, True, "benar"),
        (lambda n, k: n + k, False, "bukan"),
        (lambda n, k: None, False, "None"),
        (lambda n, k: 1 / 0, False, "ZeroDivisionError"),
    ],
)
def test_check_values(answer, ok, message, capsys):
    verdict = _common.check_values(
        "Latihan ukuran", answer, [(8, 3), (5, 5)], lambda n, k: n - k + 1, "n - k + 1"
    )
    assert verdict is ok
    assert message in capsys.readouterr().out


def test_check_all_runs_checks_in_order_until_one_fails(capsys):
    ran = []

    def check(name, ok):
        return lambda: ran.append(name) or ok

    assert _common.check_all("Latihan A", [check("a", True), check("b", True)], "petunjuk")
    assert "✅ Latihan A: benar!" in capsys.readouterr().out
    ran.clear()
    checks = [check("a", True), check("b", False), check("c", True)]
    assert _common.check_all("Latihan B", checks, "petunjuk") is False
    assert ran == ["a", "b"] and "Petunjuk: petunjuk" in capsys.readouterr().out
    assert _common.check_all("Latihan C", [lambda: 1 / 0], "petunjuk") is False
    assert "ZeroDivisionError" in capsys.readouterr().out


def test_normals_draws_float32_arrays_in_order():
    a, b = _common.normals(np.random.default_rng(0), (2, 3), 4)
    expected = np.random.default_rng(0)
    assert a.dtype == np.float32 and a.shape == (2, 3) and b.shape == (4,)
    np.testing.assert_array_equal(a, expected.standard_normal((2, 3)).astype(np.float32))
    np.testing.assert_array_equal(b, expected.standard_normal(4).astype(np.float32))
