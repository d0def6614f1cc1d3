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
from dljax.formatting import format_float, format_int, format_percent
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
# Sama seperti pelajaran 5.3: fungsi kecil untuk membangun `Trainer`, menyimpan kisi sampel
# dari laten yang sama setiap epoch, dan mengukur kualitas dengan classifier referensi
# (disimpan di cache, jadi biasanya sudah ada dari pelajaran sebelumnya).
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


def latih_dengan_snapshot(trainer, n=16):
    """Fit and keep `n` samples of the same latents after every epoch (drawn as N_SAMPEL
    samples, the size used later, so that sampling compiles only once)."""
    snapshot = {}

    def simpan(epoch, record):
        snapshot[epoch] = trainer.sample(N_SAMPEL, seed=123)[:n]

    return trainer.fit(progress=False, on_epoch_end=simpan), snapshot


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
trainer_dcgan = buat_trainer("dcgan", **{"train.epochs": EPOCHS_CONV})
print(
    f"{format_int(trainer_dcgan.num_params)} parameter, gambar "
    f"{trainer_dcgan.dataset.info.input_shape}"
)
hasil_dcgan, snapshot_dcgan = latih_dengan_snapshot(trainer_dcgan)
pilih = sorted({1, *np.linspace(1, EPOCHS_CONV, 5).astype(int).tolist()})
tampilkan(
    np.concatenate([snapshot_dcgan[e] for e in pilih]),
    16,
    "DCGAN 16×16, laten yang sama, epoch " + ", ".join(map(str, pilih)),
)
plt.show()
q_dcgan = kualitas(hasil_dcgan.trainer.sample(N_SAMPEL, seed=0))
cetak_kualitas("DCGAN 16×16", q_dcgan)


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
# - Ukur selalu dengan angka yang sama: FD (dengan lantai dan baseline), *precision*, *recall*.
#
# Pelajaran berikutnya: **GAN bersyarat**, yang menggambar angka yang kita minta.
