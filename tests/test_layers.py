"""The package's architecture, as tests: the import-linter layer contract in pyproject.toml,
no hidden (function-level) imports of dljax modules without a reason, and small modules."""

import ast
import shutil
import subprocess
import sys
import tomllib
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
SRC = ROOT / "src" / "dljax"
MAX_LINES = 400
MAX_CLI_LINES = 250


def modules():
    return sorted(p for p in SRC.rglob("*.py") if "__pycache__" not in p.parts)


def test_lint_imports_keeps_the_layer_contract():
    exe = shutil.which("lint-imports") or str(Path(sys.executable).with_name("lint-imports"))
    proc = subprocess.run(
        [exe, "--no-cache"], cwd=ROOT, capture_output=True, text=True, timeout=300
    )
    assert proc.returncode == 0, proc.stdout[-4000:] + proc.stderr[-2000:]
    assert "1 kept, 0 broken" in proc.stdout


def test_the_contract_names_every_top_level_module():
    """A new top-level module or package must be placed in a layer, or nothing checks it."""
    config = tomllib.loads((ROOT / "pyproject.toml").read_text())["tool"]["importlinter"]
    (contract,) = config["contracts"]
    named = {m.strip() for layer in contract["layers"] for m in layer.replace(":", "|").split("|")}
    tops = {f"dljax.{p.stem}" for p in SRC.glob("*.py") if p.stem != "__init__"}
    tops |= {f"dljax.{p.name}" for p in SRC.iterdir() if (p / "__init__.py").is_file()}
    assert tops <= named, f"not in any layer: {sorted(tops - named)}"


def _nested_dljax_imports(path: Path) -> list[tuple[int, str]]:
    """(line, module) of every `import dljax...` inside a function or class body."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    lines = path.read_text(encoding="utf-8").splitlines()
    found = []
    for node in ast.walk(tree):
        if not isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef | ast.ClassDef):
            continue
        for inner in ast.walk(node):
            if isinstance(inner, ast.ImportFrom) and (inner.module or "").startswith("dljax"):
                found.append((inner.lineno, inner.module))
            elif isinstance(inner, ast.Import):
                found += [(inner.lineno, a.name) for a in inner.names if a.name.startswith("dljax")]
    # allowed where the line (or the one above) says why
    return [(n, m) for n, m in found if "#" not in lines[n - 1] and "#" not in lines[n - 2]]


def test_no_hidden_imports_of_dljax_modules():
    hidden = {
        str(p.relative_to(ROOT)): imports
        for p in modules()
        if (imports := _nested_dljax_imports(p))
    }
    assert not hidden, f"function-level imports without a comment saying why: {hidden}"


def test_modules_stay_small():
    sizes = {p: len(p.read_text(encoding="utf-8").splitlines()) for p in modules()}
    big = {str(p.relative_to(ROOT)): n for p, n in sizes.items() if n > MAX_LINES}
    assert not big, f"modules over {MAX_LINES} lines: {big}"
    cli = {str(p.relative_to(ROOT)): n for p, n in sizes.items() if "cli" in p.parts}
    assert cli and all(n <= MAX_CLI_LINES for n in cli.values()), cli
