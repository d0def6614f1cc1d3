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


# ------------------------------------------------------------------------------ gpu.py
def test_compared_runs_are_timed_in_turn_until_each_had_its_seconds(monkeypatch):
    """`interleaved_rates`: one warm-up each, then every repeat times each run once, the
    order reversed every other repeat; a fast run gets more repeats (up to a cap)."""
    sys.path.insert(0, str(BENCHMARKS))
    import measure

    clock, calls = [0.0], []

    def run(name, seconds):
        def go():
            calls.append(name)
            clock[0] += seconds

        return go

    monkeypatch.setattr(measure.time, "perf_counter", lambda: clock[0])
    runs = {"engine": run("engine", 0.5), "hand_loop": run("hand_loop", 0.25)}
    out = measure.interleaved_rates(runs, 10, repeats=2)
    assert calls == ["engine", "hand_loop", "engine", "hand_loop", "hand_loop", "engine"]
    assert out == {"engine": (20.0, [20.0, 20.0]), "hand_loop": (40.0, [40.0, 40.0])}
    calls.clear()
    out = measure.interleaved_rates(runs, 10, repeats=2, min_seconds=2.0)
    assert len(out["hand_loop"][1]) == 8  # 8 x 0.25 s: the slower run had 4 s by then
    calls.clear()
    out = measure.interleaved_rates(runs, 10, repeats=2, min_seconds=100.0, max_repeats=5)
    assert len(out["engine"][1]) == 5 and calls.count("engine") == 6


def test_gpu_refuses_the_cpu(tmp_path):
    out = tmp_path / "gpu.json"
    proc = run(str(BENCHMARKS / "gpu.py"), "--out", str(out))
    assert proc.returncode == 2, proc.stderr
    assert "butuh GPU/akselerator" in proc.stderr
    assert "hanya melihat CPU" in proc.stderr
    assert "pip install -e '.[cuda]'" in proc.stderr
    assert not out.exists()


def test_gpu_tiny_run_writes_the_schema(tmp_path):
    out = tmp_path / "gpu.json"
    args = ("--tiny", "--allow-cpu", "--allow-load", "--models", "mlp", "gpt")
    proc = run(str(BENCHMARKS / "gpu.py"), *args, "--out", str(out), timeout=300)
    assert proc.returncode == 0, proc.stderr
    data = json.loads(out.read_text())
    assert isinstance(data["title"], str) and data["title"].strip()
    assert isinstance(data["description"], str) and data["description"].strip()
    assert data["backend"] == "cpu"
    assert data["devices"] and all(isinstance(d, str) for d in data["devices"])
    assert data["preset"] == "tiny" and data["repeats"] == 1
    for key in STAMP:
        assert key in data, key
    assert set(data["models"]) == {"mlp", "gpt"} and data["skipped"] == []
    for name, row in data["models"].items():
        for key in ("float32_steps_per_s", "bfloat16_steps_per_s"):
            assert isinstance(row[key], float) and row[key] > 0, (name, key, row)
        assert row["torch_steps_per_s"] is None
        assert isinstance(row["torch_note"], str) and row["torch_note"]
    sampling = data["sampling"]
    for key in ("gpt_tokens_per_s", "ddpm_images_per_s"):
        assert isinstance(sampling[key], float) and sampling[key] > 0, (key, sampling)


@pytest.fixture(scope="module")
def gpu():
    """benchmarks/gpu.py as a module (it imports its sibling scripts from benchmarks/)."""
    sys.path.insert(0, str(BENCHMARKS))
    try:
        import gpu
    finally:
        sys.path.remove(str(BENCHMARKS))
    return gpu


@pytest.fixture
def fake_measurements(gpu, monkeypatch):
    """gpu.py with every measurement replaced by a constant (no compilation)."""

    def engine(row, dtype, tiny, repeats):
        rate = 2.0 if dtype == "bfloat16" else 1.0
        return {"steps_per_s": rate, "runs": [rate], "batch": 8, "steps_per_repeat": 2,
                "input_shape": [1]}  # fmt: skip

    monkeypatch.setattr(gpu, "bench_engine", engine)
    monkeypatch.setattr(gpu, "bench_gpt_sampling", lambda tiny, r: {"tokens_per_s": 5.0})
    monkeypatch.setattr(gpu, "bench_ddpm_sampling", lambda tiny, r: {"images_per_s": 3.0})
    monkeypatch.setattr(gpu, "torch_missing", lambda: "PyTorch tidak terpasang")

    def main(*args: str) -> dict:
        monkeypatch.setattr(sys, "argv", ["gpu.py", "--allow-cpu", "--allow-load", *args])
        gpu.main()
        return json.loads(Path(args[args.index("--out") + 1]).read_text())

    return main


def test_gpu_wall_time_guard_skips_the_remaining_models(fake_measurements, tmp_path, gpu):
    data = fake_measurements("--budget-s", "0", "--out", str(tmp_path / "gpu.json"))
    assert data["models"] == {}
    assert data["skipped"] == list(gpu.MODELS)  # in `dljax list` order
    assert data["sampling"]["gpt_tokens_per_s"] == 5.0  # measured first
    assert data["sampling"]["ddpm_images_per_s"] == 3.0


def test_gpu_rows_say_why_torch_is_missing(fake_measurements, tmp_path):
    data = fake_measurements("--models", "lenet5", "mlp", "--out", str(tmp_path / "gpu.json"))
    assert list(data["models"]) == ["mlp", "lenet5"]  # in `dljax list` order
    mlp, lenet5 = data["models"]["mlp"], data["models"]["lenet5"]
    assert mlp["float32_steps_per_s"] == 1.0 and mlp["bfloat16_steps_per_s"] == 2.0
    assert mlp["bfloat16_vs_float32"] == 2.0
    assert mlp["torch_steps_per_s"] is None and mlp["torch_note"] == "PyTorch tidak terpasang"
    assert lenet5["torch_note"] == "tidak ada kembaran PyTorch"


def test_gpu_records_a_failed_measurement_and_goes_on(
    fake_measurements, gpu, monkeypatch, tmp_path
):
    engine = gpu.bench_engine

    def failing(row, dtype, tiny, repeats):
        if dtype == "bfloat16":
            raise TypeError("bfloat16 not supported")
        return engine(row, dtype, tiny, repeats)

    monkeypatch.setattr(gpu, "bench_engine", failing)
    data = fake_measurements("--models", "mlp", "gpt", "--out", str(tmp_path / "gpu.json"))
    for row in data["models"].values():
        assert row["float32_steps_per_s"] == 1.0 and row["bfloat16_steps_per_s"] is None
        assert row["bfloat16_error"] == "TypeError: bfloat16 not supported"


def _dljax_names_used(source: str) -> list[tuple[str, str]]:
    """(module, attribute) pairs a script takes from dljax: `from dljax.x import a` and
    `alias.a` where `from dljax import x as alias` or `import dljax.x as alias`."""
    import ast

    tree, used, aliases = ast.parse(source), [], {}
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom) and (node.module or "").startswith("dljax"):
            for name in node.names:
                used.append((node.module, name.name))
                aliases[name.asname or name.name] = f"{node.module}.{name.name}"
        elif isinstance(node, ast.Import):
            for name in node.names:
                if name.name.startswith("dljax") and name.asname:
                    aliases[name.asname] = name.name
    for node in ast.walk(tree):
        if isinstance(node, ast.Attribute) and isinstance(node.value, ast.Name):
            if node.value.id in aliases:
                used.append((aliases[node.value.id], node.attr))
    return used


@pytest.mark.parametrize("script", SCRIPTS, ids=lambda p: p.name)
def test_script_uses_only_names_that_dljax_has(script):
    """`--help` does not reach the code that measures: a name that moved in a refactor
    (reference_classifier.py called `quality_report` on a module that no longer had it) is
    caught here, without running the benchmark."""
    import importlib

    missing = []
    for module, attr in _dljax_names_used(script.read_text()):
        try:
            target = importlib.import_module(module)
        except ImportError:
            continue  # `module.attr` was a class or function, not a module: checked below
        if not hasattr(target, attr):
            try:
                importlib.import_module(f"{module}.{attr}")
            except ImportError:
                missing.append(f"{module}.{attr}")
    assert not missing, f"{script.name} uses names dljax does not have: {missing}"


HLO = """HloModule jit_chunk

%fused_attention (param_0: f32[2,4,8,8], param_1: f32[2,4,8,8]) -> f32[2,4,8,8] {
  %param_0 = f32[2,4,8,8]{3,2,1,0} parameter(0)
  %param_1 = f32[2,4,8,8]{3,2,1,0} parameter(1)
  ROOT %dot.1 = f32[2,4,8,8]{3,2,1,0} dot(%param_0, %param_1), lhs_contracting_dims={3}
}

%fused_softmax (param_0.2: f32[16,8]) -> f32[16] {
  %param_0.2 = f32[16,8]{1,0} parameter(0)
  %exponential.1 = f32[16,8]{1,0} exponential(%param_0.2)
  ROOT %reduce.1 = f32[16]{0} reduce(%exponential.1, %c), dimensions={1}
}

%fused_copy (param_0.3: f32[8,16]) -> f32[16,8] {
  %param_0.3 = f32[8,16]{1,0} parameter(0)
  ROOT %transpose.1 = f32[16,8]{1,0} transpose(%param_0.3), dimensions={1,0}
}

%fused_adam (param_0.4: f32[16]) -> f32[16] {
  %param_0.4 = f32[16]{0} parameter(0)
  ROOT %multiply.1 = f32[16]{0} multiply(%param_0.4, %param_0.4)
}

ENTRY %main (a: f32[16,8], b: f32[8,16]) -> f32[16,16] {
  %a = f32[16,8]{1,0} parameter(0)
  %ynn_fusion.3 = f32[2,4,8,8]{3,2,1,0} fusion(%a, %a), kind=kCustom, calls=%fused_attention
  %reduce_fusion = f32[16]{0} fusion(%a), kind=kLoop, calls=%fused_softmax
  %transpose_copy_fusion = f32[16,8]{1,0} fusion(%b), kind=kLoop, calls=%fused_copy
  %multiply_fusion = f32[16]{0} fusion(%reduce_fusion), kind=kLoop, calls=%fused_adam
  %while.2 = (f32[16]) while(%t), condition=%cond, body=%body
  ROOT %dot.7 = f32[16,16]{1,0} dot(%a, %b), lhs_contracting_dims={1}
}
"""


def test_op_profile_classes_each_instruction_and_shares_the_time():
    """The GPT op profile: a fusion is classed by what it calls, a 2-D dot is dense, a 4-D
    one attention; the loop itself and events that are not instructions are not counted."""
    sys.path.insert(0, str(BENCHMARKS))
    import transformer

    classes = transformer.op_classes(HLO)
    assert classes == {
        "ynn_fusion.3": "attention",
        "reduce_fusion": "reduction",
        "transpose_copy_fusion": "layout",
        "multiply_fusion": "elementwise",
        "dot.7": "dense",
    }
    events = [
        ("dot.7", 4e6), ("ynn_fusion.3", 3e6), ("reduce_fusion", 1e6), ("multiply_fusion", 1e6),
        ("transpose_copy_fusion", 1e6), ("while.2", 50e6), ("ThunkExecutor::Execute", 9e6),
    ]  # fmt: skip
    out = transformer.op_profile(events, classes, steps=2, flops={"dense": 8e6, "attention": 1e6})
    assert out["cpu_ms_per_step"] == 5.0  # 10 ms of instructions over 2 steps
    shares = {k: v["share"] for k, v in out["classes"].items()}
    assert shares == {
        "dense": 0.4, "attention": 0.3, "reduction": 0.1, "layout": 0.1, "elementwise": 0.1,
    }  # fmt: skip
    assert out["classes"]["dense"]["gflop_per_cpu_s"] == 8e6 / 2e-3 / 1e9  # 2 ms per step
    assert "gflop_per_cpu_s" not in out["classes"]["layout"]
    assert out["top_ops"][0] == {"op": "dot.7", "class": "dense", "share": 0.4}
    with pytest.raises(RuntimeError):
        transformer.op_profile([("while.2", 1.0)], classes, 1, {})
