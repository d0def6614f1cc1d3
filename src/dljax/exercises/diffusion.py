"""Exercise checkers of chapter 6 (`lessons/6-diffusion`): forward noising and guidance.

Every checker takes the learner's answer, prints an Indonesian verdict and returns
True/False; an unanswered exercise or one that raises is "belum tepat", never a crash.
References are NumPy re-derivations in float64.
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np

from dljax.exercises._common import check_function, normals


def _rng(seed: int) -> np.random.Generator:
    return np.random.default_rng(20251126 + seed)


def check_q_sample(fn: Callable) -> bool:
    """`fn(x0, alpha_bar, eps)` -> sqrt(alpha_bar) x0 + sqrt(1 - alpha_bar) eps, with images
    x0 (B, H, W, C), alpha_bar (B,) one value per image, eps like x0."""
    rng = _rng(1)

    def reference(x0, alpha_bar, eps):
        ab = np.asarray(alpha_bar, np.float64).reshape(-1, 1, 1, 1)
        return np.sqrt(ab) * np.asarray(x0, np.float64) + np.sqrt(1 - ab) * eps

    inputs = []
    for b in (2, 5):
        x0 = rng.uniform(-1, 1, (b, 4, 4, 1)).astype(np.float32)
        ab = rng.uniform(0.01, 0.99, (b,)).astype(np.float32)
        inputs.append((x0, ab, rng.standard_normal(x0.shape).astype(np.float32)))
    return check_function(
        "Latihan q(x_t | x_0)",
        fn,
        reference,
        inputs,
        hint="ubah bentuk alpha_bar (B,) menjadi (B, 1, 1, 1) dulu agar ter-broadcast ke "
        "setiap piksel gambarnya, lalu pakai rumus di soal.",
        rtol=1e-5,
        atol=1e-6,
    )


def check_guidance(fn: Callable) -> bool:
    """`fn(eps_u, eps_c, w)` -> eps_u + w (eps_c - eps_u) (classifier-free guidance)."""
    rng = _rng(2)

    def reference(eps_u, eps_c, w):
        return np.asarray(eps_u, np.float64) + w * (eps_c - np.asarray(eps_u, np.float64))

    shape = (3, 4, 4, 1)
    inputs = [(*normals(rng, shape, shape), w) for w in (0.0, 1.0, 3.5)]
    return check_function(
        "Latihan guidance",
        fn,
        reference,
        inputs,
        hint="w = 0 harus memberi prediksi tanpa label, w = 1 prediksi bersyarat.",
    )


def check_predict_x0(fn: Callable) -> bool:
    """`fn(x_t, eps, alpha_bar)` -> (x_t - sqrt(1 - alpha_bar) eps) / sqrt(alpha_bar): the
    clean image implied by a noise prediction (the first half of a DDIM step); alpha_bar is a
    scalar."""
    rng = _rng(3)

    def reference(x_t, eps, alpha_bar):
        x_t, eps = np.asarray(x_t, np.float64), np.asarray(eps, np.float64)
        return (x_t - np.sqrt(1 - alpha_bar) * eps) / np.sqrt(alpha_bar)

    shape = (2, 4, 4, 1)
    inputs = [(*normals(rng, shape, shape), alpha_bar) for alpha_bar in (0.9, 0.3)]
    return check_function(
        "Latihan prediksi x0",
        fn,
        reference,
        inputs,
        hint="selesaikan rumus proses maju (pelajaran 6.1) untuk x₀: kurangi suku deraunya, "
        "lalu bagi dengan akar alpha_bar.",
    )
