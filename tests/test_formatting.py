"""Indonesian number format: hand-written expected strings."""

import math

import pytest

from dljax.formatting import format_float, format_int, format_percent


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        (0, "0"),
        (7, "7"),
        (999, "999"),
        (1000, "1.000"),
        (85002, "85.002"),
        (1234567, "1.234.567"),
        (-1500, "-1.500"),
        (3.0, "3"),
    ],
)
def test_format_int(value, expected):
    assert format_int(value) == expected


def test_format_int_rejects_fractions():
    with pytest.raises(TypeError):
        format_int(2.5)


@pytest.mark.parametrize(
    ("value", "digits", "expected"),
    [
        (97.78, 1, "97,8"),
        (0.5, 2, "0,50"),
        (1234.5, 1, "1.234,5"),
        (2.0, 0, "2"),
        (-0.25, 2, "-0,25"),
        (1e6, 1, "1.000.000,0"),
        (math.inf, 1, "∞"),
        (math.nan, 2, "NaN"),
    ],
)
def test_format_float(value, digits, expected):
    assert format_float(value, digits) == expected


@pytest.mark.parametrize(
    ("fraction", "digits", "expected"),
    [(0.978, 1, "97,8 %"), (1.0, 0, "100 %"), (0.98888, 1, "98,9 %"), (0.0, 1, "0,0 %")],
)
def test_format_percent(fraction, digits, expected):
    assert format_percent(fraction, digits) == expected


def test_negative_digits_rejected():
    with pytest.raises(ValueError):
        format_float(1.0, -1)
