# ---
# jupyter:
#   jupytext:
#     cell_metadata_filter: -all
#     formats: ipynb,py:percent
#     text_representation:
#       extension: .py
#       format_name: percent
#       format_version: '1.3'
#       jupytext_version: 1.19.6
# ---

# %% [markdown]
# [![Buka di Colab](https://colab.research.google.com/assets/colab-badge.svg)](https://colab.research.google.com/github/dljax/dljax/blob/main/lessons/1-maths/03-matriks.ipynb)
#
# # 1.3 Matriks
#
# Satu lapisan jaringan saraf berisi banyak neuron, masing-masing menghitung hasil kali dalam
# $w_i^\top x$. Bila bobot-bobot itu kita susun sebagai baris sebuah **matriks** $W$, seluruh
# lapisan menjadi satu operasi: $Wx$. Perkalian matriks adalah operasi yang paling banyak
# dikerjakan komputer saat melatih model, dan yang paling dioptimalkan oleh XLA.
#
# Di pelajaran ini: membuat dan mengindeks matriks, perkalian matriks-vektor dan
# matriks-matriks, transpos, invers (dan mengapa `solve` lebih baik), serta norma matriks.

# %%
import sys

if "google.colab" in sys.modules:
    import subprocess

    subprocess.run(
        [sys.executable, "-m", "pip", "install", "-q", "git+https://github.com/dljax/dljax"],
        check=True,
    )

# %%
import time

import jax
import jax.numpy as jnp
import matplotlib.pyplot as plt

from dljax.exercises import maths as latihan
from dljax.formatting import format_float
from dljax.lesson import budget, print_key_numbers

# %% [markdown]
# ## Membuat dan mengindeks matriks
#
# Matriks $A \in \mathbb{R}^{m \times n}$ punya $m$ baris dan $n$ kolom; elemennya $A_{ij}$.
# Di JAX, matriks adalah array dua dimensi dengan `shape == (m, n)`.

# %%
A = jnp.array([[1.0, 2.0, 3.0], [4.0, 5.0, 6.0]])
print("A =\n", A)
print("shape:", A.shape)
print("A[1, 2] =", A[1, 2], "| baris 0:", A[0], "| kolom 1:", A[:, 1])
print("identitas 3x3:\n", jnp.eye(3))
print("diagonal:\n", jnp.diag(jnp.array([1.0, 2.0, 3.0])))
print("arange → reshape:\n", jnp.arange(6.0).reshape(2, 3))

# %% [markdown]
# ## Transpos
#
# Transpos $A^\top$ menukar baris dan kolom: $(A^\top)_{ij} = A_{ji}$, sehingga bentuknya
# menjadi $n \times m$.

# %%
print("A.T =\n", A.T, "\nshape:", A.T.shape)

# %% [markdown]
# ## Perkalian matriks-vektor
#
# Untuk $A \in \mathbb{R}^{m\times n}$ dan $x \in \mathbb{R}^n$, $y = Ax \in \mathbb{R}^m$ dengan
#
# $$y_i = \sum_{j=1}^n A_{ij} x_j .$$
#
# Ada dua cara melihatnya, dan keduanya berguna:
#
# 1. **per baris**: $y_i$ adalah hasil kali dalam baris ke-$i$ dengan $x$ (satu neuron per baris);
# 2. **per kolom**: $y = x_1 a_1 + \cdots + x_n a_n$, kombinasi linear kolom-kolom $A$.

# %%
x = jnp.array([1.0, 0.0, -1.0])
print("A @ x              =", A @ x)
print("per baris          =", jnp.array([A[i] @ x for i in range(A.shape[0])]))
print("kombinasi kolom    =", sum(x[j] * A[:, j] for j in range(A.shape[1])))

# %% [markdown]
# ## Perkalian matriks-matriks
#
# Untuk $A \in \mathbb{R}^{m\times n}$ dan $B \in \mathbb{R}^{n\times p}$, hasilnya
# $C = AB \in \mathbb{R}^{m\times p}$ dengan $C_{ij} = \sum_k A_{ik} B_{kj}$: baris ke-$i$
# dari $A$ dikali kolom ke-$j$ dari $B$. Dimensi dalamnya ($n$) harus sama.
#
# Sifat penting: **asosiatif** $(AB)C = A(BC)$, **tidak komutatif** ($AB \neq BA$ pada
# umumnya), dan $(AB)^\top = B^\top A^\top$.

# %%
B = jnp.array([[1.0, 0.0], [0.0, 1.0], [1.0, 1.0]])
print("A @ B =\n", A @ B)

kA, kB, kC = jax.random.split(jax.random.key(0), 3)
P = jax.random.normal(kA, (3, 3))
Q = jax.random.normal(kB, (3, 3))
R = jax.random.normal(kC, (3, 3))
print("asosiatif      :", jnp.allclose((P @ Q) @ R, P @ (Q @ R), atol=1e-5))
print("komutatif?     :", jnp.allclose(P @ Q, Q @ P))
print("(PQ)ᵀ = QᵀPᵀ   :", jnp.allclose((P @ Q).T, Q.T @ P.T))

# %% [markdown]
# `jnp.einsum` menulis rumus indeksnya langsung, berguna bila dimensinya banyak:
# `"ik,kj->ij"` adalah $C_{ij} = \sum_k A_{ik}B_{kj}$.

# %%
print(jnp.allclose(jnp.einsum("ik,kj->ij", A, B), A @ B))

# %% [markdown]
# Seberapa cepat? Mengalikan dua matriks $n \times n$ butuh $2n^3$ operasi titik-mengambang
# (FLOP). Kita ukur dengan `jax.jit` dan `block_until_ready()` (JAX bekerja asinkron:
# tanpa menunggu hasilnya, kita hanya mengukur waktu *mengirim* pekerjaan).

# %%
matmul = jax.jit(jnp.matmul)
gflops = {}
for n in budget((128, 256, 512, 1024), (64, 128, 256)):
    X = jax.random.normal(kA, (n, n))
    matmul(X, X).block_until_ready()  # pemanasan: kompilasi
    t0 = time.perf_counter()
    ulang = 5
    for _ in range(ulang):
        matmul(X, X).block_until_ready()
    dt = (time.perf_counter() - t0) / ulang
    gflops[n] = 2 * n**3 / dt / 1e9
    print(
        f"n = {n:5d}: {format_float(dt * 1e3, 2):>7} ms  →  {format_float(2 * n**3 / dt / 1e9, 1):>6} GFLOP/s"
    )

# %% [markdown]
# ## Matriks sebagai gambar
#
# Kadang lebih mudah *melihat* matriks. Di bawah: matriks acak $M$, transposnya, dan
# $M^\top M$ yang selalu **simetris** ($(M^\top M)^\top = M^\top M$).

# %%
M = jax.random.normal(kB, (6, 4))
matriks = (M, M.T, M.T @ M)
batas = max(float(jnp.abs(m).max()) for m in matriks)
fig, axes = plt.subplots(1, 3, figsize=(10, 3.6), layout="constrained")
for ax, mat, judul in zip(
    axes, matriks, ("M (6×4)", "Mᵀ (4×6)", "MᵀM (4×4), simetris"), strict=True
):
    im = ax.imshow(mat, cmap="coolwarm", vmin=-batas, vmax=batas)
    ax.set_title(judul)
    ax.set_xlabel("kolom")
    ax.set_ylabel("baris")
fig.colorbar(im, ax=axes, shrink=0.8)
plt.show()

# %% [markdown]
# ## Invers
#
# Matriks persegi $A$ punya **invers** $A^{-1}$ bila $A^{-1}A = AA^{-1} = I$. Invers ada
# tepat ketika determinannya tidak nol (kolom-kolomnya bebas linear). Untuk $2\times 2$:
#
# $$\begin{pmatrix} a & b \\ c & d \end{pmatrix}^{-1} = \frac{1}{ad - bc}\begin{pmatrix} d & -b \\ -c & a \end{pmatrix}.$$
#
# Untuk menyelesaikan $Ax = b$ kita *tidak* perlu membentuk $A^{-1}$: `jnp.linalg.solve`
# lebih cepat dan lebih akurat.

# %%
S = jnp.array([[4.0, 7.0], [2.0, 6.0]])
S_inv = jnp.linalg.inv(S)
print("S⁻¹ =\n", S_inv)
print("S⁻¹ S =\n", S_inv @ S)
print("det S =", jnp.linalg.det(S))

b = jnp.array([1.0, 2.0])
print("x = solve(S, b) =", jnp.linalg.solve(S, b), "| x = S⁻¹ b =", S_inv @ b)

# %% [markdown]
# Matriks yang *hampir* singular (kolomnya hampir sejajar) punya **bilangan kondisi**
# $\kappa(A) = \|A\|\,\|A^{-1}\|$ yang besar: galat kecil di $b$ (derau pengukuran,
# pembulatan) diperbesar hingga $\kappa$ kali di $x$. Dengan *float32* (sekitar 7 digit),
# $\kappa \approx 10^7$ berarti tidak ada digit yang bisa dipercaya. Kita akan bertemu
# masalah ini lagi di pelajaran kuadrat terkecil.

# %%
x_true = jnp.array([1.0, -1.0])
derau = jnp.array([1e-4, -1e-4])  # galat kecil di b
galat_kondisi = {}
for eps in (1e-1, 1e-2, 1e-3):
    H = jnp.array([[1.0, 1.0], [1.0, 1.0 + eps]])
    x_hat = jnp.linalg.solve(H, H @ x_true + derau)
    galat_kondisi[eps] = (float(jnp.linalg.cond(H)), float(jnp.linalg.norm(x_hat - x_true)))
    print(
        f"ε = {eps:.0e}: κ = {jnp.linalg.cond(H):8.1e}, x̂ = {x_hat}, "
        f"galat x = {jnp.linalg.norm(x_hat - x_true):.1e} (galat b = {jnp.linalg.norm(derau):.1e})"
    )

# %% [markdown]
# ## Norma matriks
#
# **Norma Frobenius** memperlakukan matriks sebagai vektor panjang:
# $\|A\|_F = \sqrt{\sum_{ij} A_{ij}^2}$. **Norma spektral** $\|A\|_2 = \max_{\|x\|=1}\|Ax\|$
# adalah faktor terbesar $A$ dapat "memanjangkan" sebuah vektor (nilai singular
# terbesar). Selalu $\|Ax\| \le \|A\|_2\|x\| \le \|A\|_F\|x\|$.

# %%
print("‖A‖_F  =", jnp.linalg.norm(A), "=", jnp.sqrt(jnp.sum(A**2)))
print("‖A‖_2  =", jnp.linalg.norm(A, ord=2), "= σ_max =", jnp.linalg.svd(A, compute_uv=False)[0])

xs = jax.random.normal(kC, (1000, 3))
rasio = jnp.linalg.norm(xs @ A.T, axis=1) / jnp.linalg.norm(xs, axis=1)
print(f"max ‖Ax‖/‖x‖ pada 1000 vektor acak = {format_float(rasio.max(), 4)} (≤ ‖A‖_2)")

# %% [markdown]
# ## Latihan
#
# **Latihan 1.** Tulis perkalian matriks $C_{ij} = \sum_k A_{ik}B_{kj}$ tanpa `@`,
# `jnp.matmul`, `jnp.dot` atau `jnp.einsum`. (Petunjuk: *broadcasting*.)


# %%
def kali_matriks(A, B):
    # TODO
    return None


_ = latihan.check_matmul(kali_matriks)

# %% [markdown]
# **Latihan 2.** Norma Frobenius $\|A\|_F$.


# %%
def norma_frobenius(A):
    # TODO
    return None


_ = latihan.check_frobenius_norm(norma_frobenius)

# %% [markdown]
# **Latihan 3.** Invers matriks $2\times 2$ dengan rumus di atas (tanpa `jnp.linalg.inv`).


# %%
def invers_2x2(A):
    # TODO: a, b, c, d = A[0, 0], A[0, 1], A[1, 0], A[1, 1]
    return None


_ = latihan.check_inverse_2x2(invers_2x2)

# %% [markdown]
# ## Ringkasan
#
# - Matriks $m\times n$ = array 2-D; `A.T` transpos, `A[i]` baris, `A[:, j]` kolom.
# - $Ax$: hasil kali dalam per baris = kombinasi linear kolom. Satu lapisan jaringan = $Wx + b$.
# - $AB$: asosiatif, tidak komutatif, $(AB)^\top = B^\top A^\top$; `@` dan `jnp.einsum`.
# - Invers ada bila $\det A \ne 0$; untuk $Ax = b$ pakai `jnp.linalg.solve`, bukan `inv`.
#   Bilangan kondisi yang besar berarti jawaban yang tidak akurat.
# - Norma Frobenius dan spektral mengukur "besar" matriks; $\|Ax\| \le \|A\|_2 \|x\|$.
#
# Berikutnya: kuadrat terkecil, matriks di dunia nyata untuk menaksir harga rumah. Angka kunci
# eksekusi ini:

# %%
n_besar = max(gflops)
print_key_numbers(
    {
        f"perkalian matriks {n_besar}×{n_besar}": f"{format_float(gflops[n_besar], 1)} GFLOP/s",
        "ε = 0,001: κ; galat x; galat b": f"{galat_kondisi[1e-3][0]:.1e}; "
        f"{galat_kondisi[1e-3][1]:.1e}; {float(jnp.linalg.norm(derau)):.1e}",
        "‖A‖_F / ‖A‖_2": f"{format_float(jnp.linalg.norm(A), 4)} / "
        f"{format_float(jnp.linalg.norm(A, ord=2), 4)}",
    }
)
