"""Shared test setup: strict numerics, small fast configurations, and worker grouping."""

import importlib.util

import jax
import pytest

jax.config.update("jax_numpy_rank_promotion", "raise")

# Lessons execute through the site build's jupyter-cache: the lesson tests and the site build
# run on one worker, so that each lesson executes once and one process writes the cache.
SHARED_WORKER = {"tests/lessons/test_lessons.py": "lessons", "tests/docs": "lessons"}


def worker_group(nodeid: str) -> str:
    """The worker group of a test: its file, except lessons and site, which share one."""
    path = nodeid.split("::", 1)[0]
    folder = path.rsplit("/", 1)[0]
    return SHARED_WORKER.get(path, SHARED_WORKER.get(folder, path))


if importlib.util.find_spec("xdist") is not None:

    def pytest_xdist_make_scheduler(config, log):
        """`make test` (pytest -n 2): whole groups go to one worker (module fixtures are
        built once; see `worker_group`)."""
        from xdist.scheduler import LoadScopeScheduling

        class ByGroup(LoadScopeScheduling):
            def _split_scope(self, nodeid: str) -> str:
                return worker_group(nodeid)

        return ByGroup(config, log)


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
