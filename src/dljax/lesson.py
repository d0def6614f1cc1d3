"""Helpers shared by the lessons: the fast mode and exercise checking.

`DLJAX_FAST=1` (set by the lesson tests) shrinks every budget so that a lesson runs in
seconds; learners run the full version. Messages are Indonesian.
"""

from __future__ import annotations

import os
from collections.abc import Callable
from typing import Any

import numpy as np

from dljax.data.shared import find_shared_file

__all__ = ["FAST", "budget", "check_function", "close", "find_shared_file", "report"]

FAST = os.environ.get("DLJAX_FAST", "") not in ("", "0")


def budget(full: Any, fast: Any) -> Any:
    """`fast` when DLJAX_FAST is set, `full` otherwise (epochs, samples, steps...)."""
    return fast if FAST else full


def report(name: str, ok: bool, hint: str = "") -> bool:
    """Print the verdict of an exercise check and return it."""
    if ok:
        print(f"✅ {name}: benar!")
    else:
        print(f"❌ {name}: belum tepat." + (f" Petunjuk: {hint}" if hint else ""))
    return ok


def close(answer: Any, expected: Any, *, rtol: float = 1e-5, atol: float = 1e-6) -> bool:
    """True when `answer` has the shape of `expected` and is numerically close to it."""
    try:
        a = np.asarray(answer, dtype=np.float64)
    except (TypeError, ValueError):
        return False
    e = np.asarray(expected, dtype=np.float64)
    return a.shape == e.shape and bool(np.allclose(a, e, rtol=rtol, atol=atol))


def check_function(
    name: str, fn: Callable, reference: Callable, inputs: list[tuple], hint: str = "", **tol
) -> bool:
    """Compare a learner's function with the reference on several inputs."""
    try:
        ok = all(close(fn(*args), reference(*args), **tol) for args in inputs)
    except Exception as err:  # a learner's code may raise anything; report it, don't crash
        return report(name, False, f"fungsimu memunculkan {type(err).__name__}: {err}. {hint}")
    return report(name, ok, hint)
