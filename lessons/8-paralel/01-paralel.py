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
# [![Buka di Colab](https://colab.research.google.com/assets/colab-badge.svg)](https://colab.research.google.com/github/dljax/dljax/blob/main/lessons/8-paralel/01-paralel.ipynb)
#
# # 8.1 Paralelisme: `vmap`, *sharding*, `shard_map` dan FSDP
#
# JAX terkenal karena satu hal: program yang sama berjalan di satu CPU, satu GPU, atau
# ratusan akselerator, dan kita hanya mengubah **di mana data tinggal**. Di pelajaran ini
# kita:
#
# - memakai `jax.vmap` untuk **gradien per contoh** (paralelisme di dalam satu perangkat);
# - melihat `jax.pmap` dan mengapa ia kini dalam *mode pemeliharaan*;
# - membagi array ke banyak perangkat dengan `jax.make_mesh`, `NamedSharding` dan
#   `jax.device_put`, lalu melihat pembagiannya (`jax.debug.visualize_array_sharding`);
# - menulis sendiri satu langkah pelatihan *data-parallel* dengan `jax.shard_map` dan
#   kolektif eksplisit (`psum`, `all_gather`), lalu mencocokkannya dengan mesin pelatihan
#   `dljax`;
# - mengukur memori per perangkat pada **FSDP** (parameter dibagi antarperangkat);
# - melihat seperti apa pelatihan multi-host (banyak komputer).
#
# **Jujur sejak awal:** kita memakai **8 perangkat CPU simulasi** di komputer dengan 2 inti.
# Delapan "perangkat" itu berbagi 2 inti yang sama, jadi **tidak ada yang menjadi lebih cepat**;
# biasanya malah lebih lambat karena ada komunikasi. Yang kita pelajari di sini adalah
# **kebenaran** (hasilnya sama persis) dan **pola komunikasinya**. Kode yang sama persis
# memberi percepatan sungguhan di 8 GPU atau TPU.

# %%
import sys

if "google.colab" in sys.modules:
    import subprocess

    subprocess.run(
        [sys.executable, "-m", "pip", "install", "-q", "git+https://github.com/dljax/dljax"],
        check=True,
    )

# %% [markdown]
# ## Delapan perangkat simulasi
#
# Jumlah perangkat CPU harus diatur **sebelum JAX mulai** (sebelum komputasi pertama). Kita
# juga memilih CPU secara eksplisit agar pelajaran ini sama di laptop, di Colab dengan GPU,
# maupun di server. Bila sel ini dijalankan setelah JAX sempat menghitung sesuatu, mulai
# ulang kernel (*Restart kernel*) lalu jalankan dari atas.

# %%
import jax

jax.config.update("jax_platforms", "cpu")
jax.config.update("jax_num_cpu_devices", 8)
print(jax.devices())

# %%
import jax.numpy as jnp
import matplotlib.pyplot as plt
import numpy as np
import optax
from flax import nnx
from jax.sharding import NamedSharding
from jax.sharding import PartitionSpec as P

from dljax.data import ArraySource, Dataset, digits
from dljax.exercises import paralel as latihan
from dljax.formatting import format_float, format_int
from dljax.lesson import budget, print_key_numbers
from dljax.recipes import build_config
from dljax.train import Trainer

print(f"{jax.device_count()} perangkat, {jax.process_count()} proses")

# %% [markdown]
# ## 1. `vmap`: gradien per contoh
#
# `jax.grad` memberi gradien dari **satu** nilai loss. Kadang kita butuh gradien **setiap
# contoh** secara terpisah (misalnya untuk *differential privacy* atau untuk melihat contoh
# mana yang paling "mendorong" model). Caranya: tulis gradien untuk satu contoh, lalu
# `jax.vmap` menjalankannya untuk semua contoh sekaligus, tanpa loop Python.
#
# Model kita regresi linear $\hat y = x \cdot w$ dengan loss $\tfrac12(\hat y - y)^2$. Turunan
# tangannya: $\nabla_w = (x \cdot w - y)\,x$, satu baris per contoh.


# %%
def loss_satu(w, x, y):
    """Loss of ONE example: x (D,), y ()."""
    return 0.5 * (x @ w - y) ** 2


kunci = jax.random.split(jax.random.key(0), 3)
w = jax.random.normal(kunci[0], (4,))
x = jax.random.normal(kunci[1], (6, 4))  # (B, D)
y = jax.random.normal(kunci[2], (6,))

grad_per_contoh = jax.vmap(jax.grad(loss_satu), in_axes=(None, 0, 0))(w, x, y)  # (B, D)
tangan = (x @ w - y)[:, None] * x
print("bentuk:", grad_per_contoh.shape)
print("selisih maks. dengan turunan tangan:", float(jnp.max(jnp.abs(grad_per_contoh - tangan))))
print(
    "rata-ratanya = gradien loss rata-rata:",
    bool(
        jnp.allclose(
            grad_per_contoh.mean(0),
            jax.grad(lambda w: jax.vmap(loss_satu, (None, 0, 0))(w, x, y).mean())(w),
        )
    ),
)

# %% [markdown]
# `vmap` memvektorkan **di dalam satu perangkat**. Semua yang berikut ini membagi kerja ke
# **banyak perangkat**.
#
# ## 2. `pmap`: cara lama
#
# `jax.pmap` menjalankan fungsi di setiap perangkat, dengan sumbu pertama array sebagai
# sumbu perangkat. Di dalamnya, `jax.lax.psum(..., "i")` menjumlahkan antarperangkat.

# %%
data = jnp.arange(8 * 3.0).reshape(8, 3)  # sumbu 0 = perangkat
jumlah = jax.pmap(lambda v: jax.lax.psum(v, "i"), axis_name="i")(data)
print(jumlah[0], "=", data.sum(0))

# %% [markdown]
# `pmap` masih berfungsi, tetapi sejak JAX 0.8 ia berada dalam **mode pemeliharaan**: tidak
# dikembangkan lagi, dan dokumentasi JAX menyarankan `jax.jit` dengan *sharding* (atau
# `jax.shard_map`) untuk kode baru. Alasannya:
#
# - `pmap` memaksa sumbu perangkat yang eksplisit (bentuk array berubah menjadi `(8, ...)`);
# - ia hanya mengenal satu sumbu, sedangkan model besar butuh *mesh* 2D/3D (data × model);
# - ia mengompilasi per perangkat, sementara `jit` mengompilasi **satu program global** yang
#   dibagi oleh XLA (GSPMD), sehingga kompilator bisa mengatur komunikasinya sendiri.
#
# ## 3. `jax.jit` dengan `NamedSharding`
#
# Sebuah **mesh** memberi nama pada susunan perangkat. `NamedSharding(mesh, P("data"))`
# berarti "bagi sumbu 0 array ini di sepanjang sumbu mesh `data`"; `P()` berarti "salin
# utuh ke setiap perangkat" (*replicated*).

# %%
mesh = jax.make_mesh((8,), ("data",))
batch = jnp.arange(16 * 4.0).reshape(16, 4)  # (B, D)
dibagi = jax.device_put(batch, NamedSharding(mesh, P("data")))
disalin = jax.device_put(jnp.ones((4, 3)), NamedSharding(mesh, P()))
print("batch, dibagi menurut baris:")
jax.debug.visualize_array_sharding(dibagi)
print("bobot, disalin ke semua perangkat:")
jax.debug.visualize_array_sharding(disalin)
print("potongan di perangkat 0:", dibagi.addressable_shards[0].data.shape)

# %% [markdown]
# Kode `jit` biasa bekerja langsung pada array yang dibagi. Kita tidak menulis komunikasi
# apa pun: XLA melihat *sharding* masukannya dan menyisipkan kolektif yang diperlukan.


# %%
@jax.jit
def maju(x, w):
    return jnp.tanh(x @ w)  # (B, 3)


keluaran = maju(dibagi, disalin)
print(keluaran.sharding.spec, "— hasilnya ikut dibagi menurut baris")
print("sama dengan satu perangkat:", bool(jnp.allclose(keluaran, maju(batch, jnp.ones((4, 3))))))

# %% [markdown]
# ## 4. `jax.shard_map`: kolektif yang ditulis sendiri
#
# `jit` + *sharding* membiarkan XLA memutuskan komunikasinya. `jax.shard_map` adalah
# kebalikannya: fungsi kita melihat **potongan lokal** setiap perangkat, dan kita sendiri
# yang memanggil kolektif:
#
# - `jax.lax.psum(x, "data")`: jumlahkan `x` dari semua perangkat (*all-reduce*);
# - `jax.lax.pmean(x, "data")`: rata-ratanya;
# - `jax.lax.all_gather(x, "data")`: kumpulkan potongan semua perangkat.
#
# `out_specs=P()` menjanjikan bahwa hasilnya sama di semua perangkat. JAX memeriksa janji
# itu (`check_vma`) bila ia bisa; untuk `all_gather` ia tidak bisa, jadi kita matikan
# pemeriksaannya dengan `check_vma=False` dan menjaminnya sendiri.


# %%
def lokal(x_lokal):  # x_lokal: (2, 4) di setiap perangkat
    jumlah = jax.lax.psum(x_lokal.sum(0), "data")  # (4,), sama di semua perangkat
    semua = jax.lax.all_gather(x_lokal, "data", tiled=True)  # (16, 4)
    return jumlah, semua


peta = jax.shard_map(lokal, mesh=mesh, in_specs=P("data"), out_specs=(P(), P()), check_vma=False)
jumlah, semua = peta(dibagi)
print("psum:", jumlah, "=", batch.sum(0))
print("all_gather mengembalikan batch utuh:", bool(jnp.array_equal(semua, batch)))

# %% [markdown]
# ### Satu langkah *data-parallel* buatan tangan
#
# Inilah inti pelatihan *data-parallel*: setiap perangkat menghitung gradien pada potongan
# batch-nya, lalu **satu all-reduce** (`pmean`) merata-ratakan gradien itu, dan setiap
# perangkat memperbarui salinan parameternya dengan gradien yang sama.
#
# Kita ambil model, loss dan optimizer dari mesin pelatihan `dljax` (MLP pada `digits`, SGD,
# tanpa *dropout*, jadi langkahnya tidak memakai angka acak), menulis langkahnya sendiri
# dengan `shard_map`, lalu membandingkannya dengan satu langkah `Trainer.fit` (yang memakai
# `jit` + *sharding* dan membiarkan XLA menyisipkan all-reduce). Agar `fit` menjalankan tepat
# satu langkah, data latihnya satu batch saja: 64 contoh, `data.batch_size` 64, satu epoch.
#
# Catatan: `check_vma=False` membuat `jax.grad` di dalam `shard_map` memberi gradien
# **lokal** apa adanya, sehingga kitalah yang menulis `pmean`. (Dengan bawaan
# `check_vma=True`, JAX tahu parameternya disalin dan menjumlahkan gradiennya sendiri.)

# %%
angka = digits.load()
contoh = {k: v[:64] for k, v in angka.train.arrays.items()}  # satu batch: 64 contoh
satu_batch = Dataset(angka.info, ArraySource(contoh), angka.test)
cfg = build_config(
    "mlp",
    "tiny",
    {
        "data.batch_size": 64,
        "train.epochs": 1,
        "train.optimizer": "sgd",
        "model.dropout": 0.0,
    },
)
pelatih = Trainer(cfg, dataset=satu_batch)
graphdef, tugas = pelatih.fns.graphdef, pelatih.task
(bagian,) = pelatih.built.optimizers.names
tx = pelatih.built.optimizers.txs[bagian]  # the engine's optimizer (SGD with its schedule)


def langkah_tangan(state, batch):
    def gradien_lokal(params, rest, batch_lokal):  # di setiap perangkat: 8 contoh
        def loss(p):
            model = nnx.merge(graphdef, p, rest, copy=True)
            return tugas.loss_fn(model, batch_lokal, nnx.Rngs(0))[0]  # no dropout: unused

        return jax.lax.pmean(jax.grad(loss)(params), "data")  # all-reduce gradien

    grads = jax.shard_map(
        gradien_lokal,
        mesh=pelatih.parallel.mesh,
        in_specs=(P(), P(), P("data")),
        out_specs=P(),
        check_vma=False,
    )(state.params, state.rest, batch)
    updates, _ = tx.update(grads, state.opt_state[bagian], state.params)
    return optax.apply_updates(state.params, updates)


# the hand-written step first: `fit` below reuses (donates) the state's memory
params_tangan = jax.jit(langkah_tangan)(pelatih.state, contoh)
hasil_mesin = pelatih.fit()  # one epoch of one batch: one training step
assert int(hasil_mesin.state.step) == 1
selisih = max(
    float(jnp.max(jnp.abs(a - b)))
    for a, b in zip(
        jax.tree.leaves(params_tangan), jax.tree.leaves(hasil_mesin.state.params), strict=True
    )
)
print(f"{pelatih.parallel.num_devices} perangkat; selisih parameter maks.: {selisih:.1e}")
assert selisih < 1e-6

# %% [markdown]
# Sama (hingga pembulatan *float32*: urutan penjumlahan kedua cara berbeda). Mesin pelatihan
# `dljax` melakukan hal yang sama tanpa kita menulis satu kolektif pun: parameternya `P()`, batch-nya `P("data")`, dan XLA
# menyisipkan all-reduce gradien sendiri.
#
# ## 5. FSDP: parameter pun dibagi
#
# Pada *data parallel*, **setiap perangkat menyimpan salinan penuh** parameter dan state
# optimizer (untuk Adam: dua kali ukuran parameter lagi). Model yang tidak muat di satu
# perangkat tidak bisa dilatih begitu. **FSDP** (*fully sharded data parallel*) membagi
# setiap array state di sepanjang sumbu terbesarnya yang habis dibagi jumlah perangkat;
# XLA mengumpulkan (*all-gather*) parameter sebuah lapisan tepat saat dibutuhkan dan
# membagi lagi gradiennya (*reduce-scatter*). Di `dljax` cukup satu opsi:
#
# ```bash
# dljax train mlp --set train.parallel=fsdp
# ```
#
# Mari ukur byte yang dipegang setiap perangkat untuk MLP yang agak besar.

# %%
byte = {}
for mode in ("data", "fsdp"):
    besar = build_config("mlp", "tiny", {"model.hidden": (512, 512), "train.parallel": mode})
    p = Trainer(besar, dataset=digits.load())
    byte[mode] = {
        "parameter": p.parallel.bytes_per_device(p.state.params),
        "optimizer": p.parallel.bytes_per_device(p.state.opt_state),
    }
    print(
        f"{mode:>4}: {format_int(p.num_params)} parameter; per perangkat "
        f"{format_float(max(byte[mode]['parameter'].values()) / 1024, 1)} KiB parameter + "
        f"{format_float(max(byte[mode]['optimizer'].values()) / 1024, 1)} KiB state Adam"
    )
kernel = max(jax.tree.leaves(p.state.params), key=lambda a: a.size)
print("kernel terbesar", kernel.shape, "dibagi menurut", kernel.sharding.spec)
kib = {
    m: (max(b["parameter"].values()) + max(b["optimizer"].values())) / 1024 for m, b in byte.items()
}
print(
    f"fsdp / data per perangkat: {format_float(kib['fsdp'] / kib['data'], 3)} "
    f"(1/{jax.device_count()} = {format_float(1 / jax.device_count(), 3)})"
)

fig, ax = plt.subplots(figsize=(7, 3))
perangkat = np.arange(8)
for i, mode in enumerate(("data", "fsdp")):
    total = [
        (byte[mode]["parameter"][str(d.id)] + byte[mode]["optimizer"][str(d.id)]) / 1024
        for d in p.parallel.devices
    ]
    ax.bar(perangkat + (i - 0.5) * 0.4, total, width=0.4, label=mode)
ax.set_xlabel("perangkat")
ax.set_ylabel("KiB (parameter + Adam)")
ax.set_title("Memori state per perangkat: data vs fsdp")
ax.legend()
plt.show()

# %% [markdown]
# Dengan 8 perangkat, FSDP memegang sekitar **1/8** state di setiap perangkat. Harganya:
# komunikasi lebih banyak (parameter dikumpulkan di setiap langkah, maju dan mundur), jadi
# FSDP dipakai ketika **memori**, bukan kecepatan, yang menjadi batas. Hasil pelatihannya
# sama dengan *data parallel* (diuji di `tests/train/test_parallel.py`, selisih ≤ 1e-5).
#
# ## 6. Seperti apa pelatihan multi-host?
#
# Satu komputer (*host*) punya beberapa perangkat; klaster punya banyak host, masing-masing
# menjalankan **satu proses** program yang sama. Proses-proses itu bergabung lewat
# `jax.distributed.initialize()`, lalu `jax.devices()` berisi perangkat **semua** proses,
# dan mesh kita membentang di seluruh klaster. Setiap proses hanya membaca potongan datanya
# sendiri (`jax.make_array_from_process_local_data`).
#
# Dengan `dljax` itu berarti menjalankan perintah yang sama di setiap host:
#
# ```bash
# # host 0 (juga koordinator)                # host 1
# export JAX_COORDINATOR_ADDRESS=10.0.0.1:1234  export JAX_COORDINATOR_ADDRESS=10.0.0.1:1234
# export JAX_NUM_PROCESSES=2                    export JAX_NUM_PROCESSES=2
# export JAX_PROCESS_ID=0                       export JAX_PROCESS_ID=1
# dljax train mlp --out /bersama/run            dljax train mlp --out /bersama/run
# ```
#
# atau, di klaster SLURM: `srun dljax train mlp --distributed --out /bersama/run`. Hanya
# proses 0 yang menulis berkas run (metrik, plot, status); **semua** proses ikut menulis
# checkpoint, jadi `--out` harus berada di sistem berkas bersama. Bila satu proses mati, yang
# lain berhenti dengan pesan yang jelas, dan semuanya dilanjutkan dengan `--resume`.
# Pengujian `dljax` menjalankan dua proses di satu komputer (127.0.0.1) dan memeriksa hasilnya
# sama dengan satu proses; klaster sungguhan lewat jaringan dan GPU belum diuji.
#
# Di notebook ini hanya ada satu proses:

# %%
print(
    f"proses {jax.process_index()} dari {jax.process_count()}; "
    f"{jax.local_device_count()} perangkat lokal, {jax.device_count()} perangkat global"
)

# %% [markdown]
# ## Latihan
#
# **Latihan 1 — gradien per contoh.** Lengkapi `gradien_per_contoh(w, x, y)` yang
# mengembalikan gradien $\tfrac12(x_i \cdot w - y_i)^2$ terhadap `w` untuk setiap contoh
# (bentuk `(B, D)`), dengan `jax.grad` dan `jax.vmap`.


# %%
def gradien_per_contoh(w, x, y):
    # tulis jawabanmu di sini: jax.grad untuk satu contoh, lalu jax.vmap atas contoh
    return None


_ = latihan.check_per_example_grads(gradien_per_contoh)

# %% [markdown]
# **Latihan 2 — rata-rata global dengan kolektif.** `rata_rata_global(x_lokal)` berjalan di
# setiap perangkat dengan baris-baris lokalnya dan harus mengembalikan rata-rata setiap kolom
# atas **semua** baris di semua perangkat, memakai `jax.lax.psum` atas sumbu `"data"`.
# Pemeriksa menjalankannya dengan `jax.vmap(..., axis_name="data")`, yang menjalankan
# kolektif yang sama seperti `shard_map`.


# %%
def rata_rata_global(x_lokal):
    # tulis jawabanmu di sini: jumlah dan banyaknya baris di semua perangkat (psum)
    return None


_ = latihan.check_global_mean(rata_rata_global)

# %% [markdown]
# Setelah pemeriksa berkata benar, jalankan fungsimu di 8 perangkat (simulasi) dan bandingkan
# dengan `batch.mean(0)`:
# `jax.shard_map(rata_rata_global, mesh=mesh, in_specs=P("data"), out_specs=P())(dibagi)`.

# %% [markdown]
# **Latihan 3 (terbuka).** Latih MLP dengan `train.parallel=data` dan `fsdp` selama
# beberapa epoch (`Trainer(...).fit()`), bandingkan akurasi ujinya, lalu ukur waktunya.
# Mengapa FSDP di 8 perangkat simulasi **tidak** lebih cepat, bahkan lebih lambat?

# %%
# Pelatihan ini dilewati dalam mode cepat (DLJAX_FAST=1): 8 perangkat simulasi mengompilasi
# lambat. Jalankan notebook tanpa DLJAX_FAST untuk melihat hasilnya.
for mode in budget(full=("data", "fsdp"), fast=()):
    c = build_config("mlp", "tiny", {"train.epochs": 5, "train.parallel": mode})
    ringkas = Trainer(c, dataset=digits.load()).fit(progress=False).summary
    print(
        f"{mode}: akurasi uji {format_float(100 * ringkas['test_accuracy'], 1)} %, "
        f"waktu {format_float(ringkas['wall_time_s'], 1)} dtk"
    )

# %% [markdown]
# ## Ringkasan
#
# - `jax.vmap` memvektorkan fungsi per contoh di satu perangkat (gradien per contoh).
# - `jax.pmap` masih ada tetapi dalam mode pemeliharaan; kode baru memakai `jax.jit` dengan
#   `NamedSharding` di atas `jax.make_mesh`, atau `jax.shard_map`.
# - Dengan *sharding*, kita hanya menyatakan **di mana data tinggal**; XLA menyisipkan
#   komunikasinya. Dengan `shard_map`, kita menulis kolektifnya sendiri (`psum`, `pmean`,
#   `all_gather`) dan hasilnya sama dengan mesin pelatihan `dljax`.
# - *Data parallel* menyalin state ke setiap perangkat; FSDP membaginya (±1/N per perangkat)
#   dengan harga komunikasi lebih banyak.
# - Multi-host = satu proses per host, `jax.distributed.initialize()`, mesh global; di
#   `dljax`: variabel `JAX_*` atau `srun ... --distributed`.
# - 8 perangkat simulasi di 2 inti mengajarkan **kebenaran**, bukan kecepatan.
#
# Angka kunci eksekusi ini:

# %%
print_key_numbers(
    {
        "perangkat": jax.device_count(),
        "langkah buatan tangan vs Trainer.fit: selisih parameter maks.": f"{selisih:.1e}",
        **{
            f"{m}: KiB per perangkat (parameter + Adam)": format_float(v, 1) for m, v in kib.items()
        },
        "fsdp / data per perangkat": format_float(kib["fsdp"] / kib["data"], 3),
    }
)
