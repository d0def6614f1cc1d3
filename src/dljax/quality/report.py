"""Quality numbers of generated images, next to the references that give them a scale.

`quality_report` returns the FD of samples against the test set, next to two references
measured the same way (`fd_floor`: train vs test; `fd_baseline`: a full-covariance Gaussian
fitted to the training pixels), plus precision, recall and, for conditional models, label
accuracy. `QualityHook` computes it once after training (`train.quality`), from
`QUALITY_SAMPLES` samples of the task's `sample` protocol.

The scale of an FD depends on the feature layer, so a score is only meaningful next to its
floor and baseline, measured with the same reference classifier.
"""

from __future__ import annotations

import sys

import jax
import numpy as np

from dljax.data import as_arrays
from dljax.errors import DljaxError
from dljax.quality.reference import (
    OWN_DATA,
    ReferenceClassifier,
    images_digest,
    reference_config,
)
from dljax.quality.second_space import MLPFeatures
from dljax.quality.stats import (
    frechet_distance,
    gaussian_stats,
    knn_precision_recall,
    per_class_recall,
)

QUALITY_SAMPLES = 1000  # generated images compared with the test set for FD/precision/recall
MIN_TEST_IMAGES = 4  # precision/recall need more test images than their k = 3 neighbours

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


def pr_subset(n: int, size: int, seed: int) -> np.ndarray:
    """Sorted indices of `min(n, size)` of n samples, drawn without replacement (seeded)."""
    if n <= size:
        return np.arange(n)
    return np.sort(np.random.default_rng(seed).choice(n, size, replace=False))


_SECOND_SPACES: dict[tuple, MLPFeatures] = {}


def second_space(dataset) -> MLPFeatures:
    """The second feature space of `dataset` (trained once per process and dataset)."""
    train = np.asarray(as_arrays(dataset.train)["input"])
    key = (dataset.info.name, train.shape, float(train.sum()))
    if key not in _SECOND_SPACES:
        _SECOND_SPACES[key] = MLPFeatures.fit(dataset)
    return _SECOND_SPACES[key]


def _second_space_report(second, samples, dataset, n: int, seed: int) -> dict[str, float]:
    """FD (with its own floor and baseline), precision and recall in the second space."""
    cache = second.__dict__.setdefault("_stats_cache", {})
    train_x = np.asarray(as_arrays(dataset.train)["input"])
    test_x = np.asarray(as_arrays(dataset.test)["input"])
    key = (dataset.info.name, train_x.shape, test_x.shape, n, seed)
    if key not in cache:
        test_feats = second.features(test_x)
        test_stats = gaussian_stats(test_feats)
        baseline = second.features(_gaussian_pixel_samples(train_x, n, seed))
        cache[key] = {
            "test_features": test_feats,
            "test_stats": test_stats,
            "fd_floor": frechet_distance(*gaussian_stats(second.features(train_x)), *test_stats),
            "fd_baseline": frechet_distance(*gaussian_stats(baseline), *test_stats),
        }
    entry = cache[key]
    feats = second.features(samples)
    subset = pr_subset(len(feats), len(test_x), seed)
    precision, recall = knn_precision_recall(entry["test_features"], feats[subset], k=3)
    return {
        "fd_mlp": frechet_distance(*gaussian_stats(feats), *entry["test_stats"]),
        "fd_mlp_floor": entry["fd_floor"],
        "fd_mlp_baseline": entry["fd_baseline"],
        "precision_mlp": precision,
        "recall_mlp": recall,
    }


def quality_report(
    ref: ReferenceClassifier, samples, dataset, *, labels=None, seed: int = 0, second=None
) -> dict[str, float]:
    """Quality numbers of generated images (N, H, W, C) in [0, 1] against `dataset`'s test set.

    Returns `fd` (samples vs test set), `fd_floor` (train set vs test set), `fd_baseline`
    (N samples of a full-covariance Gaussian fitted to the training pixels vs test set),
    and `precision` and `recall` (k = 3) of N_test of the samples (`pr_subset`: drawn at
    random, so that samples ordered by label still give every class its share) against the
    N_test test images (sets of the same size: k-NN radii grow as a set gets sparser). When
    `labels` (N,) are the conditioning labels: `label_accuracy` (reference prediction ==
    label) and the lowest and mean recall within one class (`recall_class_min`,
    `recall_class_mean`). With
    `second` (a `second_space.MLPFeatures`), the same FD, floor, baseline, precision and
    recall in that space (`fd_mlp`, ...). Floors and baselines are cached, so repeated
    reports only compute the samples' features.
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
    test_feats = ref_stats["test_features"]
    subset = pr_subset(n, len(test_feats), seed)
    precision, recall = knn_precision_recall(test_feats, feats[subset], k=3)
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
        test_labels = np.asarray(as_arrays(dataset.test)["label"])
        by_class = per_class_recall(test_feats, test_labels, feats, labels, k=3)
        if by_class:
            report["recall_class_min"] = min(by_class.values())
            report["recall_class_mean"] = float(np.mean(list(by_class.values())))
    if second is not None:
        report.update(_second_space_report(second, samples, dataset, n, seed))
    return report


class QualityHook:
    """After training (a `Trainer.fit` hook): the quality numbers of `QUALITY_SAMPLES`
    samples against the test set, on the reference classifier's features, added to the
    summary.

    Everything is compared at the resolution the model was trained at: a run on digits
    resized to 16x16 is scored against the 16x16 test and training images, which the
    reference resizes to its own input exactly as it resizes the samples. (Scoring 16x16
    samples against the native 8x8 test set would charge the model for the resize round
    trip itself: real training images round-tripped 8 -> 16 -> 8 measure FD ~110 against
    a floor of ~4.) A run on the user's own images (`folder`) gets a reference trained on
    the same images and settings, cached per digest of the images.
    """

    def __init__(self, samples: int = QUALITY_SAMPLES):
        self.samples = samples

    def on_fit_end(self, trainer, summary: dict) -> None:
        data, dataset = trainer.config.data, trainer.dataset
        if len(dataset.test) < MIN_TEST_IMAGES:
            print(
                f"dljax: peringatan: FD, precision dan recall dilewati: data uji hanya "
                f"{len(dataset.test)} gambar (butuh minimal {MIN_TEST_IMAGES}).",
                file=sys.stderr,
            )
            return
        own = data.name in OWN_DATA  # the user's images: a reference of their own
        reference = ReferenceClassifier.load_or_train(
            data.name,
            config=reference_config(data.name, data),
            digest=images_digest(dataset) if own else "",
        )
        options = trainer.task.sample_request(trainer.dataset, self.samples, None)
        images = trainer.sample(self.samples, seed=trainer.config.train.seed, **options)
        labels = options.get("labels")
        report = quality_report(
            reference,
            images,
            trainer.dataset,
            labels=None if labels is None else jax.device_get(labels),
            second=second_space(dataset),
        )
        summary.update({k: float(v) for k, v in report.items()})
