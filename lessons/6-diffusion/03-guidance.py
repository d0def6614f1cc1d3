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
# *Mode cepat* melatih jaringan mungil sebentar; versi penuh memberi angka yang jelas.

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
from dljax.formatting import format_percent
from dljax.lesson import FAST, budget
from dljax.quality import REFERENCE_MODEL, ReferenceClassifier, quality_report
from dljax.recipes import build_config
from dljax.train import Trainer
from dljax.viz import tile_images

PRESET = budget("default", "tiny")
ubah = {"train.quality": False, "train.seed": 0}
if FAST:
    # a short process (T = 100) so that even DDPM runs in seconds
    ubah.update({"train.epochs": 1, "data.batch_size": 128, "model.timesteps": 100})
trainer = Trainer(build_config("ddpm_cond", PRESET, ubah))
hasil = trainer.fit(progress=not FAST)

# %% [markdown]
# ## Satu baris per angka, untuk beberapa $w$
#
# Baris ke-$k$ meminta angka $k$. Bandingkan kisi untuk $w = 0$ (label diabaikan), $w = 1$
# dan $w = 3$.

# %%
KOLOM = 8
label = jnp.asarray(np.repeat(np.arange(10), KOLOM), jnp.int32)  # row k: digit k
fig, axes = plt.subplots(1, 3, figsize=(12, 5))
for ax, w in zip(axes, (0.0, 1.0, 3.0), strict=True):
    sampel = trainer.sample(
        len(label), seed=0, labels=label, guidance=np.float32(w), steps=budget(50, 5)
    )
    ax.imshow(tile_images(sampel, cols=KOLOM, scale=4)[..., 0], cmap="gray")
    ax.set_title(f"w = {w:g}")
    ax.axis("off")
plt.show()

# %% [markdown]
# ## Akurasi label terhadap $w$
#
# Classifier referensi menilai apakah angka yang dibuat sesuai label yang diminta. $w$ yang
# lebih besar menaikkan akurasi label, tetapi terlalu besar membuat angka seragam dan kaku
# (FD bisa naik lagi): keragaman ditukar dengan ketepatan.

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
label_q = jnp.asarray(np.arange(N) % 10, jnp.int32)
for w in budget((0.0, 1.0, 2.0, 3.0, 5.0), (0.0, 3.0)):
    sampel = trainer.sample(N, seed=1, labels=label_q, guidance=np.float32(w), steps=budget(50, 5))
    q = quality_report(referensi, sampel, trainer.dataset, labels=np.asarray(label_q))
    print(
        f"w = {w:>3g}: akurasi label {format_percent(q['label_accuracy']):>7}, "
        f"FD {q['fd']:.2f}".replace(".", ",")
    )

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
