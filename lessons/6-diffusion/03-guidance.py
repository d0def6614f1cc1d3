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
# [![Buka di Colab](https://colab.research.google.com/assets/colab-badge.svg)](https://colab.research.google.com/github/dljax/dljax/blob/main/lessons/6-diffusion/03-guidance.ipynb)
#
# # 6.3 Difusi bersyarat dan *classifier-free guidance*
#
# Sekarang U-Net juga menerima label angka. Saat pelatihan, 10 % label diganti dengan token
# khusus "tanpa label", sehingga **satu** jaringan belajar dua tebakan derau: bersyarat
# $\varepsilon_c$ dan tanpa syarat $\varepsilon_u$. Saat membangkitkan, *classifier-free
# guidance* (Ho & Salimans 2022) mencampurnya dengan skala $w$:
#
# $$\varepsilon = \varepsilon_u + w\,(\varepsilon_c - \varepsilon_u).$$
#
# $w = 0$: tanpa syarat; $w = 1$: bersyarat biasa; $w > 1$: didorong lebih jauh ke arah label.
#
# Seperti di pelajaran 6.2, kita melatih 60 epoch, setengah dari resep bawaan
# `dljax train ddpm_cond`, agar pelajaran selesai dalam beberapa menit di CPU.
#
# *Mode cepat* (`DLJAX_FAST=1`) melatih jaringan mungil sebentar dengan proses pendek
# ($T = 100$): angka-angkanya hanya menunjukkan bahwa kodenya berjalan.

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

from dljax.exercises import diffusion as latihan
from dljax.formatting import format_float, format_int, format_percent
from dljax.lesson import (
    FAST_DIFFUSION,
    budget,
    build_trainer,
    print_epochs,
    print_key_numbers,
    quality,
    reference_classifier,
    show_images,
)

# 60 epochs, as in lesson 6.2 (half of the recipe's 120); fast mode: T = 100, one epoch
trainer = build_trainer("ddpm_cond", {"train.epochs": 60}, fast=FAST_DIFFUSION)
hasil = trainer.fit([print_epochs("train_loss", "test_loss", lines=5)])
print(
    f"U-Net bersyarat: {format_int(trainer.num_params)} parameter, "
    f"T = {trainer.config.model.timesteps}, "
    f"{format_percent(trainer.config.model.label_dropout, 0)} label dibuang saat pelatihan"
)

# %% [markdown]
# ## Satu baris per angka, untuk beberapa $w$
#
# Baris ke-$k$ meminta angka $k$. Bandingkan kisi untuk $w = 0$ (label diabaikan), $w = 1$
# dan $w = 3$.

# %%
KOLOM = 8
label = jnp.asarray(np.repeat(np.arange(10), KOLOM), jnp.int32)  # row k: digit k
fig, axes = plt.subplots(1, 3, figsize=(10, 4.6))
for ax, w in zip(axes, (0.0, 1.0, 3.0), strict=True):
    sampel = trainer.sample(
        len(label), seed=0, labels=label, guidance=np.float32(w), steps=budget(50, 5)
    )
    show_images(sampel, KOLOM, f"w = {format_float(w, 0)}", ax=ax)
fig.suptitle("Baris ke-$k$ meminta angka $k$")
plt.tight_layout()
plt.show()

# %% [markdown]
# ## Akurasi label terhadap $w$
#
# Classifier referensi menilai apakah angka yang dibuat sesuai label yang diminta. Dengan
# $w = 0$ label diabaikan, jadi akurasi labelnya sekitar tebakan acak (10 %). Pada model
# yang sudah terlatih, $w = 1$ membuat akurasi label jauh di atas itu, dan $w > 1$ biasanya
# menaikkannya lagi sampai hampir jenuh; $w$ yang terlalu besar membuat angka seragam dan
# kaku (FD bisa naik lagi): keragaman ditukar dengan ketepatan. Angka model kita:

# %%
referensi = reference_classifier("digits")
N = budget(500, 50)
label_q = jnp.asarray(np.arange(N) % 10, jnp.int32)
per_w = {}
for w in budget((0.0, 1.0, 2.0, 3.0, 5.0), (0.0, 1.0, 3.0)):
    sampel = trainer.sample(N, seed=1, labels=label_q, guidance=np.float32(w), steps=budget(50, 5))
    per_w[w] = q = quality(sampel, trainer.dataset, labels=label_q)
    print(
        f"w = {format_float(w, 0)}: akurasi label {format_percent(q['label_accuracy']):>7}, "
        f"FD {format_float(q['fd'], 2):>6}, recall per kelas terendah "
        f"{format_percent(q['recall_class_min'])}"
    )

# %% [markdown]
# Kolom terakhir adalah **recall per kelas** (pelajaran 5.5): untuk setiap angka, bagian
# gambar uji angka itu yang punya sampel di dekatnya; yang dicetak adalah angka terburuk. Ia
# turun ketika $w$ naik: setiap angka digambar dengan makin sedikit gaya. Karena itu resep
# bawaan `dljax train ddpm_cond` memakai $w = 1$ (`model.guidance`), bukan $w$ yang memberi
# akurasi label tertinggi: setiap angka tetap beragam, dan `--guidance 3` tetap bisa dipilih
# saat mengambil sampel.

# %% [markdown]
# ## Latihan
#
# **Latihan 1.** Tulis *classifier-free guidance*: dari `eps_u`, `eps_c` (bentuk sama) dan
# skala `w`, kembalikan $\varepsilon_u + w(\varepsilon_c - \varepsilon_u)$.


# %%
def guidance(eps_u, eps_c, w):
    # TODO
    return None


_ = latihan.check_guidance(guidance)

# %% [markdown]
# ## Ringkasan
#
# - Satu jaringan, dua tebakan: label dibuang acak saat pelatihan (token "tanpa label").
# - Guidance mencampur keduanya; $w$ besar = lebih patuh label, kurang beragam.
# - Di terminal: `dljax train ddpm_cond`, lalu
#   `dljax sample RUN_DIR --label 7 --guidance 3 --steps 20`.
#
# Angka kunci eksekusi ini:

# %%
print_key_numbers(
    {
        "loss uji (galat tebakan derau)": format_float(hasil.history[-1]["test_loss"], 4),
        **{
            f"w = {format_float(w, 0)}": f"akurasi label {format_percent(q['label_accuracy'])}; "
            f"FD {format_float(q['fd'], 2)}; recall per kelas terendah "
            f"{format_percent(q['recall_class_min'])}"
            for w, q in per_w.items()
        },
    }
)
