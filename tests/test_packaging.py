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
