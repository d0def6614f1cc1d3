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
# [![Buka di Colab](https://colab.research.google.com/assets/colab-badge.svg)](https://colab.research.google.com/github/dljax/dljax/blob/main/lessons/7-transformer/01-attention.ipynb)
#
# # 7.1 Perhatian (*attention*) dari nol
#
# LSTM membaca kalimat satu kata demi satu kata dan memampatkan seluruh masa lalu ke dalam
# satu vektor keadaan. **Perhatian** mengambil jalan lain: setiap posisi boleh **melihat
# langsung** semua posisi lain dan memutuskan sendiri mana yang penting. Itulah inti
# *transformer* (Vaswani dkk., 2017), arsitektur di balik model bahasa besar masa kini.
#
# Yang dipelajari:
#
# - kueri (*query*), kunci (*key*) dan nilai (*value*), dan rumus *scaled dot-product
#   attention*;
# - *mask*: mana yang boleh dilihat, termasuk **mask kausal** (hanya masa lalu);
# - beberapa *head* sekaligus, masing-masing dengan polanya sendiri;
# - rumus yang kita tulis sendiri sama dengan `jax.nn.dot_product_attention`.

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
from flax import nnx

from dljax.exercises import transformer as latihan
from dljax.formatting import format_float
from dljax.lesson import budget, print_key_numbers
from dljax.models.attention import (
    MultiHeadAttention,
    attention,
    attention_weights,
    causal_mask,
    fused_attention,
)

# %% [markdown]
# ## Kueri, kunci, nilai
#
# Bayangkan perpustakaan. Setiap buku punya **kunci** (label di punggungnya) dan **nilai**
# (isinya). Kamu datang dengan **kueri** (apa yang kamu cari). Kamu membandingkan kueri
# dengan setiap kunci, lalu membawa pulang campuran isi buku, lebih banyak dari buku yang
# kuncinya paling cocok.
#
# Untuk $T$ posisi dengan vektor berdimensi $d$: kueri $Q \in \mathbb{R}^{T \times d}$,
# kunci $K \in \mathbb{R}^{T \times d}$, nilai $V \in \mathbb{R}^{T \times d_v}$.
#
# $$\mathrm{Attention}(Q, K, V) = \mathrm{softmax}\!\left(\frac{Q K^\top}{\sqrt{d}}\right) V .$$
#
# Baris ke-$t$ dari $\mathrm{softmax}(\cdot)$ adalah bobot perhatian posisi $t$: bilangan
# positif yang jumlahnya 1, satu per posisi yang dilihat. Pembagian dengan $\sqrt{d}$
# menjaga skor tetap berukuran wajar: hasil kali dalam dua vektor acak berdimensi $d$
# bervariansi $d$, dan *softmax* atas skor yang besar menjadi hampir *one-hot* sehingga
# gradiennya hilang.

# %%
kunci_acak = jax.random.split(jax.random.key(0), 2)
sebaran_skor = {}
for d in (4, 64, 1024):
    q = jax.random.normal(kunci_acak[0], (10_000, d))
    k = jax.random.normal(kunci_acak[1], (10_000, d))
    skor = jnp.sum(q * k, axis=-1)
    sebaran_skor[d] = (float(skor.std()), float((skor / np.sqrt(d)).std()))
    print(
        f"d = {d:4d}: simpangan baku q·k = {format_float(float(skor.std()), 2)}, "
        f"sesudah dibagi √d = {format_float(float((skor / np.sqrt(d)).std()), 2)}"
    )

# %% [markdown]
# ## Perhatian pada sebuah kalimat
#
# Agar polanya bisa dibaca, kita **merancang sendiri** kueri dan kuncinya (nanti, di GPT,
# semuanya dipelajari). Kalimatnya:

# %%
kalimat = "kucing itu minum susu karena kucing itu haus".split()
kata_unik = sorted(set(kalimat))
T = len(kalimat)
print(T, "kata,", len(kata_unik), "kata berbeda:", kata_unik)

# %% [markdown]
# **Head "kata yang sama".** Kunci setiap posisi adalah vektor *one-hot* katanya (vektor
# indikator: 1 di kolom kata itu, 0 di kolom lain), dan kuerinya juga, dikalikan 4 agar skor
# kata yang sama lebih menonjol. Maka $q_t \cdot k_s = 4$ bila kata di $t$ dan $s$ sama, dan
# 0 bila tidak: "kucing" yang kedua akan memperhatikan "kucing" yang pertama. Ingat bahwa
# skornya masih dibagi $\sqrt d$, di sini $d$ = banyaknya kata berbeda.

# %%
indikator = jnp.eye(len(kata_unik))[jnp.array([kata_unik.index(w) for w in kalimat])]  # (T, V)
q_sama = 4.0 * indikator  # (T, V)
k_sama = indikator


def peta(bobot, judul, ax):
    ax.imshow(bobot, cmap="viridis", vmin=0, vmax=1)
    ax.set_xticks(range(T), kalimat, rotation=60)
    ax.set_yticks(range(T), kalimat)
    ax.set_xlabel("kunci (yang dilihat)")
    ax.set_ylabel("kueri (yang melihat)")
    ax.set_title(judul)


def satu_head(q, k, mask=None):
    """Bobot (T, T) untuk satu head: bentuk (B, T, H, d) yang dipakai dljax."""
    m = None if mask is None else mask[None, None]
    return attention_weights(q[None, :, None], k[None, :, None], m)[0, 0]


bobot_sama = satu_head(q_sama, k_sama)
fig, ax = plt.subplots(figsize=(5, 5))
peta(bobot_sama, "head 'kata yang sama'", ax)
plt.show()
d_sama = len(kata_unik)
bobot_diri = float(bobot_sama[kalimat.index("minum"), kalimat.index("minum")])
bobot_kucing = float(bobot_sama[0, 0] + bobot_sama[0, 5])
print(
    f"skor kata yang sama 4/√{d_sama} = {format_float(4 / np.sqrt(d_sama), 2)}; "
    f"bobot 'minum' pada dirinya sendiri: {format_float(bobot_diri, 2)}; "
    f"bobot 'kucing' (posisi 0) pada kedua 'kucing': {format_float(bobot_kucing, 2)}"
)

# %% [markdown]
# Baris "kucing" (posisi 0 dan 5) membagi perhatiannya ke kedua "kucing". Kata yang muncul
# sekali ("minum", "karena") memberi bobot **terbesar** pada dirinya sendiri, tetapi jauh dari
# semuanya (angkanya di atas): skornya $4/\sqrt d$ hanya sedikit di atas skor 0 kata-kata
# lain (0, bukan $-\infty$), jadi sisa bobotnya tersebar ke kata lain. Faktor yang lebih
# besar dari 4 mempertajamnya (Latihan 3).
#
# ## *Mask*: mana yang boleh dilihat
#
# *Mask* adalah matriks boolean $T \times T$: `True` berarti boleh dilihat. Posisi yang
# dilarang diberi skor $-\infty$ sebelum *softmax*, sehingga bobotnya tepat 0. Model bahasa
# menebak kata berikutnya, jadi ia **tidak boleh mengintip masa depan**: posisi $t$ hanya
# melihat posisi $s \le t$. Itulah **mask kausal**, segitiga bawah.

# %%
mask = causal_mask(T)[0, 0]  # (T, T)
print(np.asarray(mask).astype(int))
bobot_kausal = satu_head(q_sama, k_sama, mask)
fig, axes = plt.subplots(1, 2, figsize=(10, 5))
peta(bobot_sama, "tanpa mask", axes[0])
peta(bobot_kausal, "mask kausal", axes[1])
plt.tight_layout()
plt.show()

# %% [markdown]
# Dengan mask kausal, "kucing" pertama hanya bisa melihat dirinya sendiri; "kucing" kedua
# melihat ke belakang dan menemukan "kucing" pertama. Baris pertama selalu berbobot 1 pada
# dirinya sendiri.
#
# ## Beberapa *head*
#
# Satu pola saja tidak cukup. Head kedua kita rancang untuk melihat **kata sebelumnya**:
# kunci adalah posisi *one-hot* $e_s$, kueri posisi $t$ adalah $e_{t-1}$. Transformer
# menjalankan $H$ head sejajar, masing-masing dengan $Q, K, V$-nya sendiri, lalu
# menyambung (*concatenate*) hasilnya. Di `dljax` bentuknya `(B, T, H, d)`, sama seperti
# `jax.nn.dot_product_attention`.

# %%
posisi = jnp.eye(T)  # (T, T): one-hot posisi
q_sebelum = 6.0 * jnp.roll(posisi, 1, axis=0).at[0].set(posisi[0])  # posisi 0: dirinya
k_sebelum = posisi
lebar = max(len(kata_unik), T)


def pad(x):
    return jnp.pad(x, ((0, 0), (0, lebar - x.shape[1])))


q = jnp.stack([pad(q_sama), pad(q_sebelum)], axis=1)[None]  # (1, T, 2, d)
k = jnp.stack([pad(k_sama), pad(k_sebelum)], axis=1)[None]
bobot = attention_weights(q, k, mask[None, None])  # (1, 2, T, T)
fig, axes = plt.subplots(1, 2, figsize=(10, 5))
peta(bobot[0, 0], "head 1: kata yang sama", axes[0])
peta(bobot[0, 1], "head 2: kata sebelumnya", axes[1])
plt.tight_layout()
plt.show()

# %% [markdown]
# Dua head, dua pola yang berbeda, dihitung dalam satu `einsum`. Di model yang dilatih, pola
# seperti "lihat token sebelumnya" atau "cari kemunculan sebelumnya dari kata ini" memang
# muncul dengan sendirinya (*induction heads*, Olsson dkk., 2022).
#
# ## Rumus kita = `jax.nn.dot_product_attention`
#
# `dljax.models.attention.attention` menulis rumus di atas apa adanya dengan `einsum`;
# `fused_attention` memanggil `jax.nn.dot_product_attention`, yang bisa memakai implementasi
# khusus (mis. *flash attention* di GPU). Keduanya harus memberi angka yang sama.

# %%
kq, kk, kv = jax.random.split(jax.random.key(1), 3)
B, T2, H, D = 4, 32, 4, 16
q2 = jax.random.normal(kq, (B, T2, H, D))
k2 = jax.random.normal(kk, (B, T2, H, D))
v2 = jax.random.normal(kv, (B, T2, H, D))
m2 = causal_mask(T2)
polos = attention(q2, k2, v2, m2)
bawaan = fused_attention(q2, k2, v2, m2)
print("bentuk keluaran:", polos.shape)
selisih_bawaan = float(jnp.max(jnp.abs(polos - bawaan)))
print(f"selisih terbesar: {selisih_bawaan:.2e}")

ulang = budget(20, 5)
polos_jit, bawaan_jit = jax.jit(attention), jax.jit(fused_attention)
waktu = {}
for nama, f in (("einsum", polos_jit), ("jax.nn", bawaan_jit)):
    f(q2, k2, v2, m2).block_until_ready()  # kompilasi
    mulai = time.perf_counter()
    for _ in range(ulang):
        f(q2, k2, v2, m2).block_until_ready()
    waktu[nama] = (time.perf_counter() - mulai) / ulang * 1e6
print("waktu per panggilan (µs):", {n: format_float(t, 0) for n, t in waktu.items()})

# %% [markdown]
# Di CPU, `jax.nn.dot_product_attention` memakai implementasi `"xla"` yang menyusun operasi
# yang pada dasarnya sama dengan `einsum` kita (selisihnya bisa tepat nol), jadi di CPU kita
# tidak perlu mengharapkan percepatan; keunggulannya (implementasi `"cudnn"`, *flash attention*) baru terasa di
# GPU untuk urutan panjang. Angka waktu di komputer yang sibuk naik-turun.
#
# ## Lapisan *self-attention*
#
# Dalam *self-attention*, $Q$, $K$ dan $V$ dihitung dari masukan yang sama $X$ ($T \times
# D$) dengan tiga proyeksi linear yang dipelajari, $Q = X W_Q$, $K = X W_K$, $V = X W_V$,
# dipecah menjadi $H$ head berukuran $D/H$, lalu hasil semua head diproyeksikan lagi dengan
# $W_O$. `MultiHeadAttention` di `dljax` melakukan semuanya (satu matriks $W_{QKV}$ untuk
# ketiganya). Kita cek sifat kausalnya: **mengubah token masa depan tidak mengubah keluaran
# di masa lalu**.

# %%
lapisan = MultiHeadAttention(32, heads=4, rngs=nnx.Rngs(0))
x = jax.random.normal(jax.random.key(2), (1, 10, 32))  # (B, T, D)
m10 = causal_mask(10)
y, _ = lapisan(x, mask=m10)
x_ubah = x.at[:, 6:].set(jax.random.normal(jax.random.key(3), (1, 4, 32)))  # ubah posisi 6..9
y_ubah, _ = lapisan(x_ubah, mask=m10)
beda = jnp.abs(y - y_ubah).max(axis=-1)[0]  # (T,)
beda_masa_lalu = float(beda[:6].max())
print("perubahan keluaran per posisi:", np.round(np.asarray(beda), 4))

fig, ax = plt.subplots(figsize=(7, 3))
ax.bar(range(10), np.asarray(beda), color=["tab:blue"] * 6 + ["tab:orange"] * 4)
ax.set_xlabel("posisi")
ax.set_ylabel("|perubahan keluaran|")
ax.set_title("Token 6..9 diubah: posisi 0..5 tidak terpengaruh")
plt.show()

# %% [markdown]
# Posisi 0 sampai 5 tidak berubah sama sekali: itulah yang membuat model bahasa bisa dilatih
# menebak **semua** posisi sekaligus dalam satu jendela tanpa menyontek jawabannya.
#
# Satu hal lagi: perhatian tidak peduli **urutan**. Kalau posisi kunci-kunci ditukar, bobot
# yang sama hanya ikut tertukar. Karena itu transformer membutuhkan **penyandian posisi**
# (*position encoding*): vektor posisi yang dipelajari dan ditambahkan ke masukan, atau
# **rotary** (RoPE), yang memutar $q$ dan $k$ sesuai posisinya. Untuk $d = 2$, dengan
# matriks rotasi $R(\alpha)$ dari pelajaran 1.5 dan satu frekuensi $\theta$:
#
# $$q'_t = R(t\theta)\,q_t, \qquad k'_s = R(s\theta)\,k_s, \qquad
# q'_t \cdot k'_s = q_t^\top R\big((s - t)\theta\big)\,k_s ,$$
#
# karena $R(\alpha)^\top R(\beta) = R(\beta - \alpha)$. Skornya masih bergantung pada isi
# $q_t$ dan $k_s$, tetapi pada posisinya hanya lewat **selisih** $s - t$. Untuk $d$ yang lebih
# besar, setiap pasangan koordinat diputar dengan frekuensinya sendiri. Keduanya (dan rumus
# lengkap rotary) ada di pelajaran berikutnya.

# %% [markdown]
# ## Latihan
#
# **Latihan 1.** Tulis *attention* satu head: `q` (Tq, D), `k` dan `v` (Tk, D), `mask`
# boolean (Tq, Tk), `True` = boleh dilihat. Kembalikan (Tq, D).


# %%
def attention_satu_head(q, k, v, mask):
    # TODO
    return None


_ = latihan.check_attention(attention_satu_head)

# %% [markdown]
# **Latihan 2.** Tulis mask kausal: dari `T`, kembalikan matriks boolean (T, T) yang `True`
# bila kolom (kunci) $\le$ baris (kueri).


# %%
def mask_kausal(T):
    # TODO
    return None


_ = latihan.check_causal_mask(mask_kausal)

# %% [markdown]
# **Latihan 3 (eksplorasi).** Ganti faktor 4 pada `q_sama` dengan 1 dan dengan 20. Apa yang
# terjadi pada peta perhatiannya, dan mengapa ini sama dengan efek temperatur pada
# *softmax* di pelajaran 4.3?
#
# ## Ringkasan
#
# - $\mathrm{Attention}(Q, K, V) = \mathrm{softmax}(QK^\top/\sqrt{d})\,V$: setiap kueri
#   mengambil rata-rata berbobot dari nilai, dengan bobot dari kecocokan kueri dan kunci.
# - *Mask* memberi $-\infty$ pada posisi terlarang; mask kausal (segitiga bawah) membuat
#   posisi $t$ hanya melihat $s \le t$, sehingga keluaran masa lalu tidak bergantung pada
#   masa depan.
# - $H$ head berjalan sejajar dengan pola masing-masing; bentuk `(B, T, H, d)`.
# - Rumus yang ditulis dengan `einsum` sama dengan `jax.nn.dot_product_attention`.
# - Perhatian tidak mengenal urutan; penyandian posisi menambahkannya. Rotary memutar $q$
#   dan $k$, sehingga skornya bergantung pada posisi hanya lewat selisihnya.
#
# Angka kunci eksekusi ini:

# %%
print_key_numbers(
    {
        "simpangan baku q·k, d = 1024 (sebelum / sesudah dibagi √d)": f"{format_float(sebaran_skor[1024][0], 2)} / "
        f"{format_float(sebaran_skor[1024][1], 2)}",
        "bobot 'minum' pada dirinya sendiri": format_float(bobot_diri, 2),
        "selisih einsum vs jax.nn.dot_product_attention": f"{selisih_bawaan:.1e}",
        "perubahan keluaran posisi 0..5 (token 6..9 diubah)": f"{beda_masa_lalu:.1e}",
    }
)
