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
# [![Buka di Colab](https://colab.research.google.com/assets/colab-badge.svg)](https://colab.research.google.com/github/dljax/dljax/blob/main/lessons/3-convnet/04-lenet-vgg-resnet.ipynb)
#
# # 3.4 LeNet-5, VGG dan ResNet
#
# Tiga arsitektur menandai perjalanan CNN:
#
# - **LeNet-5** (LeCun dkk., 1998) membaca angka pada cek bank: konvolusi 5×5, *subsampling*,
#   dan lapisan penuh, sekitar 60 ribu parameter.
# - **VGG** (Simonyan & Zisserman, 2015) menunjukkan bahwa tumpukan konvolusi 3×3 yang
#   **dalam** (11–19 lapisan) jauh lebih baik, dengan resep yang sangat sederhana.
# - **ResNet** (He dkk., 2016) memecahkan masalah yang muncul saat jaringan makin dalam: tanpa
#   bantuan, jaringan 56 lapisan malah **lebih buruk** daripada 20 lapisan, bahkan pada data
#   latih. Jalan pintas (*residual connection*) $y = F(x) + x$ membuat jaringan ratusan
#   lapisan bisa dilatih.
#
# Ketiganya tersedia di dljax (`lenet5`, `vgg`, `resnet`). Di pelajaran ini kita menelusuri
# bentuk dan jumlah parameternya, lalu **membandingkan jaringan "polos" yang dalam dengan
# ResNet** yang sama persis kecuali jalan pintasnya, dengan anggaran pelatihan yang sama.

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
from flax import nnx
from matplotlib.ticker import MaxNLocator

from dljax.data import digits
from dljax.exercises import convnet as latihan
from dljax.formatting import format_float, format_int, format_percent
from dljax.lesson import budget, print_key_numbers
from dljax.models import VGG, LeNet5, ResNet
from dljax.models.lenet import fit_to_size
from dljax.recipes import build_config
from dljax.train import Trainer


def jumlah_parameter(module):
    """Banyaknya parameter yang dilatih (nnx.Param) dalam sebuah modul."""
    return sum(x.size for x in jax.tree.leaves(nnx.state(module, nnx.Param)))


data = digits.load()

# %% [markdown]
# ## LeNet-5
#
# LeNet-5 menerima gambar 32×32. Notasinya: C = konvolusi, S = *subsampling*, F = penuh.
#
# | lapisan | operasi | keluaran |
# | --- | --- | --- |
# | C1 | 6 kernel 5×5 | 28×28×6 |
# | S2 | subsampling 2×2 | 14×14×6 |
# | C3 | 16 kernel 5×5 | 10×10×16 |
# | S4 | subsampling 2×2 | 5×5×16 |
# | C5 | 120 kernel 5×5 | 1×1×120 |
# | F6 | penuh | 84 |
# | keluaran | penuh | 10 |
#
# Di makalah aslinya, subsampling punya dua parameter per peta (koefisien dan bias), C3 hanya
# terhubung ke sebagian peta S2 (tabel koneksi), dan fungsi aktivasinya
# $1{,}7159 \tanh(2a/3)$; totalnya tepat **60.000** parameter untuk C1–F6. Varian modern
# memakai ReLU, *max-pooling* tanpa parameter dan C3 penuh: **61.706** parameter. dljax
# menyediakan keduanya (`--set model.variant=paper`). Gambar `digits` 8×8 diubah ukurannya
# ke 32×32 di dalam model (MNIST 28×28 diberi *padding*, seperti di makalah).

# %%
# nnx.eval_shape membangun model hanya sebagai "bentuk" (tanpa menghitung nilai awal): cukup
# untuk menghitung parameter, dan jauh lebih cepat untuk model besar.
for variant in ("paper", "modern"):
    net = nnx.eval_shape(lambda v=variant: LeNet5((32, 32, 1), 10, variant=v, rngs=nnx.Rngs(0)))
    rows = {n: jumlah_parameter(getattr(net, n)) for n in ("c1", "s2", "c3", "s4", "c5", "f6")}
    rows = {k: v for k, v in rows.items() if v}
    print(
        f"{variant:6s}: {rows}  C1..F6 = {format_int(sum(rows.values()))}, total = {format_int(jumlah_parameter(net))}"
    )

# %% [markdown]
# Mari telusuri bentuk tensor lapis demi lapis untuk satu *batch* angka 8×8.

# %%
lenet = LeNet5((8, 8, 1), 10, rngs=nnx.Rngs(0))


x = fit_to_size(jnp.asarray(data.train.arrays["input"][:4]))
print(f"{'masukan':10s}", x.shape)
for name in ("c1", "pool", "c3", "pool", "c5"):
    x = (
        nnx.max_pool(x, (2, 2), strides=(2, 2))
        if name == "pool"
        else nnx.relu(getattr(lenet, name)(x))
    )
    print(f"{name:10s}", x.shape)
x = nnx.relu(lenet.f6(x.reshape(x.shape[0], -1)))
print(f"{'f6':10s}", x.shape)
print(f"{'keluaran':10s}", lenet.out(x).shape)

# %% [markdown]
# Latih LeNet-5 pada `digits` dengan mesin dljax (sama dengan `dljax train lenet5`):

# %%
config = build_config("lenet5", overrides={"train.epochs": budget(40, 1)})
lenet_trainer = Trainer(config, dataset=data)
lenet_result = lenet_trainer.fit(progress=False)
last = lenet_result.history[-1]
print(
    f"LeNet-5: akurasi uji {format_percent(last['test_accuracy'], 2)} setelah {last['epoch']} epoch"
)

# %% [markdown]
# ## VGG: tumpukan konvolusi 3×3
#
# Dua konvolusi 3×3 berturutan "melihat" jendela 5×5 (*receptive field*), tiga melihat 7×7.
# Dengan $C$ kanal masuk dan keluar, tiga konvolusi 3×3 butuh $3 \cdot 9 C^2 = 27C^2$ bobot,
# sedangkan satu konvolusi 7×7 butuh $49 C^2$ — dan tumpukan itu punya tiga ReLU, bukan satu.
# Secara umum, $n$ konvolusi $k \times k$ dengan stride 1 punya *receptive field*
#
# $$r_n = 1 + n (k - 1).$$
#
# VGG menyusun 5 tahap konvolusi 3×3 (64, 128, 256, 512, 512 kanal), masing-masing diakhiri
# max-pool 2×2, lalu lapisan penuh. Kedalaman (`model.depth`) memilih kolom A/B/D/E tabel 1
# makalahnya.

# %%
for depth in (11, 13, 16, 19):
    vgg = nnx.eval_shape(lambda d=depth: VGG((32, 32, 3), 10, depth=d, rngs=nnx.Rngs(0)))
    convs = sum(len(stage) for stage in vgg.features)
    print(
        f"VGG-{depth}: {convs:2d} konvolusi, {format_int(jumlah_parameter(vgg.features)):>11} parameter "
        f"konvolusi, total {format_int(jumlah_parameter(vgg)):>11} (CIFAR 32x32, dengan batch norm)"
    )

# %% [markdown]
# ## ResNet: belajar sisa (*residual*)
#
# Menambah lapisan seharusnya tidak merugikan: lapisan tambahan cukup belajar menjadi
# identitas. Kenyataannya, jaringan "polos" yang sangat dalam sulit dioptimasi. He dkk.
# mengusulkan agar setiap blok mempelajari **sisa** $F(x)$ terhadap identitas:
#
# $$x_{l+1} = \operatorname{ReLU}\big(F(x_l) + x_l\big), \qquad
#   F(x) = \operatorname{BN}(W_2 * \operatorname{ReLU}(\operatorname{BN}(W_1 * x))) .$$
#
# Bila identitas sudah cukup baik, blok cukup membuat $F \approx 0$. Gradien juga punya jalan
# pintas: untuk blok tanpa ReLU di akhir (He dkk., 2016b),
# $x_L = x_l + \sum_{i=l}^{L-1} F(x_i)$, sehingga
#
# $$\frac{\partial \mathcal{L}}{\partial x_l}
#   = \frac{\partial \mathcal{L}}{\partial x_L}
#     \left(1 + \frac{\partial}{\partial x_l} \sum_{i=l}^{L-1} F(x_i)\right),$$
#
# dan suku "1" membawa gradien ke lapisan awal tanpa harus melewati perkalian puluhan
# matriks Jacobian.
#
# Saat jumlah kanal berlipat dan ukuran peta mengecil, jalan pintas menyesuaikan bentuknya:
# **opsi A** mengambil setiap piksel kedua dan menambah kanal nol (tanpa parameter, dipakai
# ResNet-20 untuk CIFAR); **opsi B** memakai konvolusi 1×1 (dipakai ResNet-18).

# %%
r20 = nnx.eval_shape(lambda: ResNet((32, 32, 3), 10, depth=20, rngs=nnx.Rngs(0)))
r18 = nnx.eval_shape(lambda: ResNet((32, 32, 3), 10, depth=18, rngs=nnx.Rngs(0)))
r18_imagenet = nnx.eval_shape(lambda: ResNet((224, 224, 3), 1000, depth=18, rngs=nnx.Rngs(0)))
print(
    f"ResNet-20 (CIFAR-10)   : {format_int(jumlah_parameter(r20)):>10} parameter  (makalah: 0,27 juta)"
)
print(f"ResNet-18 (CIFAR-10)   : {format_int(jumlah_parameter(r18)):>10} parameter  (± 11,2 juta)")
print(
    f"ResNet-18 (ImageNet)   : {format_int(jumlah_parameter(r18_imagenet)):>10} parameter  (11,7 juta)"
)

# %% [markdown]
# ## Percobaan 1: gradien saat inisialisasi
#
# Kita bangun dua jaringan yang identik kecuali jalan pintasnya: **polos** (`residual=False`)
# dan **ResNet**, lalu ukur norma gradien *loss* terhadap kernel konvolusi pertama setiap
# blok untuk satu batch, sebelum pelatihan apa pun.

# %%
depth_probe = budget(56, 8)
batch = {
    "input": jnp.asarray(data.train.arrays["input"][:128]),
    "label": jnp.asarray(data.train.arrays["label"][:128]),
}


def norma_gradien(residual):
    net = ResNet((8, 8, 1), 10, depth=depth_probe, width=16, residual=residual, rngs=nnx.Rngs(0))
    net.train()

    def loss_fn(net):
        logits = net(batch["input"])
        return -jnp.mean(
            jnp.take_along_axis(jax.nn.log_softmax(logits), batch["label"][:, None], 1)
        )

    grads = nnx.grad(loss_fn)(net)  # nnx.State dengan bentuk yang sama seperti model
    kernels = [jax.tree.leaves(grads["blocks"][i]["conv1"])[0] for i in range(len(net.blocks))]
    return [float(jnp.linalg.norm(k)) for k in kernels]


fig, ax = plt.subplots(figsize=(7, 3.5))
rasio_gradien = {}
for residual, label in ((False, "polos"), (True, "ResNet")):
    norms = norma_gradien(residual)
    rasio_gradien[label] = norms[0] / norms[-1]
    ax.semilogy(range(1, len(norms) + 1), norms, "o-", ms=3, label=label)
ax.set_xlabel("blok ke- (dari masukan ke keluaran)")
ax.set_ylabel("‖∂L/∂W‖ konvolusi pertama")
ax.set_title(f"Norma gradien per blok saat inisialisasi, kedalaman {depth_probe}")
ax.grid(alpha=0.3, which="both")
ax.legend()
fig.tight_layout()
plt.show()
for label, rasio in rasio_gradien.items():
    print(f"{label:6s}: norma gradien blok pertama / blok terakhir = {format_float(rasio, 2)}")

# %% [markdown]
# Pada jaringan polos, norma gradien berubah **secara eksponensial** dari blok ke blok: setiap
# blok mengalikan gradien dengan Jacobian-nya, sehingga gradien di blok-blok awal bisa ratusan
# kali lebih besar (atau, pada jaringan lain, jauh lebih kecil) daripada di blok akhir (rasio
# run ini dicetak di atas; ia tumbuh dengan kedalaman). Satu
# *learning rate* tidak bisa cocok untuk semua lapisan sekaligus. Pada ResNet, garisnya hampir
# datar: suku "1" dari jalan pintas membawa gradien langsung ke setiap blok.

# %% [markdown]
# ## Percobaan 2: polos vs ResNet dengan anggaran yang sama
#
# Dua model dengan lapisan dan jumlah parameter yang **sama persis** (jalan pintas opsi A tidak
# punya parameter), dilatih dengan optimizer, *learning rate*, epoch dan seed yang sama.

# %%
depth = budget(32, 8)
epochs = budget(15, 2)
histories = {}
for residual, label in ((False, "polos"), (True, "ResNet")):
    config = build_config(
        "resnet",
        overrides={
            "model.depth": depth,
            "model.width": budget(16, 4),
            "model.residual": residual,
            "train.epochs": epochs,
            "train.lr": 3e-3,
        },
    )
    trainer = Trainer(config, dataset=data)
    histories[label] = trainer.fit(progress=False).history
    last = histories[label][-1]
    print(
        f"{label:6s} (kedalaman {depth}, {format_int(trainer.num_params)} parameter): loss latih "
        f"{format_float(last['train_loss'], 4)}, akurasi uji {format_percent(last['test_accuracy'], 2)}, "
        f"{format_float(last['time_s'], 0)} dtk"
    )

# %%
fig, axes = plt.subplots(1, 2, figsize=(10, 3.5))
for label, hist in histories.items():
    ep = [r["epoch"] for r in hist]
    axes[0].semilogy(ep, [r["train_loss"] for r in hist], "o-", ms=3, label=label)
    axes[1].plot(ep, [r["test_accuracy"] for r in hist], "o-", ms=3, label=label)
axes[0].set_ylabel("loss latih")
axes[1].set_ylabel("akurasi uji")
for ax in axes:
    ax.set_xlabel("epoch")
    ax.xaxis.set_major_locator(MaxNLocator(integer=True))  # whole epochs
    ax.grid(alpha=0.3, which="both")
    ax.legend()
fig.suptitle(f"Jaringan polos vs ResNet, kedalaman {depth}, pada digits")
fig.tight_layout()
plt.show()

# %% [markdown]
# Dengan lapisan dan parameter yang sama, ResNet biasanya menurunkan *loss latih* lebih cepat
# dan lebih rendah: masalah jaringan polos yang dalam adalah **optimasi**, bukan *overfitting*.
# Coba sendiri dengan kedalaman lain (mis. 8 vs 56) untuk melihat jaraknya membesar seiring
# kedalaman. Dari baris perintah:
#
# ```bash
# dljax train resnet --set model.depth=32 --set model.residual=false
# dljax train resnet --set model.depth=32
# dljax train vgg --set model.depth=16
# dljax train lenet5 --set model.variant=paper
# ```
#
# ## Latihan
#
# **Latihan 1.** Hitung jumlah parameter satu blok dasar ResNet: dua konvolusi 3×3 tanpa bias
# ($c_\text{in} \to c_\text{out}$ lalu $c_\text{out} \to c_\text{out}$), dua batch norm (skala
# dan geseran per kanal) dan jalan pintas opsi A.


# %%
def parameter_blok(c_in, c_out):
    # TODO
    return None


_ = latihan.check_basic_block_params(parameter_blok)

# %% [markdown]
# **Latihan 2.** Tulis jalan pintas opsi A untuk batch `x` berbentuk $(B, H, W, C)$: ambil
# setiap baris dan kolom kedua, lalu tambahkan kanal nol sampai `c_out` kanal.


# %%
def jalan_pintas(x, c_out):
    # TODO
    return None


_ = latihan.check_shortcut(jalan_pintas)

# %% [markdown]
# ## Ringkasan
#
# - LeNet-5: C1–S2–C3–S4–C5–F6, 60.000 parameter di makalah (subsampling berparameter dan
#   tabel koneksi C3), 61.706 pada varian modern.
# - VGG: tumpukan konvolusi 3×3 yang dalam; $n$ konvolusi 3×3 melihat jendela $(2n+1)^2$
#   dengan parameter lebih sedikit daripada satu kernel besar.
# - ResNet: blok mempelajari sisa, $x_{l+1} = \operatorname{ReLU}(F(x_l) + x_l)$. Jalan
#   pintas membawa gradien langsung ke lapisan awal, sehingga jaringan dalam bisa dioptimasi.
#   ResNet-20 punya 0,27 juta parameter, ResNet-18 ± 11,2 juta.
# - Jaringan polos dan ResNet dengan lapisan yang sama: ResNet biasanya belajar lebih cepat.
#
# Angka kunci eksekusi ini:

# %%
print_key_numbers(
    {
        "LeNet-5: akurasi uji": format_percent(lenet_result.history[-1]["test_accuracy"], 2),
        f"gradien blok pertama / terakhir, kedalaman {depth_probe}": "; ".join(
            f"{label} {format_float(r, 2)}" for label, r in rasio_gradien.items()
        ),
        **{
            f"{label}, kedalaman {depth}: loss latih; akurasi uji": f"{format_float(h[-1]['train_loss'], 4)}"
            f"; {format_percent(h[-1]['test_accuracy'], 2)}"
            for label, h in histories.items()
        },
    }
)
