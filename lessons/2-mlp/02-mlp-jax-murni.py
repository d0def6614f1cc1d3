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
# [![Buka di Colab](https://colab.research.google.com/assets/colab-badge.svg)](https://colab.research.google.com/github/dljax/dljax/blob/main/lessons/2-mlp/02-mlp-jax-murni.ipynb)
#
# # 2.2 MLP dengan JAX murni
#
# Kita membangun jaringan saraf pertama, *multilayer perceptron* (MLP), **tanpa** pustaka
# jaringan saraf: hanya `jax.numpy`, `jax.grad` dan tiga alat JAX lain yang akan kita pakai di
# seluruh kursus. Dengan menulisnya sendiri, tidak ada yang tersembunyi ketika nanti kita
# memakai Flax.
#
# Datanya: tiga spiral yang saling membelit. Tidak ada garis lurus yang bisa memisahkannya,
# jadi model linear gagal; MLP dengan satu-dua lapisan tersembunyi berhasil.
#
# Yang dipelajari:
#
# - **PRNG tanpa keadaan**: `jax.random.key`, `split`, `fold_in`;
# - **parameter sebagai pytree** (daftar kamus berisi array);
# - **`vmap`**: menulis model untuk *satu* contoh, menjalankannya untuk satu *batch*;
# - **`jit`**: mengkompilasi langkah pelatihan;
# - *softmax*, *cross-entropy*, dan batas keputusan yang dipelajari.

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
from matplotlib.ticker import MaxNLocator

from dljax.config import DataConfig
from dljax.data import load_dataset
from dljax.exercises import mlp as latihan
from dljax.formatting import format_float, format_percent
from dljax.lesson import budget, print_key_numbers

# %% [markdown]
# ## Data spiral
#
# `spiral` dari `dljax` membangkitkan $K = 3$ spiral: titik ke-$i$ kelas $k$ punya jari-jari
# $r \sim U(0, 1)$ dan sudut $2\pi k/K + 4r + 0{,}2\,\varepsilon$. Ada 3.000 titik latih dan 900
# titik uji.

# %%
data = load_dataset(DataConfig(name="spiral"))
latih, uji = data.train.arrays, data.test.arrays  # kamus array numpy
X_latih, y_latih = jnp.asarray(latih["input"]), jnp.asarray(latih["label"])
X_uji, y_uji = jnp.asarray(uji["input"]), jnp.asarray(uji["label"])
print(
    "latih:", X_latih.shape, y_latih.shape, "| uji:", X_uji.shape, "| kelas:", data.info.num_classes
)

fig, ax = plt.subplots(figsize=(5, 5))
ax.scatter(latih["input"][:, 0], latih["input"][:, 1], c=latih["label"], cmap="brg", s=6)
ax.set_aspect("equal")
ax.set_title("Data spiral: tiga kelas yang saling membelit")
plt.show()

# %% [markdown]
# ## PRNG tanpa keadaan
#
# NumPy menyimpan keadaan acak global yang berubah diam-diam setiap kali dipakai. JAX tidak:
# angka acak adalah **fungsi murni dari sebuah kunci**. Kunci yang sama → angka yang sama,
# selalu, di mesin mana pun, juga di dalam `jit`. Untuk angka yang *baru*, kita **memecah**
# kunci menjadi kunci-kunci anak dengan `split`, dan tidak pernah memakai satu kunci dua kali.
# `fold_in(key, i)` menurunkan kunci dari sebuah bilangan (mis. nomor epoch).

# %%
key = jax.random.key(42)
print("normal(key)        :", jax.random.normal(key, (3,)))
print("normal(key) lagi   :", jax.random.normal(key, (3,)), "← sama persis")
key_a, key_b = jax.random.split(key)
print("normal(key_a)      :", jax.random.normal(key_a, (3,)))
print("normal(key_b)      :", jax.random.normal(key_b, (3,)))
print("fold_in(key, 7)    :", jax.random.normal(jax.random.fold_in(key, 7), (3,)))

# %% [markdown]
# ## Parameter sebagai pytree
#
# MLP dengan ukuran lapisan $(d_0, d_1, \ldots, d_L)$ punya, untuk setiap lapisan $l$, matriks
# bobot $W_l \in \mathbb{R}^{d_{l-1}\times d_l}$ dan bias $b_l \in \mathbb{R}^{d_l}$. Kita
# simpan sebagai **daftar kamus** `[{"W": ..., "b": ...}, ...]`, sebuah pytree.
#
# Inisialisasi He: $W_l \sim \mathcal{N}(0, 2/d_{l-1})$, $b_l = 0$. Skala ini menjaga besar
# aktivasi kira-kira tetap dari lapisan ke lapisan bila memakai ReLU. Setiap lapisan mendapat
# kuncinya sendiri dari `split`.


# %%
def init_params(key, sizes):
    """Parameter MLP: daftar {"W": (d_in, d_out), "b": (d_out,)} per lapisan."""
    keys = jax.random.split(key, len(sizes) - 1)
    return [
        {"W": jax.random.normal(k, (d_in, d_out)) * jnp.sqrt(2.0 / d_in), "b": jnp.zeros(d_out)}
        for k, d_in, d_out in zip(keys, sizes[:-1], sizes[1:], strict=True)
    ]


ukuran = (2, 64, 64, 3)
params = init_params(jax.random.key(0), ukuran)
print("bentuk setiap daun:", jax.tree.map(lambda a: a.shape, params))
print("jumlah parameter  :", sum(a.size for a in jax.tree.leaves(params)))

# %% [markdown]
# ## Model untuk satu contoh, lalu `vmap`
#
# Untuk satu masukan $x \in \mathbb{R}^2$:
#
# $$h_0 = x,\qquad h_l = \mathrm{ReLU}(W_l^\top h_{l-1} + b_l)\ (l < L),\qquad z = W_L^\top h_{L-1} + b_L \in \mathbb{R}^K .$$
#
# $z$ disebut **logit**. Kita menulis model untuk *satu* contoh, bentuk yang paling dekat dengan
# rumusnya, lalu `jax.vmap` menjadikannya fungsi untuk satu *batch* tanpa mengubah kodenya.
# `in_axes=(None, 0)`: parameter sama untuk semua contoh, masukan dipetakan di sumbu 0.


# %%
def mlp_satu(params, x):
    """x (2,) -> logit (K,)."""
    h = x
    for lapis in params[:-1]:
        h = jax.nn.relu(h @ lapis["W"] + lapis["b"])  # (d_l,)
    return h @ params[-1]["W"] + params[-1]["b"]  # (K,)


mlp = jax.vmap(mlp_satu, in_axes=(None, 0))  # (B, 2) -> (B, K)
print(
    "satu contoh:", mlp_satu(params, X_latih[0]).shape, "| batch:", mlp(params, X_latih[:5]).shape
)

# %% [markdown]
# ## Softmax dan *cross-entropy*
#
# Softmax mengubah logit menjadi peluang, $p_k = e^{z_k} / \sum_j e^{z_j}$. Loss
# *cross-entropy* untuk label $y$ adalah $-\log p_y$, yaitu
#
# $$\ell(z, y) = -z_y + \log\sum_j e^{z_j} .$$
#
# Kita hitung dengan `jax.nn.log_softmax`, yang stabil walau logitnya besar (tidak ada
# $e^{1000}$ yang meluap). Loss satu *batch* adalah rata-ratanya.


# %%
def loss_fn(params, x, y):
    logit = mlp(params, x)  # (B, K)
    logp = jax.nn.log_softmax(logit)  # (B, K)
    return -jnp.mean(jnp.take_along_axis(logp, y[:, None], axis=1))


@jax.jit
def akurasi(params, x, y):
    return jnp.mean(jnp.argmax(mlp(params, x), axis=1) == y)


print(
    f"loss awal = {format_float(jax.jit(loss_fn)(params, X_latih, y_latih), 3)} (tebakan acak: log 3 = {format_float(jnp.log(3.0), 3)})"
)
print(f"akurasi awal = {format_float(akurasi(params, X_latih, y_latih), 3)}")

# %% [markdown]
# ## Satu langkah pelatihan, dikompilasi dengan `jit`
#
# Langkahnya: hitung loss dan gradien, lalu $\theta \leftarrow \theta - \eta\nabla_\theta L$
# untuk setiap daun pytree. `jax.jit` menelusuri fungsi sekali, mengkompilasinya dengan XLA
# (menggabungkan operasi, tanpa overhead Python per operasi), dan memakai ulang hasil
# kompilasinya selama bentuk masukannya sama.


# %%
def langkah(params, x, y, lr):
    nilai, grads = jax.value_and_grad(loss_fn)(params, x, y)
    params = jax.tree.map(lambda p, g: p - lr * g, params, grads)
    return params, nilai


langkah_jit = jax.jit(langkah)

xb, yb = X_latih[:128], y_latih[:128]
for nama, fn in (("tanpa jit", langkah), ("dengan jit", langkah_jit)):
    jax.block_until_ready(fn(params, xb, yb, 0.1))  # pemanasan
    t0 = time.perf_counter()
    for _ in range(20):
        hasil = fn(params, xb, yb, 0.1)
    jax.block_until_ready(hasil)
    print(f"{nama:10s}: {format_float((time.perf_counter() - t0) / 20 * 1e3, 3)} ms per langkah")

# %% [markdown]
# ## Melatih
#
# Setiap epoch kita mengacak urutan data dengan kunci `fold_in(kunci_data, epoch)` (dapat
# diulang!), lalu berjalan per *minibatch* 128 contoh. Kita catat loss latih dan akurasi uji.
#
# Satu hal praktis: operasi kecil di *luar* `jit` (memotong indeks, mengambil baris) masing-masing
# dikirim sendiri-sendiri dan, pertama kali, dikompilasi sendiri-sendiri. Karena itu pengambilan
# minibatch kita taruh di *dalam* fungsi yang di-`jit`.


# %%
@jax.jit
def langkah_minibatch(params, X, y, idx, lr):
    return langkah(params, X[idx], y[idx], lr)


epochs = budget(150, 25)
batch = 128
lr = 0.2
params = init_params(jax.random.key(0), ukuran)
kunci_data = jax.random.key(1)
n = len(X_latih)
riwayat = {"loss": [], "akurasi_uji": []}
# potret parameter di beberapa epoch (rapat di awal, saat batasnya berubah paling cepat)
epoch_potret = sorted({0, *np.unique(np.geomspace(1, epochs, 5).round().astype(int)).tolist()})
potret = {0: params}
t0 = time.perf_counter()
for epoch in range(epochs):
    urutan = jax.random.permutation(jax.random.fold_in(kunci_data, epoch), n)
    minibatch = urutan[: (n // batch) * batch].reshape(-1, batch)  # (langkah, batch)
    losses = []
    for idx in minibatch:
        params, nilai = langkah_minibatch(params, X_latih, y_latih, idx, lr)
        losses.append(nilai)
    riwayat["loss"].append(float(jnp.mean(jnp.stack(losses))))  # satu sinkronisasi per epoch
    riwayat["akurasi_uji"].append(float(akurasi(params, X_uji, y_uji)))
    if epoch + 1 in epoch_potret:
        potret[epoch + 1] = params
print(f"{epochs} epoch dalam {format_float(time.perf_counter() - t0, 1)} dtk")
print(
    f"akurasi latih = {format_float(akurasi(params, X_latih, y_latih), 3)}, akurasi uji = {format_float(riwayat['akurasi_uji'][-1], 3)}"
)

# %%
fig, (ax1, ax2) = plt.subplots(1, 2, figsize=(10, 3.8))
ax1.plot(range(1, epochs + 1), riwayat["loss"])
ax1.set_xlabel("epoch")
ax1.xaxis.set_major_locator(MaxNLocator(integer=True))  # whole epochs
ax1.set_ylabel("cross-entropy latih")
ax1.set_title("Loss latih")
ax1.grid(alpha=0.3)
ax2.plot(range(1, epochs + 1), riwayat["akurasi_uji"], color="tab:green")
ax2.set_xlabel("epoch")
ax2.xaxis.set_major_locator(MaxNLocator(integer=True))  # whole epochs
ax2.set_ylabel("akurasi uji")
ax2.set_title("Akurasi pada data uji")
ax2.grid(alpha=0.3)
plt.show()

# %% [markdown]
# ## Batas keputusan
#
# Kita evaluasi model di setiap titik kisi yang rapat dan mewarnai bidang menurut kelas yang
# diprediksi. Berbeda dengan garis lurus model linear, MLP mempelajari batas melengkung yang
# mengikuti spiral.

# %%
g = jnp.linspace(-1.1, 1.1, 250)
gx, gy = jnp.meshgrid(g, g)
kisi = jnp.stack([gx.ravel(), gy.ravel()], axis=1)  # (250*250, 2)
kelas_kisi = jax.jit(lambda p, x: jnp.argmax(mlp(p, x), axis=1))(params, kisi).reshape(gx.shape)

fig, ax = plt.subplots(figsize=(5.5, 5.5))
ax.contourf(
    np.asarray(gx),
    np.asarray(gy),
    np.asarray(kelas_kisi),
    levels=[-0.5, 0.5, 1.5, 2.5],
    cmap="brg",
    alpha=0.25,
)
ax.scatter(uji["input"][:, 0], uji["input"][:, 1], c=uji["label"], cmap="brg", s=8)
ax.set_aspect("equal")
ax.set_title(
    f"Batas keputusan MLP {ukuran} (akurasi uji {format_percent(riwayat['akurasi_uji'][-1], 1)})"
)
plt.show()

# %% [markdown]
# ### Batas keputusan selama pelatihan
#
# Potret parameter yang kita simpan selama pelatihan memperlihatkan *bagaimana* batas itu
# terbentuk: mula-mula (bobot acak) hampir seluruh bidang jatuh ke satu atau dua kelas, lalu
# batasnya berputar dan melengkung sampai mengikuti lengan-lengan spiral.

# %%
prediksi_kisi = jax.jit(lambda p, x: jnp.argmax(mlp(p, x), axis=1))
fig, axes = plt.subplots(2, 3, figsize=(10, 6.8), sharex=True, sharey=True)
for ax, (ep, p_ep) in zip(axes.ravel(), list(potret.items())[-6:], strict=False):
    ax.contourf(
        np.asarray(gx),
        np.asarray(gy),
        np.asarray(prediksi_kisi(p_ep, kisi).reshape(gx.shape)),
        levels=[-0.5, 0.5, 1.5, 2.5],
        cmap="brg",
        alpha=0.25,
    )
    ax.scatter(uji["input"][:, 0], uji["input"][:, 1], c=uji["label"], cmap="brg", s=3)
    ax.set_aspect("equal")
    ax.set_title(f"epoch {ep}: akurasi uji {format_percent(akurasi(p_ep, X_uji, y_uji), 0)}")
for ax in axes.ravel()[len(potret) :]:
    ax.axis("off")
fig.suptitle("Batas keputusan selama pelatihan")
fig.tight_layout()
plt.show()

# %% [markdown]
# ## Latihan
#
# **Latihan 1.** Tulis *cross-entropy* rata-rata dari `logits` (B, K) dan `labels` (B,), stabil
# untuk logit besar.


# %%
def cross_entropy(logits, labels):
    # TODO
    return None


_ = latihan.check_cross_entropy(cross_entropy)

# %% [markdown]
# **Latihan 2.** Akurasi: bagian baris yang `argmax`-nya sama dengan label.


# %%
def hitung_akurasi(logits, labels):
    # TODO
    return None


_ = latihan.check_accuracy(hitung_akurasi)

# %% [markdown]
# **Latihan 3.** Jumlah seluruh bilangan dalam pytree parameter apa pun. Berapa parameter MLP
# $(2, 64, 64, 3)$ kita? Hitung juga secara manual: $\sum_l (d_{l-1} + 1)\,d_l$.


# %%
def jumlah_parameter(params):
    # TODO: jax.tree.leaves
    return None


_ = latihan.check_count_params(jumlah_parameter)

# %% [markdown]
# ## Ringkasan
#
# - Angka acak JAX adalah fungsi murni dari kunci: `key`, `split` untuk kunci baru, `fold_in`
#   untuk kunci per langkah/epoch. Jangan pakai satu kunci dua kali.
# - Parameter MLP adalah pytree; `jax.tree.map` dan `jax.tree.leaves` bekerja pada semuanya.
# - Tulis model untuk satu contoh, lalu `jax.vmap(..., in_axes=(None, 0))` untuk batch.
# - Cross-entropy dengan `log_softmax`; langkah SGD di-`jit` sekali, lalu cepat.
# - MLP kecil mempelajari batas keputusan melengkung yang tidak bisa dibuat model linear.
#
# Berikutnya: model yang sama dengan Flax NNX dan Optax, alat yang dipakai di sisa kursus.
# Angka kunci eksekusi ini:

# %%
print_key_numbers(
    {
        "parameter MLP (2, 64, 64, 3)": sum(a.size for a in jax.tree.leaves(params)),
        "epoch": epochs,
        "akurasi latih / uji": f"{format_percent(akurasi(params, X_latih, y_latih))} / "
        f"{format_percent(riwayat['akurasi_uji'][-1])}",
        "loss latih epoch terakhir": format_float(riwayat["loss"][-1], 4),
    }
)
