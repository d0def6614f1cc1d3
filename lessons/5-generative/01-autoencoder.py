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
# [![Buka di Colab](https://colab.research.google.com/assets/colab-badge.svg)](https://colab.research.google.com/github/dljax/dljax/blob/main/lessons/5-generative/01-autoencoder.ipynb)
#
# # 5.1 Autoencoder: memampatkan gambar lalu membangunnya kembali
#
# Selamat datang di bab model **generatif**! Sampai sekarang model kita selalu menjawab
# pertanyaan ("angka berapa ini?"). Di bab ini model belajar tentang *data itu sendiri*:
# seperti apa rupa sebuah angka tulisan tangan, sampai bisa membuat yang baru.
#
# Langkah pertama adalah **autoencoder**: dua jaringan yang disambung.
#
# - **Encoder** $f$ memampatkan gambar $x$ (64 piksel) menjadi **kode** pendek
#   $z = f(x)$, misalnya 2 atau 16 angka. Lapisan sempit ini disebut *bottleneck*.
# - **Decoder** $g$ membangun kembali gambar dari kode itu: $\hat x = g(z)$.
#
# Keduanya dilatih bersama agar $\hat x \approx x$. Karena kodenya jauh lebih pendek dari
# gambarnya, jaringan *terpaksa* menemukan apa yang penting dari sebuah angka dan membuang
# sisanya. Di pelajaran ini kita:
#
# - melatih autoencoder dan melihat rekonstruksinya;
# - melihat **ruang laten**: di mana setiap angka "tinggal" di ruang kode;
# - melatih **denoising autoencoder** yang membersihkan derau Gaussian dan derau
#   *salt-and-pepper*, lalu mengukur hasilnya dengan **PSNR**.

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
import numpy as np
from matplotlib.ticker import MaxNLocator

from dljax.config import DataConfig
from dljax.data import load_dataset
from dljax.exercises import generative as latihan
from dljax.formatting import format_float, format_int, format_percent
from dljax.lesson import budget, print_key_numbers, show_images
from dljax.models.autoencoder import corrupt
from dljax.recipes import build_config
from dljax.tasks import psnr
from dljax.train import Trainer

# %% [markdown]
# ## Data: angka 8×8
#
# Kita memakai dataset `digits` (tersedia tanpa internet): gambar 8×8 abu-abu dengan nilai
# piksel di $[0, 1]$. Labelnya *tidak* dipakai untuk melatih autoencoder; kita hanya memakainya
# untuk mewarnai gambar ruang laten nanti.

# %%
data = load_dataset(DataConfig(name="digits"))
uji = data.test.arrays
x_uji, y_uji = uji["input"], uji["label"]
print(
    f"latih: {format_int(len(data.train))} gambar, uji: {format_int(len(data.test))} gambar, "
    f"bentuk satu gambar: {x_uji.shape[1:]}"
)
show_images(x_uji[:32], 16, "Contoh gambar uji")
plt.show()

# %% [markdown]
# ## Loss rekonstruksi
#
# Setiap piksel ada di $[0, 1]$, jadi decoder mengeluarkan satu *logit* $\ell$ per piksel dan
# $\hat x = \sigma(\ell)$. Loss-nya adalah *binary cross-entropy* rata-rata per piksel:
#
# $$\mathcal L(x) = -\frac{1}{D}\sum_{j=1}^{D}\Big[x_j \log \hat x_j + (1 - x_j)\log(1 - \hat
# x_j)\Big].$$
#
# Sama seperti klasifikasi biner, hanya saja "labelnya" adalah piksel gambar itu sendiri.
# Selain loss, mesin pelatihan `dljax` juga melaporkan MSE rekonstruksi, yang lebih mudah
# dibayangkan.
#
# ## Autoencoder dengan kode 2 dimensi
#
# Kita mulai dengan *bottleneck* yang sangat sempit: $z \in \mathbb R^2$. Rekonstruksinya
# tidak akan sempurna, tetapi kita bisa menggambar ruang latennya langsung.

# %%
EPOCHS = budget(60, 3)


def latih(**ubah):
    """Train an autoencoder on digits with the given dotted-key overrides."""
    config = build_config(
        "autoencoder", overrides={"train.epochs": EPOCHS, "train.seed": 0, **ubah}
    )
    trainer = Trainer(config, dataset=data)
    return trainer.fit(progress=False)


hasil_2d = latih(**{"model.latent": 2})
print(f"{format_int(hasil_2d.trainer.num_params)} parameter")
r = hasil_2d.history[-1]
mse_2d = r["test_mse"]
print(f"epoch {r['epoch']}: MSE uji {format_float(mse_2d, 4)}")

# %% [markdown]
# `trainer.sample(n, images=...)` menjalankan model dalam mode evaluasi (satu panggilan yang
# di-`jit`) dan mengembalikan $2n$ gambar: $n$ masukan, lalu $n$ rekonstruksinya.

# %%
N = 16
pasangan = hasil_2d.trainer.sample(N, images=jnp.asarray(x_uji[:N]))
show_images(pasangan, N, "Atas: gambar uji. Bawah: rekonstruksi dari kode 2 angka")
plt.show()

# %% [markdown]
# ## Ruang laten
#
# `model.encode(x)` memberi kode setiap gambar uji. Kita menggambarnya sebagai titik dan
# mewarnainya dengan labelnya. Autoencoder tidak pernah melihat label, tetapi angka yang
# mirip cenderung berkumpul: bentuk angka itulah yang paling berguna untuk merekonstruksi.
# Seberapa kuat? Untuk setiap gambar uji kita cari kode gambar uji lain yang terdekat dan
# lihat apakah angkanya sama (tebakan acak: sekitar 10 %).

# %%
model_2d = hasil_2d.model()
kode_2d = np.asarray(model_2d.encode(jnp.asarray(x_uji)))  # (N, 2)


def tetangga_sama(kode, label):
    """The fraction of codes whose nearest other code has the same label."""
    jarak = np.sum((kode[:, None, :] - kode[None, :, :]) ** 2, axis=-1)  # (N, N)
    np.fill_diagonal(jarak, np.inf)
    return float(np.mean(label[np.argmin(jarak, axis=1)] == label))


tetangga_2d = tetangga_sama(kode_2d, y_uji)
print(f"tetangga terdekat di ruang laten 2-D berangka sama: {format_percent(tetangga_2d)}")

fig, ax = plt.subplots(figsize=(6.5, 5.5))
sc = ax.scatter(kode_2d[:, 0], kode_2d[:, 1], c=y_uji, cmap="tab10", s=12, alpha=0.8)
fig.colorbar(sc, ax=ax, ticks=range(10), label="angka")
ax.set_xlabel("$z_1$")
ax.set_ylabel("$z_2$")
ax.set_title("Ruang laten 2-D autoencoder (gambar uji)")
ax.grid(alpha=0.3)
plt.show()

# %% [markdown]
# Kodenya tersebar tanpa aturan: ada daerah kosong yang luas, dan skalanya bebas. Kalau kita
# mengambil titik sembarang di bidang ini dan men-*decode*-nya, hasilnya sering bukan angka.
# Itulah sebabnya autoencoder biasa **bukan** model generatif yang baik; VAE di pelajaran
# berikutnya memperbaikinya.
#
# ## Denoising autoencoder
#
# Autoencoder juga bisa belajar **membersihkan** gambar (Vincent dkk. 2008): masukannya
# dirusak dengan derau, targetnya tetap gambar bersih. Dua jenis derau:
#
# - **Gaussian**: $\tilde x = \mathrm{clip}(x + s\,\varepsilon,\ 0,\ 1)$ dengan
#   $\varepsilon \sim \mathcal N(0, 1)$ per piksel;
# - ***salt-and-pepper***: sebagian piksel (bagian $s$) diganti acak menjadi 0 (*pepper*)
#   atau 1 (*salt*).
#
# Fungsi `corrupt` melakukannya dengan `jax.random`. Ingat: PRNG JAX *tanpa keadaan*; kunci
# yang sama selalu memberi derau yang sama.

# %%
kunci = jax.random.key(0)
contoh = jnp.asarray(x_uji[:8])
fig, axes = plt.subplots(3, 1, figsize=(6, 3.9))
show_images(contoh, 8, "Asli", ax=axes[0])
show_images(corrupt(contoh, "gaussian", 0.3, kunci), 8, "Derau Gaussian, s = 0,3", ax=axes[1])
show_images(
    corrupt(contoh, "salt_pepper", 0.3, kunci), 8, "Salt-and-pepper, 30 % piksel", ax=axes[2]
)
plt.tight_layout()
plt.show()
print(
    "kunci sama, derau sama:",
    bool(
        jnp.all(corrupt(contoh, "gaussian", 0.3, kunci) == corrupt(contoh, "gaussian", 0.3, kunci))
    ),
)

# %% [markdown]
# Kita melatih dua denoising autoencoder dengan kode 16 dimensi, satu untuk setiap jenis
# derau. Di terminal: `dljax train autoencoder --set model.denoise=gaussian`.

# %%
JENIS_DERAU = budget(("gaussian", "salt_pepper"), ("salt_pepper",))  # fast mode: one
hasil_dae = {
    jenis: latih(**{"model.denoise": jenis, "model.noise_level": 0.3}) for jenis in JENIS_DERAU
}
NAMA = {"gaussian": "Gaussian", "salt_pepper": "salt-and-pepper"}

fig, ax = plt.subplots(figsize=(7, 3.8))
for hasil, label in (
    (hasil_2d, "AE, kode 2-D"),
    *((h, f"DAE {NAMA[j]}") for j, h in hasil_dae.items()),
):
    ep = [r["epoch"] for r in hasil.history]
    ax.plot(ep, [r["test_mse"] for r in hasil.history], marker="o", ms=3, label=label)
ax.set_xlabel("epoch")
ax.set_ylabel("MSE uji (terhadap gambar bersih)")
ax.set_title("Kurva belajar autoencoder")
ax.xaxis.set_major_locator(MaxNLocator(integer=True))
ax.grid(alpha=0.3)
ax.legend()
plt.show()

# %%
for jenis, hasil in hasil_dae.items():
    baris = hasil.trainer.sample(N, images=jnp.asarray(x_uji[:N]), seed=1)
    show_images(
        np.concatenate([x_uji[:N], baris]),
        N,
        f"{NAMA[jenis]}: asli, berderau, hasil pembersihan",
    )
    plt.show()

# %% [markdown]
# ## Mengukur: PSNR
#
# *Peak signal-to-noise ratio* membandingkan gambar $\hat x$ dengan gambar bersih $x$ yang
# nilainya di $[0, 1]$:
#
# $$\mathrm{PSNR} = 10 \log_{10} \frac{1}{\mathrm{MSE}(\hat x, x)}\ \text{dB}.$$
#
# Makin tinggi makin baik; setiap +10 dB berarti MSE sepuluh kali lebih kecil. Kita hitung
# PSNR gambar berderau dan PSNR hasil pembersihan, **per gambar** pada seluruh data uji, lalu
# rata-ratanya. (Mesin pelatihan `dljax` juga mencatatnya per epoch sebagai
# `test_psnr_noisy` dan `test_psnr`.)

# %%
x_jnp = jnp.asarray(x_uji)
psnr_dae = {}
for jenis, hasil in hasil_dae.items():
    model = hasil.model()
    berderau = corrupt(x_jnp, jenis, 0.3, jax.random.key(2))
    bersih = jax.nn.sigmoid(model(berderau))
    p_derau, p_bersih = psnr(berderau, x_jnp), psnr(bersih, x_jnp)  # (N,) each
    menang = float(jnp.mean(p_bersih > p_derau))
    psnr_dae[jenis] = (float(p_derau.mean()), float(p_bersih.mean()), menang)
    print(
        f"{NAMA[jenis]:>15}: PSNR berderau {format_float(float(p_derau.mean()), 1)} dB → "
        f"setelah dibersihkan {format_float(float(p_bersih.mean()), 1)} dB "
        f"(lebih baik pada {format_percent(menang)} gambar)"
    )
    r = hasil.history[-1]
    print(
        f"{'':>15}  catatan mesin pelatihan: {format_float(r['test_psnr_noisy'], 1)} dB → "
        f"{format_float(r['test_psnr'], 1)} dB"
    )

# %% [markdown]
# ## Ruang laten 16-D, dilihat lewat PCA
#
# Kode 16 dimensi tidak bisa digambar langsung. **PCA** memproyeksikannya ke dua arah dengan
# variansi terbesar (vektor singular pertama dari kode yang sudah dipusatkan, bab 1). Kita
# pakai kode dari gambar *bersih* yang dimasukkan ke denoising autoencoder.

# %%
kode = np.asarray(hasil_dae[JENIS_DERAU[0]].model().encode(x_jnp))  # (N, 16)
pusat = kode - kode.mean(axis=0)
_, s, vt = np.linalg.svd(pusat, full_matrices=False)
proyeksi = pusat @ vt[:2].T  # (N, 2)
bagian = s[:2] ** 2 / np.sum(s**2)

fig, ax = plt.subplots(figsize=(6.5, 5.5))
sc = ax.scatter(proyeksi[:, 0], proyeksi[:, 1], c=y_uji, cmap="tab10", s=12, alpha=0.8)
fig.colorbar(sc, ax=ax, ticks=range(10), label="angka")
ax.set_xlabel(f"komponen utama 1 ({format_float(100 * bagian[0], 0)} % variansi)")
ax.set_ylabel(f"komponen utama 2 ({format_float(100 * bagian[1], 0)} % variansi)")
ax.set_title("PCA kode 16-D denoising autoencoder (gambar uji)")
ax.grid(alpha=0.3)
plt.show()

# %% [markdown]
# ## Latihan
#
# **Latihan 1.** Tulis derau Gaussian sendiri: dari gambar `x` (B, H, W, C), derau normal
# baku `eps` dengan bentuk yang sama, dan tingkat `level`, kembalikan gambar berderau yang
# tetap di $[0, 1]$.


# %%
def derau_gaussian(x, eps, level):
    # TODO
    return None


_ = latihan.check_gaussian_corruption(derau_gaussian)

# %% [markdown]
# **Latihan 2.** Tulis PSNR: dari gambar `x` (B, H, W, C) dan gambar bersih `referensi`,
# kembalikan PSNR dalam dB **untuk setiap gambar**, bentuk (B,).


# %%
def psnr_saya(x, referensi):
    # TODO
    return None


_ = latihan.check_psnr(psnr_saya)

# %% [markdown]
# **Latihan 3 (eksplorasi, tanpa pemeriksa).** Latih ulang DAE dengan `"model.noise_level"`
# 0,1 dan 0,5. Bagaimana PSNR berderau dan PSNR hasil pembersihan berubah?
#
# ## Ringkasan
#
# - Autoencoder = encoder ke kode pendek + decoder kembali ke gambar, dilatih dengan loss
#   rekonstruksi (di sini *binary cross-entropy* per piksel).
# - *Bottleneck* memaksa jaringan menyimpan yang penting; angka yang mirip berkumpul di ruang
#   laten walau label tidak pernah dipakai.
# - Ruang laten autoencoder biasa tidak teratur, jadi men-*decode* titik acak jarang memberi
#   angka: ia pemampat, belum model generatif.
# - Denoising autoencoder belajar memetakan gambar berderau ke gambar bersih; PSNR (dB, per
#   gambar) mengukur perbaikannya.
#
# Pelajaran berikutnya: **VAE**, autoencoder yang ruang latennya teratur sehingga kita bisa
# mengambil sampel gambar baru. Angka kunci eksekusi ini:

# %%
print_key_numbers(
    {
        "AE kode 2-D: MSE uji": format_float(mse_2d, 4),
        "AE kode 2-D: tetangga terdekat berangka sama": format_percent(tetangga_2d),
        **{
            f"DAE {NAMA[j]}: PSNR berderau → dibersihkan": f"{format_float(a, 1)} dB → "
            f"{format_float(b, 1)} dB (lebih baik pada {format_percent(m)} gambar)"
            for j, (a, b, m) in psnr_dae.items()
        },
    }
)
