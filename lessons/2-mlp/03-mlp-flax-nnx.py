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
# [![Buka di Colab](https://colab.research.google.com/assets/colab-badge.svg)](https://colab.research.google.com/github/dljax/dljax/blob/main/lessons/2-mlp/03-mlp-flax-nnx.ipynb)
#
# # 2.3 MLP dengan Flax NNX dan Optax
#
# Di pelajaran sebelumnya kita menulis semuanya sendiri: inisialisasi, lapisan, SGD. Untuk
# model yang lebih besar kita butuh alat yang rapi, tanpa kehilangan kendali:
#
# - **Flax NNX** menyediakan lapisan (`nnx.Linear`, `nnx.Conv`, ...) sebagai objek Python
#   biasa yang menyimpan parameternya sendiri;
# - **Optax** menyediakan optimizer (SGD, Adam, ...) sebagai *transformasi gradien* yang bisa
#   dirangkai: pemotongan gradien, jadwal *learning rate*, *weight decay*.
#
# Kita melatih MLP yang sama pada spiral yang sama, lalu membandingkan SGD dengan Adam.
# Mesin pelatihan `dljax` (pelajaran berikutnya) dibangun dari potongan-potongan ini.

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
import optax
from flax import nnx
from matplotlib.ticker import MaxNLocator

from dljax.config import DataConfig
from dljax.data import load_dataset
from dljax.exercises import mlp as latihan
from dljax.formatting import format_float, format_percent
from dljax.lesson import budget, print_key_numbers

# %%
data = load_dataset(DataConfig(name="spiral"))
latih, uji = data.train.arrays, data.test.arrays
X_latih, y_latih = jnp.asarray(latih["input"]), jnp.asarray(latih["label"])
X_uji, y_uji = jnp.asarray(uji["input"]), jnp.asarray(uji["label"])
print("latih:", X_latih.shape, "| uji:", X_uji.shape)

# %% [markdown]
# ## Modul NNX
#
# Sebuah model NNX adalah kelas turunan `nnx.Module`. Lapisan dibuat di `__init__` dan
# dipakai di `__call__`. Angka acak untuk inisialisasi datang dari `nnx.Rngs`, pembungkus
# kunci PRNG yang sudah kita kenal: `nnx.Rngs(0)` sama dengan mulai dari `jax.random.key(0)`
# dan memecahnya setiap kali dibutuhkan.
#
# `nnx.Linear(d_in, d_out)` menghitung $xW + b$ untuk satu *batch* $x$ berbentuk $(B, d_\text{in})$;
# kita tidak perlu `vmap` karena lapisannya sudah bekerja per *batch*.


# %%
class MLP(nnx.Module):
    """(B, d_in) -> logit (B, d_out), dengan ReLU di antara lapisan."""

    def __init__(self, sizes, *, rngs: nnx.Rngs):
        self.layers = nnx.List(
            [nnx.Linear(a, b, rngs=rngs) for a, b in zip(sizes[:-1], sizes[1:], strict=True)]
        )

    def __call__(self, x):
        for layer in self.layers[:-1]:
            x = nnx.relu(layer(x))  # (B, d_l)
        return self.layers[-1](x)  # (B, K)


model = MLP((2, 64, 64, 3), rngs=nnx.Rngs(0))
print("keluaran:", model(X_latih[:5]).shape)
params = nnx.state(model, nnx.Param)
for jalur, p in jax.tree_util.tree_flatten_with_path(params)[0]:
    print(f"{jax.tree_util.keystr(jalur):24s} {p.shape}")
print("jumlah parameter:", sum(a.size for a in jax.tree.leaves(params)))

# %% [markdown]
# Di balik objek itu tetap ada pytree. `nnx.split` memisahkan model menjadi **graphdef**
# (struktur, tanpa angka) dan **state** (pytree parameter), dan `nnx.merge` menyatukannya
# kembali. Inilah jembatan antara gaya objek NNX dan transformasi fungsional JAX; mesin
# pelatihan `dljax` memakainya untuk `jit` yang cepat.

# %%
graphdef, state = nnx.split(model)
model_lagi = nnx.merge(graphdef, state)
print("hasil sama setelah split → merge:", jnp.allclose(model(X_uji[:10]), model_lagi(X_uji[:10])))

# %% [markdown]
# ## Optax: optimizer sebagai transformasi gradien
#
# Optimizer Optax punya dua fungsi murni: `init(params)` membuat keadaannya (mis. momentum)
# dan `update(grads, state, params)` mengubah gradien menjadi **pembaruan** $u$, yang lalu
# ditambahkan: $\theta \leftarrow \theta + u$. Untuk SGD, $u = -\eta g$. Untuk **Adam**:
#
# $$m \leftarrow \beta_1 m + (1-\beta_1) g,\quad v \leftarrow \beta_2 v + (1-\beta_2) g^2,\quad
# u = -\eta\,\frac{\hat m}{\sqrt{\hat v} + \epsilon}$$
#
# ($\hat m, \hat v$: $m, v$ yang dikoreksi bias). Adam menskalakan langkah per parameter, jadi
# jauh kurang peka terhadap skala gradien. Kita periksa satu langkah secara manual:

# %%
tx = optax.adam(learning_rate=0.1)
theta = {"w": jnp.array([1.0, -2.0])}
g = {"w": jnp.array([0.5, -3.0])}
opt_state = tx.init(theta)
u, opt_state = tx.update(g, opt_state, theta)
print("pembaruan Adam langkah 1:", u["w"], "(= -η·sign(g) karena m̂/√v̂ = g/|g| di langkah pertama)")
print("θ baru:", optax.apply_updates(theta, u)["w"])

# %% [markdown]
# Transformasi bisa dirangkai dengan `optax.chain`, dan *learning rate* bisa berupa
# **jadwal** (fungsi dari nomor langkah). Di bawah: pemanasan (*warmup*) lalu turun mengikuti
# kosinus, jadwal yang juga dipakai mesin `dljax`.

# %%
epochs = budget(60, 15)
batch = 128
langkah_per_epoch = len(X_latih) // batch
total = epochs * langkah_per_epoch
jadwal = optax.warmup_cosine_decay_schedule(
    init_value=0.0, peak_value=1e-2, warmup_steps=total // 10, decay_steps=total, end_value=1e-4
)
fig, ax = plt.subplots(figsize=(6, 3))
ax.plot([float(jadwal(i)) for i in range(total)])
ax.set_xlabel("langkah")
ax.set_ylabel("learning rate")
ax.set_title("Jadwal warmup + kosinus")
ax.grid(alpha=0.3)
plt.show()

# %% [markdown]
# ## Langkah pelatihan
#
# `nnx.Optimizer(model, tx, wrt=nnx.Param)` menyimpan keadaan optimizer di samping model, dan
# `optimizer.update(model, grads)` menerapkan pembaruan pada model. `nnx.value_and_grad`
# menurunkan terhadap parameter model, dan `nnx.jit` mengkompilasi langkahnya. Perubahan
# pada model di dalam fungsi yang di-`jit` terbawa keluar: NNX mengurus `split`/`merge` untuk
# kita.


# %%
def loss_fn(model, x, y):
    logits = model(x)  # (B, K)
    return optax.softmax_cross_entropy_with_integer_labels(logits, y).mean()


@nnx.jit
def train_step(model, optimizer, x, y):
    loss, grads = nnx.value_and_grad(loss_fn)(model, x, y)
    optimizer.update(model, grads)
    return loss


@nnx.jit
def akurasi(model, x, y):
    return jnp.mean(jnp.argmax(model(x), axis=1) == y)


def latih_model(tx, seed=0):
    """Latih MLP baru dengan optimizer `tx`; kembalikan model dan riwayatnya."""
    model = MLP((2, 64, 64, 3), rngs=nnx.Rngs(seed))
    optimizer = nnx.Optimizer(model, tx, wrt=nnx.Param)
    kunci = jax.random.key(seed + 1)
    riwayat = {"loss": [], "akurasi_uji": []}
    for epoch in range(epochs):
        urutan = jax.random.permutation(jax.random.fold_in(kunci, epoch), len(X_latih))
        X_acak, y_acak = X_latih[urutan], y_latih[urutan]
        losses = [
            train_step(model, optimizer, X_acak[i : i + batch], y_acak[i : i + batch])
            for i in range(0, langkah_per_epoch * batch, batch)
        ]
        riwayat["loss"].append(float(jnp.mean(jnp.stack(losses))))
        riwayat["akurasi_uji"].append(float(akurasi(model, X_uji, y_uji)))
    return model, riwayat


# %% [markdown]
# ## SGD dibandingkan dengan Adam
#
# Kita latih dua kali dengan anggaran yang sama: SGD dengan *learning rate* tetap, dan Adam
# dengan jadwal di atas yang dirangkai dengan pemotongan norma gradien.

# %%
model_sgd, riwayat_sgd = latih_model(optax.sgd(0.05))
tx_adam = optax.chain(optax.clip_by_global_norm(1.0), optax.adam(jadwal))
model_adam, riwayat_adam = latih_model(tx_adam)
print(f"akurasi uji SGD  = {format_percent(riwayat_sgd['akurasi_uji'][-1])}")
print(f"akurasi uji Adam = {format_percent(riwayat_adam['akurasi_uji'][-1])}")

# %%
fig, (ax1, ax2) = plt.subplots(1, 2, figsize=(10, 3.8))
for nama, r in (("SGD (lr 0,05)", riwayat_sgd), ("Adam + jadwal", riwayat_adam)):
    ax1.plot(r["loss"], label=nama)
    ax2.plot(r["akurasi_uji"], label=nama)
ax1.set_yscale("log")
ax1.set_xlabel("epoch")
ax1.xaxis.set_major_locator(MaxNLocator(integer=True))  # whole epochs
ax1.set_ylabel("cross-entropy latih")
ax1.set_title("Loss latih")
ax2.set_xlabel("epoch")
ax2.xaxis.set_major_locator(MaxNLocator(integer=True))  # whole epochs
ax2.set_ylabel("akurasi uji")
ax2.set_title("Akurasi uji")
for ax in (ax1, ax2):
    ax.grid(alpha=0.3)
    ax.legend()
plt.show()

# %%
g1 = jnp.linspace(-1.1, 1.1, 200)
gx, gy = jnp.meshgrid(g1, g1)
kisi = jnp.stack([gx.ravel(), gy.ravel()], axis=1)
fig, axes = plt.subplots(1, 2, figsize=(10, 5))
for ax, (nama, m) in zip(axes, (("SGD", model_sgd), ("Adam", model_adam)), strict=True):
    kelas = np.asarray(nnx.jit(lambda m, x: jnp.argmax(m(x), axis=1))(m, kisi)).reshape(gx.shape)
    ax.contourf(
        np.asarray(gx), np.asarray(gy), kelas, levels=[-0.5, 0.5, 1.5, 2.5], cmap="brg", alpha=0.25
    )
    ax.scatter(uji["input"][:, 0], uji["input"][:, 1], c=uji["label"], cmap="brg", s=6)
    ax.set_aspect("equal")
    ax.set_title(f"Batas keputusan, {nama}")
plt.show()

# %% [markdown]
# ## Latihan
#
# **Latihan 1.** Tulis kelas NNX `MLP3(din, dhid, dout, *, rngs)` dengan **dua** lapisan
# tersembunyi selebar `dhid` (ReLU) dan satu lapisan keluaran selebar `dout`.


# %%
class MLP3(nnx.Module):
    def __init__(self, din, dhid, dout, *, rngs: nnx.Rngs):
        # TODO: tiga nnx.Linear
        pass

    def __call__(self, x):
        # TODO
        return None


_ = latihan.check_nnx_mlp(MLP3)

# %% [markdown]
# **Latihan 2.** Buat optimizer yang memotong norma global gradien ke 1,0 lalu menerapkan Adam
# dengan *learning rate* 3e-3.

# %%
tx_saya = None  # TODO: optax.chain(...)
_ = latihan.check_optimizer(tx_saya)

# %% [markdown]
# ## Ringkasan
#
# - Model NNX adalah `nnx.Module` dengan lapisan seperti `nnx.Linear`; `nnx.Rngs` membungkus
#   kunci PRNG; `nnx.split`/`nnx.merge` mengubah model menjadi (graphdef, pytree) dan kembali.
# - Optimizer Optax: `init` dan `update` murni, dirangkai dengan `optax.chain`, dengan jadwal
#   *learning rate* seperti `warmup_cosine_decay_schedule`.
# - `nnx.Optimizer` + `nnx.value_and_grad` + `nnx.jit` memberi langkah pelatihan yang ringkas.
# - Adam dengan jadwal biasanya mencapai akurasi tinggi lebih cepat daripada SGD berlaju
#   tetap; bandingkan kurva dan angka di atas.
#
# Berikutnya: klasifikasi gambar dengan mesin pelatihan `dljax`. Angka kunci eksekusi ini:

# %%
print_key_numbers(
    {
        "epoch": epochs,
        "akurasi uji SGD (lr 0,05)": format_percent(riwayat_sgd["akurasi_uji"][-1]),
        "akurasi uji Adam + jadwal": format_percent(riwayat_adam["akurasi_uji"][-1]),
        "loss latih akhir SGD / Adam": f"{format_float(riwayat_sgd['loss'][-1], 4)} / "
        f"{format_float(riwayat_adam['loss'][-1], 4)}",
    }
)
