"""What every exercise checker shares: its own random inputs, and how a verdict is reported.

Each checker draws its inputs from `rng_for(<checker>)`, a generator seeded from the
checker's own name, so the inputs of one check never depend on which checks ran before it
(a learner may run the cells of a lesson in any order and re-run them). Messages are
Indonesian; a learner's exception is reported, never raised.

A verdict is one line: `✅ NAME: benar!` or `❌ NAME: belum tepat. Petunjuk: HINT`. A hint
describes the approach in words (and may name the function to use); it never holds the
solution's code, since the course site shows every unanswered exercise with its hint.
"""

from __future__ import annotations

import zlib
from collections.abc import Callable, Iterable
from typing import Any

import numpy as np

__all__ = [
    "check_all",
    "check_function",
    "check_values",
    "close",
    "normals",
    "raised",
    "report",
    "rng_for",
]


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
    name: str,
    fn: Callable,
    reference: Callable,
    inputs: list[tuple],
    hint: str = "",
    *,
    rtol: float = 1e-4,
    atol: float = 1e-5,
) -> bool:
    """Compare a learner's function with the reference on several inputs. The default
    tolerances suit a float32 answer (JAX's default) against a float64 NumPy reference."""
    try:
        ok = all(close(fn(*a), reference(*a), rtol=rtol, atol=atol) for a in inputs)
    except Exception as err:  # a learner's code may raise anything; report it, don't crash
        return raised(name, err, hint)
    return report(name, ok, hint)


def check_all(name: str, checks: Iterable[Callable[[], bool]], hint: str = "") -> bool:
    """A checker made of several checks (each a function of no arguments that calls the
    learner's code and says whether it passed), run in order until one fails; a learner's
    exception is reported, not raised."""
    try:
        ok = all(check() for check in checks)
    except Exception as err:  # a learner's code may raise anything; report it, don't crash
        return raised(name, err, hint)
    return report(name, ok, hint)


def normals(rng: np.random.Generator, *shapes) -> tuple[np.ndarray, ...]:
    """One float32 standard-normal array per shape, drawn in order (a checker's inputs)."""
    return tuple(rng.standard_normal(shape).astype(np.float32) for shape in shapes)


def rng_for(checker: str) -> np.random.Generator:
    """A fresh generator for one checker, seeded from its qualified name (stable across runs
    and Python versions: CRC-32, not `hash`)."""
    return np.random.default_rng(zlib.crc32(checker.encode("utf-8")))


def raised(name: str, err: Exception, hint: str = "") -> bool:
    """Report that the learner's code raised `err` (and return False)."""
    return report(name, False, f"fungsimu memunculkan {type(err).__name__}: {err}. {hint}".strip())


def check_values(
    name: str, fn: Callable, cases: list[tuple], expected: Callable, hint: str = ""
) -> bool:
    """Call `fn(*case)` for each case and compare with `expected(*case)` exactly (integers or
    tuples of integers); None (unanswered) and exceptions are reported, not raised."""
    try:
        for case in cases:
            answer = fn(*case)
            if answer is None:
                return report(name, False, "fungsimu masih mengembalikan None. " + hint)
            want = expected(*case)
            got = tuple(int(v) for v in answer) if isinstance(want, tuple) else int(answer)
            if got != want:
                return report(name, False, f"untuk {case} jawabanmu {got}, bukan {want}. {hint}")
    except Exception as err:  # a learner's code may raise anything; report it, don't crash
        return raised(name, err, hint)
    return report(name, True)
