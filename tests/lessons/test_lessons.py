"""Every lesson: its jupytext source and .ipynb are in sync, the notebook carries no outputs,
and the lesson executes top to bottom with DLJAX_FAST=1 within its time budget."""

import os
import time
from pathlib import Path

import jupytext
import nbformat
import pytest
from nbclient import NotebookClient

ROOT = Path(__file__).resolve().parents[2]
LESSONS = sorted((ROOT / "lessons").glob("*/*.py"))
FAST_BUDGET_S = 90


def ids(paths):
    return [str(p.relative_to(ROOT / "lessons")) for p in paths]


def code_and_markdown(nb):
    return [(c.cell_type, c.source.strip()) for c in nb.cells]


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
def test_lesson_runs_in_fast_mode(source, tmp_path, monkeypatch):
    monkeypatch.setenv("DLJAX_FAST", "1")
    monkeypatch.setenv("MPLBACKEND", "module://matplotlib_inline.backend_inline")
    nb = jupytext.read(source)
    client = NotebookClient(
        nb, timeout=300, kernel_name="python3", resources={"metadata": {"path": str(tmp_path)}}
    )
    start = time.perf_counter()
    client.execute()
    elapsed = time.perf_counter() - start
    text = source.read_text()
    assert "Ringkasan" in text and "Latihan" in text and "colab-badge" in text
    assert elapsed <= FAST_BUDGET_S, f"{source.name} took {elapsed:.0f}s in fast mode"
    assert os.environ["DLJAX_FAST"] == "1"
