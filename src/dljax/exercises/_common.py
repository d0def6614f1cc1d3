"""What every exercise checker shares: its own random inputs, and how a verdict is reported.

Each checker draws its inputs from `rng_for(<checker>)`, a generator seeded from the
checker's own name, so the inputs of one check never depend on which checks ran before it
(a learner may run the cells of a lesson in any order and re-run them). Messages are
Indonesian; a learner's exception is reported, never raised.
"""

from __future__ import annotations

import zlib
from collections.abc import Callable

import numpy as np

from dljax.lesson import check_function, close, report

__all__ = ["check_function", "check_values", "close", "raised", "report", "rng_for"]


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
