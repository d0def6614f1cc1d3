"""Shared test setup: strict numerics, small fast configurations, and worker grouping."""

from pathlib import Path

import jax
import pytest

jax.config.update("jax_numpy_rank_promotion", "raise")

TESTS = Path(__file__).resolve().parent
# Lessons execute through the site build's jupyter-cache: the lesson tests and the site build
# share one worker, so that each lesson executes once and one process writes the cache.
SHARED_WORKER = {"lessons": "lessons", "docs": "lessons"}


def pytest_collection_modifyitems(items):
    """Group tests for `pytest -n N --dist loadgroup` (make test): one group per test file
    (module fixtures are built once), lessons and site together."""
    for item in items:
        relative = Path(item.path).resolve().relative_to(TESTS)
        group = SHARED_WORKER.get(relative.parts[0], relative.as_posix())
        item.add_marker(pytest.mark.xdist_group(group))


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
