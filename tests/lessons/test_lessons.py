"""Every lesson: its jupytext source and .ipynb are in sync, the notebook carries no outputs,
its Colab header comes from pyproject.toml, and it executes top to bottom with DLJAX_FAST=1.

Execution goes through the docs build's jupyter-cache (`docs/_ext/dljax_docs.py`): whichever
of this test and the site build (`tests/docs`) runs a lesson first executes it, the other reads
the cached result, so one `make test` executes each lesson once. Execution seconds are not
asserted here; `make docs` records them in `benchmarks/results/lessons.json`.
"""

import sys
from pathlib import Path

import jupytext
import nbformat
import pytest

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT / "docs" / "_ext"))
import dljax_docs  # noqa: E402

LESSONS = dljax_docs.lessons()


def ids(paths):
    return [str(p.relative_to(ROOT / "lessons")) for p in paths]


def code_and_markdown(nb):
    return [(c.cell_type, c.source.strip()) for c in nb.cells]


def test_lessons_are_discovered_in_chapter_order():
    assert len(LESSONS) >= 16
    chapters = [int(p.parent.name.split("-")[0]) for p in LESSONS]
    assert chapters == sorted(chapters)
    assert [c.folder for c in dljax_docs.chapters()] == list(
        dict.fromkeys(p.parent.name for p in LESSONS)
    )


@pytest.mark.parametrize("source", LESSONS, ids=ids(LESSONS))
def test_source_and_notebook_in_sync_without_outputs(source):
    notebook = source.with_suffix(".ipynb")
    assert notebook.exists(), f"run: jupytext --sync {source.relative_to(ROOT)}"
    paired = nbformat.read(notebook, as_version=4)
    assert code_and_markdown(jupytext.read(source)) == code_and_markdown(paired), (
        f"out of sync, run: jupytext --sync {source.relative_to(ROOT)}"
    )
    for cell in paired.cells:
        if cell.cell_type == "code":
            assert not cell.get("outputs") and cell.get("execution_count") is None


@pytest.mark.parametrize("source", LESSONS, ids=ids(LESSONS))
def test_colab_header_comes_from_pyproject(source):
    text = source.read_text()
    assert dljax_docs.colab_badge(source) in text, "run: make lessons-header"
    assert dljax_docs.install_cell() in text, "run: make lessons-header"
    assert dljax_docs.repository_url() in dljax_docs.install_cell()


def test_lessons_header_rewrites_badge_and_install_cell(tmp_path, monkeypatch):
    source = LESSONS[0]
    copy = tmp_path / source.name
    copy.write_text(source.read_text())
    monkeypatch.setattr(dljax_docs, "repository_url", lambda: "https://github.com/contoh/repo")
    monkeypatch.setattr(dljax_docs, "ROOT", source.parents[2])
    monkeypatch.setattr(dljax_docs, "colab_url", lambda p: f"https://colab/contoh/{p.name}")
    assert dljax_docs.update_lesson_header(copy)
    text = copy.read_text()
    assert f"(https://colab/contoh/{source.name})" in text
    assert '"git+https://github.com/contoh/repo"' in text
    assert text.count("google.colab") == source.read_text().count("google.colab")
    assert not dljax_docs.update_lesson_header(copy)  # idempotent


def test_colab_url_points_at_the_notebook():
    url = dljax_docs.colab_url(LESSONS[0])
    repo = dljax_docs.repository_url().removeprefix("https://github.com/")
    assert url == (
        f"https://colab.research.google.com/github/{repo}/blob/main/"
        f"lessons/{LESSONS[0].parent.name}/{LESSONS[0].stem}.ipynb"
    )


@pytest.mark.parametrize("source", LESSONS, ids=ids(LESSONS))
def test_lesson_runs_in_fast_mode(source, monkeypatch):
    monkeypatch.setenv("DLJAX_FAST", "1")
    monkeypatch.setenv("MPLBACKEND", "module://matplotlib_inline.backend_inline")
    nb, _, _ = dljax_docs.execute_lesson(source)
    text = source.read_text()
    assert "Ringkasan" in text and "Latihan" in text and "colab-badge" in text
    outputs = [o for c in nb.cells if c.cell_type == "code" for o in c.get("outputs", [])]
    assert not [o for o in outputs if o.get("output_type") == "error"], source.name
    assert any("image/png" in o.get("data", {}) for o in outputs), f"{source.name}: no figure"
    # exercise checkers print a verdict; a lesson's worked solutions must pass their checks
    printed = "".join(o.get("text", "") for o in outputs if o.get("output_type") == "stream")
    assert "Traceback" not in printed, source.name
