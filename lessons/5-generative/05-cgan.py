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
# [![Buka di Colab](https://colab.research.google.com/assets/colab-badge.svg)](https://colab.research.google.com/github/dljax/dljax/blob/main/lessons/5-generative/05-cgan.ipynb)
#
# # 5.5 GAN bersyarat: meminta angka tertentu
#
# GAN biasa memilih sendiri angka yang ia buat. Di pelajaran terakhir bab ini kita memberi
# tahu generator angka *mana* yang harus digambar, menggambar kisi dengan satu baris per
# angka, dan mengukur apakah generator benar-benar mendengarkan (**akurasi label**).

# %%
import sys

if "google.colab" in sys.modules:
    import subprocess

    subprocess.run(
        [sys.executable, "-m", "pip", "install", "-q", "git+https://github.com/dljax/dljax"],
        check=True,
    )

# %%
import jax.numpy as jnp
import matplotlib.pyplot as plt
import numpy as np

from dljax.config import DataConfig
from dljax.data import load_dataset
from dljax.exercises import generative as latihan
from dljax.formatting import format_float, format_percent
from dljax.lesson import FAST, budget
from dljax.quality import REFERENCE_MODEL, ReferenceClassifier, quality_report
from dljax.recipes import build_config
from dljax.train import Trainer
from dljax.viz import tile_images


def tampilkan(gambar, cols, judul, ax=None):
    """Show images (N, H, W, 1) in [0, 1] as one tiled picture."""
    if ax is None:
        _, ax = plt.subplots(figsize=(cols * 0.6, max(1, len(gambar) // cols) * 0.65 + 0.4))
    scale = max(1, 32 // gambar.shape[1])
    ax.imshow(tile_images(gambar, cols=cols, scale=scale)[..., 0], cmap="gray", vmin=0, vmax=255)
    ax.set_title(judul)
    ax.axis("off")
    return ax


# %% [markdown]
# ## Persiapan: data, pelatihan, dan classifier referensi
#
# Sama seperti pelajaran 5.3: fungsi kecil untuk membangun `Trainer` dan mengukur kualitas
# dengan classifier referensi (disimpan di cache, jadi biasanya sudah ada dari pelajaran
# sebelumnya).
#
# Satu hal penting: kita membandingkan sampel 16×16 dengan data uji **yang juga diperbesar ke
# 16×16**. Classifier referensi bekerja pada 8×8, jadi sampel dan data uji sama-sama diperkecil
# lagi dengan cara yang sama. Kalau sampel 16×16 dibandingkan langsung dengan data uji 8×8 asli,
# perjalanan bolak-balik 8 → 16 → 8 saja sudah membuat gambar *asli* tampak "berbeda"
# (FD-nya puluhan kali lantai), dan model dihukum karena pengubahan ukuran, bukan karena
# sampelnya buruk. Lantai dan baseline pun dihitung pada data 16×16 yang sama.

# %%
data = load_dataset(DataConfig(name="digits", image_size=16))  # as the model sees the data
PRESET = budget("default", "tiny")  # the fast mode uses the tiny networks
CEPAT = budget({}, {"data.batch_size": 256})  # the fast mode: few steps per epoch


def buat_trainer(nama, **ubah):
    config = build_config(
        nama, PRESET, overrides={"train.seed": 0, "train.quality": False, **CEPAT, **ubah}
    )
    return Trainer(config)  # loads digits resized to data.image_size = 16


if FAST:  # a reference trained for 2 epochs only, to run the lesson quickly
    referensi = ReferenceClassifier.load_or_train(
        "digits",
        config=build_config(
            REFERENCE_MODEL, "default", {"data.name": "digits", "train.seed": 0, "train.epochs": 2}
        ),
    )
else:
    referensi = ReferenceClassifier.load_or_train("digits", progress=True)
print(f"akurasi uji classifier referensi: {format_percent(referensi.accuracy)}")
N_SAMPEL = budget(1000, 300)


def kualitas(sampel, labels=None):
    """Quality numbers against the digits test set at 16x16, the model's own resolution."""
    return quality_report(referensi, sampel, data, labels=labels)


def cetak_kualitas(nama, q):
    teks = (
        f"{nama:>22}: FD {format_float(q['fd'], 2):>6} | precision "
        f"{format_percent(q['precision']):>7} | recall {format_percent(q['recall']):>7}"
    )
    if "label_accuracy" in q:
        teks += f" | akurasi label {format_percent(q['label_accuracy'])}"
    print(teks)


# %% [markdown]
# ## GAN bersyarat: meminta angka tertentu
#
# GAN biasa memilih sendiri angka yang ia buat. **GAN bersyarat** (Mirza & Osindero, 2014)
# memberikan label $y$ ke **kedua** jaringan: $G(z, y)$ dan $D(x, y)$. Diskriminator sekarang
# menolak gambar yang bagus tetapi **labelnya salah**, sehingga generator harus membuat angka
# yang diminta. Di `dljax`, setiap jaringan punya *embedding* label; G menyambungkannya ke
# $z$, D menambahkannya sebagai kanal masukan tambahan.
#
# Kisi di bawah: satu **baris** per angka (label 0 sampai 9), satu kolom per $z$ acak.

# %%
EPOCHS_CONV = budget(100, 1)  # the default preset of `dljax train dcgan` / `cgan`
trainer_cgan = buat_trainer("cgan", **{"train.epochs": EPOCHS_CONV})
hasil_cgan = trainer_cgan.fit(progress=False)

KOLOM = 10
per_angka = N_SAMPEL // 10
label_q = np.repeat(np.arange(10, dtype=np.int32), per_angka)  # block k asks for digit k
sampel_cgan = hasil_cgan.trainer.sample(len(label_q), seed=0, labels=jnp.asarray(label_q))
kisi = sampel_cgan.reshape(10, per_angka, *sampel_cgan.shape[1:])[:, :KOLOM]  # 10 per digit
kisi = kisi.reshape(10 * KOLOM, *sampel_cgan.shape[1:])
ax = tampilkan(kisi, KOLOM, "GAN bersyarat: baris ke-$k$ diminta menggambar angka $k$")
sel = (kisi.shape[1] + 1) * max(1, 32 // kisi.shape[1])  # pixels per grid row (see tampilkan)
for k in range(10):
    ax.text(-3, (k + 0.5) * sel, f"angka {k}", ha="right", va="center", fontsize=8)
plt.show()

q_cgan = kualitas(sampel_cgan, labels=label_q)
cetak_kualitas("GAN bersyarat 16×16", q_cgan)

# %% [markdown]
# *Akurasi label* adalah seberapa sering classifier referensi setuju dengan label yang kita
# minta: ukuran apakah generator benar-benar mendengarkan labelnya.
#

# %%
print(
    f"FD lantai (latih vs uji) {format_float(q_cgan['fd_floor'], 2)}, "
    f"baseline Gaussian {format_float(q_cgan['fd_baseline'], 2)}"
)
cetak_kualitas("GAN bersyarat 16×16", q_cgan)

# %% [markdown]
# ## Latihan
#
# **Latihan 1.** Diskriminator bersyarat melihat label sebagai kanal tambahan: dari `gambar`
# (B, H, W, C) dan `embedding` label (B, E), kembalikan (B, H, W, C + E) dengan embedding
# setiap gambar disalin ke semua pikselnya, diletakkan **setelah** kanal gambar.


# %%
def label_sebagai_kanal(gambar, embedding):
    # TODO
    return None


_ = latihan.check_label_channels(label_sebagai_kanal)

# %% [markdown]
# **Latihan 2.** Label untuk kisi "satu baris per kelas": dari `num_classes` dan `per_kelas`,
# kembalikan label (num_classes * per_kelas,) berisi `per_kelas` kali 0, lalu `per_kelas`
# kali 1, dan seterusnya.


# %%
def label_kisi(num_classes, per_kelas):
    # TODO
    return None


_ = latihan.check_grid_labels(label_kisi)

# %% [markdown]
# **Latihan 3 (eksplorasi, tanpa pemeriksa).** Latih GAN bersyarat lebih lama
# (`"train.epochs"`) dan lihat akurasi label naik. Di terminal: `dljax train cgan`, lalu
# `dljax sample RUN_DIR --label 3 --out tiga.png`.
#
# ## Ringkasan
#
# - GAN bersyarat memberi label ke **kedua** jaringan: G menyambungkan *embedding* label ke
#   $z$, D menerimanya sebagai kanal tambahan.
# - D menolak gambar yang bagus tetapi labelnya salah, jadi G harus membuat angka yang diminta.
# - Kisi dengan satu baris per angka memperlihatkan apakah generator mendengarkan; akurasi
#   label (classifier referensi setuju dengan label yang diminta) mengukurnya, di samping FD,
#   *precision* dan *recall*.
#
# Bab berikutnya: **model difusi**, yang membangun gambar dengan menghapus derau sedikit demi
# sedikit.
