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
# [![Buka di Colab](https://colab.research.google.com/assets/colab-badge.svg)](https://colab.research.google.com/github/dljax/dljax/blob/main/lessons/1-maths/05-transformasi-2d.ipynb)
#
# # 1.5 Transformasi linear 2-D
#
# Matriks $2\times 2$ bisa kita *lihat*: ia menggerakkan setiap titik bidang. Jaringan saraf
# melakukan hal yang sama di ruang berdimensi tinggi: setiap lapisan memutar, meregangkan
# dan menggeser ruang data, lalu fungsi aktivasi "melipatnya", sampai kelas-kelas yang tadinya
# berbelit bisa dipisahkan garis lurus. Intuisi 2-D ini akan kita pakai di bab MLP.
#
# Di pelajaran ini: penskalaan, rotasi, geser (*shear*) dan refleksi; mengapa **kolom matriks
# adalah bayangan vektor basis**; komposisi (urutan penting!), determinan dan invers.

# %%
import sys

if "google.colab" in sys.modules:
    import subprocess

    subprocess.run(
        [sys.executable, "-m", "pip", "install", "-q", "git+https://github.com/dljax/dljax"],
        check=True,
    )

# %%
import jax
import jax.numpy as jnp
import matplotlib.pyplot as plt

from dljax.exercises import maths as latihan
from dljax.formatting import format_float
from dljax.lesson import print_key_numbers

# %% [markdown]
# ## Kolom matriks = bayangan vektor basis
#
# Setiap vektor bidang adalah kombinasi vektor basis $e_1 = (1, 0)$ dan $e_2 = (0, 1)$:
# $x = x_1 e_1 + x_2 e_2$. Karena $A$ linear,
#
# $$Ax = x_1\,(Ae_1) + x_2\,(Ae_2),$$
#
# dan $Ae_1$, $Ae_2$ adalah kolom pertama dan kedua $A$. Jadi untuk mengetahui ke mana $A$
# membawa *seluruh* bidang, cukup lihat ke mana ia membawa dua vektor basis: kisi-kisi
# persegi menjadi kisi-kisi jajaran genjang yang dibentuk oleh kolom-kolom $A$.

# %%
A = jnp.array([[2.0, 1.0], [0.5, 1.5]])
e1, e2 = jnp.array([1.0, 0.0]), jnp.array([0.0, 1.0])
print("A e1 =", A @ e1, "= kolom 0:", A[:, 0])
print("A e2 =", A @ e2, "= kolom 1:", A[:, 1])
x = jnp.array([3.0, -2.0])
print("A x =", A @ x, "= 3·Ae1 - 2·Ae2 =", 3 * A[:, 0] - 2 * A[:, 1])

# %% [markdown]
# Untuk menggambar, kita butuh sebuah bentuk yang tidak simetris (agar putaran dan
# pencerminan terlihat): huruf **F**. Titik-titiknya disimpan sebagai matriks $(N, 2)$, satu
# baris per titik. Mengalikan *setiap* titik dengan $A$ bisa ditulis dengan `jax.vmap`
# (memetakan fungsi satu-titik ke seluruh baris), atau sekaligus sebagai `titik @ A.T`.

# %%
huruf_f = 1.4 * jnp.array(
    [
        [0.0, 0.0],
        [0.3, 0.0],
        [0.3, 0.4],
        [0.7, 0.4],
        [0.7, 0.62],
        [0.3, 0.62],
        [0.3, 0.85],
        [0.9, 0.85],
        [0.9, 1.1],
        [0.0, 1.1],
    ]
)


def terapkan(A, titik):
    """Terapkan A pada setiap baris `titik` (N, 2)."""
    return jax.vmap(lambda p: A @ p)(titik)


print("vmap sama dengan titik @ A.T:", jnp.allclose(terapkan(A, huruf_f), huruf_f @ A.T))


# %%
def gambar(ax, A, judul):
    """Kisi-kisi, huruf F, dan bayangan e1 (merah) dan e2 (biru) di bawah A."""
    for c in jnp.arange(-2.0, 3.0):
        garis_v = terapkan(A, jnp.stack([jnp.full(2, c), jnp.array([-2.0, 2.0])], axis=1))
        garis_h = terapkan(A, jnp.stack([jnp.array([-2.0, 2.0]), jnp.full(2, c)], axis=1))
        ax.plot(*garis_v.T, color="0.85", lw=0.8)
        ax.plot(*garis_h.T, color="0.85", lw=0.8)
    ax.fill(*huruf_f.T, color="0.6", alpha=0.3)  # bentuk asli, samar
    ax.fill(*terapkan(A, huruf_f).T, color="tab:green", alpha=0.8)
    for kolom, warna in ((A[:, 0], "tab:red"), (A[:, 1], "tab:blue")):
        ax.annotate(
            "",
            xy=tuple(kolom),
            xytext=(0, 0),
            arrowprops=dict(arrowstyle="->", lw=2.5, color=warna),
        )
    ax.set_xlim(-2.2, 2.2)
    ax.set_ylim(-2.2, 2.2)
    ax.set_aspect("equal")
    ax.set_title(f"{judul}\ndet = {format_float(jnp.linalg.det(A), 2)}", fontsize=10)
    ax.set_xticks([])
    ax.set_yticks([])


# %% [markdown]
# ## Empat transformasi dasar
#
# $$S = \begin{pmatrix} s_x & 0 \\ 0 & s_y \end{pmatrix},\quad
# R(\theta) = \begin{pmatrix} \cos\theta & -\sin\theta \\ \sin\theta & \cos\theta \end{pmatrix},\quad
# G = \begin{pmatrix} 1 & k \\ 0 & 1 \end{pmatrix},\quad
# C = \begin{pmatrix} -1 & 0 \\ 0 & 1 \end{pmatrix}$$
#
# - **penskalaan** $S$ meregangkan sumbu $x$ sebesar $s_x$ dan sumbu $y$ sebesar $s_y$;
# - **rotasi** $R(\theta)$ memutar berlawanan arah jarum jam sebesar $\theta$;
# - **geser** $G$ menggeser setiap titik secara horizontal sebanding dengan tingginya;
# - **refleksi** $C$ mencerminkan terhadap sumbu $y$.
#
# Panah merah adalah $Ae_1$ (kolom pertama), panah biru $Ae_2$ (kolom kedua). Huruf abu-abu
# adalah bentuk aslinya.


# %%
def rotasi(theta):
    return jnp.array([[jnp.cos(theta), -jnp.sin(theta)], [jnp.sin(theta), jnp.cos(theta)]])


transformasi = {
    "identitas I": jnp.eye(2),
    "skala S = diag(1,5; 0,5)": jnp.diag(jnp.array([1.5, 0.5])),
    "rotasi R(45°)": rotasi(jnp.pi / 4),
    "geser G (k = 0,8)": jnp.array([[1.0, 0.8], [0.0, 1.0]]),
    "refleksi C": jnp.array([[-1.0, 0.0], [0.0, 1.0]]),
    "sembarang A": A,
}
fig, axes = plt.subplots(2, 3, figsize=(10, 7.4))
for ax, (judul, M) in zip(axes.ravel(), transformasi.items(), strict=True):
    gambar(ax, M, judul)
fig.suptitle("Transformasi linear 2-D: kolom matriks = bayangan e₁ (merah) dan e₂ (biru)")
plt.show()

# %% [markdown]
# ## Determinan: faktor luas
#
# Perhatikan judul setiap panel. $|\det A|$ adalah faktor perubahan **luas**: persegi satuan
# menjadi jajaran genjang seluas $|\det A|$. Rotasi dan geser mempertahankan luas
# ($\det = 1$); refleksi membalik orientasi ($\det < 0$: huruf F terbaca terbalik). Bila
# $\det A = 0$, bidang dipipihkan menjadi garis dan informasinya hilang; tidak ada invers.

# %%
persegi = jnp.array([[0.0, 0.0], [1.0, 0.0], [1.0, 1.0], [0.0, 1.0]])


def luas_poligon(p):
    """Rumus tali sepatu (shoelace)."""
    x, y = p[:, 0], p[:, 1]
    return 0.5 * jnp.abs(jnp.sum(x * jnp.roll(y, -1) - jnp.roll(x, -1) * y))


for judul, M in transformasi.items():
    print(
        f"{judul:26s}: luas bayangan persegi = {format_float(luas_poligon(terapkan(M, persegi)), 3)}, |det| = {format_float(abs(jnp.linalg.det(M)), 3)}"
    )

# %% [markdown]
# ## Komposisi: urutan penting
#
# Menerapkan $B$ lalu $A$ sama dengan menerapkan satu matriks $AB$: $A(Bx) = (AB)x$.
# Transformasi yang dikerjakan **lebih dulu** ditulis **paling kanan**. Karena perkalian
# matriks tidak komutatif, "putar lalu regangkan" berbeda dengan "regangkan lalu putar".

# %%
S = jnp.diag(jnp.array([1.8, 0.6]))
R = rotasi(jnp.pi / 3)
fig, axes = plt.subplots(1, 2, figsize=(8, 4.3))
gambar(axes[0], S @ R, "putar 60°, lalu skala: S R")
gambar(axes[1], R @ S, "skala, lalu putar 60°: R S")
plt.show()
print("S R == R S ?", jnp.allclose(S @ R, R @ S))

# %% [markdown]
# Dua rotasi berturut-turut adalah rotasi dengan jumlah sudutnya,
# $R(\alpha)R(\beta) = R(\alpha + \beta)$ (rotasi saling komutatif), dan invers rotasi adalah
# rotasi balik, yang kebetulan sama dengan transposnya: $R(\theta)^{-1} = R(-\theta) = R(\theta)^\top$.

# %%
print(
    "R(30°)R(45°) = R(75°):",
    jnp.allclose(rotasi(jnp.pi / 6) @ rotasi(jnp.pi / 4), rotasi(5 * jnp.pi / 12), atol=1e-6),
)
print("R⁻¹ = Rᵀ             :", jnp.allclose(jnp.linalg.inv(R), R.T, atol=1e-6))

# %% [markdown]
# ## Invers: membatalkan transformasi
#
# Bila $\det A \neq 0$, $A^{-1}$ membawa setiap titik kembali ke tempat asalnya. Geser
# $G(k)$ dibatalkan oleh $G(-k)$.

# %%
G = jnp.array([[1.0, 0.8], [0.0, 1.0]])
print("G⁻¹ =\n", jnp.linalg.inv(G))
kembali = terapkan(jnp.linalg.inv(A), terapkan(A, huruf_f))
print("A⁻¹(A x) = x untuk semua titik F:", jnp.allclose(kembali, huruf_f, atol=1e-5))

fig, axes = plt.subplots(1, 3, figsize=(10, 3.9))
gambar(axes[0], jnp.eye(2), "asli")
gambar(axes[1], A, "A")
gambar(axes[2], jnp.linalg.inv(A) @ A, "A⁻¹ A = I")
plt.show()

# %% [markdown]
# ## Latihan
#
# **Latihan 1.** Tulis matriks rotasi $R(\theta)$ (berlawanan arah jarum jam, $\theta$ dalam
# radian).


# %%
def matriks_rotasi(theta):
    # TODO
    return None


_ = latihan.check_rotation_matrix(matriks_rotasi)

# %% [markdown]
# **Latihan 2.** Tulis matriks geser horizontal dengan faktor $k$: $x' = x + k y$, $y' = y$.


# %%
def matriks_geser(k):
    # TODO
    return None


_ = latihan.check_shear_matrix(matriks_geser)

# %% [markdown]
# **Latihan 3.** Tuliskan satu matriks yang **pertama** memutar 90° berlawanan arah jarum jam,
# **lalu** menggandakan sumbu $x$ (skala $\mathrm{diag}(2, 1)$). Kamu boleh memeriksanya
# dengan `gambar(plt.gca(), M, "jawabanku")`.

# %%
M = None  # TODO
_ = latihan.check_composition(M)

# %% [markdown]
# ## Ringkasan
#
# - Kolom $A$ adalah $Ae_1$ dan $Ae_2$: dua panah itu menentukan ke mana seluruh bidang pergi.
# - Skala $\mathrm{diag}(s_x, s_y)$, rotasi $R(\theta)$, geser $\begin{pmatrix}1&k\\0&1\end{pmatrix}$,
#   refleksi $\mathrm{diag}(-1, 1)$.
# - $|\det A|$ = faktor luas; $\det < 0$ membalik orientasi; $\det = 0$ memipihkan bidang.
# - Komposisi: "$B$ lalu $A$" adalah $AB$, dan urutannya penting. $A^{-1}$ membatalkan $A$.
# - `jax.vmap(lambda p: A @ p)(titik)` menerapkan fungsi satu-titik pada semua titik; sama
#   dengan `titik @ A.T`. Kita akan memakai `vmap` lagi di bab MLP.
#
# Bab berikutnya: **2-mlp**, gradien otomatis dan jaringan saraf pertama kita. Angka kunci
# eksekusi ini:

# %%
print_key_numbers(
    {
        "det A / luas bayangan persegi satuan": f"{format_float(jnp.linalg.det(A), 3)} / "
        f"{format_float(luas_poligon(terapkan(A, persegi)), 3)}",
        "det rotasi / geser / refleksi": " / ".join(
            format_float(jnp.linalg.det(transformasi[k]), 2)
            for k in ("rotasi R(45°)", "geser G (k = 0,8)", "refleksi C")
        ),
        "S R sama dengan R S": bool(jnp.allclose(S @ R, R @ S)),
    }
)
