"""The install files agree: every dependency is pinned, and requirements.txt lists them."""

import re
import tomllib
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]


def name(requirement: str) -> str:
    return re.split(r"[<>=\[;! ]", requirement.strip(), maxsplit=1)[0].lower().replace("_", "-")


def test_dependencies_are_pinned_and_listed():
    project = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
    deps = {name(d) for d in project["dependencies"] + project["optional-dependencies"]["test"]}
    pins = {
        name(line): line.split("==")[1]
        for line in (ROOT / "constraints.txt").read_text().splitlines()
        if "==" in line
    }
    assert deps <= set(pins), deps - set(pins)
    runtime = {name(d) for d in project["dependencies"]}
    listed = {
        name(line)
        for line in (ROOT / "requirements.txt").read_text().splitlines()
        if line and not line.startswith(("#", "-"))
    }
    assert listed == runtime


def test_ci_runs_the_readme_test_command():
    assert "make test" in (ROOT / ".ci" / "run").read_text()
    assert "make test" in (ROOT / "README.md").read_text()
    for variant, extra in (("gpu", "cuda12"), ("tpu", "tpu")):
        text = (ROOT / f"requirements_{variant}.txt").read_text()
        assert f"jax[{extra}]" in text and "-r requirements.txt" in text


def test_make_test_groups_files_and_keeps_lessons_with_the_site():
    import importlib.util

    assert "-n $(TEST_WORKERS) --dist loadscope" in (ROOT / "Makefile").read_text()
    spec = importlib.util.spec_from_file_location("tests_conftest", ROOT / "tests/conftest.py")
    conftest = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(conftest)
    group = conftest.worker_group
    lessons = group("tests/lessons/test_lessons.py::test_lesson_runs_in_fast_mode[1-maths/x.py]")
    assert (
        lessons
        == group("tests/docs/test_site.py::test_pages_render")
        == (group("tests/docs/test_figures.py::test_x"))
    )
    engine = group("tests/train/test_engine.py::test_a")
    assert engine == group("tests/train/test_engine.py::test_b[2]")
    others = {group("tests/test_cli.py::test_a"), group("tests/lessons/test_exercises_mlp.py::t")}
    assert len({lessons, engine, *others}) == 4


def test_make_test_shares_a_compilation_cache_under_build(tmp_path):
    """`make test` points JAX's persistent compilation cache at build/jax-cache, and a
    process started with that environment (a CLI subprocess, a lesson kernel) writes to it."""
    import os
    import subprocess
    import sys

    makefile = (ROOT / "Makefile").read_text()
    assert "JAX_CACHE ?= $(CURDIR)/build/jax-cache" in makefile
    assert "$(JAX_CACHE_ENV) $(BIN)/python -m pytest" in makefile
    env = {
        **os.environ,
        "JAX_COMPILATION_CACHE_DIR": str(tmp_path / "cache"),
        "JAX_PERSISTENT_CACHE_MIN_COMPILE_TIME_SECS": "0",
        "JAX_PERSISTENT_CACHE_MIN_ENTRY_SIZE_BYTES": "0",
    }
    code = "import jax, jax.numpy as jnp; jax.jit(lambda x: jnp.sin(x) * 3)(jnp.ones(7))"
    subprocess.run([sys.executable, "-c", code], env=env, check=True, timeout=120)
    assert any((tmp_path / "cache").iterdir()), "nothing was written to the cache"


def test_slow_tests_run_only_with_make_test_slow():
    """`make test` skips the `slow` golden-quality runs with a reason; `make test-slow` runs
    exactly them (DLJAX_SLOW=1, -m slow)."""
    import os
    import subprocess
    import sys

    makefile = (ROOT / "Makefile").read_text()
    assert "DLJAX_SLOW=1 $(JAX_CACHE_ENV) $(BIN)/python -m pytest -m slow" in makefile
    env = {k: v for k, v in os.environ.items() if k != "DLJAX_SLOW"}
    proc = subprocess.run(
        [
            sys.executable,
            "-m",
            "pytest",
            "-q",
            "-rs",
            "-m",
            "slow",
            "tests/test_golden_quality.py",
        ],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert proc.returncode == 0, proc.stdout[-2000:]
    assert "make test-slow" in proc.stdout and " skipped" in proc.stdout
    assert " passed" not in proc.stdout


def test_make_test_runs_compile_bound_tests_with_most_optimizations_off(full_optimizations):
    """`make test` sets JAX_DISABLE_MOST_OPTIMIZATIONS=1 (its tests and FAST lessons compile
    more than they run), which JAX reads in every process it starts (a CLI subprocess, a
    lesson kernel); `make test-slow` keeps the full optimizations; `full_optimizations()`
    turns them back on for a block and restores the setting after."""
    import os
    import subprocess
    import sys

    import jax

    flag = "jax_disable_most_optimizations"
    makefile = (ROOT / "Makefile").read_text()
    assert "SMOKE_ENV = JAX_DISABLE_MOST_OPTIMIZATIONS=1" in makefile
    assert "$(SMOKE_ENV) $(JAX_CACHE_ENV) $(BIN)/python -m pytest -n" in makefile
    assert makefile.count("$(SMOKE_ENV)") == 1  # test-slow, bench and bench-gpu: full
    assert "DLJAX_SLOW=1 $(JAX_CACHE_ENV) $(BIN)/python -m pytest -m slow" in makefile
    code = f"import jax; print(jax.config.read({flag!r}))"
    for value, shown in (("1", "True"), ("0", "False")):
        env = {**os.environ, "JAX_DISABLE_MOST_OPTIMIZATIONS": value}
        out = subprocess.run(
            [sys.executable, "-c", code], env=env, capture_output=True, text=True, timeout=120
        )
        assert out.stdout.strip() == shown, out.stderr[-2000:]
    before = jax.config.read(flag)
    jax.config.update(flag, True)
    try:
        with full_optimizations():
            assert jax.config.read(flag) is False
        assert jax.config.read(flag) is True
    finally:
        jax.config.update(flag, before)


@pytest.mark.optimized
def test_an_optimized_test_compiles_with_full_optimizations():
    import jax
    import jax.numpy as jnp

    assert jax.config.read("jax_disable_most_optimizations") is False
    assert float(jax.jit(lambda x: (x * 2.0).sum())(jnp.ones(3))) == 6.0
