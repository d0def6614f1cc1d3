"""Numbers for users, in Indonesian format: 85.002 parameter, 97,8 %."""

from __future__ import annotations


def format_int(value: int) -> str:
    """`85002` -> `"85.002"` (dot as the thousands separator)."""
    return f"{int(value):,}".replace(",", ".")


def format_float(value: float, decimals: int = 2) -> str:
    """`97.78, 1` -> `"97,8"`; thousands get dots: `1234.5, 1` -> `"1.234,5"`."""
    text = f"{value:,.{decimals}f}"
    return text.replace(",", "\0").replace(".", ",").replace("\0", ".")


def format_percent(fraction: float, decimals: int = 1) -> str:
    """`0.978` -> `"97,8 %"`."""
    return f"{format_float(100 * fraction, decimals)} %"
