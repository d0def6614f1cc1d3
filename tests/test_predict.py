"""`dljax predict` and `dljax.runs.predict_files`: classes of new image files from a
classifier run directory alone."""

from __future__ import annotations

import json
import shutil
from pathlib import Path
from types import SimpleNamespace

import numpy as np
import pytest
from PIL import Image

from dljax.cli import main
from dljax.data import digits
from dljax.data.folder import load_image
from dljax.errors import DljaxError
from dljax.recipes import build_config
from dljax.runs import RunDir, load_run, predict_files, train
from dljax.train.predict import predict_proba, top_k

SCHEMA = {"run", "model", "dataset", "input_shape", "classes", "predictions"}


@pytest.fixture(scope="module")
def toy(tmp_path_factory, make_shapes):
    """A small CNN trained on 60 circles and 60 squares (16x16), whose training folder is
    deleted afterwards: prediction needs the run directory only."""
    root = tmp_path_factory.mktemp("toy")
    with pytest.MonkeyPatch.context() as m:
        m.setenv("DLJAX_DATA", str(root / "cache"))
        data = make_shapes(root / "latih", n=60)
        overrides = {
            "data.name": "folder",
            "data.data_dir": str(data),
            "data.batch_size": 16,
            "train.epochs": 40,
            "train.lr": 3e-3,
            "train.checkpoint_every": 40,
        }
        result = train(build_config("cnn", "tiny", overrides), root / "run", progress=False)
    shutil.rmtree(data)
    shutil.rmtree(root / "cache")
    new = make_shapes(root / "baru", n=20, seed=1)  # images the model never saw
    return SimpleNamespace(run=root / "run", new=new, summary=result.summary)


def test_predicts_new_images_of_a_toy_problem(toy):
    result = predict_files(toy.run, [toy.new / "lingkaran", toy.new / "persegi"], 2)
    assert result["classes"] == ["lingkaran", "persegi"]  # from data.json
    assert result["input_shape"] == [16, 16, 1]
    truth = [Path(p["file"]).parent.name for p in result["predictions"]]
    guess = [p["top"][0]["class"] for p in result["predictions"]]
    assert len(guess) == 40
    accuracy = np.mean([g == t for g, t in zip(guess, truth, strict=True)])
    assert accuracy >= 0.95, (accuracy, toy.summary)
    for item in result["predictions"]:
        probs = [t["probability"] for t in item["top"]]
        assert probs == sorted(probs, reverse=True)
        assert sum(probs) == pytest.approx(1.0, abs=1e-5)  # top-2 of 2 classes: all of them


def test_files_are_preprocessed_as_in_training(toy, tmp_path):
    """A big colour image is squashed to the run's 16x16 grey input by `load_image`."""
    path = tmp_path / "besar.jpg"
    pixels = np.zeros((96, 96, 3), np.uint8)
    pixels[24:72, 24:72] = (255, 255, 255)  # a white square on black
    Image.fromarray(pixels).save(path)
    result = predict_files(toy.run, [path], 2)
    trainer = load_run(toy.run, need_data=False)
    expected = predict_proba(trainer, load_image(path, 16, 1)[None])[0]  # (2,)
    got = {t["index"]: t["probability"] for t in result["predictions"][0]["top"]}
    np.testing.assert_allclose([got[0], got[1]], expected, rtol=1e-6)
    assert result["predictions"][0]["top"][0]["class"] == "persegi"


def test_cli_text_and_json(toy, capsys):
    files = [toy.new / "lingkaran" / "000.png", toy.new / "persegi" / "000.png"]
    assert main(["predict", str(toy.run), *map(str, files)]) == 0
    out = capsys.readouterr().out
    assert "Prediksi cnn" in out and "2 kelas, masukan 16 x 16 x 1" in out
    lines = [line for line in out.splitlines() if line.startswith("  ")]
    assert len(lines) == 2 and lines[0].strip().startswith(f"{files[0]}: lingkaran ")
    assert "," in lines[0] and lines[0].endswith("%")  # Indonesian percentages: "99,8 %"
    assert main(["predict", str(toy.run), *map(str, files), "--json", "--top-k", "1"]) == 0
    result = json.loads(capsys.readouterr().out)
    assert set(result) == SCHEMA
    assert (result["model"], result["dataset"]) == ("cnn", "folder")
    assert [p["file"] for p in result["predictions"]] == list(map(str, files))  # in order
    for item in result["predictions"]:
        (top,) = item["top"]
        assert set(top) == {"class", "index", "probability"}
        assert result["classes"][top["index"]] == top["class"]
        assert isinstance(top["probability"], float) and 0.5 <= top["probability"] <= 1.0
    assert main(["predict", str(toy.run), str(files[0]), "--json", "--top-k", "9"]) == 0
    assert len(json.loads(capsys.readouterr().out)["predictions"][0]["top"]) == 2  # all


def test_top_k_orders_and_clips():
    probs = np.array([[0.1, 0.6, 0.3], [0.5, 0.25, 0.25]], np.float32)
    order, values = top_k(probs, 2)
    np.testing.assert_array_equal(order, [[1, 2], [0, 1]])  # ties: lower index first
    np.testing.assert_allclose(values, [[0.6, 0.3], [0.5, 0.25]])
    assert top_k(probs, 10)[0].shape == (2, 3)


@pytest.fixture(scope="module")
def digits_run(tmp_path_factory):
    out = tmp_path_factory.mktemp("digits") / "run"
    train(build_config("cnn", "tiny", {"train.epochs": 3}), out, progress=False)
    return out


def test_builtin_dataset_run_takes_files_of_any_size(digits_run, tmp_path, capsys):
    """A `digits` run (8x8 grey): its own test images saved as 8x8 PNGs are classified as
    the model classifies the arrays; a 64x64 RGB copy is resized to 8x8 grey."""
    test = digits.load().test.arrays
    x, n = test["input"][:20], 20  # (20, 8, 8, 1) in [0, 1]
    paths = []
    for i in range(n):
        paths.append(tmp_path / f"{i:02d}.png")
        Image.fromarray(np.rint(x[i, :, :, 0] * 255).astype(np.uint8)).save(paths[-1])
    result = predict_files(digits_run, paths, 1)
    assert result["classes"] == [str(k) for k in range(10)] and result["dataset"] == "digits"
    guess = [p["top"][0]["index"] for p in result["predictions"]]
    expected = predict_proba(load_run(digits_run, need_data=False), x).argmax(axis=1)
    assert np.mean(np.array(guess) == expected) >= 0.9  # PNGs round pixels to 1/255
    big = tmp_path / "besar.png"
    Image.open(paths[0]).convert("RGB").resize((64, 64), Image.NEAREST).save(big)
    assert main(["predict", str(digits_run), str(big), "--json"]) == 0  # default --top-k 3
    top = json.loads(capsys.readouterr().out)["predictions"][0]["top"]
    assert len(top) == 3 and all(t["class"] in result["classes"] for t in top)


def test_run_reloads_without_its_data(digits_run):
    """`need_data=False` rebuilds the dataset's description from data.json (no data read)."""
    trainer = load_run(digits_run, need_data=False)
    saved = RunDir(digits_run).read_data()
    assert trainer.dataset.info.input_shape == tuple(saved["input_shape"]) == (8, 8, 1)
    assert trainer.dataset.info.class_names == tuple(saved["class_names"])
    assert len(trainer.dataset.test) == trainer.config.data.batch_size  # a stand-in
    data = RunDir(digits_run).data
    original = data.read_text()
    try:
        data.write_text(json.dumps({**saved, "input_shape": [8, "8", 1]}))
        with pytest.raises(DljaxError, match="data.json rusak"):
            load_run(digits_run, need_data=False)
    finally:
        data.write_text(original)


def config_only_run(path: Path, model: str, data: dict | None = None) -> Path:
    """A run directory with only config.json (and data.json): `predict` refuses a
    non-classifier from these alone, before any weights are loaded."""
    run = RunDir(path)
    run.create()
    run.write_config(build_config(model, "tiny").to_dict())
    if data is not None:
        run.write_data(data)
    return path


def test_predict_refuses_runs_that_do_not_classify_images(tmp_path, capsys):
    image = tmp_path / "x.png"
    Image.new("L", (8, 8)).save(image)
    for model in ("dcgan", "vae", "ddpm"):
        run = config_only_run(tmp_path / model, model)
        assert main(["predict", str(run), str(image)]) == 2
        err = capsys.readouterr().err
        assert "dljax: galat:" in err and "generatif" in err, err
        assert f"dljax sample {run}" in err
    lm = config_only_run(tmp_path / "lm", "char_lstm")
    assert main(["predict", str(lm), str(image)]) == 2
    err = capsys.readouterr().err
    assert "model bahasa" in err and f"dljax sample {lm} --prompt" in err
    spiral = config_only_run(tmp_path / "spiral", "mlp", {"kind": "table", "name": "spiral"})
    with pytest.raises(DljaxError, match=f"berjenis 'table'.*dljax eval {spiral}"):
        predict_files(spiral, [image])
