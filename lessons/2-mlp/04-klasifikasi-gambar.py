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
# [![Buka di Colab](https://colab.research.google.com/assets/colab-badge.svg)](https://colab.research.google.com/github/dljax/dljax/blob/main/lessons/2-mlp/04-klasifikasi-gambar.ipynb)
#
# # 2.4 Klasifikasi gambar dengan mesin `dljax`
#
# Kita sudah menulis langkah pelatihan sendiri dua kali. Untuk sisa kursus kita memakai
# **mesin pelatihan `dljax`**, yang menyatukan semua bagian itu (model NNX, loss murni,
# optimizer Optax dengan jadwal, langkah yang di-`jit`, data di perangkat, evaluasi per
# epoch) di balik satu **konfigurasi**. Perintah `dljax train mlp` di terminal memakai mesin
# yang sama persis.
#
# Tugasnya: mengenali angka tulisan tangan. Kita memakai `digits` (gambar 8×8, tersedia tanpa
# internet), atau **MNIST** (28×28, 70.000 gambar) bila sudah kamu unduh dengan
# `dljax data download mnist`. Lalu kita melihat *di mana* model salah: kurva belajar, gambar
# yang salah diklasifikasi, dan matriks kebingungan.

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

import jax.numpy as jnp
import matplotlib.pyplot as plt
import numpy as np
from flax import nnx
from matplotlib.ticker import MaxNLocator

from dljax import viz
from dljax.config import DataConfig
from dljax.data import load_dataset
from dljax.data.download import verify
from dljax.data.mnist import MNIST_REMOTE
from dljax.exercises import mlp as latihan
from dljax.formatting import format_float, format_int, format_percent
from dljax.lesson import FAST, budget, print_epochs, print_key_numbers
from dljax.recipes import build_config
from dljax.train import Trainer

# %% [markdown]
# ## Data: `digits`, atau MNIST bila sudah diunduh
#
# Kita tidak mengunduh apa pun di sini. `verify` memeriksa *checksum* berkas MNIST di cache
# (`~/.cache/dljax/mnist`); bila semuanya ada dan utuh, kita pakai MNIST, kalau tidak `digits`.

# %%
mnist_siap = all(status == "ok" for status in verify(MNIST_REMOTE).values())
if mnist_siap and not FAST:
    nama_data = "mnist"
    print("MNIST ditemukan di cache: kita pakai MNIST (60.000 gambar latih 28×28).")
else:
    nama_data = "digits"
    print(
        "Kita pakai dataset digits (1.437 gambar latih 8×8, tanpa unduhan)."
        + (
            ""
            if mnist_siap
            else " Untuk MNIST, jalankan dulu `dljax data download mnist` di terminal, lalu ulangi notebook ini."
        )
    )

data = load_dataset(DataConfig(name=nama_data))
latih, uji = data.train.arrays, data.test.arrays
print(data.info.description)
print(
    "latih:", latih["input"].shape, "| uji:", uji["input"].shape, "| kelas:", data.info.class_names
)

# %%
viz.image_grid(latih["input"][:32], titles=[f"label {y}" for y in latih["label"][:32]], cols=8)
plt.show()

# %% [markdown]
# ## Pipeline data dengan Grain, ditulis sekali
#
# Sebentar lagi mesin pelatihan dljax akan menyembunyikan pipeline datanya. Isinya tidak ajaib; dengan
# [Grain](https://github.com/google/grain) sebuah pipeline terdiri atas tiga bagian:
#
# 1. **sumber data** (`RandomAccessDataSource`): objek dengan `__len__` dan `__getitem__(i)`
#    yang mengembalikan satu contoh sebagai array numpy, tanpa JAX;
# 2. **sampler** (`IndexSampler`): urutan indeks yang dibaca, diacak per epoch dari sebuah
#    seed, sehingga urutannya bisa diulang persis;
# 3. **operasi**, misalnya `Batch`, yang menumpuk `batch_size` contoh menjadi satu batch.
#
# `grain.DataLoader` menjalankan ketiganya, bila perlu dengan beberapa proses pekerja.

# %%
import grain


class SumberGambar(grain.sources.RandomAccessDataSource):
    """Satu contoh per indeks: {"input": (H, W, C), "label": ()}."""

    def __init__(self, arrays):
        self.arrays = arrays

    def __len__(self):
        return len(self.arrays["label"])

    def __getitem__(self, i):
        return {"input": self.arrays["input"][i], "label": self.arrays["label"][i]}


sumber = SumberGambar(latih)
sampler = grain.samplers.IndexSampler(num_records=len(sumber), shuffle=True, num_epochs=1, seed=0)
loader = grain.DataLoader(
    data_source=sumber,
    sampler=sampler,
    operations=[grain.transforms.Batch(batch_size=128, drop_remainder=True)],
    worker_count=0,  # > 0: proses pekerja paralel
)

mulai = time.perf_counter()
batches = list(loader)  # satu epoch
detik = time.perf_counter() - mulai
print(f"{len(batches)} batch per epoch, bentuk input {batches[0]['input'].shape}")
print("10 label pertama batch pertama:", batches[0]["label"][:10])
terbaca = sum(len(b["label"]) for b in batches)
print(
    f"{format_int(terbaca)} dari {format_int(len(sumber))} contoh terbaca (sisanya tidak cukup untuk satu batch)"
)
print(f"{format_float(len(sumber) / detik, 0)} contoh per detik")

# %% [markdown]
# Grain membaca **satu contoh per panggilan Python**; untuk gambar sekecil ini ongkos
# panggilannya jauh lebih besar daripada datanya. Karena itu dljax memakai Grain dengan cara
# lain: setiap elemen Grain adalah *satu batch* indeks yang dibaca dengan satu *gather* numpy
# (`dljax.data.pipeline.grain_batches`), dan data yang muat di memori langsung diletakkan di
# perangkat (`data.pipeline=device`). Urutannya tetap hanya bergantung pada `(seed, epoch)`.

# %% [markdown]
# ## Konfigurasi
#
# Sebuah run dijelaskan oleh satu `Config` beku: nama model, konfigurasi model
# (`model.hidden`, `model.dropout`), data (`data.name`, `data.batch_size`) dan pelatihan
# (`train.epochs`, `train.lr`, `train.optimizer`, `train.schedule`, `train.seed`, ...).
# `build_config` mengambil nilai bawaan model, lalu *preset*, lalu perubahan kita; kuncinya sama
# dengan `--set kunci=nilai` di terminal.
#
# Model `mlp` adalah MLP seperti pelajaran sebelumnya, dengan *dropout* $p$: saat pelatihan,
# setiap aktivasi tersembunyi dinolkan dengan peluang $p$ (dan sisanya dikali $1/(1-p)$), agar
# jaringan tidak bergantung pada beberapa neuron saja. Saat evaluasi *dropout* dimatikan.

# %%
epochs = budget(10 if nama_data == "mnist" else 30, 3)
config = build_config(
    "mlp", overrides={"data.name": nama_data, "train.epochs": epochs, "train.seed": 0}
)
print("model :", config.model)
print("data  :", f"name={config.data.name}, batch_size={config.data.batch_size}")
t = config.train
print(
    "train :",
    f"epochs={t.epochs}, optimizer={t.optimizer}, lr={t.lr}, schedule={t.schedule}, weight_decay={t.weight_decay}",
)

# %% [markdown]
# ## Melatih
#
# `Trainer(config)` membangun model, optimizer dan langkah yang di-`jit`; `fit()` melatih dan
# mengembalikan `TrainResult(state, summary, history)`. (Fungsi `dljax.runs.train(config,
# out)` melakukan keduanya dalam satu panggilan dan juga menulis direktori run berisi
# checkpoint, metrik dan plot: pelajaran 3.5.) Kita tidak menulis apa pun ke disk di sini.
#
# `fit` menerima *hook*, objek yang dipanggil selama pelatihan; `print_epochs` dari
# `dljax.lesson` mencetak satu baris per epoch (di sini sekitar lima baris).

# %%
trainer = Trainer(config, dataset=data)
print(f"{format_int(trainer.num_params)} parameter, {trainer.steps_per_epoch} langkah per epoch")
hasil = trainer.fit([print_epochs("train_loss", "train_accuracy", "test_accuracy", lines=5)])
print(f"\nakurasi uji akhir: {format_percent(hasil.summary['test_accuracy'], 2)}")

# %% [markdown]
# ## Kurva belajar
#
# `history` berisi satu kamus per epoch. Jarak antara kurva latih dan uji memperlihatkan
# seberapa jauh model menghafal data latih (*overfitting*).

# %%
ep = [r["epoch"] for r in hasil.history]
fig, (ax1, ax2) = plt.subplots(1, 2, figsize=(10, 3.8))
for bagian, label in (("train", "latih"), ("test", "uji")):
    ax1.plot(ep, [r[f"{bagian}_loss"] for r in hasil.history], marker="o", ms=3, label=label)
    ax2.plot(ep, [r[f"{bagian}_accuracy"] for r in hasil.history], marker="o", ms=3, label=label)
ax1.set_ylabel("cross-entropy")
ax1.set_title("Kurva belajar: loss")
ax2.set_ylabel("akurasi")
ax2.set_title("Kurva belajar: akurasi")
for ax in (ax1, ax2):
    ax.set_xlabel("epoch")
    ax.xaxis.set_major_locator(MaxNLocator(integer=True))  # whole epochs
    ax.grid(alpha=0.3)
    ax.legend()
plt.show()

# %% [markdown]
# ## Memakai model terlatih
#
# Keadaan pelatihan menyimpan parameter (`state.params`) dan variabel lain (`state.rest`)
# sebagai pytree. Model untuk evaluasi (dropout mati) dibangun kembali dengan
# `nnx.merge(graphdef, params, rest)`, graphdef evaluasi yang disimpan trainer.

# %%
model = nnx.merge(trainer.fns.eval_graphdef, hasil.state.params, hasil.state.rest)


@nnx.jit
def prediksi(model, x):
    return jnp.argmax(model(x), axis=1)


x_uji, y_uji = uji["input"], uji["label"]
pred = np.concatenate(
    [
        np.asarray(prediksi(model, jnp.asarray(x_uji[i : i + 1000])))
        for i in range(0, len(x_uji), 1000)
    ]
)
print(f"akurasi uji (dihitung ulang): {format_percent(np.mean(pred == y_uji), 2)}")

# %% [markdown]
# ## Gambar yang salah diklasifikasi
#
# Angka-angka statistik tidak memperlihatkan *jenis* kesalahannya. Lihat langsung: judul
# setiap gambar adalah `label → prediksi`. Banyak di antaranya memang meragukan bahkan bagi
# manusia.

# %%
salah = np.flatnonzero(pred != y_uji)
print(f"{len(salah)} dari {len(y_uji)} gambar uji salah diklasifikasi")
tampil = salah[:32]
if len(tampil):
    viz.image_grid(x_uji[tampil], titles=[f"{y_uji[i]} → {pred[i]}" for i in tampil], cols=8)
    plt.suptitle("Gambar uji yang salah (label → prediksi)", y=1.02)
    plt.show()

# %% [markdown]
# ## Matriks kebingungan
#
# Matriks kebingungan $C$ berukuran $K\times K$: $C_{ij}$ adalah banyaknya gambar berlabel $i$
# yang diprediksi $j$. Diagonal adalah jawaban benar; angka di luar diagonal menunjukkan
# pasangan kelas yang tertukar.

# %%
K = data.info.num_classes
C = np.zeros((K, K), int)
np.add.at(C, (y_uji, pred), 1)
fig, ax = plt.subplots(figsize=(6, 5.5))
im = ax.imshow(C, cmap="Blues")
for i in range(K):
    for j in range(K):
        if C[i, j]:
            ax.text(
                j,
                i,
                C[i, j],
                ha="center",
                va="center",
                fontsize=8,
                color="white" if C[i, j] > C.max() / 2 else "black",
            )
ax.set_xticks(range(K))
ax.set_yticks(range(K))
ax.set_xlabel("prediksi")
ax.set_ylabel("label sebenarnya")
ax.set_title("Matriks kebingungan (data uji)")
fig.colorbar(im, ax=ax, shrink=0.8)
plt.show()

# %% [markdown]
# Coba sendiri: ubah konfigurasi (mis. `"model.hidden": (64,)`, `"model.dropout": 0.0`,
# `"train.lr": 1e-2`) dan lihat pengaruhnya pada kurva belajar dan akurasi uji. Di terminal:
# `dljax train mlp --set model.hidden=64 --set model.dropout=0`.
#
# ## Latihan
#
# **Latihan 1.** Tulis matriks kebingungan: `C[i, j]` = banyaknya contoh berlabel `i` yang
# diprediksi `j`.


# %%
def matriks_kebingungan(labels, preds, num_classes):
    # TODO
    return None


_ = latihan.check_confusion_matrix(matriks_kebingungan)

# %% [markdown]
# **Latihan 2.** Akurasi per kelas: untuk setiap kelas $c$, bagian contoh berlabel $c$ yang
# diprediksi benar. Kelas mana yang paling sulit bagi model kita?


# %%
def akurasi_per_kelas(labels, preds, num_classes):
    # TODO
    return None


_ = latihan.check_per_class_accuracy(akurasi_per_kelas)

# %% [markdown]
# ## Ringkasan
#
# - Satu `Config` (model, data, pelatihan) menjelaskan sebuah run; `build_config` + perubahan
#   `{"kunci.titik": nilai}` sama dengan `--set` di terminal.
# - `Trainer(config).fit()` (atau `dljax.runs.train(config, out)`, yang juga menulis direktori
#   run) melatih dan mengembalikan state, ringkasan, dan riwayat per epoch untuk kurva
#   belajar.
# - Model evaluasi dibangun ulang dengan `nnx.merge(trainer.fns.eval_graphdef, params, rest)`.
# - Lihat kesalahannya: gambar yang salah diklasifikasi dan matriks kebingungan lebih banyak
#   bercerita daripada satu angka akurasi.
#
# Bab berikutnya: **3-convnet**, jaringan konvolusi yang memanfaatkan struktur gambar. Angka
# kunci eksekusi ini:

# %%
print_key_numbers(
    {
        "dataset, epoch": f"{nama_data}, {epochs}",
        "parameter": trainer.num_params,
        "akurasi latih / uji": f"{format_percent(hasil.summary['train_accuracy'], 2)} / "
        f"{format_percent(hasil.summary['test_accuracy'], 2)}",
        "gambar uji yang salah": f"{len(salah)} dari {len(y_uji)}",
    }
)
