"""Hostile inputs refused before anything is trained: exit 2, Indonesian, no traceback."""

from __future__ import annotations

import json

import pytest
from hostile import assert_refused, run_cli

TINY = ["--preset", "tiny", "--quiet"]

BAD_TRAIN = [
    (["--lr", "inf"], "bilangan berhingga"),
    (["--lr", "nan"], "bilangan berhingga"),
    (["--set", "train.weight_decay=inf"], "bilangan berhingga"),
    (["--seed", "4294967296"], "seed harus 0..4294967295"),
    (["--seed", "1" * 25], "seed harus 0..4294967295"),
    (["--epochs", "9" * 20], "terlalu besar"),
    (["--text", "puisi.txt"], "hanya dipakai oleh dataset 'text'"),
]


@pytest.mark.parametrize(("extra", "words"), BAD_TRAIN, ids=lambda v: str(v)[:30])
def test_train_rejects_values_that_used_to_pass(workdir, extra, words):
    out = workdir / "never"
    proc = run_cli(["train", "mlp", *TINY, "--out", out, *extra], workdir)
    assert_refused(proc, 2, words)
    assert not out.exists()  # no half-written run directory


def test_out_is_an_existing_file(workdir):
    target = workdir / "catatan.txt"
    target.write_text("punyaku\n", encoding="utf-8")
    proc = run_cli(["train", "mlp", *TINY, "--out", target], workdir)
    assert_refused(proc, 2, "adalah sebuah berkas")
    assert target.read_text(encoding="utf-8") == "punyaku\n"  # the user's file is untouched


def test_out_below_a_file(workdir):
    (workdir / "berkas").write_text("x", encoding="utf-8")
    proc = run_cli(["train", "mlp", *TINY, "--out", workdir / "berkas" / "run"], workdir)
    assert_refused(proc, 2, "bukan folder")


def test_out_path_too_long(workdir):
    proc = run_cli(["train", "mlp", *TINY, "--out", workdir / ("a" * 300)], workdir)
    assert_refused(proc, 2, "terlalu panjang")


def test_out_on_a_filesystem_that_refuses_writes(workdir):
    # /proc refuses new folders even for root (chmod does not stop root; a read-only mount
    # needs privileges); the message names --out and the path.
    proc = run_cli(["train", "mlp", *TINY, "--out", "/proc/dljax-run"], workdir)
    assert_refused(proc, 2, "--out /proc/dljax-run")


def test_dljax_data_points_at_a_file(workdir):
    target = workdir / "bukan-folder"
    target.write_text("x", encoding="utf-8")
    proc = run_cli(["data", "download", "mnist"], workdir, env={"DLJAX_DATA": str(target)})
    assert_refused(proc, 2, "DLJAX_DATA")
    assert target.read_text(encoding="utf-8") == "x"


def test_dljax_data_not_writable(workdir):
    proc = run_cli(["data", "download", "mnist"], workdir, env={"DLJAX_DATA": "/proc/dljax"})
    assert_refused(proc, 2, "DLJAX_DATA")


BAD_SAMPLE = [
    (["--temperature", "nan"], "--temperature=nan"),
    (["--temperature", "inf"], "--temperature=inf"),
    (["--length", "1000000000"], "--length=1000000000"),
    (["--seed", "-1"], "--seed=-1"),
    (["--n", "0"], "--n=0"),
]


@pytest.mark.parametrize(("extra", "words"), BAD_SAMPLE, ids=lambda v: str(v)[:30])
def test_sample_options_checked_before_loading(workdir, extra, words):
    proc = run_cli(["sample", workdir / "tidak-ada", *extra], workdir)
    assert_refused(proc, 2, words)


DAMAGED_CONFIGS = [
    ("{ini bukan json", "bukan JSON yang valid"),
    ("{}", "model_name"),
    ("[1, 2]", "bukan objek JSON"),
    ("MLP_STRING", "bertipe str"),
]


@pytest.mark.parametrize(
    ("text", "words"), DAMAGED_CONFIGS, ids=["notjson", "empty", "list", "str"]
)
def test_eval_on_a_damaged_config(workdir, text, words):
    run = workdir / f"rusak-{abs(hash(text))}"
    run.mkdir()
    if text == "MLP_STRING":
        from dljax.recipes import build_config

        raw = build_config("mlp", "tiny").to_dict()
        raw["train"]["epochs"] = "dua"
        text = json.dumps(raw)
    (run / "config.json").write_text(text, encoding="utf-8")
    proc = run_cli(["eval", run], workdir)
    assert_refused(proc, 2, "config.json rusak", words)
    assert (run / "config.json").read_text(encoding="utf-8") == text  # nothing rewritten
    assert sorted(p.name for p in run.iterdir()) == ["config.json"]


def test_eval_without_checkpoint_suggests_resume_and_writes_nothing(workdir):
    from dljax.recipes import build_config

    run = workdir / "tanpa-checkpoint"
    run.mkdir()
    (run / "config.json").write_text(
        json.dumps(build_config("mlp", "tiny").to_dict()), encoding="utf-8"
    )
    proc = run_cli(["eval", run], workdir)
    assert_refused(proc, 2, "belum punya checkpoint", "--resume")
    assert sorted(p.name for p in run.iterdir()) == ["config.json"]  # no checkpoints/ created
