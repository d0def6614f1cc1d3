"""Sample-quality numbers shared by the lessons, the CLI and the benchmarks.

- `frechet_distance`: the Fréchet distance between two Gaussians, computed stably with a
  symmetric square root (`eigh`), never a general `sqrtm`;
- `gaussian_stats`: mean and covariance of a feature matrix;
- `knn_precision_recall`: k-NN precision and recall (Kynkäänniemi et al. 2019);
- `ReferenceClassifier`: a dljax CNN trained once per dataset with a fixed seed and config,
  cached on disk, whose penultimate layer gives the features the numbers are computed on;
- `quality_report`: FD of samples against the test set, next to two references measured the
  same way (`fd_floor`: train vs test; `fd_baseline`: a full-covariance Gaussian fitted to
  the training pixels), plus precision, recall and, for conditional models, label accuracy.

The scale of an FD depends on the feature layer, so a score is only meaningful next to its
floor and baseline, measured with the same reference classifier.
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

from dljax.config import Config, build_config, config_from_dict
from dljax.errors import DljaxError

# ----------------------------------------------------------------------------- Fréchet distance


def _symmetric(a: np.ndarray) -> np.ndarray:
    return 0.5 * (a + a.T)


def _sqrt_psd(a: np.ndarray) -> np.ndarray:
    """Symmetric square root of a symmetric positive semi-definite matrix, via `eigh`.

    Eigenvalues below zero (rounding of a near-singular covariance) are clipped to zero.
    """
    w, v = np.linalg.eigh(_symmetric(a))  # (D,), (D, D)
    return (v * np.sqrt(np.clip(w, 0.0, None))) @ v.T  # (D, D)


def _check_stats(mu: np.ndarray, cov: np.ndarray, name: str) -> None:
    if mu.ndim != 1 or cov.shape != (mu.shape[0], mu.shape[0]):
        raise DljaxError(
            f"{name}: mean berbentuk {mu.shape} dan kovarians {cov.shape} tidak cocok; "
            "harus (D,) dan (D, D), mis. dari gaussian_stats(fitur)."
        )


def frechet_distance(mu1, cov1, mu2, cov2) -> float:
    """Fréchet distance between N(mu1, cov1) and N(mu2, cov2).

    ``||mu1 - mu2||^2 + tr(cov1) + tr(cov2) - 2 tr((cov1 cov2)^(1/2))``, where the last trace
    is computed as ``tr((s1 cov2 s1)^(1/2))`` with ``s1 = cov1^(1/2)``: ``s1 cov2 s1`` is
    symmetric positive semi-definite and similar to ``cov1 cov2``, so both square roots come
    from `np.linalg.eigh` and stay real. mu (D,), cov (D, D); computed in float64. The result
    is clipped at 0 (rounding can make a distance of two equal Gaussians slightly negative).
    """
    mu1, mu2 = np.asarray(mu1, np.float64), np.asarray(mu2, np.float64)
    cov1, cov2 = np.asarray(cov1, np.float64), np.asarray(cov2, np.float64)
    _check_stats(mu1, cov1, "frechet_distance (argumen pertama)")
    _check_stats(mu2, cov2, "frechet_distance (argumen kedua)")
    if mu1.shape != mu2.shape:
        raise DljaxError(
            f"frechet_distance: dimensi fitur berbeda, {mu1.shape[0]} vs {mu2.shape[0]}; "
            "hitung kedua statistik dengan classifier referensi yang sama."
        )
    s1 = _sqrt_psd(cov1)  # (D, D)
    inner = _symmetric(s1 @ cov2 @ s1)  # (D, D), PSD
    trace_sqrt = np.sum(np.sqrt(np.clip(np.linalg.eigvalsh(inner), 0.0, None)))
    diff = mu1 - mu2  # (D,)
    d = diff @ diff + np.trace(cov1) + np.trace(cov2) - 2.0 * trace_sqrt
    return float(max(d, 0.0))


def gaussian_stats(features) -> tuple[np.ndarray, np.ndarray]:
    """Mean (D,) and unbiased covariance (D, D) of features (N, D), in float64."""
    x = np.asarray(features, np.float64)
    if x.ndim != 2 or x.shape[0] < 2:
        raise DljaxError(
            f"gaussian_stats: fitur berbentuk {x.shape}; harus (N, D) dengan N >= 2 contoh."
        )
    return x.mean(axis=0), np.cov(x, rowvar=False).reshape(x.shape[1], x.shape[1])


# ----------------------------------------------------------------------------- precision/recall

_CHUNK_ELEMENTS = 1 << 22  # pairwise-distance block size (rows x columns), ~32 MB in float64


def _sq_dists(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    """Squared Euclidean distances (A, B) between rows of a (A, D) and b (B, D)."""
    d = (a * a).sum(1)[:, None] + (b * b).sum(1)[None, :] - 2.0 * (a @ b.T)  # (A, B)
    return np.maximum(d, 0.0)


def _row_chunks(n_rows: int, n_cols: int):
    step = max(1, _CHUNK_ELEMENTS // max(n_cols, 1))
    return range(0, n_rows, step), step


def _knn_radii(x: np.ndarray, k: int) -> np.ndarray:
    """Squared distance (N,) of each row of x to its k-th nearest neighbour, itself excluded."""
    starts, step = _row_chunks(len(x), len(x))
    radii = []
    for s in starts:  # blocks of rows, not single samples
        d = _sq_dists(x[s : s + step], x)  # (chunk, N); includes the 0 to itself
        radii.append(np.partition(d, k, axis=1)[:, k])
    return np.concatenate(radii)


def _inside_any_ball(queries: np.ndarray, centres: np.ndarray, radii: np.ndarray) -> np.ndarray:
    """(Q,) bool: query i lies within the k-NN ball of at least one centre."""
    starts, step = _row_chunks(len(queries), len(centres))
    inside = [
        (_sq_dists(queries[s : s + step], centres) <= radii[None, :]).any(axis=1) for s in starts
    ]
    return np.concatenate(inside)


def knn_precision_recall(real, fake, k: int = 3) -> tuple[float, float]:
    """Improved precision and recall (Kynkäänniemi et al. 2019) of fake (M, D) vs real (N, D).

    Each set's manifold is the union of balls around its points with radius the distance to
    the point's k-th nearest neighbour in its own set. Precision: the fraction of fake points
    inside the real manifold (fidelity); recall: the fraction of real points inside the fake
    manifold (coverage). Use sets of similar size: the radii grow as a set gets sparser.
    """
    real = np.asarray(real, np.float64)
    fake = np.asarray(fake, np.float64)
    if real.ndim != 2 or fake.ndim != 2 or real.shape[1] != fake.shape[1]:
        raise DljaxError(
            f"knn_precision_recall: fitur real {real.shape} dan fake {fake.shape} harus "
            "berbentuk (N, D) dan (M, D) dengan D yang sama."
        )
    if not 1 <= k < min(len(real), len(fake)):
        raise DljaxError(
            f"knn_precision_recall: k={k} harus >= 1 dan lebih kecil dari ukuran kedua "
            f"himpunan ({len(real)} real, {len(fake)} fake); pakai lebih banyak sampel atau "
            "k yang lebih kecil, mis. k=3."
        )
    precision = _inside_any_ball(fake, real, _knn_radii(real, k)).mean()
    recall = _inside_any_ball(real, fake, _knn_radii(fake, k)).mean()
    return float(precision), float(recall)


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
FEATURE_BATCH = 256
_INFO_FILE = "reference.json"
_PARAMS_FILE = "params.safetensors"

# How many times this process has trained a reference classifier (tests check the cache).
training_runs = 0


def reference_config(dataset: str = "digits") -> Config:
    """The fixed config of the reference classifier of `dataset`."""
    overrides = {
        **REFERENCE_OVERRIDES.get(dataset, {}),
        "data.name": dataset,
        "train.seed": REFERENCE_SEED,
    }
    return build_config(REFERENCE_MODEL, "default", overrides)


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
    ) -> ReferenceClassifier:
        """The reference classifier of `dataset`, trained once and cached on disk.

        The cache folder is `cache_dir / f"{dataset}-{config_hash}"` (default `cache_dir`:
        `dljax.data.download.cache_root() / "reference"`). `config` replaces the fixed
        reference config (tests use a tiny one).
        """
        from dljax.data.download import cache_root

        config = config if config is not None else reference_config(dataset)
        if config.data.name != dataset:
            raise DljaxError(
                f"config.data.name={config.data.name!r} tidak sama dengan dataset={dataset!r}; "
                "pakai config dari reference_config(dataset)."
            )
        root = Path(cache_dir) if cache_dir is not None else cache_root() / "reference"
        path = root / f"{dataset}-{config_hash(config)}"
        if not (path / _INFO_FILE).is_file():
            cls._train_into(config, path, progress)
        return cls.load(path)

    @classmethod
    def load(cls, path: str | Path) -> ReferenceClassifier:
        """Load a cached reference classifier folder (written by `load_or_train`)."""
        from dljax.data import DatasetInfo
        from dljax.models import get_spec
        from dljax.train.export import load_into

        path = Path(path)
        info_file = path / _INFO_FILE
        if not info_file.is_file():
            raise DljaxError(
                f"{path} bukan cache classifier referensi (tidak ada {_INFO_FILE}). "
                "Buat dengan ReferenceClassifier.load_or_train(dataset)."
            )
        info = json.loads(info_file.read_text())
        spec = get_spec(info["config"]["model_name"])
        config = config_from_dict(info["config"], spec.config_cls)
        data_info = DatasetInfo(
            name=info["dataset"],
            description="",
            kind="image",
            input_shape=tuple(info["input_shape"]),
            num_classes=int(info["num_classes"]),
        )
        model = spec.build(config.model, data_info, nnx.Rngs(params=0))
        load_into(model, path / _PARAMS_FILE)
        return cls(model, config, info, path)

    @staticmethod
    def _train_into(config: Config, path: Path, progress: bool) -> None:
        """Train `config` and publish its weights at `path` atomically (temp dir + rename)."""
        global training_runs
        from dljax.data import load_dataset
        from dljax.train import train

        path.parent.mkdir(parents=True, exist_ok=True)
        tmp = Path(tempfile.mkdtemp(prefix=f".{path.name}.tmp-", dir=path.parent))
        try:
            if progress:
                print(
                    f"Melatih classifier referensi {config.model_name} untuk dataset "
                    f"{config.data.name!r} (sekali saja; disimpan di {path}) ..."
                )
            dataset = load_dataset(config.data)
            t0 = time.perf_counter()
            result = train(config, out=tmp / "run", dataset=dataset, progress=progress)
            seconds = time.perf_counter() - t0
            training_runs += 1
            shutil.move(str(tmp / "run" / _PARAMS_FILE), str(tmp / _PARAMS_FILE))
            shutil.rmtree(tmp / "run")
            info = {
                "dataset": config.data.name,
                "test_accuracy": float(result.summary["test_accuracy"]),
                "test_loss": float(result.summary["test_loss"]),
                "train_seconds": round(seconds, 3),
                "input_shape": list(dataset.info.input_shape),
                "num_classes": int(dataset.info.num_classes),
                "config_hash": config_hash(config),
                "config": config.to_dict(),
            }
            (tmp / _INFO_FILE).write_text(json.dumps(info, indent=2, ensure_ascii=False) + "\n")
            if progress:
                print(f"Akurasi uji classifier referensi: {_percent(info['test_accuracy'])}.")
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


def _percent(x: float) -> str:
    return f"{100 * x:.1f} %".replace(".", ",")


# ----------------------------------------------------------------------------- quality report


def _gaussian_pixel_samples(train_images: np.ndarray, n: int, seed: int) -> np.ndarray:
    """n images drawn from a full-covariance Gaussian fitted to the training pixels, clipped
    to [0, 1]. train_images (N, H, W, C) -> (n, H, W, C) float32."""
    shape = train_images.shape[1:]
    flat = train_images.reshape(len(train_images), -1).astype(np.float64)  # (N, P)
    mu, cov = gaussian_stats(flat)
    w, v = np.linalg.eigh(cov)
    root = v * np.sqrt(np.clip(w, 0.0, None))  # (P, P): root @ root.T = cov
    z = np.random.default_rng(seed).standard_normal((n, flat.shape[1]))  # (n, P)
    x = mu[None, :] + z @ root.T
    return np.clip(x, 0.0, 1.0).astype(np.float32).reshape(n, *shape)


def _reference_stats(ref: ReferenceClassifier, dataset, n: int, seed: int) -> dict:
    """Test features and the floor/baseline FDs, cached on `ref` per dataset, n and seed."""
    from dljax.data import as_arrays

    train_x = np.asarray(as_arrays(dataset.train)["input"])  # (N_train, H, W, C)
    test_x = np.asarray(as_arrays(dataset.test)["input"])  # (N_test, H, W, C)
    key_data = (dataset.info.name, train_x.shape, test_x.shape)
    cache = ref._stats_cache
    if key_data not in cache:
        test_feats = ref.features(test_x)  # (N_test, D)
        test_stats = gaussian_stats(test_feats)
        train_stats = gaussian_stats(ref.features(train_x))
        cache[key_data] = {
            "test_features": test_feats,
            "test_stats": test_stats,
            "fd_floor": frechet_distance(*train_stats, *test_stats),
        }
    entry = cache[key_data]
    key_baseline = (*key_data, "baseline", n, seed)
    if key_baseline not in cache:
        baseline = _gaussian_pixel_samples(train_x, n, seed)
        cache[key_baseline] = frechet_distance(
            *gaussian_stats(ref.features(baseline)), *entry["test_stats"]
        )
    return {**entry, "fd_baseline": cache[key_baseline]}


def quality_report(
    ref: ReferenceClassifier, samples, dataset, *, labels=None, seed: int = 0
) -> dict[str, float]:
    """Quality numbers of generated images (N, H, W, C) in [0, 1] against `dataset`'s test set.

    Returns `fd` (samples vs test set), `fd_floor` (train set vs test set), `fd_baseline`
    (N samples of a full-covariance Gaussian fitted to the training pixels vs test set),
    `precision` and `recall` (k = 3, samples vs test set) and, when `labels` (N,) are the
    conditioning labels, `label_accuracy` (reference prediction == label). The floor and
    baseline are cached on `ref`, so repeated reports only compute the samples' features.
    """
    samples = np.asarray(samples, np.float32)
    if samples.ndim != 4 or len(samples) < 2:
        raise DljaxError(
            f"quality_report: samples berbentuk {samples.shape}; harus (N, H, W, C) dengan "
            "N >= 2 gambar di [0, 1]."
        )
    n = len(samples)
    ref_stats = _reference_stats(ref, dataset, n, seed)
    feats, logits = ref._run(samples)  # (N, D), (N, K)
    precision, recall = knn_precision_recall(ref_stats["test_features"], feats, k=3)
    report = {
        "fd": frechet_distance(*gaussian_stats(feats), *ref_stats["test_stats"]),
        "fd_floor": ref_stats["fd_floor"],
        "fd_baseline": ref_stats["fd_baseline"],
        "precision": precision,
        "recall": recall,
    }
    if labels is not None:
        labels = np.asarray(labels).reshape(-1)
        if labels.shape != (n,):
            raise DljaxError(
                f"quality_report: labels berisi {labels.size} label untuk {n} sampel; "
                "berikan satu label kondisi per sampel."
            )
        report["label_accuracy"] = float(np.mean(logits.argmax(axis=1) == labels))
    return report
