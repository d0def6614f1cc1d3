import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from safetensors.numpy import load_file

from dljax.cli import main

TINY = ["--preset", "tiny", "--quiet"]


def run_cli(*args, cwd):
    return subprocess.run(
        [sys.executable, "-m", "dljax", *args],
        cwd=cwd,
        capture_output=True,
        text=True,
        timeout=300,
    )


@pytest.mark.parametrize(
    ("argv", "fragment"),
    [
        (
            ["train", "resnet999"],
            "Model 'resnet999' tidak dikenal. Pilihan: autoencoder, cgan, char_lstm",
        ),
        (["train", "mlp", "--dataset", "imagenet"], "Dataset 'imagenet' tidak dikenal"),
        (["train", "mlp", "--epochs", "-3"], "train.epochs=-3 harus >= 1"),
        (["train", "mlp", "--lr", "0"], "train.lr=0.0 harus > 0"),
        (["train", "mlp", "--lr=-1e-3"], "train.lr=-0.001 harus > 0"),
        (["train", "mlp", "--set", "model.width=3"], "Kunci yang tersedia: model.hidden"),
        (["train", "mlp", "--set", "lr"], "kunci=nilai"),
        (["train", "mlp", "--resume"], "untuk dilanjutkan"),
        (["eval", "runs/tidak-ada"], "tidak ada"),
        (["train", "mlp", "--dataset", "house_prices"], "tidak cocok untuk model 'mlp'"),
        (["train", "cnn", "--dataset", "spiral"], "butuh gambar"),
        (["data", "verify", "tidak-ada"], "Dataset 'tidak-ada' tidak dikenal"),
    ],
)
def test_bad_input_exits_2_and_writes_nothing(argv, fragment, tmp_path, monkeypatch, capsys):
    monkeypatch.chdir(tmp_path)
    assert main(argv) == 2
    assert fragment in capsys.readouterr().err
    assert list(tmp_path.iterdir()) == []


def test_argparse_errors_are_indonesian(tmp_path, monkeypatch, capsys):
    monkeypatch.chdir(tmp_path)
    with pytest.raises(SystemExit) as exit_info:
        main(["train", "mlp", "--epochs", "sepuluh"])
    assert exit_info.value.code == 2
    assert "nilai int tidak valid" in capsys.readouterr().err


def test_list_names_models_datasets_presets(capsys):
    assert main(["list"]) == 0
    out = capsys.readouterr().out
    for word in ("mlp", "cnn", "digits", "tiny", "default", "full"):
        assert word in out


def test_out_dir_with_files_is_refused(tmp_path, monkeypatch, capsys):
    monkeypatch.chdir(tmp_path)
    (tmp_path / "taken").mkdir()
    (tmp_path / "taken" / "notes.txt").write_text("x")
    assert main(["train", "mlp", *TINY, "--out", "taken"]) == 2
    assert "--out lain" in capsys.readouterr().err
    assert sorted(p.name for p in (tmp_path / "taken").iterdir()) == ["notes.txt"]


def test_train_then_eval(tmp_path, monkeypatch, capsys):
    monkeypatch.chdir(tmp_path)
    assert main(["train", "mlp", *TINY, "--epochs", "3", "--seed", "5"]) == 0
    run = tmp_path / "runs" / "mlp-digits"
    summary = json.loads((run / "metrics.json").read_text())
    config = json.loads((run / "config.json").read_text())
    assert config["train"]["epochs"] == 3 and config["train"]["seed"] == 5
    assert len((run / "metrics.jsonl").read_text().splitlines()) == 3
    assert (run / "params.safetensors").exists() and (run / "plots" / "loss.png").exists()
    capsys.readouterr()
    assert main(["eval", str(run)]) == 0
    out = capsys.readouterr().out
    assert f"test_accuracy: {summary['test_accuracy']:.6f}" in out
    # a second run of the same model gets a fresh directory
    assert main(["train", "mlp", *TINY, "--epochs", "1"]) == 0
    assert (tmp_path / "runs" / "mlp-digits-2" / "metrics.json").exists()


def test_sigkill_then_resume_equals_uninterrupted_run(tmp_path):
    args = ["train", "mlp", *TINY, "--epochs", "40", "--set", "train.keep_checkpoints=50"]
    assert run_cli(*args, "--out", "straight", cwd=tmp_path).returncode == 0

    proc = subprocess.Popen(
        [sys.executable, "-m", "dljax", *args, "--out", "killed"],
        cwd=tmp_path,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    log = tmp_path / "killed" / "metrics.jsonl"
    deadline = time.time() + 120
    while time.time() < deadline:
        if log.exists() and len(log.read_text().splitlines()) >= 3:
            break
        time.sleep(0.05)
    os.kill(proc.pid, signal.SIGKILL)
    proc.wait()
    assert not (tmp_path / "killed" / "metrics.json").exists(), "run finished before the kill"

    resumed = run_cli("train", "mlp", "--quiet", "--out", "killed", "--resume", cwd=tmp_path)
    assert resumed.returncode == 0, resumed.stderr[-2000:]
    a = load_file(str(tmp_path / "straight" / "params.safetensors"))
    b = load_file(str(tmp_path / "killed" / "params.safetensors"))
    assert a.keys() == b.keys()
    for key in a:
        assert (a[key] == b[key]).all(), key
    epochs = [json.loads(line)["epoch"] for line in log.read_text().splitlines()]
    assert epochs == list(range(1, 41))


def test_module_entry_point_help(tmp_path):
    proc = run_cli("train", "--help", cwd=tmp_path)
    assert proc.returncode == 0 and "penggunaan: dljax train" in proc.stdout
    assert Path(tmp_path).exists()


def test_data_list_and_path(capsys, tmp_path):
    assert main(["data", "list", "--data-dir", str(tmp_path)]) == 0
    out = capsys.readouterr().out
    assert "digits" in out and "mnist" in out and "belum diunduh" in out
    assert main(["data", "path", "mnist", "--data-dir", str(tmp_path)]) == 0
    assert "train-images-idx3-ubyte.gz" in capsys.readouterr().out
