"""Shared test setup: strict numerics, small fast configurations, and worker grouping."""

import contextlib
import importlib.util
import os

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


def pytest_collection_modifyitems(config, items):
    """`slow` tests (default trainings of minutes) run only with DLJAX_SLOW=1
    (`make test-slow`), so that `make test` stays within CI's time budget."""
    if os.environ.get("DLJAX_SLOW") == "1":
        return
    skip = pytest.mark.skip(reason="lambat (pelatihan bawaan beberapa menit): make test-slow")
    for item in items:
        if "slow" in item.keywords:
            item.add_marker(skip)


FULL_OPTIMIZATIONS_FLAG = "jax_disable_most_optimizations"


@contextlib.contextmanager
def full_optimizations():
    """XLA's full optimizations inside the block, also where `make test` turns most of them
    off for the compile-bound tests (JAX_DISABLE_MOST_OPTIMIZATIONS=1); restored after."""
    before = jax.config.read(FULL_OPTIMIZATIONS_FLAG)
    jax.config.update(FULL_OPTIMIZATIONS_FLAG, False)
    try:
        yield
    finally:
        jax.config.update(FULL_OPTIMIZATIONS_FLAG, before)


@pytest.fixture(name="full_optimizations")
def _full_optimizations_fixture():
    """`full_optimizations()` (the context manager) for a test to use directly."""
    return full_optimizations


@pytest.fixture(autouse=True)
def _optimized(request):
    """`@pytest.mark.optimized`: the test runs in `full_optimizations()` (it trains for a
    minute: optimized code pays for its longer compilation there)."""
    if request.node.get_closest_marker("optimized") is None:
        yield
        return
    with full_optimizations():
        yield


@pytest.fixture(scope="session")
def digits():
    from dljax.data import digits

    return digits.load()


@pytest.fixture
def tiny():
    """`tiny(model, **overrides)` -> the tiny-preset Config with dotted-key overrides."""
    from dljax.recipes import build_config

    def make(model: str = "mlp", **overrides):
        return build_config(model, "tiny", {k.replace("__", "."): v for k, v in overrides.items()})

    return make


SHAPES = ("lingkaran", "persegi")  # circles and squares: the toy image-folder problem


def draw_shape(kind: str, rng, size: int = 16):
    """A white filled circle or square of random radius and place on black (Pillow "L")."""
    from PIL import Image, ImageDraw

    image = Image.new("L", (size, size), 0)
    r = int(rng.integers(size // 4, size // 2 - 1))
    cx, cy = rng.integers(r, size - r, 2)
    box = [cx - r, cy - r, cx + r, cy + r]
    draw = ImageDraw.Draw(image)
    (draw.ellipse if kind == "lingkaran" else draw.rectangle)(box, fill=255)
    return image


def _make_shapes(root, n: int = 10, seed: int = 0, size: int = 16):
    import numpy as np

    rng = np.random.default_rng(seed)
    for kind in SHAPES:
        (root / kind).mkdir(parents=True, exist_ok=True)
        for i in range(n):
            draw_shape(kind, rng, size).save(root / kind / f"{i:03d}.png")
    return root


@pytest.fixture(scope="session")
def make_shapes():
    """`make_shapes(root, n, seed=0, size=16)` -> root with `n` PNGs in each of lingkaran/
    and persegi/ (an image folder for `--dataset folder`)."""
    return _make_shapes


@pytest.fixture
def shapes_folder(tmp_path, monkeypatch):
    """`shapes_folder(name="gambar", n=10, seed=0, size=16)` -> tmp_path/name made by
    `make_shapes`; the image-folder cache goes to tmp_path/cache ($DLJAX_DATA)."""
    monkeypatch.setenv("DLJAX_DATA", str(tmp_path / "cache"))
    return lambda name="gambar", **kwargs: _make_shapes(tmp_path / name, **kwargs)


class TraceLog:
    """A `Trainer.fit` hook: the jit trace counts after every epoch."""

    def __init__(self):
        self.by_epoch: dict[int, dict] = {}

    def on_epoch_end(self, trainer, record):
        self.by_epoch[record["epoch"]] = dict(trainer.fns.traces)

    def compiled_once(self) -> bool:
        """Nothing was traced again after the first epoch (of those logged)."""
        epochs = sorted(self.by_epoch)
        return len(epochs) >= 2 and self.by_epoch[epochs[0]] == self.by_epoch[epochs[-1]]


@pytest.fixture
def trace_log():
    """A fresh `TraceLog` hook: pass it to `Trainer.fit(hooks=[...])` or `train(hooks=[...])`."""
    return TraceLog()


@pytest.fixture
def assert_smoke():
    """`assert_smoke(result, log, min_accuracy=None, decreasing=True)`: a smoke run's losses
    are finite (and go down), and no function was traced again after the first epoch."""
    import numpy as np

    def check(result, log, *, min_accuracy=None, decreasing=True):
        losses = [r["train_loss"] for r in result.history]
        assert all(np.isfinite(losses)), losses
        assert np.isfinite(result.history[-1]["test_loss"])
        if decreasing:
            assert losses[-1] < losses[0], losses
        if min_accuracy is not None:
            assert result.history[-1]["test_accuracy"] > min_accuracy
        assert log.compiled_once(), log.by_epoch

    return check


@pytest.fixture
def assert_same_state():
    """`assert_same_state(a, b)`: two pytrees (train states, params) are bit-identical."""
    import numpy as np

    def check(a, b):
        la, lb = jax.tree.leaves(a), jax.tree.leaves(b)
        assert len(la) == len(lb)
        for x, y in zip(la, lb, strict=True):
            np.testing.assert_array_equal(np.asarray(x), np.asarray(y))

    return check


@pytest.fixture(scope="session")
def make_trace_log():
    """The `TraceLog` class, for module-scoped fixtures (`trace_log` is per test)."""
    return TraceLog
