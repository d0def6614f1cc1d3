"""Hostile image folders and image files at the `dljax` command line: each bad input is one
Indonesian `dljax: galat:` line naming the file and the fix, exit code 2, no traceback and
no run directory; odd but usable input (mixed sizes and modes, a 50-megapixel photo, stray
files, link loops) trains."""

from __future__ import annotations

import os
from pathlib import Path
from types import SimpleNamespace

import numpy as np
import pytest
from hostile import TRACEBACK, assert_ok, assert_refused, run_cli
from PIL import Image

from dljax.cli import main
from dljax.recipes import build_config
from dljax.runs import train

TRAIN = ["train", "cnn", "--preset", "tiny", "--quiet", "--epochs", "1", "--batch-size", "4"]


def cli(argv, capsys):
    """`dljax ARGV` in this process, as a finished process (returncode, stdout, stderr)."""
    code = main([str(a) for a in argv])
    out, err = capsys.readouterr()
    return SimpleNamespace(returncode=code, stdout=out, stderr=err)


def refused(proc, *words):
    assert_refused(proc, 2, *words)
    galat = [line for line in proc.stderr.splitlines() if line.startswith("dljax:")]
    assert len([line for line in galat if "galat" in line]) == 1, proc.stderr  # one line


@pytest.fixture
def here(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("DLJAX_DATA", str(tmp_path / "cache"))
    monkeypatch.delenv("DLJAX_DEBUG", raising=False)
    return tmp_path


def png(path: Path, image: Image.Image | None = None, **kwargs) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    (image or Image.new("L", (8, 8), 200)).save(path, **kwargs)
    return path


def folder(root: Path, counts: dict[str, int]) -> Path:
    for name, n in counts.items():
        for i in range(n):
            png(root / name / f"{i}.png", Image.new("L", (8, 8), 40 + 150 * (name == "b")))
    return root


def truncated(path: Path) -> Path:
    noise = np.random.default_rng(0).integers(0, 256, (32, 32), dtype=np.uint8)
    whole = png(path, Image.fromarray(noise)).read_bytes()
    path.write_bytes(whole[: len(whole) // 2])
    return path


def nothing_written(here: Path) -> None:
    assert not (here / "runs").exists() and not (here / "run").exists()


@pytest.mark.parametrize(
    ("layout", "words"),
    [
        ("empty", ["tidak ada sub-folder kelas", "minimal 2 sub-folder kelas"]),
        ("one_class", ["hanya kelas 'a'", "minimal 2 sub-folder kelas"]),
        ("one_image", ["Kelas 'b' hanya berisi 1 gambar", "Tambah gambar atau hapus kelas"]),
        ("truncated", ["rusak.png", "rusak atau terpotong", "--set data.skip_bad=true"]),
        ("not_an_image", ["palsu.jpg", "bukan gambar PNG/JPEG/BMP/GIF", "data.skip_bad"]),
        ("train_only", ["tidak ada test/", "Buat test/"]),
        ("missing", ["tidak-ada' tidak ditemukan", "--dataset folder butuh --data-dir"]),
    ],
)
def test_bad_folders_are_refused_before_any_run_is_written(layout, words, here, capsys):
    root = here / "gambar"
    if layout == "empty":
        root.mkdir()
    elif layout == "one_class":
        folder(root, {"a": 3})
    elif layout == "one_image":
        folder(root, {"a": 3, "b": 1})
    elif layout == "truncated":
        truncated(folder(root, {"a": 3, "b": 3}) / "b" / "rusak.png")
    elif layout == "not_an_image":
        (folder(root, {"a": 3, "b": 3}) / "a" / "palsu.jpg").write_text("bukan jpeg")
    elif layout == "train_only":
        folder(root / "train", {"a": 2, "b": 2})
    else:
        root = here / "tidak-ada"
    refused(cli([*TRAIN, "--dataset", "folder", "--data-dir", root], capsys), *words)
    nothing_written(here)


def test_folder_dataset_needs_data_dir(here, capsys):
    refused(cli([*TRAIN, "--dataset", "folder"], capsys), "--data-dir tidak diberikan")
    nothing_written(here)


def test_refusal_is_one_line_in_a_real_process(here):
    folder(here / "gambar", {"a": 3, "b": 1})
    proc = run_cli([*TRAIN, "--dataset", "folder", "--data-dir", "gambar"], cwd=here)
    refused(proc, "Kelas 'b' hanya berisi 1 gambar")
    nothing_written(here)


def test_odd_but_usable_folder_trains(here, capsys):
    """Mixed sizes and modes, a 50-megapixel PNG, a text file, a link loop and (skipped) a
    truncated image: the run trains and says what it ignored and skipped."""
    root = here / "gambar"
    png(root / "a" / "rgba.png", Image.new("RGBA", (20, 12), (255, 0, 0, 128)))
    png(root / "a" / "palet.gif", Image.new("P", (9, 9), 3))
    png(root / "a" / "abu.png", Image.new("L", (8, 8), 30))
    png(root / "a" / "dalam.png", Image.fromarray(np.full((8, 8), 900, np.uint16)))
    png(root / "a" / "besar.png", Image.new("L", (8000, 6250), 30))  # 50 megapixels
    png(root / "b" / "cmyk.jpg", Image.new("CMYK", (40, 30), (0, 0, 0, 0)))
    png(root / "b" / "rgb.bmp", Image.new("RGB", (16, 16), (250, 250, 250)))
    png(root / "b" / "kecil.png", Image.new("L", (3, 5), 250))
    png(root / "b" / "putih.png", Image.new("1", (8, 8), 1))
    truncated(root / "b" / "rusak.png")
    (root / "b" / "catatan.txt").write_text("bukan gambar")
    try:
        os.symlink("..", root / "a" / "naik")  # a loop back to the data folder
    except (OSError, NotImplementedError):
        pytest.skip("symbolic links are not available here")
    argv = [*TRAIN, "--dataset", "folder", "--data-dir", root, "--out", "run"]
    refused(cli(argv, capsys), "rusak.png", "data.skip_bad=true")  # first without skip_bad
    nothing_written(here)
    proc = cli([*argv, "--set", "data.skip_bad=true"], capsys)
    assert_ok(proc)
    assert "1 berkas bukan gambar diabaikan (mis. b/catatan.txt)" in proc.stderr
    assert "1 gambar rusak dilewati (data.skip_bad=true), mis. b/rusak.png" in proc.stderr
    assert (here / "run" / "metrics.json").is_file()


# ----------------------------------------------------------------------------- predict
@pytest.fixture(scope="module")
def classifier(tmp_path_factory):
    out = tmp_path_factory.mktemp("predict") / "run"
    train(build_config("mlp", "tiny", {"train.epochs": 1}), out, progress=False)
    return out


@pytest.mark.parametrize(
    ("make", "words"),
    [
        (lambda d: d / "tidak-ada.png", ["tidak-ada.png", "berkas tidak ditemukan"]),
        (lambda d: truncated(d / "rusak.png"), ["rusak.png", "rusak atau terpotong"]),
        (lambda d: d / "teks.png", ["teks.png", "bukan gambar PNG/JPEG/BMP/GIF"]),
        (lambda d: d / "kosong", ["kosong' tidak berisi gambar"]),
    ],
)
def test_predict_refuses_missing_or_unreadable_files(classifier, make, words, here, capsys):
    (here / "teks.png").write_text("ini teks")
    (here / "kosong").mkdir()
    good = png(here / "baik.png")
    proc = cli(["predict", classifier, good, make(here)], capsys)
    refused(proc, *words)
    assert proc.stdout == ""  # nothing printed for the good file either


def test_predict_argument_errors(classifier, here, capsys):
    good = png(here / "baik.png")
    refused(cli(["predict", classifier, good, "--top-k", "0"], capsys), "--top-k=0 harus >= 1")
    refused(cli(["predict", here / "bukan-run", good], capsys), "bukan-run tidak ada")
    proc = run_cli(["predict", classifier, here / "tidak-ada.png"], cwd=here)
    refused(proc, "tidak-ada.png")
    assert TRACEBACK not in proc.stderr


def test_data_list_shows_the_folder_dataset_without_loading_it(here, capsys):
    proc = cli(["data", "list"], capsys)
    assert_ok(proc)
    (line,) = [line for line in proc.stdout.splitlines() if line.startswith("folder ")]
    assert "--data-dir" in line and "tanpa unduhan" in line
