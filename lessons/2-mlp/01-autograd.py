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
# [![Buka di Colab](https://colab.research.google.com/assets/colab-badge.svg)](https://colab.research.google.com/github/dljax/dljax/blob/main/lessons/2-mlp/01-autograd.ipynb)
#
# # 2.1 Gradien otomatis secara fungsional
#
# Melatih jaringan saraf berarti menurunkan *loss* dengan mengikuti gradiennya. Menurunkan
# gradien jutaan parameter secara manual mustahil; **diferensiasi otomatis** (*autograd*)
# melakukannya untuk kita, tepat (bukan aproksimasi beda hingga) dan secepat menghitung
# fungsinya sendiri.
#
# JAX melakukannya secara **fungsional**: `jax.grad` menerima sebuah *fungsi* dan
# mengembalikan *fungsi* baru yang menghitung gradiennya. Tidak ada `.backward()`, tidak ada
# gradien yang menempel di tensor. Di pelajaran ini:
#
# - `jax.grad`, turunan tingkat tinggi, dan `argnums`;
# - gradien terhadap *pytree* (kamus parameter);
# - `jax.value_and_grad` dan `has_aux`;
# - *gradient descent* untuk mencocokkan kurva, lengkap dengan plotnya.

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
import numpy as np

from dljax.exercises import mlp as latihan
from dljax.formatting import format_float
from dljax.lesson import budget, print_key_numbers

# %% [markdown]
# ## `jax.grad`: fungsi masuk, fungsi keluar
#
# Untuk $f(x) = x^2 \sin x$, turunannya $f'(x) = 2x\sin x + x^2\cos x$. `jax.grad(f)` adalah
# fungsi Python biasa yang menghitung $f'$; kita bisa memanggilnya, memetakannya dengan
# `jax.vmap`, atau menurunkannya lagi.


# %%
def f(x):
    return x**2 * jnp.sin(x)


df = jax.grad(f)
d2f = jax.grad(jax.grad(f))
x0 = 1.3
print(f"f'(1,3)  dari jax.grad = {format_float(df(x0), 6)}")
print(f"f'(1,3)  dari rumus    = {format_float(2 * x0 * jnp.sin(x0) + x0**2 * jnp.cos(x0), 6)}")
print(f"f''(1,3) dari jax.grad = {format_float(d2f(x0), 6)}")
print(
    f"f''(1,3) dari rumus    = {format_float(2 * jnp.sin(x0) + 4 * x0 * jnp.cos(x0) - x0**2 * jnp.sin(x0), 6)}"
)

# %%
xs = jnp.linspace(-6, 6, 400)
fig, ax = plt.subplots(figsize=(7, 4))
ax.plot(xs, jax.vmap(f)(xs), label="f(x) = x² sin x")
ax.plot(xs, jax.vmap(df)(xs), label="f'(x)  (jax.grad)")
ax.plot(xs, jax.vmap(d2f)(xs), label="f''(x) (jax.grad dua kali)", alpha=0.7)
ax.axhline(0, color="k", lw=0.5)
ax.set_ylim(-40, 40)
ax.set_xlabel("x")
ax.set_title("Fungsi dan turunannya, dihitung otomatis")
ax.legend()
plt.show()

# %% [markdown]
# Gradien otomatis bukan beda hingga. Beda hingga $\frac{f(x+h) - f(x-h)}{2h}$ punya galat
# pemotongan (bila $h$ besar) dan galat pembulatan (bila $h$ kecil); `jax.grad` tepat
# sampai presisi mesin.

# %%
tepat = 2 * x0 * jnp.sin(x0) + x0**2 * jnp.cos(x0)
for h in (1e-1, 1e-2, 1e-3, 1e-4):
    beda = (f(x0 + h) - f(x0 - h)) / (2 * h)
    print(f"h = {h:.0e}: beda hingga = {format_float(beda, 6)}, galat = {abs(beda - tepat):.1e}")
print(f"jax.grad          = {format_float(df(x0), 6)}, galat = {abs(df(x0) - tepat):.1e}")

# %% [markdown]
# ## Beberapa argumen: `argnums`
#
# Secara bawaan `jax.grad` menurunkan terhadap argumen pertama. Dengan `argnums=(0, 1)`
# kita mendapat tupel turunan parsial. Untuk $L(w, b) = (wx + b - y)^2$:
#
# $$\frac{\partial L}{\partial w} = 2(wx + b - y)\,x, \qquad \frac{\partial L}{\partial b} = 2(wx + b - y).$$


# %%
def L(w, b, x, y):
    return (w * x + b - y) ** 2


dw, db = jax.grad(L, argnums=(0, 1))(2.0, 0.5, 3.0, 4.0)
print("jax.grad:", dw, db, "| rumus:", 2 * (2.0 * 3 + 0.5 - 4) * 3, 2 * (2.0 * 3 + 0.5 - 4))

# %% [markdown]
# ## Gradien terhadap *pytree*
#
# Model punya banyak parameter. JAX menerima struktur bersarang dari kamus, daftar dan tupel
# yang daunnya array: sebuah **pytree**. Gradiennya adalah pytree dengan struktur yang sama,
# sehingga langkah *gradient descent* ditulis sekali untuk semua parameter dengan
# `jax.tree.map`:
#
# $$\theta \leftarrow \theta - \eta\,\nabla_\theta L(\theta).$$

# %%
params = {"w": jnp.array([1.0, -1.0]), "b": jnp.array(0.0)}


def model(params, x):
    return x @ params["w"] + params["b"]  # (N, 2) -> (N,)


X = jnp.array([[1.0, 2.0], [3.0, 4.0], [5.0, 6.0]])
y = jnp.array([1.0, 2.0, 3.0])


def loss(params):
    return jnp.mean((model(params, X) - y) ** 2)


grads = jax.grad(loss)(params)
print("gradien:", grads)
print("struktur sama:", jax.tree.structure(grads) == jax.tree.structure(params))
params_baru = jax.tree.map(lambda p, g: p - 0.01 * g, params, grads)
print(
    f"loss sebelum {format_float(loss(params), 3)} → sesudah satu langkah {format_float(loss(params_baru), 3)}"
)

# %% [markdown]
# ## `value_and_grad` dan `has_aux`
#
# Saat melatih kita hampir selalu butuh nilai *loss* dan gradiennya sekaligus.
# `jax.value_and_grad` menghitung keduanya dalam satu lintasan. Bila fungsi juga
# mengembalikan informasi tambahan (mis. prediksi) sebagai `(loss, aux)`, pakai
# `has_aux=True`: hanya `loss` yang diturunkan.


# %%
def loss_dengan_aux(params):
    pred = model(params, X)
    return jnp.mean((pred - y) ** 2), pred


(nilai, pred), grads = jax.value_and_grad(loss_dengan_aux, has_aux=True)(params)
print("loss:", nilai, "| prediksi:", pred, "| gradien w:", grads["w"])

# %% [markdown]
# ## *Gradient descent*: mencocokkan kurva
#
# Kita punya titik-titik berderau dari $y = 1{,}5\sin(2x) + 0{,}5x$ dan ingin mencocokkan model
# $\hat y = a\sin(bx) + cx$ dengan parameter $\theta = (a, b, c)$. Tidak seperti kuadrat
# terkecil, model ini tidak linear dalam $b$, jadi tidak ada rumus tertutup. Kita meminimalkan
# galat kuadrat rata-rata (MSE)
#
# $$L(\theta) = \frac1N\sum_{i=1}^N (\hat y_\theta(x_i) - y_i)^2$$
#
# dengan mengulang $\theta \leftarrow \theta - \eta\nabla L(\theta)$. Satu langkah dikompilasi
# dengan `jax.jit` agar cepat.

# %%
kx, ke = jax.random.split(jax.random.key(0))
x_data = jax.random.uniform(kx, (80,), minval=-3.0, maxval=3.0)
y_data = 1.5 * jnp.sin(2.0 * x_data) + 0.5 * x_data + 0.2 * jax.random.normal(ke, (80,))


def kurva(theta, x):
    return theta["a"] * jnp.sin(theta["b"] * x) + theta["c"] * x


def mse(theta):
    return jnp.mean((kurva(theta, x_data) - y_data) ** 2)


@jax.jit
def langkah(theta, lr):
    nilai, grads = jax.value_and_grad(mse)(theta)
    return jax.tree.map(lambda p, g: p - lr * g, theta, grads), nilai


theta = {"a": jnp.array(1.0), "b": jnp.array(1.5), "c": jnp.array(0.0)}
jumlah_langkah = budget(2000, 300)
riwayat, cuplikan = [], {}
for i in range(jumlah_langkah):
    if i in (0, 20, 100):
        cuplikan[i] = theta
    theta, nilai = langkah(theta, 0.05)
    riwayat.append(float(nilai))
cuplikan[jumlah_langkah] = theta
print({k: round(float(v), 3) for k, v in theta.items()}, "(sebenarnya a = 1,5, b = 2, c = 0,5)")
print(f"MSE akhir = {format_float(mse(theta), 4)} (varians derau = {format_float(0.2**2, 4)})")

# %%
fig, (ax1, ax2) = plt.subplots(1, 2, figsize=(10, 4))
ax1.semilogy(riwayat)
ax1.set_xlabel("langkah")
ax1.set_ylabel("MSE (skala log)")
ax1.set_title("Loss selama gradient descent")
ax1.grid(alpha=0.3)
xs = jnp.linspace(-3, 3, 200)
ax2.scatter(x_data, y_data, s=12, color="k", label="data")
for i, th in cuplikan.items():
    ax2.plot(xs, kurva(th, xs), label=f"langkah {i}")
ax2.set_xlabel("x")
ax2.set_ylabel("y")
ax2.set_title("Kurva yang dicocokkan makin baik")
ax2.legend()
plt.show()

# %% [markdown]
# `jit` mengkompilasi fungsi sekali untuk bentuk masukan tertentu, lalu setiap panggilan
# berikutnya langsung menjalankan kode XLA yang sudah jadi. Bandingkan waktunya:

# %%
langkah_python = lambda theta, lr: (
    jax.tree.map(lambda p, g: p - lr * g, theta, jax.grad(mse)(theta)),
    None,
)
ms_per_langkah = {}
for nama, fn in (("tanpa jit", langkah_python), ("dengan jit", langkah)):
    fn(theta, 0.05)  # pemanasan (kompilasi)
    t0 = time.perf_counter()
    for _ in range(100):
        hasil, _ = fn(theta, 0.05)
    jax.block_until_ready(hasil)
    ms_per_langkah[nama] = (time.perf_counter() - t0) * 10
    print(f"{nama:10s}: {format_float(ms_per_langkah[nama], 3)} ms per langkah")
percepatan_jit = ms_per_langkah["tanpa jit"] / ms_per_langkah["dengan jit"]
print(f"jit {format_float(percepatan_jit, 0)}× lebih cepat")

# %% [markdown]
# ## Mengapa masukan distandarkan?
#
# *Gradient descent* memakai **satu** laju belajar $\eta$ untuk semua parameter. Bila fitur
# berbeda skala jauh, misalnya jumlah kamar (1–5) dan luas rumah (30–300 m²), *loss*-nya
# berbentuk lembah yang sangat sempit dan panjang: $\eta$ harus kecil agar langkah tidak
# meloncat keluar di arah yang curam (luas), sehingga langkah di arah yang landai (kamar)
# nyaris tak bergerak. Ukurannya adalah **bilangan kondisi** $\kappa = \lambda_\max /
# \lambda_\min$ dari matriks Hessian; *gradient descent* butuh kira-kira $\kappa$ langkah.
#
# **Standardisasi** (kurangi rata-rata, bagi simpangan baku per fitur) membuat lembahnya
# hampir bundar. Kita bandingkan regresi linear yang sama, dengan laju belajar terbaik
# masing-masing ($\eta = 1/\lambda_\max$).

# %%
kk, kl, ke = jax.random.split(jax.random.key(2), 3)
m = 200
kamar = jax.random.randint(kk, (m,), 1, 6).astype(jnp.float32)  # (m,) 1..5 kamar
luas = jax.random.uniform(kl, (m,), minval=30.0, maxval=300.0)  # (m,) m²
harga = 100.0 + 50.0 * kamar + 2.0 * luas + 20.0 * jax.random.normal(ke, (m,))  # juta rupiah


def jalankan_gd(X, y, langkah):
    """Gradient descent untuk regresi linear; kembalikan (loss berlebih relatif, kappa)."""
    A = jnp.concatenate([jnp.ones((len(X), 1)), X], axis=1)  # (m, 1 + fitur)
    nilai_eigen = jnp.linalg.eigvalsh(2 / len(A) * A.T @ A)  # Hessian MSE, menaik
    lr = 1.0 / nilai_eigen[-1]
    loss = lambda w: jnp.mean((A @ w - y) ** 2)
    w_terbaik = jnp.linalg.lstsq(A, y)[0]

    def satu_langkah(w, _):
        return w - lr * jax.grad(loss)(w), loss(w) - loss(w_terbaik)

    _, berlebih = jax.lax.scan(satu_langkah, jnp.zeros(A.shape[1]), None, length=langkah)
    return berlebih / jnp.var(y), float(nilai_eigen[-1] / nilai_eigen[0])


X_mentah = jnp.stack([kamar, luas], axis=1)  # (m, 2)
X_standar = (X_mentah - X_mentah.mean(axis=0)) / X_mentah.std(axis=0)
langkah_gd = budget(2000, 500)
fig, ax = plt.subplots(figsize=(7, 3.8))
hasil_gd = {}
for nama, X in (("mentah", X_mentah), ("distandarkan", X_standar)):
    berlebih, kappa = jalankan_gd(X, harga, langkah_gd)
    tercapai = np.flatnonzero(np.asarray(berlebih) < 0.01)
    kapan = (
        f"dalam {tercapai[0]} langkah" if len(tercapai) else f"belum setelah {langkah_gd} langkah"
    )
    hasil_gd[nama] = (kappa, kapan)
    print(f"{nama:13s}: κ = {format_float(kappa, 0):>9}, loss berlebih < 1 % {kapan}")
    ax.semilogy(
        np.maximum(np.asarray(berlebih), 1e-7), label=f"{nama} (κ ≈ {format_float(kappa, 0)})"
    )
ax.set_xlabel("langkah")
ax.set_ylabel("(MSE − MSE terbaik) / var(y)")
ax.set_ylim(5e-8, None)  # di bawah ini: batas presisi float32
ax.set_title("Gradient descent: fitur mentah vs distandarkan")
ax.grid(alpha=0.3)
ax.legend()
plt.show()

# %% [markdown]
# Modelnya sama persis (bobot untuk fitur yang distandarkan bisa diubah kembali ke bobot untuk
# fitur mentah), tetapi *gradient descent* pada fitur mentah masih jauh dari optimum setelah
# ratusan langkah, sedangkan dengan fitur yang distandarkan ia sampai dalam beberapa langkah.
# Karena itu data masukan jaringan saraf hampir selalu dinormalkan lebih dulu (piksel ke
# [0, 1], fitur tabel ke rata-rata 0 dan simpangan baku 1).

# %% [markdown]
# ## Latihan
#
# **Latihan 1.** Untuk $L(w, b) = \frac1N\sum_i (wx_i + b - y_i)^2$ (skalar $w, b$), kembalikan
# tupel $(\partial L/\partial w, \partial L/\partial b)$. Boleh dengan rumus, boleh dengan
# `jax.grad`; coba keduanya!


# %%
def gradien_mse(w, b, x, y):
    # TODO: kembalikan (dL/dw, dL/db)
    return None


_ = latihan.check_mse_gradient(gradien_mse)

# %% [markdown]
# **Latihan 2.** Satu langkah SGD untuk pytree apa pun: kembalikan `params - lr * grads`
# dengan struktur yang sama.


# %%
def langkah_sgd(params, grads, lr):
    # TODO: jax.tree.map
    return None


_ = latihan.check_sgd_step(langkah_sgd)

# %% [markdown]
# ## Ringkasan
#
# - `jax.grad(f)` mengembalikan *fungsi* gradien; bisa diturunkan lagi, di-`vmap`, di-`jit`.
# - `argnums` memilih argumen yang diturunkan; gradien terhadap pytree punya struktur yang sama
#   dengan parameternya, dan `jax.tree.map` memperbarui semuanya sekaligus.
# - `jax.value_and_grad(..., has_aux=True)` memberi loss, informasi tambahan, dan gradien.
# - *Gradient descent* $\theta \leftarrow \theta - \eta\nabla L$ mencocokkan model yang tidak punya
#   rumus tertutup; `jax.jit` membuat setiap langkah jauh lebih cepat.
# - Fitur dengan skala yang sangat berbeda membuat *gradient descent* lambat (bilangan kondisi
#   besar); standardisasi masukan memperbaikinya.
#
# Berikutnya: jaringan saraf pertama kita, MLP, ditulis dengan JAX murni. Angka kunci
# eksekusi ini:

# %%
print_key_numbers(
    {
        "kurva: a, b, c (sebenarnya 1,5; 2; 0,5)": "; ".join(
            format_float(theta[k], 3) for k in ("a", "b", "c")
        ),
        "MSE akhir (varians derau 0,04)": format_float(mse(theta), 4),
        "jit vs tanpa jit": f"{format_float(percepatan_jit, 0)}× lebih cepat",
        **{
            f"GD, fitur {nama}: κ; loss berlebih < 1 %": f"{format_float(kappa, 0)}; {kapan}"
            for nama, (kappa, kapan) in hasil_gd.items()
        },
    }
)
