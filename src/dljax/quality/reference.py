"""The reference classifier: the feature space that sample-quality numbers are computed in.

A dljax CNN trained once per dataset with a fixed seed and config by the engine, cached on
disk (`ReferenceClassifier.load_or_train`), whose penultimate layer gives the features.
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import tempfile
import time
from pathlib import Path
from typing import Any

import jax
import jax.numpy as jnp
import numpy as np
from flax import nnx

from dljax.config import Config, config_from_dict
from dljax.data import DatasetInfo, as_arrays, load_dataset
from dljax.data.download import cache_root
from dljax.errors import DljaxError
from dljax.formatting import format_percent
from dljax.recipes import MODELS, build_config
from dljax.train import Trainer
from dljax.train.export import load_into, save_params
from dljax.train.state import inference_params

# ----------------------------------------------------------------------------- reference classifier

# The reference CNN per dataset: overrides of the `cnn` model's default preset. On digits a
# wider hidden layer with more dropout and weight decay makes 1-2 test errors of 360 for
# seeds 0, 1 and 2 (the default `cnn` run makes 4): see benchmarks/reference_classifier.py
# and benchmarks/results/reference_classifier.json.
REFERENCE_MODEL = "cnn"
REFERENCE_OVERRIDES: dict[str, dict[str, Any]] = {
    "digits": {
        "model.hidden": 256,
        "model.dropout": 0.5,
        "train.epochs": 40,
        "train.lr": 3e-3,
        "train.weight_decay": 1e-2,
        "train.checkpoint_every": 40,  # only the final weights are kept
        "train.keep_checkpoints": 1,
    },
}
REFERENCE_SEED = 0
# Datasets whose images are the user's (--data-dir): the reference trains on the run's own
# data settings, and its cache folder also names a digest of the images.
OWN_DATA = ("folder",)
OWN_DATA_KEYS = ("data_dir", "image_size", "channels", "skip_bad", "batch_size")  # fits the data
FEATURE_BATCH = 256
_INFO_FILE = "reference.json"
_PARAMS_FILE = "params.safetensors"

# How many times this process has trained a reference classifier (tests check the cache).
training_runs = 0


def fit_reference(config: Config, params_file: Path, progress: bool = False):
    """Train the reference classifier `config` with the engine and write its final weights
    to `params_file`; returns (the run's summary, the dataset's `DatasetInfo`)."""
    dataset = load_dataset(config.data)
    trainer = Trainer(config, dataset=dataset)
    result = trainer.fit(progress=progress)
    params = trainer.parallel.gather((inference_params(trainer.state), trainer.state.rest))
    save_params(params_file, *params)
    return result.summary, dataset.info


def reference_config(dataset: str = "digits", data=None) -> Config:
    """The fixed config of the reference classifier of `dataset`; for the user's own images
    (`OWN_DATA`) with the folder and image settings of `data` (a run's `DataConfig`)."""
    overrides = {
        **REFERENCE_OVERRIDES.get(dataset, {}),
        "data.name": dataset,
        "train.seed": REFERENCE_SEED,
    }
    if dataset in OWN_DATA and data is not None:
        overrides.update({f"data.{k}": getattr(data, k) for k in OWN_DATA_KEYS})
    return build_config(REFERENCE_MODEL, "default", overrides)


def images_digest(dataset) -> str:
    """A short SHA-256 of a dataset's images and labels (both splits)."""
    h = hashlib.sha256()
    for split in (dataset.train, dataset.test):
        for value in as_arrays(split).values():
            h.update(np.ascontiguousarray(value).tobytes())
    return h.hexdigest()[:12]


def config_hash(config: Config) -> str:
    """A short, stable hash of a config (the name of its cache folder)."""
    text = json.dumps(config.to_dict(), sort_keys=True, default=str)
    return hashlib.sha256(text.encode()).hexdigest()[:12]


def _cnn_forward(model, x: jax.Array) -> tuple[jax.Array, jax.Array]:
    """Penultimate features (B, hidden) and logits (B, K) of a `dljax.models.CNN`."""
    for block in model.blocks:
        x = block(x)
    x = x.reshape(x.shape[0], -1)  # (B, h * w * c)
    features = nnx.relu(model.fc(x))  # (B, hidden); dropout is the identity in eval mode
    return features, model.head(features)


class ReferenceClassifier:
    """A trained CNN whose penultimate layer gives the features of the quality numbers.

    Build it with `ReferenceClassifier.load_or_train(dataset)`: the first call trains it with
    the engine and caches it on disk; every later call loads the saved weights.
    """

    def __init__(self, model: nnx.Module, config: Config, info: dict, path: Path):
        self.config = config
        self.path = Path(path)
        self.info = info
        self.dataset = config.data.name
        self.accuracy = float(info["test_accuracy"])
        self.input_shape = tuple(info["input_shape"])  # (H, W, C)
        self.num_classes = int(info["num_classes"])
        model.eval()
        graphdef, state = nnx.split(model)
        self._state = state

        @jax.jit
        def forward(state, x):  # x (FEATURE_BATCH, h, w, C) -> (B, D), (B, K)
            m = nnx.merge(graphdef, state)
            h, w, c = self.input_shape
            if x.shape[1:3] != (h, w):
                x = jax.image.resize(x, (x.shape[0], h, w, c), "linear", antialias=True)
            return _cnn_forward(m, x)

        self._forward = forward
        self._stats_cache: dict[tuple, Any] = {}

    # ------------------------------------------------------------------------- building
    @classmethod
    def load_or_train(
        cls,
        dataset: str = "digits",
        *,
        cache_dir: str | Path | None = None,
        progress: bool = False,
        config: Config | None = None,
        digest: str = "",
    ) -> ReferenceClassifier:
        """The reference classifier of `dataset`, trained once and cached on disk.

        The cache folder is `cache_dir / f"{dataset}-{config_hash}"` (default `cache_dir`:
        `dljax.data.download.cache_root() / "reference"`), plus `-{digest}` when given (the
        user's own images: `images_digest`). `config` replaces the fixed reference config
        (tests use a tiny one).
        """
        config = config if config is not None else reference_config(dataset)
        if config.data.name != dataset:
            raise DljaxError(
                f"config.data.name={config.data.name!r} tidak sama dengan dataset={dataset!r}; "
                "pakai config dari reference_config(dataset)."
            )
        root = Path(cache_dir) if cache_dir is not None else cache_root() / "reference"
        path = root / f"{dataset}-{config_hash(config)}{'-' + digest if digest else ''}"
        if not (path / _INFO_FILE).is_file():
            cls._train_into(config, path, progress)
        return cls.load(path)

    @classmethod
    def load(cls, path: str | Path) -> ReferenceClassifier:
        """Load a cached reference classifier folder (written by `load_or_train`)."""
        path = Path(path)
        info_file = path / _INFO_FILE
        if not info_file.is_file():
            raise DljaxError(
                f"{path} bukan cache classifier referensi (tidak ada {_INFO_FILE}). "
                "Buat dengan ReferenceClassifier.load_or_train(dataset)."
            )
        info = json.loads(info_file.read_text())
        recipe = MODELS[info["config"]["model_name"]]
        config = config_from_dict(info["config"], recipe.config_cls)
        data_info = DatasetInfo(
            name=info["dataset"],
            description="",
            kind="image",
            input_shape=tuple(info["input_shape"]),
            num_classes=int(info["num_classes"]),
        )
        model = recipe.build_model(config, data_info, nnx.Rngs(params=0))
        load_into(model, path / _PARAMS_FILE)
        return cls(model, config, info, path)

    @staticmethod
    def _train_into(config: Config, path: Path, progress: bool) -> None:
        """Train `config` and publish its weights at `path` atomically (temp dir + rename)."""
        global training_runs
        path.parent.mkdir(parents=True, exist_ok=True)
        tmp = Path(tempfile.mkdtemp(prefix=f".{path.name}.tmp-", dir=path.parent))
        try:
            if progress:
                print(
                    f"Melatih classifier referensi {config.model_name} untuk dataset "
                    f"{config.data.name!r} (sekali saja; disimpan di {path}) ..."
                )
            t0 = time.perf_counter()
            summary, data_info = fit_reference(config, tmp / _PARAMS_FILE, progress)
            seconds = time.perf_counter() - t0
            training_runs += 1
            info = {
                "dataset": config.data.name,
                "test_accuracy": float(summary["test_accuracy"]),
                "test_loss": float(summary["test_loss"]),
                "train_seconds": round(seconds, 3),
                "input_shape": list(data_info.input_shape),
                "num_classes": int(data_info.num_classes),
                "config_hash": config_hash(config),
                "config": config.to_dict(),
            }
            (tmp / _INFO_FILE).write_text(json.dumps(info, indent=2, ensure_ascii=False) + "\n")
            if progress:
                print(
                    f"Akurasi uji classifier referensi: {format_percent(info['test_accuracy'], 1)}."
                )
            try:
                os.rename(tmp, path)  # atomic; fails when another process published first
            except OSError:
                if not (path / _INFO_FILE).is_file():
                    raise
        finally:
            shutil.rmtree(tmp, ignore_errors=True)

    # ------------------------------------------------------------------------- inference
    def _run(self, images) -> tuple[np.ndarray, np.ndarray]:
        x = np.asarray(images, np.float32)
        c = self.input_shape[2]
        if x.ndim != 4 or x.shape[3] != c:
            raise DljaxError(
                f"Gambar berbentuk {x.shape}; classifier referensi {self.dataset!r} butuh "
                f"(N, tinggi, lebar, {c}) dengan nilai di [0, 1]."
            )
        if x.size and (x.min() < -1e-3 or x.max() > 1 + 1e-3):
            raise DljaxError(
                f"Nilai piksel di rentang [{x.min():.3g}, {x.max():.3g}], harus di [0, 1]. "
                "Untuk keluaran tanh di [-1, 1], ubah dulu: (x + 1) / 2."
            )
        n = len(x)
        nb = max(1, -(-n // FEATURE_BATCH))
        padded = np.zeros((nb * FEATURE_BATCH, *x.shape[1:]), np.float32)
        padded[:n] = x
        outs = [
            self._forward(self._state, padded[i * FEATURE_BATCH : (i + 1) * FEATURE_BATCH])
            for i in range(nb)  # fixed-size batches: one compilation per image size
        ]
        feats, logits = jax.device_get(outs[0] if nb == 1 else jax.tree.map(_concat, *outs))
        return np.asarray(feats[:n]), np.asarray(logits[:n])

    def features(self, images) -> np.ndarray:
        """Penultimate-layer features (N, D) of images (N, H, W, C) in [0, 1].

        Images of another height/width than `input_shape` are resized (bilinear, antialias).
        """
        return self._run(images)[0]

    def predict(self, images) -> np.ndarray:
        """Predicted classes (N,) int of images (N, H, W, C) in [0, 1]."""
        return self._run(images)[1].argmax(axis=1).astype(np.int32)

    def __repr__(self) -> str:
        return (
            f"ReferenceClassifier(dataset={self.dataset!r}, accuracy={self.accuracy:.4f}, "
            f"input_shape={self.input_shape}, path={str(self.path)!r})"
        )


def _concat(*xs):
    return jnp.concatenate(xs, axis=0)
