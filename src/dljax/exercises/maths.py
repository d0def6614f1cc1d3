"""Exercise checkers of chapter 1 (`lessons/1-maths`): vectors, linear functions, matrices,
least squares and 2-D transforms.

Every checker takes the learner's answer (usually a function), prints an Indonesian verdict
and returns True/False. An unanswered exercise (a function returning None) or one that
raises is reported as "belum tepat", never as a crash.
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np

from dljax.exercises._common import check_function, close, raised, report, rng_for


def _vectors(rng: np.random.Generator, n: int, dim: int) -> list[np.ndarray]:
    return [rng.standard_normal(dim) for _ in range(n)]


# ----------------------------------------------------------------------------- 01 vektor
def check_inner_product(fn: Callable) -> bool:
    """`fn(x, y)` -> the inner product sum_i x_i y_i of two vectors of equal length."""
    rng = rng_for("maths.check_inner_product")
    inputs = [
        (np.array([1.0, 2.0, 3.0]), np.array([4.0, 5.0, 6.0])),
        (np.array([1.0, 0.0]), np.array([0.0, 1.0])),
        *[(a, b) for a, b in zip(_vectors(rng, 3, 7), _vectors(rng, 3, 7), strict=True)],
    ]
    return check_function(
        "Latihan hasil kali dalam",
        fn,
        lambda x, y: float(np.sum(x * y)),
        inputs,
        hint="kalikan elemen-elemen yang seposisi, lalu jumlahkan semuanya (tanpa jnp.dot atau "
        "@). Untuk [1, 2, 3] dan [4, 5, 6] hasilnya 32.",
    )


def check_unit_vector(fn: Callable) -> bool:
    """`fn(x)` -> x / ||x||, the unit vector in the direction of x."""
    rng = rng_for("maths.check_unit_vector")
    inputs = [
        (np.array([3.0, 4.0]),),
        (np.array([0.0, 0.0, 2.0]),),
        *[(v,) for v in _vectors(rng, 3, 5)],
    ]
    return check_function(
        "Latihan vektor satuan",
        fn,
        lambda x: x / np.linalg.norm(x),
        inputs,
        hint="bagi x dengan normanya (akar hasil kali dalam x dengan dirinya sendiri); "
        "[3, 4] menjadi [0,6; 0,8].",
    )


def check_angle(fn: Callable) -> bool:
    """`fn(x, y)` -> the angle between x and y in radians, arccos(x·y / (||x|| ||y||))."""
    rng = rng_for("maths.check_angle")

    def reference(x, y):
        c = np.dot(x, y) / (np.linalg.norm(x) * np.linalg.norm(y))
        return float(np.arccos(np.clip(c, -1.0, 1.0)))

    inputs = [
        (np.array([1.0, 0.0]), np.array([0.0, 1.0])),
        (np.array([1.0, 1.0]), np.array([1.0, 0.0])),
        *[(a, b) for a, b in zip(_vectors(rng, 3, 4), _vectors(rng, 3, 4), strict=True)],
    ]
    return check_function(
        "Latihan sudut antarvektor",
        fn,
        reference,
        inputs,
        hint="hitung cosine similarity (hasil kali dalam dibagi hasil kali kedua norma), lalu "
        "arccos-nya. Sudut [1, 0] dan [0, 1] adalah π/2.",
    )


# ----------------------------------------------------------------------------- 02 fungsi linear
def _test_functions():
    """(f in JAX, its gradient in numpy float64, point z, point x)."""
    import jax.numpy as jnp

    def g3(z):
        s = 1.0 + np.sum(z**4)
        return 4 * z**3 / s

    return [
        (lambda x: jnp.sum(x**2), lambda z: 2 * z, np.array([1.0, 2.0]), np.array([1.1, 1.9])),
        (
            lambda x: jnp.sin(x[0]) * jnp.exp(x[1]),
            lambda z: np.array([np.cos(z[0]) * np.exp(z[1]), np.sin(z[0]) * np.exp(z[1])]),
            np.array([0.3, -0.2]),
            np.array([0.35, -0.1]),
        ),
        (lambda x: jnp.log(1.0 + jnp.sum(x**4)), g3, np.array([0.5, 1.0, -1.0]), np.zeros(3)),
    ]


def check_taylor(fn: Callable) -> bool:
    """`fn(f, z, x)` -> the first-order Taylor approximation f(z) + ∇f(z)·(x - z)."""
    name = "Latihan aproksimasi Taylor"
    hint = (
        "hitung f dan gradiennya (jax.grad) di titik z, lalu tambahkan hasil kali dalam gradien "
        "itu dengan selisih x − z."
    )
    try:
        ok = True
        for f, grad, z, x in _test_functions():
            expected = float(f(z)) + grad(z) @ (x - z)
            ok &= close(fn(f, z.astype(np.float32), x.astype(np.float32)), expected, rtol=1e-3)
    except Exception as err:
        return raised(name, err, hint)
    return report(name, ok, hint)


def check_directional_derivative(fn: Callable) -> bool:
    """`fn(f, x, v)` -> the directional derivative ∇f(x)·v (e.g. with `jax.jvp`)."""
    name = "Latihan turunan berarah"
    hint = (
        "jax.jvp menerima fungsi, titik dan arah (masing-masing di dalam tupel) dan "
        "mengembalikan dua nilai, f di titik itu dan turunan berarahnya: ambil yang kedua."
    )
    try:
        ok = True
        for f, grad, x, v in _test_functions():
            v = v + 0.5
            expected = grad(x) @ v
            ok &= close(fn(f, x.astype(np.float32), v.astype(np.float32)), expected, rtol=1e-3)
    except Exception as err:
        return raised(name, err, hint)
    return report(name, ok, hint)


def check_is_linear(answers: dict) -> bool:
    """`answers` maps the names "f1".."f4" of the lesson's functions to True (linear) / False.

    f1(x) = 3 x1 - 2 x2 (linear), f2(x) = x1 x2 (not), f3(x) = 2 x1 + 1 (affine, not linear),
    f4(x) = mean(x) (linear).
    """
    expected = {"f1": True, "f2": False, "f3": False, "f4": True}
    ok = isinstance(answers, dict) and all(
        isinstance(answers.get(k), bool | np.bool_) and bool(answers[k]) == v
        for k, v in expected.items()
    )
    return report(
        "Latihan linear atau tidak",
        ok,
        "uji superposisi f(αx + βy) = αf(x) + βf(y); fungsi afin (ada konstanta) tidak linear.",
    )


# ----------------------------------------------------------------------------- 03 matriks
def _matrix_pairs(rng: np.random.Generator):
    return [
        (np.array([[1.0, 2.0], [3.0, 4.0]]), np.array([[5.0, 6.0], [7.0, 8.0]])),
        (rng.standard_normal((3, 4)), rng.standard_normal((4, 2))),
        (rng.standard_normal((1, 5)), rng.standard_normal((5, 3))),
    ]


def check_matmul(fn: Callable) -> bool:
    """`fn(A, B)` -> the matrix product A B, shape (m, p) from (m, n) and (n, p)."""
    rng = rng_for("maths.check_matmul")
    return check_function(
        "Latihan perkalian matriks",
        fn,
        lambda a, b: a @ b,
        _matrix_pairs(rng),
        hint="C[i, j] = Σ_k A[i, k] B[k, j]: beri A dan B sumbu baru agar hasil kali elemennya "
        "ter-broadcast menjadi (m, n, p), lalu jumlahkan pada sumbu tengah. Hasilnya (m, p).",
    )


def check_frobenius_norm(fn: Callable) -> bool:
    """`fn(A)` -> the Frobenius norm sqrt(Σ_ij A_ij²)."""
    rng = rng_for("maths.check_frobenius_norm")
    inputs = [(np.array([[3.0, 0.0], [0.0, 4.0]]),), (rng.standard_normal((3, 5)),)]
    return check_function(
        "Latihan norma Frobenius",
        fn,
        lambda a: np.sqrt(np.sum(a**2)),
        inputs,
        hint="akar dari jumlah kuadrat semua elemen; untuk diag(3, 4) hasilnya 5.",
    )


def check_inverse_2x2(fn: Callable) -> bool:
    """`fn(A)` -> the inverse of a 2x2 matrix with the adjugate formula."""
    inputs = [
        (np.array([[4.0, 7.0], [2.0, 6.0]]),),
        (np.array([[1.0, 2.0], [3.0, 4.0]]),),
        (np.array([[0.0, 1.0], [-1.0, 0.0]]),),
    ]
    return check_function(
        "Latihan invers 2x2",
        fn,
        np.linalg.inv,
        inputs,
        hint="pakai rumus di pelajaran: tukar kedua elemen diagonal, ubah tanda dua elemen "
        "lainnya, lalu bagi dengan determinan ad − bc. Cek: A kali inversnya ≈ I.",
    )


# ----------------------------------------------------------------------------- 04 kuadrat terkecil
def _regression_problems(rng: np.random.Generator):
    out = []
    for m, n in ((20, 3), (50, 5), (8, 2)):
        a = rng.standard_normal((m, n))
        b = a @ rng.standard_normal(n) + 0.1 * rng.standard_normal(m)
        out.append((a, b))
    return out


def check_normal_equations(fn: Callable) -> bool:
    """`fn(A, b)` -> x̂ = (AᵀA)⁻¹ Aᵀ b, the least-squares solution via the normal equations."""
    rng = rng_for("maths.check_normal_equations")
    return check_function(
        "Latihan persamaan normal",
        fn,
        lambda a, b: np.linalg.lstsq(a, b, rcond=None)[0],
        _regression_problems(rng),
        hint="bentuk AᵀA dan Aᵀb, lalu selesaikan sistem (AᵀA) x = Aᵀb dengan "
        "jnp.linalg.solve (bukan invers, bukan lstsq).",
        rtol=1e-3,
        atol=1e-4,
    )


def check_rms_error(fn: Callable) -> bool:
    """`fn(A, x, b)` -> the RMS residual sqrt(mean((A x - b)²))."""
    rng = rng_for("maths.check_rms_error")
    inputs = []
    for a, b in _regression_problems(rng):
        inputs.append((a, rng.standard_normal(a.shape[1]), b))
    return check_function(
        "Latihan galat RMS",
        fn,
        lambda a, x, b: np.sqrt(np.mean((a @ x - b) ** 2)),
        inputs,
        hint="hitung residu A x − b, lalu akar dari rata-rata kuadratnya.",
    )


def check_add_intercept(fn: Callable) -> bool:
    """`fn(X)` -> [1 | X]: X (m, n) with a first column of ones, shape (m, n + 1)."""
    rng = rng_for("maths.check_add_intercept")
    inputs = [(np.array([[2.0], [3.0]]),), (rng.standard_normal((5, 3)),)]
    return check_function(
        "Latihan kolom intersep",
        fn,
        lambda x: np.concatenate([np.ones((x.shape[0], 1)), x], axis=1),
        inputs,
        hint="buat satu kolom angka 1 setinggi X, lalu sambungkan di depan X pada sumbu "
        "kolom (jnp.concatenate).",
    )


# ----------------------------------------------------------------------------- 05 transformasi 2-D
def check_rotation_matrix(fn: Callable) -> bool:
    """`fn(theta)` -> the 2x2 counter-clockwise rotation by theta radians."""

    def reference(t):
        return np.array([[np.cos(t), -np.sin(t)], [np.sin(t), np.cos(t)]])

    return check_function(
        "Latihan matriks rotasi",
        fn,
        reference,
        [(0.0,), (np.pi / 2,), (np.pi / 6,), (-1.0,)],
        hint="kolom pertama R(θ) adalah bayangan e₁ setelah diputar θ, yaitu (cos θ, sin θ); "
        "kolom kedua adalah bayangan e₂. R(π/2) memutar [1, 0] menjadi [0, 1].",
    )


def check_shear_matrix(fn: Callable) -> bool:
    """`fn(k)` -> the horizontal shear [[1, k], [0, 1]]."""
    return check_function(
        "Latihan matriks geser",
        fn,
        lambda k: np.array([[1.0, k], [0.0, 1.0]]),
        [(0.0,), (0.5,), (-2.0,)],
        hint="geser horizontal: x' = x + k·y, y' = y; baca kedua kolomnya dari bayangan e₁ dan e₂.",
    )


def check_composition(matrix) -> bool:
    """The matrix that first rotates by 90° counter-clockwise, then doubles the x axis."""
    expected = np.diag([2.0, 1.0]) @ np.array([[0.0, -1.0], [1.0, 0.0]])
    return report(
        "Latihan komposisi transformasi",
        close(matrix, expected),
        "transformasi yang dikerjakan lebih dulu ditulis paling kanan dalam hasil kalinya.",
    )
