"""Exercise checkers of chapter 7 (`lessons/7-transformer`): attention from scratch, a causal
mask, top-k filtering for sampling, and cutting images into patches.

Every checker takes the learner's answer, prints an Indonesian verdict and returns
True/False; an unanswered exercise or one that raises is "belum tepat", never a crash.
The references are `dljax.models.attention` and `dljax.models.vit` themselves.
"""

from __future__ import annotations

from collections.abc import Callable

import jax.numpy as jnp
import numpy as np

from dljax.exercises._common import check_function, raised, report, rng_for
from dljax.models.attention import attention
from dljax.models.vit import patchify


# ------------------------------------------------------------------------ 01 attention
def check_attention(fn: Callable) -> bool:
    """`fn(q, k, v, mask)` for one head: q (Tq, D), k and v (Tk, D), mask bool (Tq, Tk)
    (True = may attend) -> softmax(q k^T / sqrt(D), masked) v, (Tq, D)."""
    rng = rng_for("transformer.check_attention")

    def reference(q, k, v, mask):
        out = attention(q[None, :, None], k[None, :, None], v[None, :, None], mask[None, None])
        return np.asarray(out[0, :, 0])

    inputs = []
    for tq, tk, d in ((4, 4, 8), (3, 5, 2)):
        q, k, v = (rng.standard_normal((t, d)).astype(np.float32) for t in (tq, tk, tk))
        mask = rng.random((tq, tk)) < 0.7
        mask[:, 0] = True  # every query sees at least one key
        inputs.append((jnp.asarray(q), jnp.asarray(k), jnp.asarray(v), jnp.asarray(mask)))
    return check_function(
        "Latihan attention",
        fn,
        reference,
        inputs,
        "bagi skor dengan sqrt(D) (D = q.shape[-1]), beri -inf (atau bilangan sangat "
        "negatif) pada posisi mask False sebelum softmax atas sumbu kunci (axis=-1).",
    )


def check_causal_mask(fn: Callable) -> bool:
    """`fn(T)` -> bool (T, T): True where key position <= query position."""
    name = "Latihan mask kausal"
    try:
        for t in (1, 3, 6):
            answer = fn(t)
            if answer is None:
                return report(name, False, "fungsimu masih mengembalikan None.")
            answer = np.asarray(answer)
            want = np.tril(np.ones((t, t), bool))
            if answer.shape != want.shape or not np.array_equal(answer.astype(bool), want):
                return report(
                    name,
                    False,
                    f"untuk T={t} hasilnya harus segitiga bawah (baris = kueri, kolom = kunci), "
                    "termasuk diagonal: posisi t boleh melihat dirinya sendiri.",
                )
    except Exception as err:  # a learner's code may raise anything; report it, don't crash
        return raised(name, err)
    return report(name, True)


# ---------------------------------------------------------------------------- 02 GPT
def check_top_k(fn: Callable) -> bool:
    """`fn(logits, k)`: logits (B, V) -> the same with every entry below the k-th largest of
    its row set to -inf (ties with the k-th largest are kept)."""
    rng = rng_for("transformer.check_top_k")

    def reference(logits, k):
        kth = np.sort(np.asarray(logits), axis=-1)[:, -k][:, None]
        return np.where(np.asarray(logits) < kth, -np.inf, np.asarray(logits))

    name = "Latihan top-k"
    try:
        for k in (1, 3, 8):
            logits = jnp.asarray(rng.standard_normal((3, 8)).astype(np.float32))
            answer = fn(logits, k)
            if answer is None:
                return report(name, False, "fungsimu masih mengembalikan None.")
            answer, want = np.asarray(answer), reference(logits, k)
            if answer.shape != want.shape or not np.array_equal(np.isinf(answer), np.isinf(want)):
                return report(
                    name,
                    False,
                    f"untuk k={k} harus tersisa tepat k nilai terbesar per baris; yang lain -inf.",
                )
            if not np.allclose(answer[~np.isinf(want)], want[~np.isinf(want)]):
                return report(name, False, "nilai yang tersisa harus tetap sama (jangan diubah).")
    except Exception as err:  # a learner's code may raise anything; report it, don't crash
        return raised(name, err)
    return report(name, True)


# ---------------------------------------------------------------------------- 03 ViT
def check_patchify(fn: Callable) -> bool:
    """`fn(images, P)`: (B, H, W, C) -> (B, N, P*P*C), patches row by row, each flattened
    as (P, P, C); compared with `dljax.models.vit.patchify`."""
    rng = rng_for("transformer.check_patchify")
    inputs = [
        (jnp.asarray(rng.standard_normal((2, 8, 8, 1)).astype(np.float32)), 2),
        (jnp.asarray(rng.standard_normal((1, 4, 8, 3)).astype(np.float32)), 4),
    ]
    return check_function(
        "Latihan patch",
        fn,
        lambda x, p: np.asarray(patchify(x, p)),
        inputs,
        "reshape ke (B, H/P, P, W/P, P, C), tukar sumbu menjadi (B, H/P, W/P, P, P, C), lalu "
        "reshape ke (B, N, P*P*C).",
    )
