"""Exercise checkers of chapter 8 (`lessons/8-paralel`): vmap and explicit collectives.

Every checker takes the learner's answer, prints an Indonesian verdict and returns
True/False; an unanswered exercise or one that raises is "belum tepat", never a crash.
References are NumPy re-derivations in float64.
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np

from dljax.exercises._common import check_function, normals, raised, report, rng_for


def check_per_example_grads(fn: Callable) -> bool:
    """`fn(w, x, y)` -> (B, D): the gradient of 0.5 * (x_i . w - y_i)^2 with respect to w,
    one row per example (w (D,), x (B, D), y (B,))."""
    rng = rng_for("paralel.check_per_example_grads")

    def reference(w, x, y):
        w, x, y = (np.asarray(a, np.float64) for a in (w, x, y))
        return (x @ w - y)[:, None] * x  # (B, D)

    inputs = [normals(rng, d, (b, d), b) for b, d in ((3, 2), (7, 5))]
    return check_function(
        "Latihan gradien per contoh",
        fn,
        reference,
        inputs,
        hint="tulis gradien untuk SATU contoh (w, x_i, y_i) dengan jax.grad, lalu jalankan "
        "atas semua contoh dengan jax.vmap (w tidak dipetakan, x dan y pada sumbu 0): "
        "hasilnya (B, D).",
    )


def check_global_mean(fn: Callable, devices: int = 4) -> bool:
    """`fn(x_local)` runs on every device with its (n, D) rows of a (devices * n, D) array and
    must return the mean of every column over ALL rows, with a collective over the axis
    named "data" (`jax.lax.psum`). Checked with `jax.vmap(fn, axis_name="data")`, which runs
    the same collectives as `shard_map` over `devices` simulated devices."""
    import jax

    name = "Latihan rata-rata global"
    rng = rng_for("paralel.check_global_mean")
    hint = (
        "hitung jumlah lokal setiap kolom dan banyak baris lokal, jumlahkan keduanya "
        'antarperangkat dengan jax.lax.psum atas sumbu "data", lalu bagi.'
    )
    for rows in (2, 5):
        x = rng.standard_normal((devices * rows, 3)).astype(np.float32)
        try:
            out = jax.vmap(fn, axis_name="data")(x.reshape(devices, rows, 3))
        except Exception as err:  # the learner's code may raise anything
            return raised(name, err, hint)
        if out is None:
            return report(name, False, hint)
        expected = np.broadcast_to(x.astype(np.float64).mean(axis=0), (devices, 3))
        if np.shape(out) != expected.shape or not np.allclose(out, expected, atol=1e-5):
            return report(
                name, False, "setiap perangkat harus mendapat rata-rata SEMUA baris; " + hint
            )
    return report(name, True)
