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
# [![Buka di Colab](https://colab.research.google.com/assets/colab-badge.svg)](https://colab.research.google.com/github/dljax/dljax/blob/main/lessons/5-generative/02-vae.ipynb)
#
# # 5.2 Variational autoencoder (VAE)
#
# Di pelajaran sebelumnya kita melihat bahwa ruang laten autoencoder biasa tidak teratur:
# titik acak di sana jarang menjadi angka. **Variational autoencoder** (Kingma & Welling,
# 2014) memperbaikinya dengan satu gagasan: encoder tidak memberi *satu* kode, melainkan
# sebuah **distribusi** atas kode, dan semua distribusi itu ditarik ke dekat satu distribusi
# sederhana, $\mathcal N(0, I)$. Hasilnya: kita bisa mengambil $z \sim \mathcal N(0, I)$,
# men-*decode*-nya, dan mendapat angka baru.
#
# Di pelajaran ini kita:
#
# - menurunkan **ELBO** (rekonstruksi + KL) langkah demi langkah;
# - memeriksa rumus KL dengan **estimasi Monte Carlo**;
# - memahami **trik reparameterisasi** dengan PRNG `jax.random` yang tanpa keadaan;
# - melatih VAE, melihat ruang latennya, **interpolasi** antara dua angka, dan sampel dari
#   *prior*;
# - melaporkan **-ELBO dalam nats per gambar** dengan benar.

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
from dljax.formatting import format_float, format_int
from dljax.lesson import budget, print_key_numbers, show_images
from dljax.recipes import build_config
from dljax.tasks import VAETask, gaussian_kl
from dljax.train import Trainer

# %% [markdown]
# ## Model probabilistik
#
# Kita membayangkan setiap gambar $x$ dibuat dalam dua langkah: ambil kode
# $z \sim p(z) = \mathcal N(0, I)$ (*prior*), lalu gambar $x \sim p_\theta(x \mid z)$. Di
# sini $p_\theta(x \mid z)$ adalah Bernoulli per piksel dengan peluang
# $\sigma(\text{decoder}_\theta(z))$.
#
# Kita ingin memaksimalkan $\log p_\theta(x) = \log \int p_\theta(x \mid z)\,p(z)\,dz$, tetapi
# integral itu tidak bisa dihitung. Triknya: sebuah **encoder** memberi distribusi
# $q_\phi(z \mid x) = \mathcal N(\mu_\phi(x), \mathrm{diag}\,\sigma^2_\phi(x))$, tebakan kode
# mana yang mungkin menghasilkan $x$.
#
# ## Menurunkan ELBO
#
# Kalikan dan bagi dengan $q_\phi(z \mid x)$ di dalam integral:
#
# $$\log p_\theta(x) = \log \mathbb E_{z\sim q_\phi}\!\left[\frac{p_\theta(x \mid z)\,p(z)}{q_\phi(z
# \mid x)}\right] \;\ge\; \mathbb E_{z\sim q_\phi}\!\left[\log\frac{p_\theta(x \mid z)\,p(z)}{q_\phi(z
# \mid x)}\right].$$
#
# Ketaksamaannya adalah **ketaksamaan Jensen** ($\log$ cekung: log dari rata-rata ≥ rata-rata
# dari log). Pisahkan log-nya:
#
# $$\mathrm{ELBO}(x) = \underbrace{\mathbb E_{z\sim q_\phi}\big[\log p_\theta(x \mid
# z)\big]}_{\text{rekonstruksi}} \;-\; \underbrace{\mathrm{KL}\big(q_\phi(z \mid x)\,\|\,p(z)
# \big)}_{\text{regularisasi}} \;\le\; \log p_\theta(x).$$
#
# Jaraknya tepat $\mathrm{KL}(q_\phi(z \mid x)\,\|\,p_\theta(z \mid x)) \ge 0$: ELBO sama
# dengan $\log p_\theta(x)$ tepat ketika encoder menebak *posterior* dengan sempurna. Kita
# meminimalkan **-ELBO**:
#
# - suku rekonstruksi $-\log p_\theta(x \mid z)$ = *binary cross-entropy* yang **dijumlahkan**
#   atas 64 piksel (bukan dirata-rata: ini log-peluang seluruh gambar);
# - suku KL menarik setiap $q_\phi(z \mid x)$ ke $\mathcal N(0, I)$, sehingga ruang laten
#   terisi rapat dan teratur.
#
# Satuan -ELBO adalah **nats per gambar** (log natural).
#
# ## KL dalam bentuk tertutup, dicek dengan Monte Carlo
#
# Untuk $q = \mathcal N(\mu, \sigma^2)$ dan $p = \mathcal N(0, 1)$ per dimensi,
#
# $$\mathrm{KL}(q\,\|\,p) = \mathbb E_q\!\left[\log q(z) - \log p(z)\right] = \tfrac12\left(\mu^2
# + \sigma^2 - 1 - \log\sigma^2\right),$$
#
# dijumlahkan atas dimensi laten. Encoder memberi $\log\sigma^2$ (`logvar`) agar $\sigma^2$
# selalu positif. Rumus ini ada di `dljax.tasks.gaussian_kl`. Kita periksa dengan
# definisinya: ambil banyak $z \sim q$ dan rata-ratakan $\log q(z) - \log p(z)$.

# %%
mu = jnp.array([[0.5, -1.0, 2.0]])  # (1, 3)
logvar = jnp.array([[0.0, -1.5, 0.7]])  # (1, 3)
kl_tertutup = float(gaussian_kl(mu, logvar)[0])


def log_normal(z, mean, logvar):
    """log N(z; mean, exp(logvar)) summed over the last axis."""
    return -0.5 * jnp.sum(logvar + (z - mean) ** 2 / jnp.exp(logvar) + jnp.log(2 * jnp.pi), axis=-1)


def kl_monte_carlo(key, n):
    z = mu + jnp.exp(0.5 * logvar) * jax.random.normal(key, (n, 3))  # (n, 3) from q
    return jnp.mean(log_normal(z, mu, logvar) - log_normal(z, 0.0, 0.0))


banyak = [10, 100, 1_000, 10_000, 100_000]
kunci = jax.random.split(jax.random.key(0), len(banyak))
estimasi = [float(kl_monte_carlo(k, n)) for k, n in zip(kunci, banyak, strict=True)]
for n, e in zip(banyak, estimasi, strict=True):
    print(f"n = {format_int(n):>7}: KL Monte Carlo {format_float(e, 4)}")
print(f"bentuk tertutup:   {format_float(kl_tertutup, 4)}")

fig, ax = plt.subplots(figsize=(6.5, 3.5))
ax.semilogx(banyak, estimasi, marker="o", label="estimasi Monte Carlo")
ax.axhline(kl_tertutup, color="k", ls="--", label="bentuk tertutup")
ax.set_xlabel("banyaknya sampel $z \\sim q$")
ax.set_ylabel("KL (nats)")
ax.set_title("KL: Monte Carlo mendekati bentuk tertutup")
ax.grid(alpha=0.3)
ax.legend()
plt.show()

# %% [markdown]
# Galat Monte Carlo menyusut seperti $1/\sqrt n$. Bentuk tertutupnya tepat dan murah, jadi
# itulah yang dipakai dalam loss; suku rekonstruksi tidak punya bentuk tertutup, jadi kita
# memakai **satu** sampel $z$ per gambar per langkah.
#
# ## Trik reparameterisasi
#
# Loss bergantung pada sampel $z \sim q_\phi(z \mid x)$. Bagaimana gradien mengalir ke
# $\mu$ dan $\sigma$ melewati sebuah pengambilan sampel acak? Tulis ulang sampelnya sebagai
# fungsi deterministik dari derau yang **tidak** bergantung pada parameter:
#
# $$z = \mu + \sigma \odot \varepsilon, \qquad \varepsilon \sim \mathcal N(0, I).$$
#
# Sekarang $\partial z / \partial \mu = 1$ dan $\partial z / \partial \sigma = \varepsilon$, dan
# `jax.grad` bekerja seperti biasa.
#
# PRNG JAX **tanpa keadaan**: tidak ada "seed global" yang diam-diam berubah. Setiap pengambilan
# acak menerima sebuah **kunci**; kunci yang sama memberi angka yang sama, dan kita membelah
# (`jax.random.split`) kunci untuk mendapat angka baru. Di mesin pelatihan `dljax` setiap
# langkah pelatihan menurunkan kuncinya dari *seed* dan nomor langkah, jadi pelatihan bisa
# diulang persis.

# %%
k = jax.random.key(42)
print("kunci sama:", jax.random.normal(k, (3,)), jax.random.normal(k, (3,)))
k1, k2 = jax.random.split(k)
print("kunci dibelah:", jax.random.normal(k1, (3,)), jax.random.normal(k2, (3,)))

# %% [markdown]
# Contoh kecil: $f(z) = z^2$ dengan $z \sim \mathcal N(\mu, \sigma^2)$. Secara analitis
# $\mathbb E[z^2] = \mu^2 + \sigma^2$, jadi gradiennya $(2\mu,\ 2\sigma)$. Estimasi dengan
# reparameterisasi:


# %%
def harapan_f(mu, sigma, key, n=200_000):
    eps = jax.random.normal(key, (n,))
    z = mu + sigma * eps  # reparameterized: differentiable in mu and sigma
    return jnp.mean(z**2)


g_mu, g_sigma = jax.grad(harapan_f, argnums=(0, 1))(1.5, 0.8, jax.random.key(1))
print(
    f"gradien reparameterisasi: ({format_float(float(g_mu), 3)}; {format_float(float(g_sigma), 3)})"
)
print(f"gradien analitis:         ({format_float(2 * 1.5, 3)}; {format_float(2 * 0.8, 3)})")

# %% [markdown]
# ## Melatih VAE
#
# Model `vae` di `dljax`: encoder MLP memberi `mean` dan `logvar`, `VAE.reparameterize`
# mengambil $z$, decoder memberi logit per piksel. Task-nya menghitung kedua suku per gambar
# (`VAETask.terms`). Kita latih dua VAE: dengan kode 2-D (untuk digambar) dan dengan kode 8-D
# (bawaan `dljax train vae`). Di terminal: `dljax train vae --set model.latent=2`.
#
# Di sini kita meminimalkan -ELBO persis ($\beta = 1$). Resep bawaan `dljax train vae`
# memakai **β-VAE** dengan $\beta = 0{,}5$: loss latihnya rekonstruksi $+\ \beta\cdot$KL,
# jadi KL ditekan lebih lemah, kode $z$ menyimpan lebih banyak dari setiap gambar, dan
# sampelnya lebih tajam serta lebih beragam (recall lebih tinggi), dengan harga -ELBO yang
# sedikit lebih buruk. Coba: `dljax train vae --set model.beta=1`.

# %%
data = load_dataset(DataConfig(name="digits"))
x_uji, y_uji = data.test.arrays["input"], data.test.arrays["label"]
EPOCHS = budget(150, 3)


def latih(**ubah):
    config = build_config(
        "vae",
        overrides={
            "train.epochs": EPOCHS,
            "train.seed": 0,
            "train.quality": False,
            "model.beta": 1.0,  # the plain ELBO of this lesson (the recipe's default is 0.5)
            **ubah,
        },
    )
    return Trainer(config, dataset=data).fit(progress=False)


LATEN = (2, 8)  # both are cheap to train, also in the fast mode (3 epochs)
hasil = {lat: latih(**{"model.latent": lat}) for lat in LATEN}
for lat, h in hasil.items():
    r = h.history[-1]
    print(
        f"VAE laten {lat}: -ELBO uji {format_float(r['test_neg_elbo'], 2)} nats per gambar "
        f"(KL {format_float(r['test_kl'], 2)})"
    )

fig, ax = plt.subplots(figsize=(7, 3.8))
for lat, h in hasil.items():
    ep = [r["epoch"] for r in h.history]
    ax.plot(
        ep, [r["test_neg_elbo"] for r in h.history], marker="o", ms=3, label=f"-ELBO, laten {lat}"
    )
    ax.plot(ep, [r["test_kl"] for r in h.history], ls="--", label=f"KL, laten {lat}")
ax.set_xlabel("epoch")
ax.set_ylabel("nats per gambar (uji)")
ax.set_title("Kurva belajar VAE: -ELBO dan bagian KL-nya")
ax.xaxis.set_major_locator(MaxNLocator(integer=True))
ax.grid(alpha=0.3)
ax.legend()
plt.show()

# %% [markdown]
# ## -ELBO per gambar, bukan rata-rata dari rata-rata
#
# Angka yang dilaporkan adalah **jumlah** -ELBO semua gambar uji dibagi **banyaknya gambar**.
# Merata-ratakan rata-rata per batch itu keliru bila batch terakhir lebih kecil: gambar di
# batch kecil mendapat bobot lebih besar. Kita hitung keduanya sendiri dengan
# `VAETask.terms` (satu sampel $z$ per gambar).

# %%
model8 = hasil[8].model()  # the 8-D VAE
terms = jax.jit(VAETask.terms)
BATCH = 128
rekon, kl = [], []
for i, mulai in enumerate(range(0, len(x_uji), BATCH)):
    r, k_ = terms(model8, jnp.asarray(x_uji[mulai : mulai + BATCH]), jax.random.key(i))
    rekon.append(np.asarray(r))
    kl.append(np.asarray(k_))
neg_elbo = [r + k_ for r, k_ in zip(rekon, kl, strict=True)]  # per image, per batch
per_gambar = np.concatenate(neg_elbo).sum() / len(x_uji)
rata_rata_batch = np.mean([b.mean() for b in neg_elbo])
print(f"{format_int(len(x_uji))} gambar uji dalam batch berukuran {[len(b) for b in neg_elbo]}")
print(
    f"-ELBO per gambar: {format_float(per_gambar, 2)} nats "
    f"(rekonstruksi {format_float(np.concatenate(rekon).mean(), 2)}; "
    f"KL {format_float(np.concatenate(kl).mean(), 2)})"
)
print(f"rata-rata dari rata-rata batch (keliru): {format_float(rata_rata_batch, 2)} nats")
print(
    "catatan mesin pelatihan dljax (test_neg_elbo): "
    f"{format_float(hasil[8].history[-1]['test_neg_elbo'], 2)} nats"
)

# %% [markdown]
# Angka kita dan angka mesin sedikit berbeda karena sampel $z$-nya berbeda: -ELBO adalah
# estimasi satu sampel. Sebagai gambaran: model yang menebak setiap piksel dengan peluang 1/2
# membayar $64 \log 2 \approx 44{,}4$ nats per gambar.
#
# ## Ruang laten yang teratur
#
# Kita gambar $\mu_\phi(x)$ gambar uji pada VAE 2-D. Bandingkan dengan autoencoder di
# pelajaran sebelumnya: suku KL menarik setiap $q_\phi(z \mid x)$ ke $\mathcal N(0, I)$, jadi
# kodenya berkumpul di sekitar titik asal, tidak lebih lebar dari skala prior (simpangan
# baku 1). Tarikan itu bisa terlalu kuat: bila KL hampir nol, encoder praktis mengabaikan
# gambarnya (*posterior collapse*), semua kode menumpuk di titik asal, dan kisi decode di
# kanan menampilkan gumpalan yang hampir sama. Tiga angka di bawah gambar memperlihatkan di
# mana VAE kita berada: simpangan baku $\mu$ per dimensi, KL per gambar, dan seberapa
# berbeda gambar-gambar kisi decode satu sama lain.

# %%
model2 = hasil[2].model()
mean2, _ = model2.encode(jnp.asarray(x_uji))
mean2 = np.asarray(mean2)

fig, (ax1, ax2) = plt.subplots(1, 2, figsize=(10, 4.8))
sc = ax1.scatter(mean2[:, 0], mean2[:, 1], c=y_uji, cmap="tab10", s=12, alpha=0.8)
fig.colorbar(sc, ax=ax1, ticks=range(10), label="angka")
ax1.set_xlabel("$\\mu_1$")
ax1.set_ylabel("$\\mu_2$")
ax1.set_title("Ruang laten VAE 2-D (rata-rata $q(z \\mid x)$, gambar uji)")
ax1.grid(alpha=0.3)

# decode a grid of z at the quantiles of N(0, 1): the "map" of the latent space
G = 12
q = jax.scipy.special.ndtri(jnp.linspace(0.04, 0.96, G))  # (G,)
zz = jnp.stack(jnp.meshgrid(q, -q, indexing="xy"), axis=-1).reshape(-1, 2)  # (G*G, 2)
peta = np.asarray(jax.nn.sigmoid(model2.decode(zz)))  # (G*G, 8, 8, 1)
show_images(peta, G, "Decode dari kisi $z$ (kuantil N(0, 1))", ax=ax2)
plt.tight_layout()
plt.show()
sebaran_mu = mean2.std(axis=0)
kl_2d = hasil[2].history[-1]["test_kl"]
beda_kisi = float(peta.std(axis=0).mean())  # 0: every decoded image is the same
print(
    "simpangan baku μ per dimensi:",
    "; ".join(format_float(s, 2) for s in sebaran_mu),
    f"| KL uji {format_float(kl_2d, 2)} nats per gambar",
)
print(
    f"perbedaan antar-gambar kisi decode (simpangan baku piksel): {format_float(beda_kisi, 3)}"
    f" (gambar uji asli: {format_float(float(x_uji.std(axis=0).mean()), 3)})"
)

# %% [markdown]
# ## Interpolasi laten
#
# Ambil dua gambar, hitung $\mu$ keduanya, lalu jalan lurus dari yang satu ke yang lain:
# $z_t = (1 - t)\,z_0 + t\,z_1$. Suku KL mengisi ruang laten tanpa celah besar, jadi setiap
# titik di jalan itu di-*decode* menjadi gambar di antara kedua angka, yang berubah perlahan
# dari yang satu ke yang lain (seberapa tajam gambarnya bergantung pada lamanya pelatihan).


# %%
def pertama(label):
    return int(np.flatnonzero(y_uji == label)[0])


LANGKAH = 10
pasangan = [(0, 6), (1, 7), (3, 8), (4, 9)]
t = jnp.linspace(0.0, 1.0, LANGKAH)[:, None]  # (T, 1)
mean8, _ = model8.encode(jnp.asarray(x_uji))
baris = []
for a, b in pasangan:
    z0, z1 = mean8[pertama(a)], mean8[pertama(b)]
    baris.append(
        jax.nn.sigmoid(model8.decode((1 - t) * z0[None, :] + t * z1[None, :]))
    )  # (T, 8, 8, 1)
show_images(
    np.concatenate(baris),
    LANGKAH,
    "Interpolasi laten (VAE 8-D): " + ", ".join(f"{a} → {b}" for a, b in pasangan),
)
plt.show()

# %% [markdown]
# ## Sampel dari *prior*
#
# Inilah hadiahnya: $z \sim \mathcal N(0, I)$, lalu decode. `trainer.sample(n, seed=...)`
# melakukannya dalam satu panggilan yang di-`jit` (nilai yang ditampilkan adalah peluang
# Bernoulli per piksel, jadi agak kabur).

# %%
fig, axes = plt.subplots(1, len(hasil), figsize=(10, 5.2), squeeze=False)
for ax, (lat, h) in zip(axes[0], hasil.items(), strict=True):
    show_images(h.trainer.sample(64, seed=0), 8, f"Sampel baru, VAE laten {lat}", ax=ax)
plt.tight_layout()
plt.show()

# %% [markdown]
# ## Latihan
#
# **Latihan 1.** KL dua Gaussian diagonal (bukan hanya terhadap $\mathcal N(0, I)$): dari
# `mean1, logvar1, mean2, logvar2` (B, L) kembalikan
# $\mathrm{KL}(\mathcal N(\mu_1, \sigma_1^2)\,\|\,\mathcal N(\mu_2, \sigma_2^2))$ per contoh,
# bentuk (B,). Petunjuk: per dimensi
# $\tfrac12\big(\log\sigma_2^2 - \log\sigma_1^2 + (\sigma_1^2 + (\mu_1 - \mu_2)^2)/\sigma_2^2 - 1\big)$.


# %%
def kl_diagonal(mean1, logvar1, mean2, logvar2):
    # TODO
    return None


_ = latihan.check_kl_diagonal(kl_diagonal)

# %% [markdown]
# **Latihan 2.** Trik reparameterisasi: dari `mean`, `logvar` (B, L) dan sebuah kunci `key`,
# kembalikan $z = \mu + \sigma \varepsilon$ dengan `eps = jax.random.normal(key, mean.shape)`.
# Pemeriksa juga mengecek bahwa gradien mengalir ke `mean` dan `logvar`.


# %%
def reparameterisasi(mean, logvar, key):
    # TODO
    return None


_ = latihan.check_reparameterize(reparameterisasi)

# %% [markdown]
# **Latihan 3.** Interpolasi: dari dua kode `z0`, `z1` (L,) kembalikan `langkah` titik
# (langkah, L) yang berjarak sama dari `z0` (baris pertama) sampai `z1` (baris terakhir).


# %%
def interpolasi(z0, z1, langkah):
    # TODO
    return None


_ = latihan.check_interpolate(interpolasi)

# %% [markdown]
# ## Ringkasan
#
# - VAE = encoder yang memberi distribusi $q_\phi(z \mid x)$ + decoder $p_\theta(x \mid z)$ +
#   *prior* $\mathcal N(0, I)$.
# - ELBO = rekonstruksi − KL ≤ $\log p(x)$ (Jensen); kita meminimalkan -ELBO, dalam **nats per
#   gambar**, dijumlahkan atas piksel dan dirata-rata atas **gambar** (bukan atas batch).
# - KL dua Gaussian punya bentuk tertutup; estimasi Monte Carlo memastikannya.
# - Reparameterisasi $z = \mu + \sigma\varepsilon$ membuat sampel bisa diturunkan; PRNG JAX
#   tanpa keadaan: kunci yang sama, angka yang sama.
# - Ruang laten yang teratur memungkinkan interpolasi dan sampel baru dari *prior*.
#
# Pelajaran berikutnya: **GAN**, model generatif yang belajar lewat sebuah permainan dan
# menghasilkan gambar yang lebih tajam. Angka kunci eksekusi ini:

# %%
print_key_numbers(
    {
        **{
            f"VAE laten {lat}: -ELBO uji (KL)": f"{format_float(h.history[-1]['test_neg_elbo'], 2)}"
            f" ({format_float(h.history[-1]['test_kl'], 2)}) nats per gambar"
            for lat, h in hasil.items()
        },
        "-ELBO per gambar, dihitung sendiri (laten 8)": f"{format_float(per_gambar, 2)} nats",
        "rata-rata dari rata-rata batch (keliru)": f"{format_float(rata_rata_batch, 2)} nats",
        "VAE 2-D: simpangan baku μ": "; ".join(format_float(s, 2) for s in sebaran_mu),
        "KL Monte Carlo (10⁵ sampel) / tertutup": f"{format_float(estimasi[-1], 4)} / "
        f"{format_float(kl_tertutup, 4)}",
    }
)
