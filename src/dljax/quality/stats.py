"""Statistics of sample quality, in NumPy: Fréchet distance and k-NN precision/recall.

- `frechet_distance`: the Fréchet distance between two Gaussians, computed stably with a
  symmetric square root (`eigh`), never a general `sqrtm`;
- `gaussian_stats`: mean and covariance of a feature matrix;
- `knn_precision_recall`: k-NN precision and recall (Kynkäänniemi et al. 2019).
"""

from __future__ import annotations

import numpy as np

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


def per_class_recall(real, real_labels, fake, fake_labels, k: int = 3) -> dict[int, float]:
    """Recall (`knn_precision_recall`) within each class: the real examples of class c
    (N_c, D) against the fakes generated for class c, at most N_c of them so that both sets
    have similar sizes. A class whose fakes all collapse to one point covers only the real
    examples inside that point's ball. Returns {class: recall}; classes with fewer than
    k + 1 examples on either side are left out."""
    real, fake = np.asarray(real, np.float64), np.asarray(fake, np.float64)
    real_labels, fake_labels = np.asarray(real_labels), np.asarray(fake_labels)
    out = {}
    for c in np.unique(real_labels):
        r = real[real_labels == c]
        f = fake[fake_labels == c][: len(r)]
        if min(len(r), len(f)) > k:
            out[int(c)] = knn_precision_recall(r, f, k=k)[1]
    return out
