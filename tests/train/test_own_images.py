"""Models that take images train on the user's own image folder (`--dataset folder`), and
their runs reload from the run directory alone."""

from __future__ import annotations

import json
import re
import shutil
from dataclasses import asdict
from pathlib import Path

import jax
import numpy as np
import pytest
from flax import nnx
from PIL import Image

from dljax.cli import main
from dljax.config import DataConfig
from dljax.data import load_dataset
from dljax.quality import reference_config
from dljax.recipes import MODELS, build_config, check_compatible
from dljax.runs import RunDir, train
from dljax.viz import save_gif

TINY = ["--preset", "tiny", "--quiet", "--dataset", "folder", "--batch-size", "8"]


@pytest.mark.parametrize(
    ("model", "settings"),
    [
        ("cnn", []),
        ("vae", []),
        ("dcgan", ["--set", "data.channels=3"]),  # grey files, trained as RGB
    ],
)
def test_trains_on_an_image_folder(model, settings, shapes_folder, tmp_path, monkeypatch, capsys):
    monkeypatch.chdir(tmp_path)
    data = shapes_folder(n=10)
    argv = ["train", model, *TINY, "--data-dir", str(data), "--out", "run", *settings]
    assert main(argv) == 0, capsys.readouterr().err
    run = tmp_path / "run"
    saved = json.loads((run / "data.json").read_text())
    assert saved["name"] == "folder" and saved["class_names"] == ["lingkaran", "persegi"]
    channels = 3 if settings else 1
    size = 16  # the files' size (dcgan's tiny preset also asks for 16)
    assert saved["input_shape"] == [size, size, channels]
    assert (saved["num_train"], saved["num_test"]) == (16, 4)  # 80/20, stratified
    history = [json.loads(line) for line in (run / "metrics.jsonl").read_text().splitlines()]
    assert len(history) == 2 and all(np.isfinite(r["train_loss"]) for r in history)
    if model == "cnn":
        assert main(["eval", "run"]) == 0
        assert "Kelas (2): lingkaran, persegi" in capsys.readouterr().out
        return
    shutil.rmtree(data)  # sampling needs the run directory only
    assert main(["sample", "run", "--n", "4", "--out", "sampel.png"]) == 0
    grid = np.asarray(Image.open(tmp_path / "sampel.png"))
    assert grid.ndim == (3 if channels == 3 else 2)  # RGB grid for an RGB model


def test_quality_numbers_of_a_folder_run_use_its_own_reference(shapes_folder, tmp_path):
    """A generative run on a folder is scored by a reference classifier trained on the same
    images (the digits one would not fit), cached per digest of the images."""
    data = shapes_folder(n=10)
    own = DataConfig(name="folder", data_dir=str(data), image_size=12, channels=1)
    ref = reference_config("folder", own).data
    assert (ref.data_dir, ref.image_size, ref.channels) == (str(data), 12, 1)
    assert reference_config("digits", own) == reference_config("digits")  # built-ins: fixed
    overrides = {"data.name": "folder", "data.data_dir": str(data), "data.batch_size": 8}
    config = build_config("gan", "tiny", {**overrides, "train.quality": True, "train.epochs": 1})
    summary = train(config, tmp_path / "run", progress=False).summary
    assert {"fd", "fd_floor", "fd_baseline", "precision", "recall"} <= set(summary)
    assert all(np.isfinite(summary[k]) for k in ("fd", "fd_floor", "fd_baseline"))
    (cached,) = (tmp_path / "cache" / "reference").iterdir()
    assert cached.name.startswith("folder-") and cached.name.count("-") == 2  # + digest


def test_training_gif_keeps_colour(tmp_path):
    """Colour sample grids (an RGB folder) stay colour in samples/training.gif."""
    frames = []
    for i, colour in enumerate(((255, 0, 0), (0, 0, 255))):
        frames.append(tmp_path / f"epoch_{i:03d}.png")
        Image.new("RGB", (8, 8), colour).save(frames[-1])
    gif = Image.open(save_gif(frames, tmp_path / "training.gif"))
    assert gif.convert("RGB").getpixel((0, 0)) == (255, 0, 0)
    gif.seek(1)
    assert gif.convert("RGB").getpixel((0, 0)) == (0, 0, 255)


IMAGE_MODELS = sorted(
    name for name, recipe in MODELS.items() if recipe.inputs in ("image", "vector")
)


@pytest.fixture(scope="module")
def mixed_folder(tmp_path_factory, make_shapes):
    """3 classes (two grey, one colour) of 16x16 files, loaded once."""
    root = tmp_path_factory.mktemp("mixed")
    data = make_shapes(root / "gambar", n=5)
    (data / "ketiga").mkdir()
    for i in range(5):
        Image.new("RGB", (16, 16), (200, 30 * i, 0)).save(data / "ketiga" / f"{i}.png")
    with pytest.MonkeyPatch.context() as m:
        m.setenv("DLJAX_DATA", str(root / "cache"))
        config = DataConfig(name="folder", data_dir=str(data), batch_size=4)
        return config, load_dataset(config)


@pytest.mark.parametrize("model", IMAGE_MODELS)
def test_every_image_model_builds_on_an_image_folder(model, mixed_folder):
    """Every model that takes images accepts a folder dataset: the recipe's input check and
    the task's dataset check pass, and the model builds for the folder's shape (abstractly,
    `nnx.eval_shape`: no weights computed)."""
    data, dataset = mixed_folder
    assert dataset.info.class_names == ("ketiga", "lingkaran", "persegi")
    assert dataset.info.input_shape == (16, 16, 1)  # most files are grey
    config = build_config(model, "tiny", {f"data.{k}": v for k, v in asdict(data).items()})
    recipe = MODELS[model]
    check_compatible(config, recipe, recipe.make_task(config), dataset)
    abstract = nnx.eval_shape(lambda: recipe.build_model(config, dataset.info, nnx.Rngs(0)))
    assert sum(x.size for x in jax.tree.leaves(nnx.state(abstract, nnx.Param))) > 0


def test_readme_names_every_image_model():
    readme = (Path(__file__).resolve().parents[2] / "README.md").read_text(encoding="utf-8")
    line = next(x for x in readme.splitlines() if x.startswith("- Semua model gambar ("))
    following = readme[readme.index(line) :].split("menerima `--dataset folder`")[0]
    assert sorted(re.findall(r"`(\w+)`", following)) == IMAGE_MODELS


def test_autoencoder_samples_need_the_images(shapes_folder, tmp_path, capsys):
    """An autoencoder's samples reconstruct test images: without its folder, `sample` says
    so (exit 2); the other image models sample from data.json alone (tested above)."""
    run = RunDir(tmp_path / "ae")
    run.create()
    data = str(tmp_path / "hilang")
    run.write_config(
        build_config(
            "autoencoder", "tiny", {"data.name": "folder", "data.data_dir": data}
        ).to_dict()
    )
    run.write_data({"name": "folder", "kind": "image", "input_shape": [8, 8, 1], "num_classes": 2})
    assert main(["sample", str(run.path)]) == 2
    err = capsys.readouterr().err
    assert "dljax: galat: Data run" in err and "tidak bisa dimuat lagi" in err and "hilang" in err
