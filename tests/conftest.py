"""Shared test setup: strict numerics and small, fast configurations."""

import jax
import pytest

jax.config.update("jax_numpy_rank_promotion", "raise")


@pytest.fixture(scope="session")
def digits():
    from dljax.data import digits

    return digits.load()


@pytest.fixture
def tiny():
    """`tiny(model, **overrides)` -> the tiny-preset Config with dotted-key overrides."""
    from dljax.config import build_config

    def make(model: str = "mlp", **overrides):
        return build_config(model, "tiny", {k.replace("__", "."): v for k, v in overrides.items()})

    return make
