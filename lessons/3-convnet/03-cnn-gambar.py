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
# [![Buka di Colab](https://colab.research.google.com/assets/colab-badge.svg)](https://colab.research.google.com/github/dljax/dljax/blob/main/lessons/3-convnet/03-cnn-gambar.ipynb)
#
# # 3.3 Klasifikasi gambar dengan CNN 2-D
#
# Gambar adalah sinyal 2-D: tinggi × lebar × kanal. Konvolusi 2-D menggeser kernel kecil
# (mis. 3×3) ke seluruh gambar, sehingga pola lokal seperti tepi dan sudut dikenali di mana
# pun letaknya. Menumpuk lapisan konvolusi dan *pooling* menghasilkan **jaringan saraf
# konvolusi** (CNN): lapisan awal melihat tepi, lapisan berikutnya menggabungkannya menjadi
# goresan dan bentuk.
#
# Di pelajaran ini kita menerapkan kernel buatan tangan pada gambar angka, menghitung bentuk
# dan jumlah parameter lapisan konvolusi, lalu melatih CNN pada dataset `digits` dengan mesin
# pelatihan dljax dan membandingkannya dengan MLP. Setelah pelajaran ini kamu bisa:
#
# - menulis rumus konvolusi 2-D dengan kanal, padding dan stride, serta menghitung bentuk
#   keluarannya;
# - menjelaskan mengapa konvolusi jauh lebih hemat parameter daripada lapisan penuh;
# - melatih dan memeriksa CNN (kurva belajar, filter, peta fitur, kesalahan).

# %%
import sys

if "google.colab" in sys.modules:
    import subprocess

    subprocess.run(
        [sys.executable, "-m", "pip", "install", "-q", "git+https://github.com/dljax/dljax"],
        check=True,
    )

# %%
import tempfile
from pathlib import Path

import jax
import jax.numpy as jnp
import matplotlib.pyplot as plt
import numpy as np
from flax import nnx
from jax import lax
from matplotlib.ticker import MaxNLocator

from dljax.data import digits
from dljax.exercises import convnet as latihan
from dljax.formatting import format_float, format_int, format_percent
from dljax.lesson import budget, print_key_numbers
from dljax.recipes import MODELS, build_config
from dljax.train import Trainer, load_into, model_tensors, save_params
from dljax.viz import image_grid

# %% [markdown]
# ## Dataset `digits`
#
# 1.797 angka tulisan tangan berukuran 8×8 piksel (nilai 0–1), dibagi tetap menjadi 1.437
# gambar latih dan 360 gambar uji. Setiap gambar berbentuk $(8, 8, 1)$: tinggi, lebar, kanal.

# %%
data = digits.load()
x_train, y_train = data.train.arrays["input"], data.train.arrays["label"]
x_test, y_test = data.test.arrays["input"], data.test.arrays["label"]
print("latih:", x_train.shape, "| uji:", x_test.shape)
image_grid(x_train[:16], [str(int(y)) for y in y_train[:16]], cols=8)
plt.show()

# %% [markdown]
# ## Konvolusi 2-D
#
# Untuk masukan $x$ berbentuk $(H, W, C_\text{in})$ dan kernel $w$ berbentuk
# $(k, k, C_\text{in}, C_\text{out})$, kanal keluaran $o$ di posisi $(i, j)$ adalah
#
# $$y[i, j, o] = b_o + \sum_{u=0}^{k-1} \sum_{v=0}^{k-1} \sum_{c=1}^{C_\text{in}}
#   x[s\,i + u,\; s\,j + v,\; c]\; w[u, v, c, o],$$
#
# dengan stride $s$ (seperti di pelajaran 3.1, ini korelasi silang). Dengan padding $p$,
# tinggi keluarannya $\lfloor (H + 2p - k)/s \rfloor + 1$, dan lebar dengan rumus yang sama.
# Padding "SAME" ($p = \lfloor k/2 \rfloor$, $s = 1$) mempertahankan ukuran gambar.
#
# Mari terapkan dua kernel Sobel buatan tangan, pendeteksi tepi tegak dan mendatar, dengan
# `lax.conv_general_dilated` (urutan sumbu NHWC untuk gambar dan HWIO untuk kernel).

# %%
sobel_x = jnp.array([[1.0, 0.0, -1.0], [2.0, 0.0, -2.0], [1.0, 0.0, -1.0]])
kernels = jnp.stack([sobel_x, sobel_x.T], axis=-1)[:, :, None, :]  # (3, 3, C_in=1, C_out=2)
edges = lax.conv_general_dilated(
    jnp.asarray(x_train[:4]),
    kernels,
    window_strides=(1, 1),
    padding="SAME",
    dimension_numbers=("NHWC", "HWIO", "NHWC"),
)  # (4, 8, 8, 2)
print("masukan:", x_train[:4].shape, "-> keluaran:", edges.shape)

fig, axes = plt.subplots(3, 4, figsize=(7, 5.5))
for i in range(4):
    axes[0, i].imshow(x_train[i, :, :, 0], cmap="gray")
    axes[1, i].imshow(edges[i, :, :, 0], cmap="RdBu")
    axes[2, i].imshow(edges[i, :, :, 1], cmap="RdBu")
for ax, title in zip(axes[:, 0], ["gambar", "tepi tegak", "tepi mendatar"], strict=True):
    ax.set_ylabel(title)
for ax in axes.ravel():
    ax.set_xticks([])
    ax.set_yticks([])
fig.suptitle("Kernel Sobel 3×3 pada angka")
fig.tight_layout()
plt.show()

# %% [markdown]
# ## Pooling
#
# *Max-pooling* 2×2 dengan stride 2 mengambil nilai terbesar di setiap blok 2×2: ukuran
# gambar menjadi separuh, dan fitur yang bergeser sedikit tetap terdeteksi.
#
# $$y[i, j, c] = \max_{u, v \in \{0, 1\}} x[2i + u,\; 2j + v,\; c]$$

# %%
pooled = nnx.max_pool(edges, (2, 2), strides=(2, 2))
print("setelah max-pool:", pooled.shape)

# %% [markdown]
# ## Berapa banyak parameter?
#
# Lapisan konvolusi $k \times k$ dari $C_\text{in}$ ke $C_\text{out}$ kanal punya
# $k^2 C_\text{in} C_\text{out} + C_\text{out}$ parameter, **berapa pun ukuran gambarnya**.
# Lapisan penuh yang memetakan gambar $H \times W \times C_\text{in}$ ke
# $H \times W \times C_\text{out}$ butuh $(H W C_\text{in})(H W C_\text{out})$ bobot.

# %%
for h, cin, cout in [(8, 1, 32), (28, 1, 32), (32, 3, 64)]:
    conv_params = 3 * 3 * cin * cout + cout
    dense_params = (h * h * cin) * (h * h * cout) + h * h * cout
    print(
        f"gambar {h}x{h}x{cin} -> {cout} kanal: konvolusi 3x3 {format_int(conv_params):>9} parameter, "
        f"lapisan penuh {format_int(dense_params):>13}"
    )

# %% [markdown]
# ## Melatih CNN dengan dljax
#
# Model `cnn` dljax terdiri dari blok-blok (dua konvolusi 3×3 + batch norm + ReLU, lalu
# max-pool 2×2), satu lapisan tersembunyi dengan *dropout*, dan lapisan keluaran. Kita
# latih ia dan MLP dengan anggaran epoch yang sama. `Trainer` membangun model, optimizer
# (AdamW, *cosine schedule*) dan langkah yang di-*jit* dari sebuah konfigurasi.

# %%
epochs = budget(20, 2)
results = {}
trainers = {}
for name in ("mlp", "cnn"):
    config = build_config(name, overrides={"train.epochs": epochs})
    trainers[name] = Trainer(config, dataset=data)
    results[name] = trainers[name].fit(progress=False)
    last = results[name].history[-1]
    print(
        f"{name}: {format_int(trainers[name].num_params)} parameter, akurasi uji "
        f"{format_percent(last['test_accuracy'], 2)}, waktu {format_float(last['time_s'], 1)} dtk"
    )

# %%
fig, axes = plt.subplots(1, 2, figsize=(10, 3.5))
for k, (name, res) in enumerate(results.items()):
    ep = [r["epoch"] for r in res.history]
    color = f"C{k}"
    axes[0].plot(
        ep, [r["train_loss"] for r in res.history], "--", color=color, label=f"{name} latih"
    )
    axes[0].plot(ep, [r["test_loss"] for r in res.history], color=color, label=f"{name} uji")
    axes[1].plot(ep, [r["test_accuracy"] for r in res.history], "o-", ms=3, color=color, label=name)
axes[0].set_yscale("log")
axes[0].set_ylabel("loss")
axes[1].set_ylabel("akurasi uji")
for ax in axes:
    ax.set_xlabel("epoch")
    ax.xaxis.set_major_locator(MaxNLocator(integer=True))  # whole epochs
    ax.grid(alpha=0.3)
    ax.legend(fontsize=8)
fig.suptitle("MLP vs CNN pada digits")
fig.tight_layout()
plt.show()

# %% [markdown]
# ## Apa yang dipelajari CNN?
#
# Kita gabungkan kembali model dari state hasil pelatihan (`nnx.merge`) dalam mode evaluasi,
# lalu lihat 16 kernel 3×3 lapisan pertamanya dan peta fitur yang dihasilkannya untuk satu
# angka.

# %%
cnn_trainer, cnn_state = trainers["cnn"], results["cnn"].state
model = nnx.merge(cnn_trainer.fns.eval_graphdef, cnn_state.params, cnn_state.rest)
w1 = np.asarray(model.blocks[0].conv1.kernel[...])  # (3, 3, 1, 32)
print("kernel lapisan pertama:", w1.shape)
image_grid(np.moveaxis(w1[:, :, 0, :16], -1, 0), cols=8)
plt.suptitle("16 kernel pertama (3×3) yang dipelajari", y=1.02)
plt.show()

feature_maps = nnx.relu(model.blocks[0].conv1(jnp.asarray(x_test[:1])))  # (1, 8, 8, 32)
image_grid(np.moveaxis(np.asarray(feature_maps[0, :, :, :16]), -1, 0), cols=8)
plt.suptitle("Peta fitur lapisan pertama untuk satu angka", y=1.02)
plt.show()

# %% [markdown]
# ## Di mana ia salah?

# %%
logits = model(jnp.asarray(x_test))  # (360, 10)
pred = np.asarray(jnp.argmax(logits, axis=-1))
wrong = np.flatnonzero(pred != y_test)
print(f"{len(wrong)} dari {len(y_test)} gambar uji salah diklasifikasi")
if len(wrong):
    shown = wrong[:16]
    image_grid(x_test[shown], [f"{y_test[i]}→{pred[i]}" for i in shown], cols=min(8, len(shown)))
    plt.suptitle("Gambar uji yang salah (judul: label → prediksi)", y=1.04)
    plt.show()

confusion = np.zeros((10, 10), int)
np.add.at(confusion, (y_test, pred), 1)
fig, ax = plt.subplots(figsize=(5.5, 5))
ax.imshow(confusion, cmap="Blues")
for i in range(10):
    for j in range(10):
        if confusion[i, j]:
            ax.text(j, i, confusion[i, j], ha="center", va="center", fontsize=9)
ax.set_xlabel("prediksi")
ax.set_ylabel("label")
ax.set_xticks(range(10))
ax.set_yticks(range(10))
ax.set_title("Matriks kebingungan (uji)")
fig.tight_layout()
plt.show()

# %% [markdown]
# ## Menyimpan dan memuat ulang bobot
#
# Model yang sudah dilatih baru berguna bila bobotnya bisa disimpan dan dipakai lagi.
# [safetensors](https://github.com/huggingface/safetensors) menyimpan setiap tensor dengan
# nama, bentuk dan tipe datanya, tanpa *pickle* (memuat berkas tidak menjalankan kode apa pun),
# dan bisa dibaca dari NumPy, JAX maupun PyTorch. `dljax.train.save_params` dan
# `dljax.train.load_into` memakainya; setiap
# `dljax train` menulis `params.safetensors` di direktori run-nya.

# %%
folder = Path(tempfile.mkdtemp())
berkas = folder / "cnn.safetensors"
save_params(berkas, cnn_state.params, cnn_state.rest)  # parameter + statistik batch norm
print(f"{berkas.name}: {format_int(berkas.stat().st_size)} byte")
for nama, tensor in list(model_tensors(cnn_state.params, cnn_state.rest).items())[:6]:
    print(f"  {nama:26s} {str(tensor.shape):16s} {tensor.dtype}")

# %% [markdown]
# Untuk memuat ulang, bangun model baru dengan konfigurasi yang sama (bobot awalnya acak, dari
# seed lain), isi dengan `load_into`, lalu pastikan ia memprediksi **persis** sama dengan
# model yang dilatih.

# %%
model_baru = MODELS["cnn"].build_model(
    cnn_trainer.config, data.info, nnx.Rngs(params=jax.random.key(2024))
)
model_baru.eval()  # batch norm memakai statistik tersimpan, seperti model evaluasi
sama_sebelum = np.mean(np.asarray(model_baru(jnp.asarray(x_test)).argmax(-1)) == pred)
print(f"sebelum dimuat: prediksi sama untuk {format_percent(sama_sebelum, 0)} gambar uji")
load_into(model_baru, berkas)
logits_baru = model_baru(jnp.asarray(x_test))
print("sesudah dimuat: selisih logit terbesar =", float(jnp.max(jnp.abs(logits_baru - logits))))
sama = bool(np.all(np.asarray(logits_baru.argmax(-1)) == pred))
print("prediksi sama untuk semua gambar uji:", sama)
assert sama

# %% [markdown]
# Dari baris perintah, pelatihan yang sama adalah `dljax train cnn` (dan `dljax train mlp`);
# kurva belajar dan bobotnya ditulis ke direktori run.
#
# ## Latihan
#
# **Latihan 1.** Tulis `bentuk_keluaran(h, w, k, stride, padding)` yang mengembalikan tuple
# `(h_out, w_out)` konvolusi $k \times k$.


# %%
def bentuk_keluaran(h, w, k, stride, padding):
    # TODO
    return None


_ = latihan.check_conv2d_shape(bentuk_keluaran)

# %% [markdown]
# **Latihan 2.** Tulis `jumlah_parameter(k, c_in, c_out, bias)`: jumlah parameter lapisan
# konvolusi $k \times k$ (dengan atau tanpa bias).


# %%
def jumlah_parameter(k, c_in, c_out, bias):
    # TODO
    return None


_ = latihan.check_conv2d_params(jumlah_parameter)

# %% [markdown]
# **Latihan 3.** Tulis max-pooling 2×2 (stride 2) untuk array 2-D `(H, W)` dengan $H$ dan $W$
# genap, tanpa perulangan. Petunjuk: `reshape` lalu `max`.


# %%
def max_pool_2x2(x):
    # TODO
    return None


_ = latihan.check_max_pool(max_pool_2x2)

# %% [markdown]
# ## Ringkasan
#
# - Konvolusi 2-D menjumlahkan jendela $k \times k \times C_\text{in}$ dikali kernel untuk
#   setiap kanal keluaran; ukuran keluaran $\lfloor (H + 2p - k)/s \rfloor + 1$ per sumbu.
# - Jumlah parameternya $k^2 C_\text{in} C_\text{out} + C_\text{out}$, tidak bergantung pada
#   ukuran gambar — jauh lebih hemat daripada lapisan penuh.
# - Max-pooling mengecilkan peta fitur dan memberi sedikit ketahanan terhadap pergeseran.
# - Pada `digits`, CNN kecil biasanya mengalahkan MLP dengan anggaran epoch yang sama (angka
#   run ini di bawah); kernel lapisan pertamanya bisa dilihat langsung, dan setelah
#   pelatihan banyak yang mirip detektor tepi seperti kernel Sobel.
#
# Angka kunci eksekusi ini:

# %%
print_key_numbers(
    {
        "epoch": epochs,
        **{
            f"{n}: parameter; akurasi uji": f"{format_int(trainers[n].num_params)}; "
            f"{format_percent(results[n].history[-1]['test_accuracy'], 2)}"
            for n in results
        },
        "gambar uji yang salah (CNN)": f"{len(wrong)} dari {len(y_test)}",
        "cnn.safetensors": f"{format_int(berkas.stat().st_size)} byte",
        "prediksi sama setelah dimuat": sama,
    }
)
