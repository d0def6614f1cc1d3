"""Lessons import dljax only through its documented surface (docs/pengembang.md, "Menambah
pelajaran"): the top-level modules and packages below, and every public module of the
packages whose modules are theirs to use (models, data, exercises). The engine's own modules
(`dljax.train.state`, `dljax.tasks.losses`, ...) are reached through their package."""

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
LESSONS = sorted((ROOT / "lessons").glob("*/[0-9][0-9]-*.py"))
GUIDE = ROOT / "docs" / "pengembang.md"

# imported as they are (a package's own __init__, not its modules)
MODULES = (
    "dljax.lesson",
    "dljax.config",
    "dljax.formatting",
    "dljax.recipes",
    "dljax.train",
    "dljax.runs",
    "dljax.quality",
    "dljax.tasks",
    "dljax.diffusion",
    "dljax.viz",
)
# packages whose public modules lessons may import too (`dljax.models.gpt`, `dljax.data.text`)
PACKAGES = ("dljax.models", "dljax.data", "dljax.exercises")


def allowed(module: str) -> bool:
    if module in MODULES or module in PACKAGES:
        return True
    package, _, name = module.rpartition(".")
    return package in PACKAGES and not name.startswith("_")


def dljax_imports(source: str) -> list[tuple[int, str]]:
    """(line, module) of every dljax module a source imports; `from dljax import viz` names
    the module `dljax.viz`, `from dljax.models.gpt import GPT` the module `dljax.models.gpt`."""
    found = []
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Import):
            found += [(node.lineno, a.name) for a in node.names if a.name.split(".")[0] == "dljax"]
        elif isinstance(node, ast.ImportFrom) and (node.module or "").split(".")[0] == "dljax":
            if node.module == "dljax":
                found += [(node.lineno, f"dljax.{a.name}") for a in node.names]
            else:
                found.append((node.lineno, node.module))
    return found


def test_the_checker_finds_engine_internals():
    source = (
        "import numpy\n"
        "from dljax.train import Trainer\n"
        "from dljax.train.state import step_key\n"
        "from dljax import viz, tasks\n"
        "import dljax.tasks.losses\n"
        "from dljax.models.gpt import GPT\n"
        "from dljax.exercises._common import report\n"
    )
    bad = [m for _, m in dljax_imports(source) if not allowed(m)]
    assert bad == ["dljax.train.state", "dljax.tasks.losses", "dljax.exercises._common"]


@pytest.mark.parametrize(
    "lesson", LESSONS, ids=[str(p.relative_to(ROOT / "lessons")) for p in LESSONS]
)
def test_lesson_imports_only_the_public_surface(lesson):
    bad = [(n, m) for n, m in dljax_imports(lesson.read_text()) if not allowed(m)]
    assert not bad, f"{lesson.name} imports engine internals (line, module): {bad}"


def test_the_guide_lists_the_surface():
    """docs/pengembang.md names every module and package of the surface, in its section."""
    text = GUIDE.read_text()
    section = text.split("### Menambah pelajaran", 1)[1].split("\n## ", 1)[0]
    missing = [m for m in (*MODULES, *PACKAGES) if f"`{m}`" not in section]
    assert not missing, f"docs/pengembang.md, Menambah pelajaran: not listed {missing}"
