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
# [![Buka di Colab](https://colab.research.google.com/assets/colab-badge.svg)](https://colab.research.google.com/github/dljax/dljax/blob/main/lessons/5-generative/04-dcgan.ipynb)
#
# # 5.4 DCGAN: GAN dengan konvolusi
#
# GAN MLP di pelajaran sebelumnya memperlakukan gambar sebagai deretan piksel tanpa tetangga.
# **DCGAN** (Radford dkk., 2016) memakai apa yang kita pelajari di bab konvolusi: generator
# dan diskriminator konvolusi dengan *batch norm*. Kita melatihnya pada angka yang diperbesar
# ke 16×16 dan mengukurnya dengan cara yang sama seperti sebelumnya: FD, *precision* dan
# *recall* pada fitur classifier referensi.

# %%
import sys

if "google.colab" in sys.modules:
    import subprocess

    subprocess.run(
        [sys.executable, "-m", "pip", "install", "-q", "git+https://github.com/dljax/dljax"],
        check=True,
    )

# %%
import matplotlib.pyplot as plt
import numpy as np

from dljax.config import DataConfig
from dljax.data import load_dataset
from dljax.exercises import generative as latihan
from dljax.formatting import format_float, format_int
from dljax.lesson import (
    budget,
    build_trainer,
    print_fd_scale,
    print_key_numbers,
    quality,
    quality_summary,
    reference_classifier,
    show_images,
    train_with_snapshots,
)

# %% [markdown]
# ## Persiapan: data dan classifier referensi
#
# Sama seperti pelajaran 5.3: `build_trainer` membangun `Trainer`, `train_with_snapshots`
# menyimpan kisi sampel dari laten yang sama di beberapa epoch, dan `quality` mengukur
# kualitas dengan classifier referensi (disimpan di cache, jadi biasanya sudah ada dari
# pelajaran sebelumnya).
#
# Satu hal penting: kita membandingkan sampel 16×16 dengan data uji **yang juga diperbesar ke
# 16×16**. Classifier referensi bekerja pada 8×8, jadi sampel dan data uji sama-sama diperkecil
# lagi dengan cara yang sama. Kalau sampel 16×16 dibandingkan langsung dengan data uji 8×8 asli,
# perjalanan bolak-balik 8 → 16 → 8 saja sudah membuat gambar *asli* tampak "berbeda", dan
# model dihukum karena pengubahan ukuran, bukan karena sampelnya buruk. Batas bawah FD dan
# baseline pun dihitung pada data 16×16 yang sama. Kita ukur sendiri hukuman itu: gambar
# latih asli yang diperbesar ke 16×16, dibandingkan dengan data uji 16×16 dan dengan data uji
# 8×8 aslinya.

# %%
data = load_dataset(DataConfig(name="digits", image_size=16))  # as the model sees the data
data_8 = load_dataset(DataConfig(name="digits"))  # the native 8x8 digits
referensi = reference_classifier("digits")
N_SAMPEL = budget(1000, 300)

latih_16 = data.train.arrays["input"][:N_SAMPEL]  # real training digits, resized 8 -> 16
q_16 = quality(latih_16, data, name="terhadap uji 16×16", width=20)
q_8 = quality(latih_16, data_8, name="terhadap uji 8×8", width=20)
print(
    f"gambar latih 16×16: FD {format_float(q_16['fd'], 2)} terhadap uji 16×16, "
    f"{format_float(q_8['fd'], 2)} terhadap uji 8×8 "
    f"({format_float(q_8['fd'] / q_16['fd'], 1)}× lebih besar)"
)


# %% [markdown]
# ## DCGAN: konvolusi untuk generator dan diskriminator
#
# DCGAN (Radford dkk., 2016) menggantikan lapisan Linear dengan konvolusi: generator
# memperbesar gambar dengan **konvolusi transpos** stride 2 (4×4 → 8×8 → 16×16), diskriminator
# mengecilkannya dengan konvolusi stride 2; *batch norm* di keduanya (kecuali lapisan pertama
# D), bobot awal $\mathcal N(0;\,0{,}02)$. Dua stride 2 butuh sisi yang habis dibagi 4, jadi
# angka 8×8 diperbesar sekali saat dimuat ke **16×16** (`data.image_size=16`).
#
# Catatan *batch norm*: statistik G dan D disimpan terpisah, dan langkah D tidak boleh
# mengubah statistik G (atau sebaliknya). Sampel diambil dalam mode evaluasi tanpa mengubah
# apa pun. Di terminal: `dljax train dcgan`.

# %%
EPOCHS_CONV = budget(100, 1)  # the default preset of `dljax train dcgan` / `cgan`
trainer_dcgan = build_trainer("dcgan", {"train.epochs": EPOCHS_CONV}, dataset=data)
print(
    f"{format_int(trainer_dcgan.num_params)} parameter, gambar "
    f"{trainer_dcgan.dataset.info.input_shape}"
)
hasil_dcgan, snapshot_dcgan = train_with_snapshots(trainer_dcgan, at=5, draw=N_SAMPEL)
show_images(
    np.concatenate(list(snapshot_dcgan.values())),
    16,
    "DCGAN 16×16, laten yang sama, epoch " + ", ".join(map(str, snapshot_dcgan)),
)
plt.show()
q_dcgan = quality(hasil_dcgan.trainer.sample(N_SAMPEL, seed=0), data, name="DCGAN 16×16")
print_fd_scale(q_dcgan)


# %% [markdown]
# ## Latihan
#
# **Latihan 1.** Ukuran keluaran konvolusi (diskriminator mengecilkan gambar): dari sisi
# masukan `n`, `kernel`, `stride` dan `padding`, kembalikan sisi keluarannya.


# %%
def ukuran_konvolusi(n, kernel, stride, padding):
    # TODO
    return None


_ = latihan.check_conv_output_size(ukuran_konvolusi)

# %% [markdown]
# **Latihan 2.** Ukuran keluaran konvolusi transpos (generator membesarkan gambar). Generator
# DCGAN kita memakai kernel 4, stride 2: 4 → 8 → 16.


# %%
def ukuran_transpos(n, kernel, stride, padding):
    # TODO
    return None


_ = latihan.check_transposed_conv_size(ukuran_transpos)

# %% [markdown]
# **Latihan 3 (eksplorasi, tanpa pemeriksa).** Ubah `"model.width"` (banyaknya kanal dasar)
# menjadi 8 atau 32. Bagaimana jumlah parameter, waktu latih, dan FD berubah?
#
# ## Ringkasan
#
# - DCGAN: generator dengan konvolusi transpos stride 2 (4 → 8 → 16), diskriminator dengan
#   konvolusi stride 2, *batch norm*, bobot awal $\mathcal N(0;\,0{,}02)$, Adam
#   $2\cdot10^{-4}$, $\beta_1 = 0{,}5$.
# - *Batch norm* di GAN harus hati-hati: statistik G dan D terpisah, dan sampel diambil dalam
#   mode evaluasi tanpa mengubah apa pun.
# - Ukur selalu dengan angka yang sama: FD (dengan batas bawah FD dan baseline Gaussian),
#   *precision*, *recall*, pada resolusi model itu sendiri.
#
# Pelajaran berikutnya: **GAN bersyarat**, yang menggambar angka yang kita minta. Angka kunci
# eksekusi ini:

# %%
print_key_numbers(
    {
        "parameter DCGAN": trainer_dcgan.num_params,
        "epoch": EPOCHS_CONV,
        "DCGAN 16×16": quality_summary(q_dcgan),
        "batas bawah FD / baseline Gaussian (16×16)": f"{format_float(q_dcgan['fd_floor'], 2)} / "
        f"{format_float(q_dcgan['fd_baseline'], 2)}",
        "gambar latih 16×16: FD uji 16×16 / uji 8×8": f"{format_float(q_16['fd'], 2)} / "
        f"{format_float(q_8['fd'], 2)}",
    }
)
