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
# [![Buka di Colab](https://colab.research.google.com/assets/colab-badge.svg)](https://colab.research.google.com/github/dljax/dljax/blob/main/lessons/6-diffusion/01-proses-maju.ipynb)
#
# # 6.1 Proses maju: dari gambar ke derau
#
# Model difusi (Ho dkk. 2020) belajar membalik sebuah proses yang sangat sederhana: ambil
# gambar, tambahkan sedikit derau Gaussian, ulangi $T = 1000$ kali sampai yang tersisa hanya
# derau. Di pelajaran ini kita melihat proses maju itu, jadwal derau yang mengaturnya, dan
# rumus yang membuat kita bisa melompat langsung ke langkah mana pun.

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

from dljax import diffusion
from dljax.config import DataConfig
from dljax.data import load_dataset
from dljax.exercises import diffusion as latihan
from dljax.formatting import format_float
from dljax.lesson import budget, print_key_numbers
from dljax.viz import tile_images

data = load_dataset(DataConfig(name="digits"))
x0 = 2.0 * jnp.asarray(data.test.arrays["input"][:8]) - 1.0  # 8 digits, pixels in [-1, 1]
print("bentuk:", x0.shape)

# %% [markdown]
# ## Satu langkah, lalu lompatan langsung
#
# Satu langkah maju mencampur gambar dengan derau baru: $x_t = \sqrt{1-\beta_t}\,x_{t-1} +
# \sqrt{\beta_t}\,\varepsilon$. Karena jumlah Gaussian tetap Gaussian, $T$ langkah sekaligus
# punya bentuk tertutup dengan $\bar\alpha_t = \prod_{s \le t} (1 - \beta_s)$:
#
# $$q(x_t \mid x_0) = \mathcal{N}\big(\sqrt{\bar\alpha_t}\,x_0,\ (1-\bar\alpha_t) I\big).$$
#
# Jadi saat pelatihan kita tidak perlu menjalankan ratusan langkah: cukup satu `q_sample`.
# Mari periksa: rata-rata dan variansi setelah 300 langkah satu per satu sama dengan rumus.

# %%
jadwal = diffusion.make_schedule("linear", 1000)
N = budget(20_000, 5_000)
x = jnp.full((N, 1), 0.8)  # one "pixel" of value 0.8, N times


def satu_langkah(t, keadaan):
    x, key = keadaan
    key, sub = jax.random.split(key)
    return diffusion.q_step(jadwal, x, jnp.full((N,), t), jax.random.normal(sub, x.shape)), key


x_iter, _ = jax.lax.fori_loop(0, 300, satu_langkah, (x, jax.random.key(0)))
ab = float(jadwal.alpha_bars[299])
print(
    f"iterasi : rata-rata {format_float(float(x_iter.mean()), 3)}, "
    f"variansi {format_float(float(x_iter.var()), 3)}"
)
print(
    f"rumus   : rata-rata {format_float(np.sqrt(ab) * 0.8, 3)}, variansi {format_float(1 - ab, 3)}"
)

# %% [markdown]
# ## Gambar pada beberapa $t$
#
# Semakin besar $t$, semakin sedikit sinyal yang tersisa. Dengan jadwal linear, angka 8×8
# sudah hampir hilang di tengah jalan.

# %%
T_LIHAT = [0, 50, 100, 200, 400, 600, 800, 999]
eps = jax.random.normal(jax.random.key(1), x0.shape)
baris = []
for nama in ("linear", "cosine"):
    sch = diffusion.make_schedule(nama, 1000)
    for t in T_LIHAT:
        xt = diffusion.q_sample(sch, x0[:1], jnp.array([t]), eps[:1])
        baris.append(np.clip((np.asarray(xt) + 1) / 2, 0, 1))
gambar = np.concatenate(baris)
fig, ax = plt.subplots(figsize=(8, 2.4))
ax.imshow(tile_images(gambar, cols=len(T_LIHAT), scale=4)[..., 0], cmap="gray")
ax.set_title("baris atas: jadwal linear, bawah: cosine; t = " + ", ".join(map(str, T_LIHAT)))
ax.axis("off")
plt.show()

# %% [markdown]
# ## Jadwal dan rasio sinyal-derau
#
# Tiga jadwal di `dljax.diffusion`:
#
# - **linear** (Ho dkk. 2020): $\beta_t$ naik lurus dari $10^{-4}$ ke $0{,}02$;
# - **cosine** (Nichol & Dhariwal 2021): $\bar\alpha_t$ turun mengikuti $\cos^2$, lebih pelan
#   di awal, sehingga gambar kecil tidak hancur terlalu cepat;
# - **signal_rate**: jadwal kontinu dari skrip asli kursus ini, $\sqrt{\bar\alpha} =
#   \cos(\text{sudut})$ dengan sudut bergerak lurus dari $\arccos 0{,}95$ ke $\arccos 0{,}02$.
#
# Rasio sinyal-derau $\mathrm{SNR}(t) = \bar\alpha_t / (1 - \bar\alpha_t)$ (skala log)
# memperlihatkan bedanya: jadwal linear membuang sinyal paling cepat.

# %%
fig, axes = plt.subplots(1, 2, figsize=(10, 3.2))
for nama in diffusion.SCHEDULES:
    sch = diffusion.make_schedule(nama, 1000)
    axes[0].plot(np.asarray(sch.alpha_bars), label=nama)
    axes[1].plot(np.log10(np.asarray(diffusion.snr(sch))), label=nama)
axes[0].set(title=r"$\bar\alpha_t$", xlabel="t")
axes[1].set(title=r"$\log_{10}$ SNR", xlabel="t")
axes[0].legend()
plt.show()

# %% [markdown]
# ## Latihan
#
# **Latihan 1.** Tulis $q(x_t \mid x_0)$: dari gambar `x0` (B, H, W, C), `alpha_bar` (B,)
# (satu nilai per gambar) dan derau `eps` (seperti `x0`), kembalikan
# $\sqrt{\bar\alpha}\,x_0 + \sqrt{1-\bar\alpha}\,\varepsilon$.


# %%
def q_sample(x0, alpha_bar, eps):
    # TODO
    return None


_ = latihan.check_q_sample(q_sample)

# %% [markdown]
# ## Ringkasan
#
# - Proses maju menambahkan derau Gaussian sedikit demi sedikit; $q(x_t \mid x_0)$ punya
#   bentuk tertutup, jadi pelatihan melompat langsung ke $t$ acak.
# - Jadwal derau menentukan seberapa cepat sinyal hilang; SNR turun dari besar ke hampir 0.
#
# Berikutnya: melatih jaringan untuk menebak derau itu, lalu membalik prosesnya. Angka kunci
# eksekusi ini:

# %%
print_key_numbers(
    {
        "300 langkah satu per satu: rata-rata; variansi": f"{format_float(float(x_iter.mean()), 3)}; "
        f"{format_float(float(x_iter.var()), 3)}",
        "rumus q(x_t | x_0): rata-rata; variansi": f"{format_float(np.sqrt(ab) * 0.8, 3)}; "
        f"{format_float(1 - ab, 3)}",
        **{
            f"ᾱ di t = 500, jadwal {nama}": format_float(
                float(diffusion.make_schedule(nama, 1000).alpha_bars[500]), 3
            )
            for nama in diffusion.SCHEDULES
        },
    }
)
