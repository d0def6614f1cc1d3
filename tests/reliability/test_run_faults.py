"""Runs that cannot be lost or corrupted: faults during and between runs, real processes.

One tiny MLP run is shared (module fixture); each test works on its own copy.
"""

from __future__ import annotations

import json
import os
import shutil
import signal
import time

import pytest
from hostile import TRACEBACK, assert_ok, assert_refused, run_cli, start_cli

TINY = ["--preset", "tiny", "--quiet"]


@pytest.fixture(scope="module")
def base(workdir):
    out = workdir / "base"
    assert_ok(run_cli(["train", "mlp", *TINY, "--out", out], workdir))
    return out


def _copy(base, workdir, name):
    dest = workdir / name
    shutil.copytree(base, dest)
    return dest


def _epochs(run) -> list[int]:
    lines = (run / "metrics.jsonl").read_text(encoding="utf-8").splitlines()
    return [json.loads(line)["epoch"] for line in lines]


def _status(run) -> str:
    return json.loads((run / "status.json").read_text(encoding="utf-8"))["state"]


def _wait_for_epochs(run, n: int, proc, limit: float = 240) -> None:
    t0 = time.time()
    while time.time() - t0 < limit and proc.poll() is None:
        log = run / "metrics.jsonl"
        if log.exists() and log.read_text(encoding="utf-8").count("\n") >= n:
            return
        time.sleep(0.2)
    raise AssertionError(f"no {n} epochs in {run} (exit {proc.poll()})")


def test_finished_run_is_marked_and_self_describing(base):
    assert _status(base) == "finished"
    data = json.loads((base / "data.json").read_text(encoding="utf-8"))
    assert data["num_classes"] == 10 and data["input_shape"] == [8, 8, 1]
    assert _epochs(base) == [1, 2]


def test_second_writer_is_refused_and_first_run_survives(workdir):
    out = workdir / "dua-penulis"
    first = start_cli(["train", "mlp", *TINY, "--epochs", "5000", "--out", out], workdir)
    try:
        _wait_for_epochs(out, 1, first)
        proc = run_cli(["train", "mlp", *TINY, "--seed", "1", "--out", out], workdir)
        assert_refused(proc, 2, "sudah berisi run (status: running)")
        proc = run_cli(["train", "mlp", *TINY, "--out", out, "--resume"], workdir)
        assert_refused(proc, 2, "sedang dipakai oleh proses lain")
        config = json.loads((out / "config.json").read_text(encoding="utf-8"))
        assert config["train"]["seed"] == 0  # the first run's config, untouched
    finally:
        first.kill()  # kill -9: the OS releases the lock
        first.wait()
    # after kill -9 the directory is not locked forever, and one run's history is in it
    from dljax.runs.run_dir import RunDir

    run_dir = RunDir(out)
    run_dir.lock()
    run_dir.unlock()
    epochs = _epochs(out)
    assert epochs == list(range(1, len(epochs) + 1))  # not interleaved with a second writer
    assert _status(out) == "running"  # killed: not marked finished


def test_resume_refuses_changed_flags_and_lists_them(base, workdir):
    run = _copy(base, workdir, "beda-flag")
    before = (run / "config.json").read_text(encoding="utf-8")
    proc = run_cli(
        ["train", "mlp", "--out", run, "--resume", "--lr", "0.5", "--set", "model.hidden=64"],
        workdir,
    )
    assert_refused(proc, 2, "hanya --epochs", "train.lr", "model.hidden")
    assert (run / "config.json").read_text(encoding="utf-8") == before
    proc = run_cli(["train", "mlp", "--out", run, "--resume", "--epochs", "1"], workdir)
    assert_refused(proc, 2, "hanya boleh ditambah")


def test_torn_last_line_then_resume_records_the_epoch_change(base, workdir):
    run = _copy(base, workdir, "baris-sobek")
    with open(run / "metrics.jsonl", "a", encoding="utf-8") as f:
        f.write('{"epoch": 3, "train_lo')  # the power went out mid-write
    proc = run_cli(["train", "mlp", "--out", run, "--resume", "--epochs", "3", "--quiet"], workdir)
    assert_ok(proc)
    assert _epochs(run) == [1, 2, 3]
    status = json.loads((run / "status.json").read_text(encoding="utf-8"))
    assert status["state"] == "finished"
    assert status["resumes"][-1]["train.epochs"] == [2, 3]
    assert json.loads((run / "config.json").read_text(encoding="utf-8"))["train"]["epochs"] == 3


def test_truncated_newest_checkpoint_falls_back_to_the_older_one(base, workdir):
    run = _copy(base, workdir, "checkpoint-rusak")
    steps = sorted(int(p.name) for p in (run / "checkpoints").iterdir() if p.name.isdigit())
    assert len(steps) == 2
    newest = run / "checkpoints" / str(steps[-1])
    for path in newest.rglob("*"):
        if path.is_file():
            path.write_bytes(path.read_bytes()[: path.stat().st_size // 2])
    proc = run_cli(["eval", run], workdir)
    assert_ok(proc)
    assert "rusak" in proc.stderr and "epoch 1" in proc.stderr
    proc = run_cli(["train", "mlp", "--out", run, "--resume", "--quiet"], workdir)
    assert_ok(proc)
    assert _epochs(run) == [1, 2]
    assert (run / "checkpoints_rusak" / str(steps[-1])).is_dir()  # kept, not deleted


def test_resume_without_checkpoint_restarts_without_duplicates(base, workdir):
    run = _copy(base, workdir, "tanpa-checkpoint")
    shutil.rmtree(run / "checkpoints")
    # what a kill -9 during the first save leaves: epoch 1 logged, a half-written save
    (run / "checkpoints" / "92.orbax-checkpoint-tmp-1").mkdir(parents=True)
    (run / "metrics.jsonl").write_text(
        (run / "metrics.jsonl").read_text(encoding="utf-8").splitlines()[0] + "\n",
        encoding="utf-8",
    )
    proc = run_cli(["train", "mlp", "--out", run, "--resume", "--quiet"], workdir)
    assert_ok(proc)
    assert "belum punya checkpoint" in proc.stderr
    assert _epochs(run) == [1, 2]


def test_sigterm_is_a_clean_interruption(workdir):
    out = workdir / "sigterm"
    proc = start_cli(["train", "mlp", *TINY, "--epochs", "60", "--out", out], workdir)
    _wait_for_epochs(out, 1, proc)
    proc.send_signal(signal.SIGTERM)
    _, err = proc.communicate(timeout=120)
    assert proc.returncode == 143, err[-2000:]
    assert TRACEBACK not in err
    assert "Dihentikan (SIGTERM)" in err and "--resume" in err
    assert _status(out) == "interrupted"


def test_diverged_run_leaves_nothing_and_the_advised_retry_works(workdir):
    out = workdir / "divergen"
    proc = run_cli(["train", "mlp", *TINY, "--lr", "1e30", "--out", out], workdir)
    assert_refused(proc, 1, "Loss menjadi", "--lr")
    assert not out.exists()
    proc = run_cli(["train", "mlp", *TINY, "--epochs", "1", "--lr", "1e-3", "--out", out], workdir)
    assert_ok(proc)


def test_language_model_run_is_self_contained_in_a_posix_locale(workdir):
    corpus = workdir / "puisi.txt"
    words = ["aku", "ini", "binatang", "jalang", "hidup", "seribu", "tahun", "lagi", "é"]
    corpus.write_text(" ".join(words[i % 9] for i in range(2000)), encoding="utf-8")
    out = workdir / "lm"
    posix = {"LC_ALL": "POSIX", "PYTHONUTF8": "0", "PYTHONCOERCECLOCALE": "0"}
    train = ["train", "char_lstm", *TINY, "--text", corpus, "--set", "data.seq_len=16"]
    assert_ok(run_cli([*train, "--out", out], workdir, env=posix))
    sample = ["sample", out, "--prompt", "aku", "--length", "40", "--seed", "3"]
    first = run_cli(sample, workdir, env=posix)
    assert_ok(first)
    corpus.write_text("XYZ sesuatu yang lain sama sekali ü " * 20, encoding="utf-8")  # edited
    again = run_cli(sample, workdir, env=posix)
    assert_ok(again)
    assert again.stdout == first.stdout  # the vocabulary came from the run directory
    assert_refused(run_cli(["eval", out], workdir), 2, "sudah berubah", "--text")
    os.remove(corpus)  # moved away: sampling still works
    assert run_cli(sample, workdir).stdout.strip() != ""


def test_full_disk_during_checkpoint(tmp_path, monkeypatch, capsys):
    """In-process: Orbax's writer fails with ENOSPC (a real full disk needs a mount)."""
    import errno

    from dljax.cli import main
    from dljax.runs import checkpoint

    def full(self, *args, **kwargs):
        raise OSError(errno.ENOSPC, "No space left on device", str(self.directory))

    monkeypatch.setattr(checkpoint.ocp.CheckpointManager, "save", full)
    monkeypatch.chdir(tmp_path)
    code = main(["train", "mlp", *TINY, "--epochs", "1", "--out", "penuh"])
    err = capsys.readouterr().err
    assert code == 1, err
    assert "Disk penuh" in err and TRACEBACK not in err
    assert not (tmp_path / "penuh").exists()  # failed before any checkpoint: nothing left
