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
# [![Buka di Colab](https://colab.research.google.com/assets/colab-badge.svg)](https://colab.research.google.com/github/dljax/dljax/blob/main/lessons/6-diffusion/02-ddpm-ddim.ipynb)
#
# # 6.2 Melatih DDPM, lalu DDPM lawan DDIM
#
# Jaringan U-Net belajar menebak derau $\varepsilon$ yang ditambahkan ke gambar pada langkah
# $t$ acak (loss: kuadrat galat tebakan derau). Setelah terlatih, kita membalik prosesnya:
# **DDPM** berjalan mundur lewat semua $T = 1000$ langkah dengan sedikit derau baru di tiap
# langkah; **DDIM** (Song dkk. 2021) melompati langkah dan, dengan $\eta = 0$, tidak
# menambahkan derau sama sekali. Berapa langkah yang benar-benar perlu? Kita ukur kualitasnya
# (FD dengan classifier referensi, seperti bab 5) dan waktunya.
#
# *Mode cepat* (`DLJAX_FAST=1`) melatih jaringan mungil sebentar: sampelnya masih berupa
# gumpalan. Jalankan versi penuh untuk angka yang jelas (beberapa menit).

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

from dljax import diffusion
from dljax.exercises import diffusion as latihan
from dljax.formatting import format_float
from dljax.lesson import FAST, budget
from dljax.quality import REFERENCE_MODEL, ReferenceClassifier, quality_report
from dljax.recipes import build_config
from dljax.train import Trainer
from dljax.viz import tile_images


def tampilkan(gambar, cols, judul):
    """Show images (N, H, W, 1) in [0, 1] as one tiled picture."""
    _, ax = plt.subplots(figsize=(cols * 0.6, max(1, len(gambar) // cols) * 0.65 + 0.4))
    ax.imshow(tile_images(gambar, cols=cols, scale=4)[..., 0], cmap="gray", vmin=0, vmax=255)
    ax.set_title(judul)
    ax.axis("off")
    plt.show()


# %% [markdown]
# ## Pelatihan
#
# `dljax train ddpm` melatih U-Net kecil (blok residual dengan GroupNorm dan SiLU, embedding
# waktu sinusoidal di setiap blok, *self-attention* di resolusi terkecil) dengan jadwal
# cosine, dan menyimpan rata-rata bergerak eksponensial (EMA) bobotnya: sampel selalu
# dibuat dengan bobot EMA, yang lebih halus daripada bobot langkah terakhir.

# %%
PRESET = budget("default", "tiny")
ubah = {"train.quality": False, "train.seed": 0}
if FAST:
    # a short process (T = 100) so that even DDPM runs in seconds
    ubah.update({"train.epochs": 1, "data.batch_size": 128, "model.timesteps": 100})
trainer = Trainer(build_config("ddpm", PRESET, ubah))
print(f"{trainer.num_params:,} parameter".replace(",", "."))
hasil = trainer.fit(progress=not FAST)
print("loss uji (galat tebakan derau):", format_float(hasil.history[-1]["test_loss"], 4))
tampilkan(trainer.sample(32, seed=0, steps=budget(50, 5)), 8, "sampel DDIM")

# %% [markdown]
# ## Kualitas dan waktu terhadap jumlah langkah
#
# Setiap sampler adalah **satu** `lax.scan` yang dikompilasi sekali; kita mengukur waktu
# panggilan kedua (tanpa kompilasi). FD dibandingkan dengan lantainya (data latih lawan
# data uji) dan baseline Gaussian.

# %%
if FAST:  # a reference trained for 2 epochs only, to run the lesson quickly
    referensi = ReferenceClassifier.load_or_train(
        "digits",
        config=build_config(
            REFERENCE_MODEL, "default", {"data.name": "digits", "train.seed": 0, "train.epochs": 2}
        ),
    )
else:
    referensi = ReferenceClassifier.load_or_train("digits", progress=True)
N = budget(500, 50)
T = trainer.config.model.timesteps
PILIHAN = [("ddim", s) for s in budget((5, 10, 20, 50, 100), (5,))] + [("ddpm", T)]
baris = []
for sampler, langkah in PILIHAN:
    trainer.sample(N, seed=0, sampler=sampler, steps=langkah)  # compile once
    t0 = time.perf_counter()
    sampel = trainer.sample(N, seed=0, sampler=sampler, steps=langkah)
    detik = time.perf_counter() - t0
    q = quality_report(referensi, sampel, trainer.dataset)
    baris.append((sampler, langkah, q["fd"], detik))
    print(
        f"{sampler.upper():>4} {langkah:>4} langkah: FD {format_float(q['fd'], 2):>7}, "
        f"{format_float(detik, 2)} detik"
    )
print(f"lantai FD {format_float(q['fd_floor'], 2)}, baseline {format_float(q['fd_baseline'], 2)}")

# %%
fig, axes = plt.subplots(1, 2, figsize=(10, 3.2))
ddim = [b for b in baris if b[0] == "ddim"]
axes[0].plot([b[1] for b in ddim], [b[2] for b in ddim], "o-", label="DDIM")
axes[0].axhline(baris[-1][2], color="C1", ls="--", label=f"DDPM {T} langkah")
axes[0].set(xscale="log", xlabel="langkah", ylabel="FD (lebih kecil lebih baik)")
axes[0].legend()
axes[1].plot([b[1] for b in ddim], [b[3] for b in ddim], "o-", label="DDIM")
axes[1].axhline(baris[-1][3], color="C1", ls="--", label="DDPM")
axes[1].set(xscale="log", yscale="log", xlabel="langkah", ylabel="detik")
axes[1].legend()
plt.show()

# %% [markdown]
# Waktunya hampir sebanding dengan jumlah langkah (satu panggilan jaringan per langkah).
# Di model terlatih penuh, DDIM dengan puluhan langkah sudah mendekati kualitas DDPM 1000
# langkah: hasil `benchmarks/diffusion_quality.py` ada di halaman hasil.
#
# ## Inversi DDIM: gambar → derau → gambar
#
# DDIM dengan $\eta = 0$ adalah peta deterministik dari derau ke gambar, jadi bisa dijalankan
# **terbalik**: `ddim_invert` membawa angka asli ke derau $x_T$, dan DDIM membawanya kembali.

# %%
model = trainer.model()  # the EMA weights, evaluation mode
jadwal = trainer.task.schedule


def eps_fn(x, t):
    return model(x, t)


asli = 2.0 * jnp.asarray(trainer.dataset.test.arrays["input"][:8]) - 1.0
S_INV = budget(100, 20)
derau = jax.jit(lambda x: diffusion.ddim_invert(eps_fn, jadwal, x, steps=S_INV))(asli)
kembali = jax.jit(lambda x: diffusion.ddim_sample(eps_fn, jadwal, x, steps=S_INV))(derau)
ke_gambar = lambda x: np.clip((np.asarray(x) + 1) / 2, 0, 1)  # noqa: E731
galat = float(jnp.abs(kembali - asli).mean())
print("galat rekonstruksi rata-rata (piksel di [-1, 1]):", format_float(galat, 3))
tampilkan(
    np.concatenate([ke_gambar(asli), ke_gambar(derau / 3 + 0.0), ke_gambar(kembali)]),
    8,
    "asli / hasil inversi (derau) / DDIM kembali",
)

# %% [markdown]
# ## Latihan
#
# **Latihan 1.** Setiap langkah DDIM dimulai dengan menebak gambar bersih dari tebakan derau:
# dari `x_t`, `eps` (bentuk sama) dan skalar `alpha_bar`, kembalikan
# $\hat x_0 = (x_t - \sqrt{1-\bar\alpha}\,\varepsilon) / \sqrt{\bar\alpha}$.


# %%
def prediksi_x0(x_t, eps, alpha_bar):
    # TODO
    return None


_ = latihan.check_predict_x0(prediksi_x0)

# %% [markdown]
# ## Ringkasan
#
# - DDPM dilatih menebak derau; sampelnya dibuat dengan membalik proses maju.
# - DDPM butuh $T$ panggilan jaringan; DDIM melompati langkah, dan dengan $\eta = 0$
#   deterministik serta bisa dibalik (inversi).
# - Setiap sampler adalah satu `lax.scan`: dikompilasi sekali, dijalankan dalam satu panggilan.
#   Di terminal: `dljax sample RUN_DIR --sampler ddim --steps 20 --trajectory`.
