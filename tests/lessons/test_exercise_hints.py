"""Checker hints describe the approach in words and never hand out the solution's code: the
course site shows every exercise unanswered, with its checker's verdict and hint."""

import inspect
import re

import pytest

from dljax.exercises import convnet, diffusion, generative, maths, mlp, paralel, rnn, transformer

MODULES = (maths, mlp, convnet, rnn, generative, diffusion, transformer, paralel)
CHECKERS = [
    pytest.param(fn, id=f"{module.__name__.rsplit('.', 1)[1]}.{name}")
    for module in MODULES
    for name, fn in inspect.getmembers(module, inspect.isfunction)
    if name.startswith("check_") and fn.__module__ == module.__name__
]
CODE = [
    re.compile(r"(^|\n)\s*(def \w+\(|return\b)|\bdef \w+\(.*\):|\breturn \S"),  # the site's check
    re.compile(r"\b[A-Za-z_][\w.]*\.\w+\([^)]*\w[^)]*\)"),  # a call with arguments: f.g(x)
    re.compile(r"\blambda\b"),
    re.compile(r"\b[a-z_][a-z0-9_]{2,}\s=\s"),  # an assignment: mse = ...
    re.compile(r"\w\s*@\s*\w"),  # a matrix product written as code
    re.compile(r"\[[^\]]*::"),  # slicing with a step
]


def code_in(hint: str) -> list[str]:
    return [m.group(0) for pattern in CODE for m in pattern.finditer(hint)]


def test_the_check_finds_code():
    assert code_in("x_berderau = jnp.clip(x + level * eps, 0.0, 1.0)")
    assert code_in("jax.tree.map(lambda p, g: p - lr * g, params, grads)")
    assert code_in("ambil x[:, ::2, ::2, :] lalu pad")
    assert code_in("selesaikan dengan A.T @ A")
    assert not code_in("bagi logit dengan temperatur, lalu softmax per baris (jax.nn.softmax).")
    assert not code_in("z = μ + σ ε dengan σ = exp(logvar / 2); x' = x + k·y")


@pytest.mark.parametrize("checker", CHECKERS)
def test_hint_of_an_unanswered_exercise_holds_no_code(checker, capsys):
    assert checker(lambda *args, **kwargs: None) is False
    out = capsys.readouterr().out
    assert "❌" in out and "✅" not in out
    hint = out.split("Petunjuk:", 1)[1] if "Petunjuk:" in out else ""
    assert not code_in(hint), f"hint holds code: {code_in(hint)} in {hint!r}"
