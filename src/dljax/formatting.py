"""Numbers for Indonesian readers: `.` groups thousands and `,` marks decimals.

`format_int(85002) -> "85.002"`, `format_float(97.78, 1) -> "97,8"`,
`format_percent(0.978, 1) -> "97,8 %"`. Used by the CLI, the lessons and the docs.
"""

from __future__ import annotations

import math


def _swap(text: str) -> str:
    """English grouping ("1,234.5") to Indonesian ("1.234,5")."""
    return text.replace(",", "\0").replace(".", ",").replace("\0", ".")


def format_int(value: int) -> str:
    """`85002` -> `"85.002"`; negative numbers keep their sign (`-1.500`)."""
    if isinstance(value, float):
        if not value.is_integer():
            raise TypeError(f"format_int expects a whole number, got {value!r}")
        value = int(value)
    return _swap(f"{int(value):,}")


def format_float(value: float, digits: int = 1) -> str:
    """`97.78` with 1 digit -> `"97,8"`; thousands grouped: `1234.5` -> `"1.234,5"`."""
    if digits < 0:
        raise ValueError(f"digits must be >= 0, got {digits}")
    value = float(value)
    if not math.isfinite(value):
        return {math.inf: "∞", -math.inf: "-∞"}.get(value, "NaN")
    return _swap(f"{value:,.{digits}f}")


def format_percent(fraction: float, digits: int = 1) -> str:
    """A fraction as a percentage: `0.978` -> `"97,8 %"` (space before %, as in SI usage)."""
    return f"{format_float(100 * float(fraction), digits)} %"
