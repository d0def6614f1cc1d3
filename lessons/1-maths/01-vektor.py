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
# [![Buka di Colab](https://colab.research.google.com/assets/colab-badge.svg)](https://colab.research.google.com/github/dljax/dljax/blob/main/lessons/1-maths/01-vektor.ipynb)
#
# # 1.1 Vektor
#
# Hampir semua yang kita olah dalam *deep learning* adalah **vektor**: satu contoh data
# (piksel gambar, fitur rumah), bobot sebuah neuron, gradien dari sebuah *loss*. Pelajaran
# ini memperkenalkan vektor dengan JAX: cara membuatnya, menyambung dan memotongnya,
# aljabarnya, dan **hasil kali dalam** (*inner product*) yang menjadi inti dari setiap
# lapisan jaringan saraf.
#
# Setelah pelajaran ini kamu bisa:
#
# - membuat vektor dengan `jax.numpy` dan tahu bahwa array JAX tidak bisa diubah (*immutable*);
# - menyambung, memotong dan memilih elemen vektor;
# - menghitung kombinasi linear, norma, hasil kali dalam, dan sudut antarvektor.

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
# ## Membuat vektor
#
# Vektor berdimensi $n$ adalah daftar terurut $n$ bilangan,
#
# $$x = (x_1, x_2, \ldots, x_n) \in \mathbb{R}^n .$$
#
# Di JAX, vektor adalah array satu dimensi. `jax.numpy` (disingkat `jnp`) meniru NumPy,
# jadi banyak fungsinya sudah kamu kenal.

# %%
x = jnp.array([1.0, -2.0, 3.5])
print("x =", x)
print("bentuk (shape):", x.shape, "| tipe:", x.dtype, "| panjang:", len(x))

# %%
print("nol     :", jnp.zeros(4))
print("satu    :", jnp.ones(3))
print("arange  :", jnp.arange(5))
print("linspace:", jnp.linspace(0.0, 1.0, 5))

# %% [markdown]
# Angka acak di JAX memakai **kunci** (*key*) yang eksplisit, bukan keadaan global seperti
# `np.random`. Kunci yang sama selalu memberi angka yang sama; untuk angka baru, kunci
# dipecah dengan `jax.random.split`. Kita akan membahasnya lebih dalam di bab MLP.

# %%
key = jax.random.key(0)
key_a, key_b = jax.random.split(key)
print("normal :", jax.random.normal(key_a, (4,)))
print("seragam:", jax.random.uniform(key_b, (4,)))
print("ulang  :", jax.random.normal(key_a, (4,)), "← kunci sama, angka sama")

# %% [markdown]
# **Array JAX tidak bisa diubah.** `x[0] = 10` akan gagal. Sebagai gantinya, `x.at[0].set(10)`
# mengembalikan *array baru*. Sifat ini yang membuat fungsi JAX murni (tanpa efek samping),
# sehingga bisa dikompilasi (`jit`) dan diturunkan (`grad`) dengan aman.

# %%
try:
    x[0] = 10.0
except TypeError as err:
    print("Gagal:", type(err).__name__)

y = x.at[0].set(10.0)
print("x lama:", x)
print("y baru:", y)
print("tambah:", x.at[1].add(5.0))

# %% [markdown]
# ## Menyambung dan memotong
#
# `jnp.concatenate` menyambung vektor menjadi satu vektor yang lebih panjang; `jnp.stack`
# menumpuknya menjadi matriks (satu baris per vektor).

# %%
a = jnp.array([1.0, 2.0])
b = jnp.array([3.0, 4.0, 5.0])
print("sambung:", jnp.concatenate([a, b]))
print("tumpuk :\n", jnp.stack([a, a + 10]))

# %% [markdown]
# Pemotongan (*slicing*) `x[mulai:akhir:langkah]` memakai indeks dari 0 dan `akhir` tidak
# ikut. Indeks negatif menghitung dari belakang. Sebuah *mask* boolean memilih elemen yang
# memenuhi syarat.

# %%
v = jnp.arange(10.0)
print("v         :", v)
print("v[2:5]    :", v[2:5])
print("v[-3:]    :", v[-3:])
print("v[::2]    :", v[::2])
print("v[::-1]   :", v[::-1])
print("v[v > 6]  :", v[v > 6])
print("v[[0, 9]] :", v[jnp.array([0, 9])])

# %% [markdown]
# ## Aljabar vektor
#
# Penjumlahan dan perkalian dengan skalar bekerja elemen demi elemen:
#
# $$x + y = (x_1 + y_1, \ldots, x_n + y_n), \qquad \alpha x = (\alpha x_1, \ldots, \alpha x_n).$$
#
# Gabungan keduanya, $\alpha x + \beta y$, disebut **kombinasi linear**. Secara geometris,
# $x + y$ adalah diagonal jajaran genjang yang dibentuk oleh $x$ dan $y$.

# %%
p = jnp.array([2.0, 1.0])
q = jnp.array([0.5, 2.0])
print("p + q      =", p + q)
print("3 p        =", 3 * p)
print("2 p - 0.5 q =", 2 * p - 0.5 * q)


# %%
def panah(ax, v, asal=(0.0, 0.0), **kw):
    ax.annotate(
        "",
        xy=(asal[0] + v[0], asal[1] + v[1]),
        xytext=asal,
        arrowprops=dict(arrowstyle="->", lw=2, **kw),
    )


fig, ax = plt.subplots(figsize=(5, 5))
panah(ax, p, color="tab:blue")
panah(ax, q, color="tab:orange")
panah(ax, q, asal=p, color="tab:orange", ls="--")
panah(ax, p, asal=q, color="tab:blue", ls="--")
panah(ax, p + q, color="tab:green")
for v, nama in ((p, "p"), (q, "q"), (p + q, "p + q")):
    ax.text(v[0] + 0.05, v[1] + 0.05, nama, fontsize=12)
ax.set_xlim(-0.5, 3.5)
ax.set_ylim(-0.5, 3.5)
ax.set_aspect("equal")
ax.grid(alpha=0.3)
ax.set_title("Penjumlahan vektor: aturan jajaran genjang")
plt.show()

# %% [markdown]
# ## Hasil kali dalam, norma dan sudut
#
# **Hasil kali dalam** (*inner product*, *dot product*) dua vektor berdimensi sama adalah
#
# $$x^\top y = \sum_{i=1}^{n} x_i y_i .$$
#
# Inilah yang dihitung sebuah neuron: $w^\top x + b$. Dari hasil kali dalam kita mendapat
# **norma** (panjang) $\|x\| = \sqrt{x^\top x}$ dan **sudut** $\theta$ antara dua vektor:
#
# $$\cos\theta = \frac{x^\top y}{\|x\|\,\|y\|} .$$
#
# Nilai $\cos\theta$ disebut *cosine similarity*: 1 bila searah, 0 bila tegak lurus
# (ortogonal), −1 bila berlawanan.

# %%
print("p · q          =", jnp.dot(p, q), "=", p @ q, "=", jnp.sum(p * q))
print("‖p‖            =", jnp.linalg.norm(p), "=", jnp.sqrt(p @ p))
cos = p @ q / (jnp.linalg.norm(p) * jnp.linalg.norm(q))
print(
    f"cos θ          = {format_float(cos, 4)}  →  θ = {format_float(jnp.degrees(jnp.arccos(cos)), 1)}°"
)

# %% [markdown]
# Contoh nyata: tiga rumah dengan fitur (luas bangunan dalam 100 m², kamar tidur, umur dalam
# dekade). Rumah mana yang paling "mirip" dengan rumah A? Cosine similarity membandingkan
# *arah* vektor, bukan panjangnya, jadi rumah yang fiturnya sebanding dianggap mirip.

# %%
rumah = {
    "A": jnp.array([1.2, 3.0, 1.0]),
    "B": jnp.array([2.4, 6.0, 2.0]),  # A yang "diperbesar" dua kali
    "C": jnp.array([0.4, 1.0, 4.0]),  # kecil dan tua
}
for nama, v in rumah.items():
    c = rumah["A"] @ v / (jnp.linalg.norm(rumah["A"]) * jnp.linalg.norm(v))
    jarak = jnp.linalg.norm(rumah["A"] - v)
    print(f"A vs {nama}: cosine = {format_float(c, 3)}, jarak Euclid = {format_float(jarak, 2)}")

# %% [markdown]
# Ketaksamaan Cauchy–Schwarz, $|x^\top y| \le \|x\|\,\|y\|$, menjamin $\cos\theta$ selalu di
# $[-1, 1]$. Kita cek pada seribu pasang vektor acak: rasio $|x^\top y| / (\|x\|\|y\|)$ tidak
# pernah melebihi 1. Perhatikan juga bahwa untuk dimensi besar, vektor acak hampir selalu
# hampir tegak lurus.

# %%
kx, ky = jax.random.split(jax.random.key(1))
fig, ax = plt.subplots(figsize=(6, 3.5))
maks_cos = {}
for dim in (2, 10, 100, 1000):
    X = jax.random.normal(kx, (1000, dim))
    Y = jax.random.normal(ky, (1000, dim))
    cos = jnp.sum(X * Y, axis=1) / (jnp.linalg.norm(X, axis=1) * jnp.linalg.norm(Y, axis=1))
    ax.hist(cos, bins=50, range=(-1, 1), histtype="step", lw=2, label=f"dimensi {dim}")
    maks_cos[dim] = float(jnp.max(jnp.abs(cos)))
    print(f"dimensi {dim:4d}: max |cos θ| = {format_float(maks_cos[dim], 3)}")
ax.set_xlabel("cos θ antara dua vektor acak")
ax.set_ylabel("banyak pasangan")
ax.set_title("Vektor acak berdimensi tinggi hampir saling tegak lurus")
ax.legend()
plt.show()

# %% [markdown]
# ## Latihan
#
# Isi bagian `# TODO`, lalu jalankan sel untuk memeriksa jawabanmu.
#
# **Latihan 1.** Tulis hasil kali dalam $x^\top y$ *tanpa* `jnp.dot` atau `@`.


# %%
def hasil_kali_dalam(x, y):
    # TODO: jumlahkan x_i * y_i
    return None


_ = latihan.check_inner_product(hasil_kali_dalam)

# %% [markdown]
# **Latihan 2.** Vektor satuan searah $x$ adalah $x / \|x\|$ (panjangnya 1).


# %%
def vektor_satuan(x):
    # TODO: bagi x dengan normanya
    return None


_ = latihan.check_unit_vector(vektor_satuan)

# %% [markdown]
# **Latihan 3.** Hitung sudut (dalam radian) antara $x$ dan $y$.


# %%
def sudut(x, y):
    # TODO: arccos dari cosine similarity
    return None


_ = latihan.check_angle(sudut)

# %% [markdown]
# ## Ringkasan
#
# - Vektor di JAX adalah array satu dimensi; array JAX *immutable*, ubah dengan `x.at[i].set(v)`.
# - Angka acak memakai kunci eksplisit: `jax.random.key`, `jax.random.split`.
# - `jnp.concatenate` menyambung, `jnp.stack` menumpuk, `x[a:b:c]` dan *mask* memotong.
# - Kombinasi linear $\alpha x + \beta y$; hasil kali dalam $x^\top y = \sum_i x_i y_i$,
#   norma $\|x\| = \sqrt{x^\top x}$, dan $\cos\theta = x^\top y / (\|x\|\|y\|)$.
# - Satu neuron menghitung $w^\top x + b$: hasil kali dalam adalah komponen dasar jaringan saraf.
#
# Berikutnya: fungsi linear, dan bagaimana `jax.grad` membuat aproksimasi Taylor. Angka kunci
# eksekusi ini:

# %%
cos_pq = p @ q / (jnp.linalg.norm(p) * jnp.linalg.norm(q))
print_key_numbers(
    {
        "p · q": format_float(p @ q, 2),
        "sudut antara p dan q": f"{format_float(jnp.degrees(jnp.arccos(cos_pq)), 1)}°",
        "max |cos θ| 1.000 pasang vektor acak, dimensi 2 / 1.000": f"{format_float(maks_cos[2], 3)}"
        f" / {format_float(maks_cos[1000], 3)}",
    }
)
