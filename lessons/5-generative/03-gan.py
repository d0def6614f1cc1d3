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
# [![Buka di Colab](https://colab.research.google.com/assets/colab-badge.svg)](https://colab.research.google.com/github/dljax/dljax/blob/main/lessons/5-generative/03-gan.ipynb)
#
# # 5.3 GAN: dua jaringan yang bertanding
#
# VAE belajar dengan memaksimalkan sebuah batas bawah log-peluang, dan sampelnya cenderung
# kabur. **Generative adversarial network** (GAN; Goodfellow dkk., 2014) mengambil jalan lain:
# dua jaringan **bertanding**.
#
# - **Generator** $G$ mengubah derau $z \sim \mathcal N(0, I)$ menjadi gambar $G(z)$.
# - **Diskriminator** $D$ menerima sebuah gambar dan memberi peluang $D(x)$ bahwa gambar itu
#   **asli** (dari data), bukan buatan $G$.
#
# $D$ belajar membedakan asli dari palsu; $G$ belajar menipu $D$. Di pelajaran ini kita:
#
# - menulis permainan **minimax** dan melihat mengapa generator memakai loss
#   ***non-saturating***;
# - melatih GAN pada angka dan menonton sampelnya berkembang per epoch;
# - melihat dan **mengukur** *mode collapse* dengan FD, *precision* dan *recall*.
#
# Pelajaran berikutnya membawa konvolusi (DCGAN) dan label (GAN bersyarat).

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
from dljax.lesson import (
    budget,
    build_trainer,
    print_fd_scale,
    print_key_numbers,
    print_quality,
    quality,
    quality_summary,
    reference_classifier,
    show_images,
    train_with_snapshots,
)

# %% [markdown]
# ## Permainan minimax
#
# Dengan label "asli = 1, palsu = 0", diskriminator meminimalkan *binary cross-entropy*-nya,
# yaitu memaksimalkan
#
# $$V(D, G) = \mathbb E_{x \sim p_\text{data}}\big[\log D(x)\big] + \mathbb E_{z \sim p(z)}\big[\log
# \big(1 - D(G(z))\big)\big],$$
#
# sedangkan generator ingin kebalikannya: $\min_G \max_D V(D, G)$. Untuk $G$ yang tetap,
# diskriminator terbaik adalah $D^*(x) = p_\text{data}(x) / (p_\text{data}(x) + p_G(x))$, dan
# dengan $D^*$ itu $V = 2\,\mathrm{JS}(p_\text{data}\,\|\,p_G) - \log 4$: generator
# meminimalkan divergensi Jensen–Shannon, yang nol tepat ketika $p_G = p_\text{data}$. Di
# titik itu $D^* = 1/2$ di mana-mana: diskriminator hanya bisa menebak.
#
# Dalam praktik kita bergantian: satu langkah untuk $D$, lalu satu langkah untuk $G$, dengan
# dua optimizer terpisah. Diskriminator mengeluarkan *logit* $\ell$ dan $D = \sigma(\ell)$,
# sehingga $-\log D = \mathrm{softplus}(-\ell)$ dan $-\log(1 - D) = \mathrm{softplus}(\ell)$,
# stabil untuk logit berapa pun.
#
# ## Mengapa loss *non-saturating*
#
# Menurut rumusnya, generator meminimalkan $\log(1 - D(G(z)))$ (*saturating*). Di awal
# pelatihan gambar palsu masih buruk, $D$ dengan mudah menolaknya, jadi $D(G(z)) \approx 0$.
# Lihat gradien terhadap logit $\ell$ dari gambar palsu:
#
# - *saturating*: $\frac{\partial}{\partial \ell}\log(1 - \sigma(\ell)) = -\sigma(\ell) \to 0$
#   ketika $D(G(z)) \to 0$: generator hampir tidak belajar tepat saat ia paling buruk;
# - ***non-saturating***: minimalkan $-\log D(G(z))$ sebagai gantinya; gradiennya
#   $-(1 - \sigma(\ell)) \to -1$: sinyal paling kuat ketika generator paling buruk.
#
# Keduanya punya titik tetap yang sama ($G$ ingin $D(G(z))$ besar), tetapi dinamikanya sangat
# berbeda.

# %%
d = jnp.linspace(0.001, 0.999, 400)  # D(G(z))
logit = jnp.log(d) - jnp.log1p(-d)


def saturating(logit):
    return -jax.nn.softplus(logit)  # log(1 - sigmoid(logit)), minimized by G


def non_saturating(logit):
    return jax.nn.softplus(-logit)  # -log sigmoid(logit), minimized by G


fig, (ax1, ax2) = plt.subplots(1, 2, figsize=(10, 4))
ax1.plot(d, saturating(logit), label="saturating: $\\log(1 - D(G(z)))$")
ax1.plot(d, non_saturating(logit), label="non-saturating: $-\\log D(G(z))$")
ax1.set_ylabel("loss generator")
ax1.set_title("Dua loss generator")
for f, label in ((saturating, "saturating"), (non_saturating, "non-saturating")):
    ax2.plot(d, jnp.abs(jax.vmap(jax.grad(f))(logit)), label=label)
ax2.set_ylabel("|gradien terhadap logit|")
ax2.set_title("Sinyal belajar untuk generator")
for ax in (ax1, ax2):
    ax.set_xlabel("$D(G(z))$: keyakinan D bahwa gambar palsu asli")
    ax.axvspan(0, 0.1, color="red", alpha=0.08)
    ax.grid(alpha=0.3)
    ax.legend()
ax2.text(0.02, 0.5, "awal\npelatihan", color="darkred")
plt.tight_layout()
plt.show()

# %% [markdown]
# ## GAN pada angka
#
# Model `gan` di `dljax` adalah GAN MLP: $G$ = $z$ → Linear + LeakyReLU → ... → tanh, dan $D$
# kebalikannya. Gambar diubah ke $[-1, 1]$ agar cocok dengan tanh; sampel dikembalikan ke
# $[0, 1]$. Optimizer Adam dengan laju belajar $2\cdot10^{-4}$ dan $\beta_1 = 0{,}5$ (resep
# DCGAN). Setiap langkah: satu langkah $D$, lalu satu langkah $G$.
#
# Dua tambahan membuat pelatihan ini stabil (resep bawaan `dljax train gan`):
#
# - **penalti R1** (Mescheder dkk. 2018) pada diskriminator:
#   $\frac{\gamma}{2}\,\mathbb{E}_{x \sim \text{data}}\lVert\nabla_x D(x)\rVert^2$ dengan
#   $\gamma = 1$ (`model.r1`). $D$ dihukum bila keluarannya berubah tajam di sekitar gambar
#   asli, sehingga ia tidak bisa "menang telak" dan gradien untuk $G$ tetap berguna;
# - **bobot EMA** (`train.ema_decay = 0.999`): sampel diambil dari rata-rata bergerak bobot,
#   bukan dari bobot langkah terakhir, yang terus berayun karena kedua pemain saling
#   mengimbangi.
#
# Kita simpan kisi sampel dari **laten yang sama** setelah setiap epoch untuk menonton
# perkembangannya. Di terminal: `dljax train gan` (menulis `samples/epoch_NNN.png` dan
# `samples/training.gif`).

# %%
data = load_dataset(DataConfig(name="digits"))
x_uji, y_uji = data.test.arrays["input"], data.test.arrays["label"]
N_SAMPEL = budget(1000, 300)  # samples per quality measurement

# `build_trainer`: the default preset (tiny networks and few steps in the fast mode), seed 0
trainer_gan = build_trainer("gan", dataset=data)
EPOCHS = trainer_gan.config.train.epochs
print(f"{format_int(EPOCHS)} epoch (resep bawaan)")
print(f"{format_int(trainer_gan.num_params)} parameter (G dan D bersama)")
# 16 samples of the same latents after 6 epochs spread over the run (drawn N_SAMPEL at a
# time, as later, so that sampling compiles only once)
hasil_gan, snapshot_gan = train_with_snapshots(trainer_gan, draw=N_SAMPEL)

# %%
show_images(
    np.concatenate(list(snapshot_gan.values())),
    16,
    "Laten yang sama, baris demi baris: epoch " + ", ".join(map(str, snapshot_gan)),
)
plt.show()

# %% [markdown]
# Kurva GAN tidak turun seperti kurva klasifikasi: dua pemain saling mengimbangi. Yang
# berguna dilihat adalah $D(x)$ rata-rata untuk gambar asli dan $D(G(z))$ untuk palsu. Bila
# keduanya menempel di 1 dan 0, diskriminator menang telak dan generator kehilangan arah.

# %%
ep = [r["epoch"] for r in hasil_gan.history]
fig, (ax1, ax2) = plt.subplots(1, 2, figsize=(10, 3.8))
ax1.plot(ep, [r["train_d_loss"] for r in hasil_gan.history], marker="o", ms=3, label="loss D")
ax1.plot(ep, [r["train_g_loss"] for r in hasil_gan.history], marker="o", ms=3, label="loss G")
ax1.set_ylabel("loss latih")
ax1.set_title("Loss kedua pemain")
ax2.plot(ep, [r["train_d_real"] for r in hasil_gan.history], label="$D(x)$, asli")
ax2.plot(ep, [r["train_d_fake"] for r in hasil_gan.history], label="$D(G(z))$, palsu")
ax2.axhline(0.5, color="k", ls=":", lw=1)
ax2.set_ylabel("keluaran D rata-rata")
ax2.set_ylim(0, 1)
ax2.set_title("Keyakinan diskriminator")
for ax in (ax1, ax2):
    ax.set_xlabel("epoch")
    ax.xaxis.set_major_locator(MaxNLocator(integer=True))
    ax.grid(alpha=0.3)
    ax.legend()
plt.show()

# %% [markdown]
# ## Mengukur kualitas: FD, *precision*, *recall*
#
# Mata manusia mudah tertipu oleh beberapa sampel bagus. Kita butuh angka. Sebuah
# **classifier referensi** (CNN `dljax` yang dilatih sekali dengan *seed* tetap, lalu
# disimpan di cache) mengubah setiap gambar menjadi vektor **fitur** (lapisan sebelum
# keluaran). Pada fitur itu:
#
# - **FD** (*Fréchet distance*): cocokkan sebuah Gaussian ke fitur gambar buatan dan ke fitur
#   gambar uji, lalu ukur jaraknya:
#   $\lVert\mu_1 - \mu_2\rVert^2 + \mathrm{tr}\big(\Sigma_1 + \Sigma_2 - 2(\Sigma_1\Sigma_2)^{1/2}\big)$.
#   Makin kecil makin baik. Skalanya bergantung pada fitur, jadi bandingkan dengan dua
#   acuan yang diukur dengan cara yang sama: **batas bawah FD** (`fd_floor`, gambar latih
#   asli terhadap gambar uji: sebaik-baiknya model) dan **baseline Gaussian**
#   (`fd_baseline`, sampel dari satu Gaussian yang dicocokkan ke piksel data latih: jauh
#   lebih buruk).
# - ***Precision***: bagian gambar buatan yang jatuh di dekat gambar asli (kualitas).
# - ***Recall***: bagian gambar asli yang punya gambar buatan di dekatnya (keragaman).
#   "Dekat" = di dalam bola ke-$k$ tetangga terdekat ($k = 3$, Kynkäänniemi dkk. 2019).
#
# `reference_classifier` memuat classifier itu (dilatih sekali, lalu diambil dari cache) dan
# `quality` menghitung ketiga angka untuk sekumpulan sampel.

# %%
referensi = reference_classifier("digits")
q_gan = quality(hasil_gan.trainer.sample(N_SAMPEL, seed=0), data, name="GAN MLP", width=28)
print_fd_scale(q_gan)

# %% [markdown]
# ## *Mode collapse*: dilihat dan diukur
#
# Kegagalan GAN yang paling terkenal: generator menemukan **beberapa** gambar yang berhasil
# menipu $D$ dan hanya membuat itu. Sampelnya tajam (precision tinggi), tetapi banyak jenis
# angka hilang (recall rendah).
#
# Pertama, ilustrasi dengan "generator" yang collapse sempurna: ia hanya mengeluarkan gambar
# latih asli dari **tiga** kelas. Setiap gambarnya sempurna, tetapi keragamannya hilang.

# %%
latih_x, latih_y = data.train.arrays["input"], data.train.arrays["label"]
hanya_tiga = latih_x[np.isin(latih_y, [0, 1, 7])][:N_SAMPEL]
q_tiga = quality(hanya_tiga, data, name="gambar asli, hanya 0, 1, 7", width=28)
print_quality("GAN MLP", q_gan, width=28)

# %% [markdown]
# Sekarang GAN sungguhan dengan pengaturan yang sengaja buruk: kode laten **satu dimensi**
# (`model.latent = 1`). Generatornya hanya bisa menyusuri satu kurva di ruang gambar, jadi ia
# harus memilih angka mana yang ia kuasai. Kita lihat sampelnya dan kelas yang ditebak
# classifier referensi untuk setiap sampel.

# %%
trainer_buruk = build_trainer("gan", {"train.epochs": EPOCHS, "model.latent": 1}, dataset=data)
hasil_buruk = trainer_buruk.fit()
sampel_buruk = hasil_buruk.trainer.sample(N_SAMPEL, seed=0)
sampel_baik = hasil_gan.trainer.sample(N_SAMPEL, seed=0)
q_buruk = quality(sampel_buruk, data, name="GAN MLP, laten 1-D", width=28)
print_quality("GAN MLP", q_gan, width=28)

fig, axes = plt.subplots(1, 2, figsize=(9, 4.8))
show_images(sampel_baik[:64], 8, f"GAN, laten {hasil_gan.trainer.config.model.latent}", ax=axes[0])
show_images(sampel_buruk[:64], 8, "GAN, laten 1", ax=axes[1])
plt.tight_layout()
plt.show()

kelas = np.arange(10)
lebar = 0.4
fig, ax = plt.subplots(figsize=(8, 3.6))
for geser, (s, label) in zip(
    (-lebar / 2, lebar / 2), ((sampel_baik, "GAN"), (sampel_buruk, "GAN laten 1")), strict=True
):
    frek = np.bincount(referensi.predict(s), minlength=10) / len(s)
    ax.bar(kelas + geser, frek, lebar, label=label)
ax.axhline(0.1, color="k", ls=":", lw=1, label="seragam (10 %)")
ax.set_xticks(kelas)
ax.set_xlabel("kelas menurut classifier referensi")
ax.set_ylabel("bagian sampel")
ax.set_title("Angka apa saja yang dibuat generator?")
ax.legend()
plt.show()

# %% [markdown]
# *Mode collapse* menyerang **keragaman**: angka yang hilang menurunkan **recall** dan
# menaikkan **FD**. *Precision* mengukur hal lain, yaitu apakah setiap sampel mirip gambar
# asli, jadi ia tidak harus ikut turun: "generator" yang hanya mengeluarkan gambar asli 0, 1
# dan 7 di atas punya precision tinggi dan recall rendah. Karena itu satu angka saja tidak
# cukup; laporkan FD bersama *precision* dan *recall*. Angka kedua GAN kita, berdampingan:

# %%
for label, kunci, format_angka in (
    ("FD", "fd", lambda v: format_float(v, 2)),
    ("precision", "precision", format_percent),
    ("recall", "recall", format_percent),
):
    print(
        f"{label:>9}: GAN laten {hasil_gan.trainer.config.model.latent} "
        f"{format_angka(q_gan[kunci]):>7} | GAN laten 1 {format_angka(q_buruk[kunci]):>7}"
    )

# %% [markdown]
# Hasil tepatnya bergantung pada *seed* dan lamanya pelatihan (coba ubah `train.seed`); dalam
# mode cepat kedua GAN baru dilatih beberapa langkah, sehingga keduanya masih jauh dari data.
#

# %% [markdown]
# ## Semua angka dalam satu tabel

# %%
semua = {
    "GAN MLP": q_gan,
    "GAN MLP, laten 1-D": q_buruk,
    "gambar asli 0/1/7 saja": q_tiga,
}
print_fd_scale(q_gan)
for nama, q in semua.items():
    print_quality(nama, q, width=28)

fig, ax = plt.subplots(figsize=(6.5, 4.5))
for nama, q in semua.items():
    ax.scatter(q["recall"], q["precision"], s=60)
    ax.annotate(
        nama, (q["recall"], q["precision"]), textcoords="offset points", xytext=(6, 4), fontsize=8
    )
ax.set_xlim(-0.05, 1.05)
ax.set_ylim(-0.05, 1.05)
ax.set_xlabel("recall (keragaman)")
ax.set_ylabel("precision (kualitas)")
ax.set_title("Precision dan recall pada fitur classifier referensi")
ax.grid(alpha=0.3)
plt.show()

# %% [markdown]
# ## Latihan
#
# **Latihan 1.** Loss diskriminator: dari `real_logits` (logit D untuk gambar asli) dan
# `fake_logits` (untuk gambar palsu), kembalikan
# $\mathrm{mean}(-\log D(x)) + \mathrm{mean}(-\log(1 - D(G(z))))$ dengan $D = \sigma(\ell)$.
# Buat stabil untuk logit besar (mis. 80).


# %%
def loss_diskriminator(real_logits, fake_logits):
    # TODO
    return None


_ = latihan.check_discriminator_loss(loss_diskriminator)

# %% [markdown]
# **Latihan 2.** Loss generator *non-saturating*: dari `fake_logits`, kembalikan
# $\mathrm{mean}(-\log D(G(z)))$.


# %%
def loss_generator(fake_logits):
    # TODO
    return None


_ = latihan.check_generator_loss(loss_generator)

# %% [markdown]
# **Latihan 3 (eksplorasi, tanpa pemeriksa).** Coba `"model.latent": 2` pada `gan`: apakah
# collapse-nya separah laten 1-D? Lihat sampel, histogram kelas, dan recall-nya.
#
# ## Ringkasan
#
# - GAN = permainan dua pemain: $D$ membedakan asli/palsu dengan BCE, $G$ menipu $D$; dua
#   optimizer, satu langkah $D$ lalu satu langkah $G$.
# - Loss generator *non-saturating* $-\log D(G(z))$ memberi gradien kuat tepat ketika
#   generator masih buruk; versi *saturating* $\log(1 - D(G(z)))$ hampir tidak memberi gradien.
# - Kualitas diukur pada fitur classifier referensi: FD (bandingkan dengan batas bawah FD
#   dan baseline Gaussian), *precision* (kualitas) dan *recall* (keragaman).
# - *Mode collapse* terlihat di sampel dan di angka: recall turun, FD naik, sementara
#   precision bisa tetap tinggi.
#
# Pelajaran berikutnya: **DCGAN** dan **GAN bersyarat**. Angka kunci eksekusi ini:

# %%
print_key_numbers(
    {
        "akurasi uji classifier referensi": format_percent(referensi.accuracy),
        "batas bawah FD / baseline Gaussian": f"{format_float(q_gan['fd_floor'], 2)} / "
        f"{format_float(q_gan['fd_baseline'], 2)}",
        "GAN MLP": quality_summary(q_gan),
        "GAN MLP, laten 1-D": quality_summary(q_buruk),
        "gambar asli 0/1/7 saja": quality_summary(q_tiga),
    }
)
