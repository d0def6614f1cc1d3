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
# [![Buka di Colab](https://colab.research.google.com/assets/colab-badge.svg)](https://colab.research.google.com/github/dljax/dljax/blob/main/lessons/3-convnet/01-konvolusi-1d.ipynb)
#
# # 3.1 Konvolusi 1-D dari nol
#
# Lapisan *fully connected* menghubungkan setiap masukan ke setiap keluaran. Untuk sinyal
# (suara, deret waktu) dan gambar, itu boros dan tidak memanfaatkan struktur datanya: pola
# yang berarti biasanya **lokal** (beberapa sampel yang berdekatan) dan bisa muncul **di mana
# saja**. Konvolusi memakai satu kernel kecil yang digeser di sepanjang sinyal, jadi bobotnya
# dipakai bersama (*weight sharing*) dan pola yang sama dikenali di posisi mana pun.
#
# Di pelajaran ini kita menulis konvolusi 1-D sendiri dengan `jax.vmap`, lalu memastikan
# hasilnya **sama** dengan `jnp.convolve` dan `lax.conv_general_dilated` (yang dipakai oleh
# lapisan `nnx.Conv`). Setelah pelajaran ini kamu bisa:
#
# - menjelaskan rumus konvolusi, bedanya dengan korelasi silang, serta peran *padding* dan
#   *stride*;
# - menulis konvolusi 1-D tervektorisasi dengan `vmap`, untuk satu sinyal, satu *batch*, dan
#   banyak kanal;
# - memakai kernel sederhana untuk menghaluskan sinyal dan mendeteksi tepi.

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
from jax import lax

from dljax.exercises import convnet as latihan
from dljax.formatting import format_float
from dljax.lesson import print_key_numbers

# %% [markdown]
# ## Rumus konvolusi
#
# Konvolusi sinyal $x$ (panjang $n$) dengan kernel $w$ (panjang $k$) adalah
#
# $$(x * w)[i] = \sum_{m} x[m]\, w[i - m],$$
#
# yaitu kernel **dibalik**, digeser sejauh $i$, dikalikan elemen demi elemen, lalu dijumlahkan.
# Bila kita hanya mengambil posisi di mana kernel muat seluruhnya di dalam sinyal (mode
# *valid*), keluarannya punya $n - k + 1$ elemen:
#
# $$y[i] = \sum_{j=0}^{k-1} x[i + j]\; w[k - 1 - j], \qquad i = 0, \ldots, n - k .$$
#
# Tanpa membalik kernel kita mendapat **korelasi silang** (*cross-correlation*)
# $y[i] = \sum_j x[i+j]\, w[j]$. Hampir semua pustaka *deep learning* (termasuk `nnx.Conv`)
# sebenarnya menghitung korelasi silang; karena kernelnya dipelajari, perbedaan itu tidak
# penting — jaringan akan mempelajari kernel yang sudah "terbalik".
#
# Mari mulai dengan versi yang paling lugas: perulangan Python biasa.


# %%
def conv1d_loop(x, w):
    """Konvolusi 'valid' dengan perulangan (lambat, hanya untuk memahami rumusnya)."""
    n, k = len(x), len(w)
    w_flip = w[::-1]
    return jnp.array([jnp.sum(x[i : i + k] * w_flip) for i in range(n - k + 1)])


x = jnp.array([0.0, 1.0, 2.0, 3.0, 2.0, 1.0, 0.0])
w = jnp.array([1.0, 0.0, -1.0])
print("x          =", x)
print("w          =", w)
print("x * w      =", conv1d_loop(x, w))
print("jnp.convolve =", jnp.convolve(x, w, mode="valid"))

# %% [markdown]
# ## Versi tervektorisasi dengan `vmap`
#
# Setiap keluaran $y[i]$ adalah hasil kali dalam antara satu **jendela** $x[i:i+k]$ dan kernel
# yang dibalik. Jadi cukup tulis fungsi untuk **satu** posisi, lalu biarkan `jax.vmap`
# menjalankannya untuk semua posisi sekaligus. `lax.dynamic_slice_in_dim` mengambil jendela
# sepanjang $k$ mulai dari indeks $i$ (indeks boleh berupa *tracer* di dalam `vmap`/`jit`).


# %%
def conv1d(x, w):
    """Konvolusi 1-D mode 'valid': x (n,), w (k,) -> (n - k + 1,)."""
    k = w.shape[0]
    w_flip = w[::-1]

    def one_position(i):
        window = lax.dynamic_slice_in_dim(x, i, k)  # (k,)
        return jnp.dot(window, w_flip)

    return jax.vmap(one_position)(jnp.arange(x.shape[0] - k + 1))  # (n - k + 1,)


print(conv1d(x, w))

# %% [markdown]
# Sekarang kita periksa pada sinyal acak yang lebih panjang bahwa hasilnya sama dengan
# `jnp.convolve` sampai toleransi $10^{-5}$.

# %%
key_x, key_w = jax.random.split(jax.random.key(0))
signal = jax.random.normal(key_x, (1000,))
kernel = jax.random.normal(key_w, (7,))

ours = conv1d(signal, kernel)
reference = jnp.convolve(signal, kernel, mode="valid")
print("bentuk:", ours.shape, reference.shape)
print("selisih maksimum:", float(jnp.max(jnp.abs(ours - reference))))
assert ours.shape == reference.shape
assert jnp.allclose(ours, reference, atol=1e-5, rtol=1e-5)

# %% [markdown]
# ## Konvolusi seperti di jaringan saraf: `lax.conv_general_dilated`
#
# Lapisan konvolusi bekerja pada **batch** berisi banyak sinyal, masing-masing dengan
# beberapa **kanal** (mis. stereo = 2 kanal). Dengan masukan berbentuk $(B, n, C_\text{in})$ dan
# kernel $(k, C_\text{in}, C_\text{out})$, keluaran kanal $o$ adalah
#
# $$y[b, i, o] = \sum_{j=0}^{k-1} \sum_{c=1}^{C_\text{in}} x[b, i + j, c]\; w[j, c, o] .$$
#
# Ini korelasi silang (tanpa pembalikan), dijumlahkan atas kanal masukan. JAX menyediakannya
# sebagai `lax.conv_general_dilated`; `dimension_numbers=("NWC", "WIO", "NWC")` memberitahu
# urutan sumbunya (N = batch, W = panjang, C = kanal; I/O = kanal masukan/keluaran kernel).
# Pertama kita cocokkan dengan konvolusi satu kanal kita: kernel perlu dibalik karena `lax`
# menghitung korelasi silang.

# %%
lax_out = lax.conv_general_dilated(
    signal[None, :, None],  # (B=1, n, C_in=1)
    kernel[::-1, None, None],  # (k, C_in=1, C_out=1), dibalik
    window_strides=(1,),
    padding="VALID",
    dimension_numbers=("NWC", "WIO", "NWC"),
)[0, :, 0]
print("selisih maksimum dengan lax.conv:", float(jnp.max(jnp.abs(ours - lax_out))))
assert jnp.allclose(ours, lax_out, atol=1e-5, rtol=1e-5)

# %% [markdown]
# Versi banyak kanal kita tulis dengan cara yang sama: ambil semua jendela dengan `vmap`
# (bentuk $(n-k+1, k, C_\text{in})$), lalu satu `jnp.einsum` menjumlahkan atas $j$ dan $c$.
# `vmap` kedua menambahkan sumbu batch tanpa mengubah fungsinya sama sekali.


# %%
def conv1d_channels(x, w):
    """Korelasi silang 'valid' banyak kanal: x (n, C_in), w (k, C_in, C_out) -> (n-k+1, C_out)."""
    k = w.shape[0]
    starts = jnp.arange(x.shape[0] - k + 1)
    windows = jax.vmap(lambda i: lax.dynamic_slice_in_dim(x, i, k))(starts)  # (n-k+1, k, C_in)
    return jnp.einsum("pjc,jco->po", windows, w)  # (n-k+1, C_out)


conv1d_batch = jax.jit(jax.vmap(conv1d_channels, in_axes=(0, None)))  # (B, n, C_in) -> ...

key_xb, key_wb = jax.random.split(jax.random.key(1))
xb = jax.random.normal(key_xb, (8, 200, 3))  # (B, n, C_in)
wb = jax.random.normal(key_wb, (5, 3, 4))  # (k, C_in, C_out)
ours_b = conv1d_batch(xb, wb)
lax_b = lax.conv_general_dilated(
    xb, wb, window_strides=(1,), padding="VALID", dimension_numbers=("NWC", "WIO", "NWC")
)
print("bentuk:", ours_b.shape, lax_b.shape)
print("selisih maksimum:", float(jnp.max(jnp.abs(ours_b - lax_b))))
assert jnp.allclose(ours_b, lax_b, atol=1e-5, rtol=1e-5)

# %% [markdown]
# Seberapa cepat? Versi `vmap` kita membuat salinan semua jendela (memori $k$ kali lebih
# banyak), sedangkan `lax.conv` memakai kernel konvolusi khusus. Untuk kernel kecil
# keduanya cepat; yang penting, versi kita **benar** dan mudah dibaca.

# %%
big_x = jax.random.normal(key_xb, (32, 4000, 8))
big_w = jax.random.normal(key_wb, (9, 8, 16))
lax_conv = jax.jit(
    lambda x, w: lax.conv_general_dilated(
        x, w, (1,), "VALID", dimension_numbers=("NWC", "WIO", "NWC")
    )
)
ms_panggilan = {}
for name, fn in [("vmap + einsum", conv1d_batch), ("lax.conv", lax_conv)]:
    fn(big_x, big_w).block_until_ready()  # kompilasi dulu
    t0 = time.perf_counter()
    for _ in range(5):
        fn(big_x, big_w).block_until_ready()
    ms_panggilan[name] = (time.perf_counter() - t0) / 5 * 1000
    print(f"{name:14s}: {format_float(ms_panggilan[name], 1)} ms per panggilan")

# %% [markdown]
# ## Padding dan stride
#
# - **Padding** $p$: tambahkan $p$ nol di kedua ujung sinyal, supaya tepi sinyal ikut
#   diproses dan panjang keluaran bisa dipertahankan (mode *same*: $p = (k-1)/2$ untuk $k$
#   ganjil).
# - **Stride** $s$: geser kernel $s$ langkah sekaligus, sehingga keluaran lebih pendek.
#
# Panjang keluarannya
#
# $$n_\text{out} = \left\lfloor \frac{n + 2p - k}{s} \right\rfloor + 1 .$$
#
# Dengan $p = k - 1$ dan $s = 1$ kita mendapat mode *full* ($n + k - 1$ elemen).


# %%
def conv1d_general(x, w, padding=0, stride=1):
    """Konvolusi dengan padding nol dan stride: (n,) -> (floor((n + 2p - k) / s) + 1,)."""
    x_pad = jnp.pad(x, (padding, padding))
    return conv1d(x_pad, w)[::stride]


for p, s in [(0, 1), (1, 1), (0, 2), (3, 1)]:
    y = conv1d_general(signal[:10], kernel[:3], padding=p, stride=s)
    print(f"n=10, k=3, padding={p}, stride={s} -> panjang {y.shape[0]}")
same = conv1d_general(signal, kernel, padding=3)
assert jnp.allclose(same, jnp.convolve(signal, kernel, mode="same"), atol=1e-5)

# %% [markdown]
# ## Apa yang dilakukan sebuah kernel?
#
# Kernel kecil yang dirancang secara manual sudah melakukan hal-hal berguna:
#
# - rata-rata bergerak $w = \tfrac{1}{k}(1, \ldots, 1)$ **menghaluskan** sinyal (menekan derau);
# - selisih $w = (1, -1)$ menghitung $x[i+1] - x[i]$, turunan diskrit, yang besar di **tepi**
#   (lompatan) sinyal.
#
# Jaringan konvolusi mempelajari kernel seperti ini sendiri dari data.

# %%
t = jnp.linspace(0.0, 1.0, 400)
clean = jnp.where(t < 0.3, 0.0, 1.0) + jnp.where(t > 0.7, -1.5, 0.0)  # sinyal bertangga
noisy = clean + 0.15 * jax.random.normal(jax.random.key(2), t.shape)
smooth = conv1d_general(noisy, jnp.ones(15) / 15, padding=7)
edges = conv1d_general(smooth, jnp.array([1.0, -1.0]), padding=0)

fig, axes = plt.subplots(3, 1, figsize=(8, 6), sharex=True)
axes[0].plot(t, noisy, lw=0.8, label="sinyal berderau")
axes[0].plot(t, clean, "k--", lw=1, label="sinyal asli")
axes[1].plot(t, smooth, color="C1", label="dihaluskan (rata-rata 15 sampel)")
axes[2].plot(t[1:], edges, color="C2", label="selisih (1, -1): tepi")
for ax in axes:
    ax.legend(loc="upper right", fontsize=8)
    ax.grid(alpha=0.3)
axes[2].set_xlabel("waktu")
fig.suptitle("Konvolusi dengan kernel buatan tangan")
fig.tight_layout()
plt.show()

# %% [markdown]
# ## Latihan
#
# **Latihan 1.** Tulis konvolusi mode *full* (panjang $n + k - 1$, sama dengan
# `jnp.convolve(x, w, mode="full")`) dengan memakai `conv1d` di atas.


# %%
def conv1d_full(x, w):
    # TODO: tambahkan padding nol lalu pakai conv1d
    return None


_ = latihan.check_conv1d_full(conv1d_full)

# %% [markdown]
# **Latihan 2.** Tulis rumus panjang keluaran konvolusi untuk sinyal panjang `n`, kernel
# panjang `k`, padding `padding` dan stride `stride`.


# %%
def panjang_keluaran(n, k, padding, stride):
    # TODO: kembalikan sebuah bilangan bulat
    return None


_ = latihan.check_output_length(panjang_keluaran)

# %% [markdown]
# **Latihan 3.** Tulis korelasi silang mode *valid* (sama dengan
# `jnp.correlate(x, w, mode="valid")`). Petunjuk: satu baris dengan `conv1d`.


# %%
def korelasi(x, w):
    # TODO
    return None


_ = latihan.check_correlate(korelasi)

# %% [markdown]
# ## Ringkasan
#
# - Konvolusi menggeser satu kernel kecil di sepanjang sinyal: bobot dipakai bersama dan pola
#   lokal dikenali di posisi mana pun. Keluaran mode *valid* punya $n - k + 1$ elemen.
# - Dengan `vmap` cukup menulis perhitungan untuk **satu** posisi (hasil kali dalam jendela
#   dan kernel); `vmap` kedua menambahkan sumbu batch. Hasil kita sama dengan `jnp.convolve`
#   dan `lax.conv_general_dilated` sampai $10^{-5}$.
# - Lapisan konvolusi di *deep learning* menghitung korelasi silang (kernel tidak dibalik)
#   dan menjumlahkan atas kanal masukan: kernel berbentuk $(k, C_\text{in}, C_\text{out})$.
# - Padding dan stride mengatur panjang keluaran:
#   $n_\text{out} = \lfloor (n + 2p - k)/s \rfloor + 1$.
#
# Angka kunci eksekusi ini:

# %%
print_key_numbers(
    {
        "selisih maks. conv1d vs jnp.convolve": f"{float(jnp.max(jnp.abs(ours - reference))):.1e}",
        "selisih maks. banyak kanal vs lax.conv": f"{float(jnp.max(jnp.abs(ours_b - lax_b))):.1e}",
        **{f"{n}: ms per panggilan": format_float(t, 1) for n, t in ms_panggilan.items()},
    }
)
