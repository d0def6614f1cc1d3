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
# # 6.2 Melatih DDPM, lalu DDPM dibandingkan dengan DDIM
#
# Jaringan U-Net belajar menebak derau $\varepsilon$ yang ditambahkan ke gambar pada langkah
# $t$ acak (loss: kuadrat galat tebakan derau). Setelah terlatih, kita membalik prosesnya:
# **DDPM** berjalan mundur lewat semua $T = 1000$ langkah dengan sedikit derau baru di tiap
# langkah; **DDIM** (Song dkk. 2021) melompati langkah dan, dengan $\eta = 0$, tidak
# menambahkan derau sama sekali. Berapa langkah yang benar-benar perlu? Kita ukur kualitasnya
# (FD dengan classifier referensi, seperti bab 5) dan waktunya.
#
# *Mode cepat* (`DLJAX_FAST=1`) melatih jaringan mungil sebentar dengan proses pendek
# ($T = 100$): sampelnya masih berupa gumpalan, dan angka-angkanya hanya menunjukkan bahwa
# kodenya berjalan.

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
from dljax.formatting import format_float, format_int
from dljax.lesson import (
    FAST_DIFFUSION,
    budget,
    build_trainer,
    print_epochs,
    print_fd_scale,
    print_key_numbers,
    quality,
    reference_classifier,
    show_images,
)

# %% [markdown]
# ## Pelatihan
#
# Untuk gambar bersih $x_0$, langkah acak $t$ dan derau $\varepsilon \sim \mathcal N(0, I)$,
# proses maju (pelajaran 6.1) memberi $x_t$ dalam satu langkah, dan jaringan
# $\varepsilon_\theta$ dilatih menebak derau itu:
#
# $$x_t = \sqrt{\bar\alpha_t}\,x_0 + \sqrt{1-\bar\alpha_t}\,\varepsilon,$$
#
# $$\mathcal L(\theta) = \mathbb E_{x_0,\,t,\,\varepsilon}
# \Big[\big\|\varepsilon - \varepsilon_\theta(x_t, t)\big\|^2\Big].$$
#
# `dljax train ddpm` melatih U-Net kecil (blok residual dengan GroupNorm dan SiLU, embedding
# waktu sinusoidal di setiap blok, *self-attention* di resolusi terkecil) dengan jadwal
# cosine, dan menyimpan rata-rata bergerak eksponensial (EMA) bobotnya: sampel selalu
# dibuat dengan bobot EMA, yang lebih halus daripada bobot langkah terakhir.
#
# Agar pelajaran selesai dalam beberapa menit di CPU, di sini kita melatih 60 epoch,
# setengah dari resep bawaan `dljax train ddpm` (120 epoch): sampelnya sudah berupa angka,
# tetapi model bawaan yang dilatih penuh lebih dekat ke data (angkanya di halaman hasil).

# %%
EPOCH = 60  # half of the `ddpm` recipe's 120 epochs; fast mode: T = 100, one epoch
trainer = build_trainer("ddpm", {"train.epochs": EPOCH}, fast=FAST_DIFFUSION)
print(f"{format_int(trainer.num_params)} parameter, T = {trainer.config.model.timesteps}")
hasil = trainer.fit([print_epochs("train_loss", "test_loss", lines=5)])
loss_uji = hasil.history[-1]["test_loss"]
print("loss uji (galat kuadrat tebakan derau):", format_float(loss_uji, 4))
show_images(trainer.sample(32, seed=0, steps=budget(50, 5)), 8, "Sampel DDIM")
plt.show()

# %% [markdown]
# ## Dua cara membalik proses
#
# **DDPM** (Ho dkk. 2020) mengambil $x_{t-1}$ dari posterior Gaussian, dengan tebakan derau
# $\varepsilon_\theta = \varepsilon_\theta(x_t, t)$ dan $z \sim \mathcal N(0, I)$ (tanpa
# $z$ di langkah terakhir):
#
# $$x_{t-1} = \frac{1}{\sqrt{\alpha_t}}\Big(x_t -
# \frac{\beta_t}{\sqrt{1-\bar\alpha_t}}\,\varepsilon_\theta\Big) + \sqrt{\tilde\beta_t}\,z,$$
#
# $$\tilde\beta_t = \frac{1-\bar\alpha_{t-1}}{1-\bar\alpha_t}\,\beta_t .$$
#
# Satu panggilan jaringan per langkah, $T$ langkah. **DDIM** (Song dkk. 2021) memakai
# subbarisan langkah $t_S > \cdots > t_1$. Dari $x_t$ ia menebak gambar bersih, lalu
# melompat ke langkah berikutnya $s < t$ dengan tebakan derau yang sama (untuk $\eta = 0$,
# tanpa derau baru):
#
# $$\hat x_0 = \frac{x_t - \sqrt{1-\bar\alpha_t}\,\varepsilon_\theta}{\sqrt{\bar\alpha_t}},$$
#
# $$x_s = \sqrt{\bar\alpha_s}\,\hat x_0 + \sqrt{1-\bar\alpha_s}\,\varepsilon_\theta .$$
#
# Dengan $\eta > 0$ sebagian $\varepsilon_\theta$ diganti derau baru; $\eta = 1$ dengan semua
# $T$ langkah sama dengan DDPM.
# %% [markdown]
# ## Kualitas dan waktu terhadap jumlah langkah
#
# Setiap sampler adalah **satu** `lax.scan` yang dikompilasi sekali; untuk DDIM kita mengukur
# waktu panggilan kedua (tanpa kompilasi). DDPM dengan $T$ langkah hanya dipanggil sekali:
# kompilasinya (beberapa detik) kecil dibanding $T$ panggilan jaringan. FD dibandingkan dengan
# batas bawah FD (data latih terhadap data uji) dan baseline Gaussian.

# %%
referensi = reference_classifier("digits")
N = budget(200, 50)
T = trainer.config.model.timesteps
PILIHAN = [("ddim", s) for s in budget((5, 10, 20, 50), (5, 20))] + [("ddpm", T)]
baris = []
for sampler, langkah in PILIHAN:
    if sampler == "ddim":
        trainer.sample(N, seed=0, sampler=sampler, steps=langkah)  # compile once
    t0 = time.perf_counter()
    sampel = trainer.sample(N, seed=0, sampler=sampler, steps=langkah)
    detik = time.perf_counter() - t0
    q = quality(sampel, trainer.dataset)
    baris.append((sampler, langkah, q["fd"], detik))
    print(
        f"{sampler.upper():>4} {langkah:>4} langkah: FD {format_float(q['fd'], 2):>7}, "
        f"{format_float(detik, 2)} detik ({format_float(1000 * detik / langkah, 1)} ms/langkah)"
    )
print_fd_scale(q)

# %%
fig, axes = plt.subplots(1, 2, figsize=(10, 3.4))
ddim = [b for b in baris if b[0] == "ddim"]
axes[0].plot([b[1] for b in ddim], [b[2] for b in ddim], "o-", label="DDIM")
axes[0].axhline(baris[-1][2], color="C1", ls="--", label=f"DDPM {T} langkah")
axes[0].set(xscale="log", xlabel="langkah DDIM", ylabel="FD (lebih kecil lebih baik)")
axes[0].set_title("Kualitas")
axes[1].plot([b[1] for b in ddim], [b[3] for b in ddim], "o-", label="DDIM")
axes[1].axhline(baris[-1][3], color="C1", ls="--", label=f"DDPM {T} langkah")
axes[1].set(xscale="log", yscale="log", xlabel="langkah DDIM", ylabel="detik")
axes[1].set_title("Waktu")
for ax in axes:
    ax.minorticks_off()  # only the measured step counts as ticks: no overlapping labels
    ax.set_xticks([b[1] for b in ddim], [str(b[1]) for b in ddim])
    ax.legend()
plt.tight_layout()
plt.show()

# %% [markdown]
# Satu panggilan jaringan per langkah: waktu per langkah (kolom ms/langkah di atas) hampir
# sama untuk semua sampler, jadi waktunya tumbuh sebanding dengan jumlah langkah; untuk
# sampel sedikit, ongkos tetap per panggilan ikut terhitung. Seberapa dekat DDIM dengan
# puluhan langkah ke DDPM $T$ langkah bergantung pada seberapa baik modelnya terlatih:
# bandingkan FD kedua baris di atas; angka model yang dilatih penuh
# (`benchmarks/diffusion_quality.py`) ada di halaman hasil.
#
# ## Inversi DDIM: gambar → derau → gambar
#
# DDIM dengan $\eta = 0$ adalah peta deterministik dari derau ke gambar, jadi bisa dijalankan
# **terbalik**: `ddim_invert` membawa angka asli ke derau $x_T$, dan DDIM membawanya kembali.
#
# Satu hal penting: di langkah terakhir jadwal cosinus $\bar\alpha_T$ hanya sekitar
# $2\cdot10^{-9}$ (dicetak di bawah). Langkah DDIM pertama menebak
# $\hat x_0 = (x_T - \sqrt{1-\bar\alpha_T}\,\varepsilon_\theta)/\sqrt{\bar\alpha_T}$, jadi
# galat kecil jaringan dibagi $\sqrt{\bar\alpha_T} \approx 5\cdot10^{-5}$ dan meledak. Karena
# itu $\hat x_0$ dipotong ke $[-1, 1]$ (`clip=True`, seperti sampler `dljax sample`); bobot
# $\hat x_0$ di langkah itu, $\sqrt{\bar\alpha_s}$, kecil sekali, jadi pemotongan tidak merusak
# jalur balik.

# %%
model = trainer.model()  # the EMA weights, evaluation mode
jadwal = trainer.task.schedule


def eps_fn(x, t):
    return model(x, t)


asli = 2.0 * jnp.asarray(trainer.dataset.test.arrays["input"][:8]) - 1.0
S_INV = budget(100, 20)
derau = jax.jit(lambda x: diffusion.ddim_invert(eps_fn, jadwal, x, steps=S_INV))(asli)
kembali = jax.jit(lambda x: diffusion.ddim_sample(eps_fn, jadwal, x, steps=S_INV, clip=True))(derau)
print(f"alpha_bar pada t = T: {float(jadwal.alpha_bars[-1]):.1e}")
ke_gambar = lambda x: np.clip((np.asarray(x) + 1) / 2, 0, 1)  # noqa: E731
galat = float(jnp.abs(kembali - asli).mean())
print("galat rekonstruksi rata-rata (piksel di [-1, 1]):", format_float(galat, 3))
show_images(
    np.concatenate([ke_gambar(asli), ke_gambar(derau / 3 + 0.0), ke_gambar(kembali)]),
    8,
    "Baris: asli / hasil inversi (derau) / DDIM kembali",
)
plt.show()

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
#
# Angka kunci eksekusi ini:

# %%
print_key_numbers(
    {
        "parameter U-Net": trainer.num_params,
        "loss uji (galat tebakan derau)": format_float(loss_uji, 4),
        **{
            f"{s.upper()} {n} langkah": f"FD {format_float(fd, 2)}; {format_float(d, 2)} detik"
            for s, n, fd, d in baris
        },
        "batas bawah FD / baseline Gaussian": f"{format_float(q['fd_floor'], 2)} / "
        f"{format_float(q['fd_baseline'], 2)}",
        "galat inversi DDIM (piksel di [-1, 1])": format_float(galat, 3),
    }
)
