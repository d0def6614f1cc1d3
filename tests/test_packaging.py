"""The install files agree: every dependency is pinned, and requirements.txt lists them."""

import re
import tomllib
from pathlib import Path

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

    assert "--dist loadgroup" in (ROOT / "Makefile").read_text()
    spec = importlib.util.spec_from_file_location("tests_conftest", ROOT / "tests/conftest.py")
    conftest = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(conftest)

    class Item:
        def __init__(self, path):
            self.path = ROOT / "tests" / path
            self.groups = []

        def add_marker(self, mark):
            assert mark.name == "xdist_group"
            self.groups.append(mark.args[0])

    paths = [
        "lessons/test_lessons.py",
        "docs/test_site.py",
        "train/test_engine.py",
        "train/test_engine.py",
        "test_cli.py",
    ]
    items = [Item(p) for p in paths]
    conftest.pytest_collection_modifyitems(items)
    groups = [item.groups for item in items]
    assert all(len(g) == 1 for g in groups)
    lessons, site, engine_a, engine_b, cli = (g[0] for g in groups)
    assert lessons == site and engine_a == engine_b
    assert len({lessons, engine_a, cli}) == 3
