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
from dljax.formatting import format_float
from dljax.lesson import (
    budget,
    build_trainer,
    print_fd_scale,
    print_key_numbers,
    quality,
    quality_summary,
    reference_classifier,
    show_images,
)

# %% [markdown]
# ## Persiapan: data dan classifier referensi
#
# Seperti pelajaran 5.4: data `digits` yang diperbesar ke 16×16 (resolusi model), dan
# classifier referensi untuk mengukur kualitas (disimpan di cache, jadi biasanya sudah ada).
# Sampel 16×16 selalu dibandingkan dengan data uji yang juga 16×16.

# %%
data = load_dataset(DataConfig(name="digits", image_size=16))  # as the model sees the data
referensi = reference_classifier("digits")
N_SAMPEL = budget(1000, 300)


# %% [markdown]
# ## GAN bersyarat: meminta angka tertentu
#
# GAN biasa memilih sendiri angka yang ia buat. **GAN bersyarat** (Mirza & Osindero, 2014)
# memberikan label $y$ ke **kedua** jaringan: $G(z, y)$ dan $D(x, y)$. Diskriminator sekarang
# menolak gambar yang bagus tetapi **labelnya salah**, sehingga generator harus membuat angka
# yang diminta. Di `dljax`, setiap jaringan punya *embedding* label; G menyambungkannya ke
# $z$, D menambahkannya sebagai kanal masukan tambahan.
#
# Resep bawaan (`dljax train cgan`) memakai dua penstabil dari pelajaran 5.3: penalti R1 pada
# $D$ dan bobot EMA. Resep itu melatih 150 epoch; di pelajaran ini kita melatih 100 epoch,
# agar pelajaran selesai dalam beberapa menit dan perbandingan di bawah adil (resep lama juga
# 100 epoch). Kisi di bawah: satu **baris** per angka (label 0 sampai 9), satu kolom per $z$
# acak.

# %%
EPOCHS_CONV = budget(100, 1)  # the recipe of `dljax train cgan` trains 150
trainer_cgan = build_trainer("cgan", {"train.epochs": EPOCHS_CONV}, dataset=data)
hasil_cgan = trainer_cgan.fit()

KOLOM = 10
per_angka = N_SAMPEL // 10
label_q = np.repeat(np.arange(10, dtype=np.int32), per_angka)  # block k asks for digit k


def kisi_per_angka(trainer, judul, ax=None):
    """Samples for the labels `label_q`, and a grid of the first KOLOM of each digit."""
    sampel = trainer.sample(len(label_q), seed=0, labels=jnp.asarray(label_q))
    kisi = sampel.reshape(10, per_angka, *sampel.shape[1:])[:, :KOLOM]  # 10 per digit
    kisi = kisi.reshape(10 * KOLOM, *sampel.shape[1:])
    show_images(kisi, KOLOM, judul, row_labels=[f"angka {k}" for k in range(10)], ax=ax)
    return sampel


sampel_cgan = kisi_per_angka(
    hasil_cgan.trainer, "GAN bersyarat: baris ke-$k$ diminta menggambar angka $k$"
)
plt.show()

# %% [markdown]
# *Akurasi label* adalah seberapa sering classifier referensi setuju dengan label yang kita
# minta: ukuran apakah generator benar-benar mendengarkan labelnya. Tebakan acak memberi
# sekitar 10 %. Karena kita tahu label setiap sampel, kita juga bisa menghitung **recall per
# kelas**: untuk setiap angka $c$, bagian gambar uji angka $c$ yang punya sampel "angka $c$"
# di dekatnya (bola $k$ tetangga, seperti recall biasa). Yang dicetak adalah kelas terburuk.

# %%
q_cgan = quality(sampel_cgan, data, labels=label_q, name="GAN bersyarat 16×16")
print_fd_scale(q_cgan)

# %% [markdown]
# ## Sebelum dan sesudah: apa yang diukur recall
#
# Resep lama `dljax` untuk GAN bersyarat tidak memakai R1 dan EMA (dan dilatih 100 epoch).
# Kita latih lagi dengan resep itu, sama lamanya, dan bandingkan. Perhatikan **setiap baris** kisinya:
# labelnya benar (akurasi label tinggi), tetapi dalam satu baris gambarnya nyaris salinan satu
# sama lain. Generator telah belajar satu atau dua cara menggambar setiap angka, bukan ragam
# tulisan tangan yang ada di data.
#
# FD tidak menangkap ini dengan baik: ia hanya membandingkan rata-rata dan kovarians **seluruh**
# sampel dengan data uji, dan sepuluh kelompok salinan yang masing-masing berada di tempat yang
# benar bisa punya rata-rata dan sebaran keseluruhan yang cukup mirip data. Classifier
# referensi pun memberi label yang benar pada gambar yang mudah dikenali. Recall, terutama
# recall **per kelas**, bertanya langsung apakah ragam data uji tertutupi.

# %%
SEBELUM = {"train.ema_decay": 0.0, "model.r1": 0.0, "train.epochs": EPOCHS_CONV}
hasil_lama = build_trainer("cgan", SEBELUM, dataset=data).fit()

fig, axes = plt.subplots(1, 2, figsize=(9, 5.2))
sampel_lama = kisi_per_angka(hasil_lama.trainer, "resep lama: tanpa R1 dan EMA", ax=axes[0])
kisi_per_angka(hasil_cgan.trainer, "resep bawaan: R1 dan EMA", ax=axes[1])
plt.tight_layout()
plt.show()

q_lama = quality(sampel_lama, data, labels=label_q, name="resep lama", width=14)
q_cgan = quality(sampel_cgan, data, labels=label_q, name="resep bawaan", width=14)

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
# **Latihan 3 (eksplorasi, tanpa pemeriksa).** Latih GAN bersyarat lebih lama atau lebih
# singkat (`"train.epochs"`): bagaimana akurasi label dan FD berubah? Di terminal:
# `dljax train cgan`, lalu `dljax sample RUN_DIR --label 3 --out tiga.png`.
#
# ## Ringkasan
#
# - GAN bersyarat memberi label ke **kedua** jaringan: G menyambungkan *embedding* label ke
#   $z$, D menerimanya sebagai kanal tambahan.
# - D menolak gambar yang bagus tetapi labelnya salah, jadi G harus membuat angka yang diminta.
# - Kisi dengan satu baris per angka memperlihatkan apakah generator mendengarkan; akurasi
#   label (classifier referensi setuju dengan label yang diminta) mengukurnya, di samping FD,
#   *precision* dan *recall*.
# - Label yang benar belum berarti keragaman: tanpa R1 dan EMA setiap baris berisi salinan yang
#   nyaris sama. Recall per kelas menangkapnya; FD dan akurasi label saja bisa menyesatkan.
#
# Bab berikutnya: **model difusi**, yang membangun gambar dengan menghapus derau sedikit demi
# sedikit. Angka kunci eksekusi ini:

# %%
print_key_numbers(
    {
        "epoch": EPOCHS_CONV,
        "GAN bersyarat 16×16 (akurasi label acak: 10 %)": quality_summary(q_cgan),
        "resep lama (tanpa R1 dan EMA)": quality_summary(q_lama),
        "batas bawah FD / baseline Gaussian": f"{format_float(q_cgan['fd_floor'], 2)} / "
        f"{format_float(q_cgan['fd_baseline'], 2)}",
    }
)
