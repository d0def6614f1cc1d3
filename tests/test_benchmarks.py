"""The benchmark scripts: their command lines, the shared session, the GPU benchmark's CPU
refusal, schema and wall-time guard, and the title/description of every results file.

No timings are asserted (the numbers depend on the machine); the GPU benchmark runs here on
the CPU with `--allow-cpu` on its tiny configuration, only to check what it writes.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
BENCHMARKS = ROOT / "benchmarks"
SCRIPTS = sorted(p for p in BENCHMARKS.glob("*.py") if p.name != "measure.py")
RESULTS = sorted(p for p in (BENCHMARKS / "results").glob("*.json") if p.name != "lessons.json")
STAMP = ("machine", "date", "seconds", "load_1min_start", "load_1min_end", "loaded")
CPU_ENV = {**os.environ, "JAX_PLATFORMS": "cpu"}  # the CPU, even on a machine with a GPU


def run(*args: str, timeout: float = 120) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, *args], capture_output=True, text=True, env=CPU_ENV, timeout=timeout
    )


@pytest.fixture(scope="module")
def helps() -> dict[str, subprocess.CompletedProcess]:
    """`SCRIPT --help` of every script, run a few at a time (each one imports JAX)."""
    with ThreadPoolExecutor(max_workers=os.cpu_count() or 2) as pool:
        procs = pool.map(lambda p: run(str(p), "--help"), SCRIPTS)
        return {p.name: proc for p, proc in zip(SCRIPTS, procs, strict=True)}


@pytest.mark.parametrize("script", SCRIPTS, ids=lambda p: p.name)
def test_script_parses_help_and_uses_the_session(script, helps):
    proc = helps[script.name]
    assert proc.returncode == 0, proc.stderr
    assert "--allow-load" in proc.stdout and "--out" in proc.stdout
    source = script.read_text()
    assert "Session.start(" in source, f"{script.name} does not start a measure.Session"
    assert ".write(" in source, f"{script.name} does not write through the session"


@pytest.mark.parametrize("path", RESULTS, ids=lambda p: p.name)
def test_results_file_has_title_description_and_load(path):
    """A file written through `measure.Session` (it records the load) has an Indonesian title,
    a description and the whole stamp; a file from before that convention is marked on the
    results page as not re-measured on a quiet machine."""
    data = json.loads(path.read_text())
    if "load_1min_start" not in data:
        sys.path.insert(0, str(ROOT / "docs" / "_ext"))
        import dljax_docs

        assert dljax_docs.NOT_REMEASURED in dljax_docs.file_sentence(path, data)
        pytest.skip(f"{path.name}: belum diukur ulang dengan benchmarks/{path.stem}.py")
    for key in ("title", "description"):
        value = data.get(key)
        assert isinstance(value, str) and value.strip(), f"{path.name} has no {key}"
    assert set(STAMP) <= set(data), f"{path.name} lacks {set(STAMP) - set(data)}"


def test_rows_wait_for_a_quiet_start_and_are_judged_by_it(monkeypatch):
    """A row starts once the load of the row before it has decayed (or the wait is over); at
    its end it records the raw load and waits for its own load to decay; it is loaded when it
    started, or ended after that wait, above MAX_LOAD."""
    sys.path.insert(0, str(BENCHMARKS))
    import measure

    loads, slept = iter([2.1, 1.7, 1.2, 0.4]), []
    start = measure.quiet_start(60, poll=5, load=lambda: next(loads), sleep=slept.append)
    assert start == 1.2 and slept == [5, 5]
    slept.clear()
    assert measure.quiet_start(10, poll=5, load=lambda: 3.0, sleep=slept.append) == 3.0
    assert slept == [5, 5]  # gave up after the timeout
    slept.clear()
    decaying = iter([1.9, 1.7, 1.4])  # the row's own threads, then their load decays
    assert measure.row_load(1.4, load=lambda: next(decaying), sleep=slept.append) == {
        "load_1min_start": 1.4,
        "load_1min_end_raw": 1.9,
        "load_1min_end": 1.4,
        "loaded": False,
    }
    assert slept == [5.0]
    quiet = {"load": lambda: 1.0, "sleep": slept.append}
    assert measure.row_load(1.6, **quiet)["loaded"] is True
    busy = {"load": lambda: 2.5, "sleep": slept.append}  # something else kept running
    assert measure.row_load(1.0, **busy)["loaded"] is True
    session = measure.Session("t", load_start=0.3)
    assert session.stamp({}, rows=[{"loaded": False}], **quiet)["loaded"] is False
    assert session.stamp({}, rows=[{"loaded": True}], **quiet)["loaded"] is True
    assert session.stamp({}, **busy)["loaded"] is True
    assert measure.Session("t", load_start=1.6).stamp({}, **quiet)["loaded"] is True
