"""`predict_files(run_dir, paths, k)`: the most probable classes of image files, from a
classifier run directory alone (`dljax predict`).

Every file is read and preprocessed exactly as the `folder` dataset prepares training
images (`dljax.data.folder.load_image`: squashed to the run's input size, its channels,
values in [0, 1]), so an image of another size or mode (e.g. a photo for a `digits` run)
is resized to the run's input. The run is loaded with `load_run(..., need_data=False)`:
the training data need not exist any more; class names come from data.json.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np

from dljax.data.folder import EXTENSIONS, load_image
from dljax.errors import DljaxError
from dljax.recipes import MODELS
from dljax.runs.api import load_run
from dljax.runs.resume import saved_config
from dljax.runs.run_dir import RunDir
from dljax.train.predict import predict_proba, top_k

MAX_FILES = 10_000  # images per call


def check_classifier(run_dir: RunDir):
    """The run's config when it is an image classifier; otherwise an Indonesian refusal
    that names the command to use instead (read before any weights are loaded)."""
    if not run_dir.path.is_dir():
        raise DljaxError(f"Direktori run {run_dir.path} tidak ada. Lihat folder runs/.")
    config = saved_config(run_dir)
    task = MODELS[config.model_name].task
    what = f"Run {run_dir.path} melatih {config.model_name!r}"
    if task.sample_kind == "image":
        raise DljaxError(
            f"{what}, model generatif gambar: ia tidak mengklasifikasi. `dljax predict` hanya "
            f"untuk classifier gambar; untuk membangkitkan gambar: dljax sample {run_dir.path}"
        )
    if task.sample_kind == "tokens":
        raise DljaxError(
            f"{what}, model bahasa. `dljax predict` hanya untuk classifier gambar; untuk "
            f'membangkitkan teks: dljax sample {run_dir.path} --prompt "Aku"'
        )
    saved = run_dir.read_data() or {}
    kind = saved.get("kind", "image" if MODELS[config.model_name].inputs == "image" else "?")
    if task.name != "classification" or kind != "image":
        raise DljaxError(
            f"{what} (tugas {task.name}) pada data berjenis {kind!r}. `dljax predict` hanya "
            "untuk classifier gambar (mis. run `dljax train cnn --dataset folder`); evaluasi "
            f"run ini dengan: dljax eval {run_dir.path}"
        )
    return config


def image_files(paths) -> list[Path]:
    """The given files, with each folder replaced by its image files (sorted, not hidden)."""
    files = []
    for path in map(Path, paths):
        if not path.is_dir():
            files.append(path)
            continue
        found = sorted(
            p
            for p in path.iterdir()
            if p.suffix.lower() in EXTENSIONS and not p.name.startswith(".") and p.is_file()
        )
        if not found:
            raise DljaxError(
                f"Folder {str(path)!r} tidak berisi gambar PNG/JPEG/BMP/GIF. Berikan berkas "
                "gambar, atau folder yang berisi gambar."
            )
        files += found
    if not files or len(files) > MAX_FILES:
        raise DljaxError(
            f"Berikan 1 sampai {MAX_FILES} berkas gambar (diberikan {len(files)}); "
            "mis. dljax predict runs/cnn-folder foto.jpg"
        )
    return files


def predict_files(run_dir, paths, k: int = 3) -> dict:
    """The `k` most probable classes of every image in `paths` (files or folders) for the
    classifier run at `run_dir`, as a JSON-ready dict:

    `{"run", "model", "dataset", "input_shape": [H, W, C], "classes": [names],
    "predictions": [{"file", "top": [{"class", "index", "probability"}, ...]}, ...]}`.
    """
    run_dir = run_dir if isinstance(run_dir, RunDir) else RunDir(run_dir)
    if isinstance(k, bool) or not isinstance(k, int) or k < 1:
        raise DljaxError(f"--top-k={k} harus >= 1 (mis. --top-k 3).")
    config = check_classifier(run_dir)
    files = image_files(paths)
    trainer = load_run(run_dir, need_data=False)
    info = trainer.dataset.info
    h, w, c = info.input_shape
    if h != w or c not in (1, 3):
        raise DljaxError(
            f"Run {run_dir.path} dilatih pada gambar {h} x {w} x {c}; `dljax predict` hanya "
            "membaca berkas untuk gambar persegi dengan 1 atau 3 kanal."
        )
    images = np.stack([load_image(path, h, c) for path in files])  # (N, H, W, C)
    probs = predict_proba(trainer, images)  # (N, K)
    names = list(info.class_names) or [str(i) for i in range(probs.shape[1])]
    order, top = top_k(probs, k)
    predictions = [
        {
            "file": str(path),
            "top": [
                {"class": names[j], "index": int(j), "probability": float(p)}
                for j, p in zip(row, values, strict=True)
            ],
        }
        for path, row, values in zip(files, order, top, strict=True)
    ]
    return {
        "run": str(run_dir.path),
        "model": config.model_name,
        "dataset": config.data.name,
        "input_shape": [h, w, c],
        "classes": names,
        "predictions": predictions,
    }
