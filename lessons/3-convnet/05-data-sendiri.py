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
# [![Buka di Colab](https://colab.research.google.com/assets/colab-badge.svg)](https://colab.research.google.com/github/dljax/dljax/blob/main/lessons/3-convnet/05-data-sendiri.ipynb)
#
# # 3.5 Data Anda sendiri
#
# Sejauh ini semua model dilatih pada dataset bawaan (`digits`, MNIST, ...). Gambar Anda
# sendiri — foto daun, tulisan tangan, hasil tangkapan kamera — cukup disusun dalam **satu
# sub-folder per kelas**:
#
# ```text
# gambar/
#   kucing/  1.jpg  2.jpg  ...
#   anjing/  1.jpg  2.png  ...
# ```
#
# lalu dilatih dengan `dljax train cnn --dataset folder --data-dir gambar/`. Nama kelas adalah
# nama sub-folder; dljax membagi datanya 80/20 (latih/uji, seimbang per kelas), atau memakai
# `gambar/train/` dan `gambar/test/` bila Anda sudah membaginya sendiri.
#
# Di pelajaran ini kita membuat folder gambar kecil sendiri (lingkaran, persegi dan segitiga
# dengan ukuran dan warna acak), melatih CNN di atasnya, menebak kelas gambar **baru** dengan
# `dljax predict`, dan melihat cara membuka log pelatihannya di TensorBoard.

# %%
import sys

if "google.colab" in sys.modules:
    import subprocess

    subprocess.run(
        [sys.executable, "-m", "pip", "install", "-q", "git+https://github.com/dljax/dljax"],
        check=True,
    )

# %%
import json
import shutil
import subprocess
from pathlib import Path

import matplotlib.pyplot as plt
import numpy as np
from matplotlib.ticker import MaxNLocator
from PIL import Image, ImageDraw

from dljax.data import load_dataset
from dljax.formatting import format_int, format_percent
from dljax.lesson import budget, print_key_numbers
from dljax.recipes import build_config
from dljax.runs import RunDir, predict_files, train

kerja = Path("data-sendiri")  # semua berkas pelajaran ini, di folder tempat notebook berjalan
shutil.rmtree(kerja, ignore_errors=True)  # mulai bersih setiap kali dijalankan
kerja.mkdir()
KELAS = ("lingkaran", "persegi", "segitiga")

# %% [markdown]
# ## Membuat folder gambar
#
# Setiap gambar berisi satu bentuk dengan posisi, ukuran, warna bentuk dan warna latar acak,
# dan ukuran berkasnya pun berbeda-beda (24 sampai 48 piksel). Warna tidak membedakan kelas:
# model harus belajar **bentuknya**.


# %%
def gambar_bentuk(jenis, rng, sisi):
    """Satu gambar RGB sisi x sisi berisi lingkaran, persegi atau segitiga acak."""
    latar, warna = rng.integers(0, 256, 3), rng.integers(0, 256, 3)
    while np.abs(latar - warna).sum() < 200:  # bentuk harus terlihat di atas latarnya
        warna = rng.integers(0, 256, 3)
    img = Image.new("RGB", (sisi, sisi), tuple(int(v) for v in latar))
    r = rng.uniform(0.22, 0.42) * sisi  # jari-jari / setengah sisi
    cx, cy = rng.uniform(r, sisi - r, 2)
    pena = ImageDraw.Draw(img)
    isi = tuple(int(v) for v in warna)
    if jenis == "lingkaran":
        pena.ellipse([cx - r, cy - r, cx + r, cy + r], fill=isi)
    elif jenis == "persegi":
        pena.rectangle([cx - r, cy - r, cx + r, cy + r], fill=isi)
    else:
        sudut = rng.uniform(0, 2 * np.pi) + np.array([0, 2, 4]) * np.pi / 3
        titik = np.stack([cx + r * np.cos(sudut), cy + r * np.sin(sudut)], axis=1)  # (3, 2)
        pena.polygon([tuple(t) for t in titik], fill=isi)
    return img


def buat_folder(akar, per_kelas, seed, ukuran=(24, 49)):
    rng = np.random.default_rng(seed)
    for jenis in KELAS:
        (akar / jenis).mkdir(parents=True, exist_ok=True)
        for i in range(per_kelas):
            sisi = int(rng.integers(*ukuran))
            gambar_bentuk(jenis, rng, sisi).save(akar / jenis / f"{i:03d}.png")
    return akar


folder = buat_folder(kerja / "bentuk", per_kelas=budget(400, 12), seed=0)
(folder / "catatan.txt").write_text("bukan gambar: dljax mengabaikannya dan memberi tahu")
for jenis in KELAS:
    print(f"{folder / jenis}: {format_int(len(list((folder / jenis).iterdir())))} berkas")

# %%
fig, axes = plt.subplots(3, 8, figsize=(10, 4.2))
for baris, jenis in zip(axes, KELAS, strict=True):
    for i, ax in enumerate(baris):
        img = Image.open(folder / jenis / f"{i:03d}.png")
        ax.imshow(img)
        ax.set_title(f"{img.width}×{img.height}", fontsize=8)
        ax.axis("off")
    baris[0].text(-0.15, 0.5, jenis, transform=baris[0].transAxes, ha="right", va="center")
fig.suptitle("Berkas di folder: satu sub-folder per kelas, ukuran berbeda-beda")
fig.tight_layout()
plt.show()

# %% [markdown]
# ## Apa yang dilihat model
#
# `--dataset folder` membaca setiap berkas dengan Pillow dan menyeragamkannya:
#
# - **ukuran**: seluruh gambar diperkecil/diperbesar menjadi S × S (tidak dipotong), dengan
#   `data.image_size=S`; tanpa opsi itu S adalah sisi terpanjang ukuran yang paling sering
#   muncul (paling besar 64);
# - **kanal**: 3 (RGB) bila sebagian besar gambar berwarna, 1 bila abu-abu (`data.channels`);
#   latar transparan dianggap putih;
# - **nilai**: float di [0, 1]; hasilnya disimpan di cache, jadi pemuatan kedua cepat.
#
# Berkas yang bukan gambar diabaikan dengan sebuah catatan; gambar rusak menghentikan
# pelatihan dengan pesan yang menyebut berkasnya (atau dilewati dengan
# `--set data.skip_bad=true`).

# %%
overrides = {
    "data.name": "folder",
    "data.data_dir": str(folder),
    "data.image_size": 24,
    "data.batch_size": budget(32, 8),
    "model.channels": (16, 32),  # dua blok konvolusi kecil: cukup untuk bentuk sederhana
    "model.hidden": 64,
    "train.epochs": budget(15, 1),
    "train.lr": 2e-3,
}
config = build_config("cnn", overrides=overrides)
data = load_dataset(config.data)
print("kelas:", data.info.class_names)
print("bentuk satu contoh:", data.info.input_shape)
print(f"latih {format_int(len(data.train))} gambar, uji {format_int(len(data.test))} gambar")
x, y = data.train.arrays["input"], data.train.arrays["label"]
print(f"nilai piksel di [{x.min():.1f}, {x.max():.1f}], tipe {x.dtype}")

# %%
fig, axes = plt.subplots(2, 6, figsize=(9, 3.6))
acak = np.random.default_rng(0).choice(len(x), 12, replace=False)  # dari semua kelas
for ax, i in zip(axes.ravel(), acak, strict=True):
    ax.imshow(x[i])
    ax.set_title(data.info.class_names[y[i]], fontsize=10)
    ax.axis("off")
fig.suptitle("Masukan model: semua 24×24×3, nilai di [0, 1]")
fig.tight_layout()
plt.show()

# %% [markdown]
# ## Melatih CNN
#
# `dljax.runs.train` melakukan hal yang sama dengan `dljax train cnn --dataset folder
# --data-dir ...`: menulis direktori run berisi konfigurasi, metrik per epoch, checkpoint,
# bobot, **data.json** (bentuk masukan dan nama kelas) dan log TensorBoard.

# %%
runs = kerja / "runs"
out = runs / "cnn-bentuk"
hasil = train(config, out, dataset=data, progress=False)  # data: sudah dimuat di atas
print(f"akurasi uji: {format_percent(hasil.summary['test_accuracy'], 1)}")
print("data.json:", json.loads((out / "data.json").read_text())["class_names"])

# %%
riwayat = RunDir(out).read_history()
epoch = [r["epoch"] for r in riwayat]
fig, (ax1, ax2) = plt.subplots(1, 2, figsize=(9, 3.2))
for split, label in (("train", "latih"), ("test", "uji")):
    ax1.plot(epoch, [r[f"{split}_loss"] for r in riwayat], marker="o", ms=3, label=label)
    ax2.plot(epoch, [r[f"{split}_accuracy"] for r in riwayat], marker="o", ms=3, label=label)
ax1.set_ylabel("loss")
ax2.set_ylabel("akurasi")
for ax in (ax1, ax2):
    ax.set_xlabel("epoch")
    ax.xaxis.set_major_locator(MaxNLocator(integer=True))
    ax.grid(alpha=0.3)
    ax.legend()
fig.suptitle("Kurva belajar (angka yang sama yang ditampilkan TensorBoard)")
fig.tight_layout()
plt.show()

# %% [markdown]
# ## Menebak gambar baru
#
# Gambar baru dibuat dengan seed lain dan **lebih besar** (96 piksel) daripada data latih.
# `predict_files` (di baris perintah: `dljax predict RUN_DIR BERKAS...`) membaca setiap
# berkas persis seperti data latihnya (diubah ke 24×24×3, nilai di [0, 1]) dan mengembalikan
# kelas teratas beserta peluangnya. Yang dibutuhkan hanya direktori run: folder data latih
# boleh sudah dihapus, dan nama kelas diambil dari data.json.

# %%
baru = buat_folder(kerja / "baru", per_kelas=4, seed=1, ukuran=(96, 97))
prediksi = predict_files(out, sorted(baru.glob("*/*.png")), 3)
benar = [Path(p["file"]).parent.name == p["top"][0]["class"] for p in prediksi["predictions"]]
print(f"benar {sum(benar)} dari {len(benar)} gambar baru")

fig, axes = plt.subplots(2, 6, figsize=(10, 4.4))
for ax, p, ok in zip(axes.ravel(), prediksi["predictions"], benar, strict=True):
    ax.imshow(Image.open(p["file"]))
    top = p["top"][0]
    ax.set_title(
        f"{top['class']} {format_percent(top['probability'], 0)}",
        fontsize=9,
        color="tab:green" if ok else "tab:red",
    )
    ax.axis("off")
fig.suptitle("Tebakan untuk gambar 96×96 yang belum pernah dilihat (hijau = benar)")
fig.tight_layout()
plt.show()

# %% [markdown]
# Perintah yang sama di terminal; `--json` memberi keluaran untuk program lain (kunci `run`,
# `model`, `dataset`, `input_shape`, `classes`, `predictions`).

# %%
berkas = [str(baru / "lingkaran" / "000.png"), str(baru / "segitiga" / "000.png")]
perintah = [sys.executable, "-m", "dljax", "predict", str(out), *berkas, "--top-k", "2"]
print("$ dljax predict", str(out), *berkas, "--top-k 2")
print(subprocess.run(perintah, capture_output=True, text=True, check=True).stdout)

# %% [markdown]
# Run generatif (mis. `dljax train dcgan --dataset folder --data-dir ...`) tidak menebak kelas:
# `dljax predict` menolaknya dan menyarankan `dljax sample RUN_DIR`.
#
# ## TensorBoard
#
# Setiap run menulis log TensorBoard di `RUN_DIR/tensorboard/`: loss, akurasi dan *learning
# rate* per epoch, angka kualitas (FD dan kawan-kawan) run generatif di akhir, dan grid sampel
# run generatif setiap epoch. Semua run di satu folder tampil berdampingan, jadi membandingkan
# dua pengaturan cukup dengan melatih keduanya ke `runs/` lalu membuka TensorBoard. Matikan
# dengan `--set train.tensorboard=false`. Pelajaran ini tidak menjalankan server; perintahnya:

# %%
print("Berkas log:", *sorted(p.name for p in (out / "tensorboard").iterdir()))
print()
print("Di terminal (sekali saja: pip install tensorboard):")
print(f"  tensorboard --logdir {runs}")
print("lalu buka http://localhost:6006")
print()
print("Di Colab atau Jupyter (Colab sudah memiliki TensorBoard):")
print("  %load_ext tensorboard")
print(f"  %tensorboard --logdir {runs}")

# %% [markdown]
# ## Tips untuk foto sungguhan
#
# - Mulai dengan gambar kecil: `--set data.image_size=32` (atau 64) jauh lebih cepat daripada
#   ukuran asli foto; foto besar (puluhan megapiksel) diperkecil saat dibaca.
# - Setiap kelas butuh minimal 2 gambar; puluhan sampai ratusan per kelas jauh lebih baik.
#   Usahakan jumlahnya seimbang antarkelas.
# - Folder yang kosong, satu kelas saja, atau gambar rusak ditolak dengan pesan yang menyebut
#   folder/berkasnya dan cara memperbaikinya; tidak ada direktori run setengah jadi.
# - `dljax eval RUN_DIR` menampilkan nama kelas bersama akurasi ujinya.
#
# ## Latihan
#
# **Latihan 1.** Tambahkan kelas keempat ke `gambar_bentuk`, mis. `"silang"` (dua persegi
# panjang bersilangan), buat ulang foldernya dan latih lagi ke `runs/cnn-bentuk4`. Kelas mana
# yang paling sering tertukar? Bandingkan kedua run di TensorBoard.
#
# **Latihan 2.** Rusak satu berkas (mis. `berkas.write_bytes(berkas.read_bytes()[:100])`) dan
# jalankan `load_dataset(config.data)` lagi. Apa kata pesan galatnya? Lalu ulangi dengan
# `"data.skip_bad": True` di `overrides`.
#
# **Latihan 3.** Ganti `"data.image_size": 24` dengan 12 dan dengan 48. Bagaimana akurasi uji
# dan waktu latihnya berubah? Pada ukuran berapa segitiga kecil mulai sulit dikenali?

# %%
# Tempat mencoba Latihan 1-3.

# %% [markdown]
# ## Ringkasan
#
# - Gambar sendiri: satu sub-folder per kelas (atau `train/` dan `test/`), lalu
#   `dljax train MODEL --dataset folder --data-dir FOLDER`; semua model gambar (cnn, vit,
#   resnet, vae, dcgan, ddpm, ...) bisa dilatih di atasnya.
# - Setiap berkas diseragamkan menjadi S × S × C dengan nilai di [0, 1]; data.json menyimpan
#   bentuk masukan dan nama kelas.
# - `dljax predict RUN_DIR BERKAS...` menebak kelas gambar baru dengan praproses yang sama
#   persis, hanya dari direktori run.
# - `tensorboard --logdir runs` (atau `%tensorboard --logdir runs` di Colab) menampilkan kurva
#   semua run berdampingan.
#
# Angka kunci eksekusi ini:

# %%
print_key_numbers(
    {
        "gambar latih / uji": f"{format_int(len(data.train))} / {format_int(len(data.test))}",
        "akurasi uji": format_percent(hasil.summary["test_accuracy"], 1),
        "gambar baru 96×96 yang ditebak benar": f"{sum(benar)} dari {len(benar)}",
    }
)
