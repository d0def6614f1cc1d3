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
# [![Buka di Colab](https://colab.research.google.com/assets/colab-badge.svg)](https://colab.research.google.com/github/dljax/dljax/blob/main/lessons/7-transformer/03-vit.ipynb)
#
# # 7.3 Vision Transformer: gambar sebagai deretan potongan
#
# Blok transformer tidak tahu apa itu gambar: ia hanya menerima deretan vektor. **Vision
# Transformer** (ViT, Dosovitskiy dkk., 2021) memotong gambar menjadi **patch** kecil,
# meratakan setiap patch menjadi satu vektor, lalu memperlakukan deretan patch itu seperti
# deretan kata. Kita melatihnya pada angka tulisan tangan `digits` (8×8 piksel), melihat ke
# mana ia memperhatikan, dan membandingkannya dengan CNN dari bab 3.
#
# Yang dipelajari:
#
# - memotong gambar menjadi patch dan menyusunnya kembali;
# - token kelas (`[CLS]`) atau rata-rata patch, posisi yang dipelajari, blok yang sama dengan
#   GPT tetapi **tanpa** mask kausal;
# - peta perhatian token kelas di atas gambar;
# - ViT vs CNN: akurasi dan jumlah parameter, dan mengapa CNN menang di data kecil.

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

from dljax.data import digits
from dljax.exercises import transformer as latihan
from dljax.formatting import format_float, format_int, format_percent
from dljax.lesson import budget, print_key_numbers
from dljax.models.vit import patchify, unpatchify
from dljax.recipes import build_config
from dljax.train import Trainer

# %% [markdown]
# ## Dari gambar ke deretan patch
#
# Gambar $H \times W$ dengan $C$ kanal dipotong menjadi patch $P \times P$: ada
# $N = (H/P)(W/P)$ patch, masing-masing diratakan menjadi vektor berisi $P^2 C$ angka, baris
# demi baris. `patchify` melakukannya dengan dua `reshape` dan satu `transpose`;
# `unpatchify` membaliknya tepat.

# %%
data = digits.load()
gambar = jnp.asarray(data.test.arrays["input"][:8])  # (8, 8, 8, 1)
for p in (2, 4):
    potongan = patchify(gambar, p)
    kembali = unpatchify(potongan, p, 8, 8)
    print(
        f"P = {p}: {potongan.shape[1]} patch berisi {potongan.shape[2]} angka; "
        f"susun ulang identik: {bool(jnp.all(kembali == gambar))}"
    )

fig, axes = plt.subplots(1, 3, figsize=(10, 3.5))
axes[0].imshow(gambar[0, ..., 0], cmap="gray_r")
axes[0].set_title(f"angka {int(data.test.arrays['label'][0])}, 8×8")
for ax, p in zip(axes[1:], (2, 4), strict=True):
    n = 8 // p
    potongan = patchify(gambar[:1], p)[0]  # (N, P*P)
    jarak = 0.15
    for i in range(n * n):
        r, c = divmod(i, n)
        ax.imshow(
            potongan[i].reshape(p, p),
            cmap="gray_r",
            vmin=0,
            vmax=1,
            extent=(c * (1 + jarak), c * (1 + jarak) + 1, -r * (1 + jarak) - 1, -r * (1 + jarak)),
        )
        ax.text(c * (1 + jarak) + 0.05, -r * (1 + jarak) - 0.2, str(i), color="tab:red", fontsize=9)
    ax.set_xlim(-0.1, n * (1 + jarak))
    ax.set_ylim(-n * (1 + jarak), 0.1)
    ax.set_title(f"{n * n} patch {p}×{p} (urutan token)")
    ax.axis("off")
plt.show()

# %% [markdown]
# ## Model
#
# Setiap patch diproyeksikan linear ke dimensi $D$ (sama dengan konvolusi $P \times P$
# berlangkah $P$). Di depan deretan ditambahkan satu **token kelas** yang dipelajari, lalu
# vektor posisi yang dipelajari, lalu blok transformer yang sama dengan GPT, **tanpa mask**:
# setiap patch boleh melihat semua patch. Token kelas di keluaran diklasifikasikan. Pilihan
# lain, `model.pool=mean`, mengklasifikasikan rata-rata semua token patch.
#
# Untuk `digits` kita memakai patch 2×2: 16 token (plus token kelas). Akurasi uji preset
# `default` `dljax train vit` yang terukur tercatat di `benchmarks/results/default_runs.json`
# (halaman *Hasil terukur*); model di bawah sedikit lebih kecil.

# %%
config = build_config(
    "vit",
    overrides={
        "model.patch": 2,
        "model.dim": budget(64, 32),
        "model.depth": budget(4, 2),
        "train.epochs": budget(60, 10),
        "train.lr": budget(1e-3, 3e-3),
        "train.seed": 0,
    },
)
trainer = Trainer(config, dataset=data)
print(f"ViT: {format_int(trainer.num_params)} parameter, {trainer.steps_per_epoch} langkah/epoch")
hasil = trainer.fit(progress=False)
akurasi_vit = hasil.summary["test_accuracy"]
print(
    f"akurasi uji ViT: {format_percent(akurasi_vit)} dalam "
    f"{format_float(hasil.history[-1]['time_s'], 0)} dtk"
)

fig, ax = plt.subplots(figsize=(7, 3.5))
ax.plot([r["epoch"] for r in hasil.history], [r["test_accuracy"] for r in hasil.history])
ax.set_xlabel("epoch")
ax.set_ylabel("akurasi uji")
ax.set_title("ViT pada digits")
ax.grid(alpha=0.3)
plt.show()

# %% [markdown]
# ## Ke mana token kelas melihat?
#
# `ViT.attention_maps(gambar)` mengembalikan bobot perhatian setiap lapisan, (L, B, H, S, S)
# dengan S = 1 + 16: baris 0 adalah token kelas. Kita ambil baris itu di lapisan terakhir,
# rata-rata atas head, buang kolom token kelas sendiri, dan susun 16 bobotnya kembali
# menjadi grid 4×4 di atas gambar.

# %%
model = trainer.model()
peta = model.attention_maps(gambar)  # (L, B, H, S, S)
dari_kelas = peta[-1, :, :, 0, 1:].mean(axis=1)  # (B, 16)
grid = dari_kelas.reshape(-1, 4, 4)
tebakan = np.asarray(model(gambar).argmax(-1))

fig, axes = plt.subplots(4, 4, figsize=(8, 9))
for i in range(8):
    atas, bawah = axes[2 * (i // 4), i % 4], axes[2 * (i // 4) + 1, i % 4]
    atas.imshow(gambar[i, ..., 0], cmap="gray_r")
    atas.set_title(f"tebak {tebakan[i]}")
    bawah.imshow(gambar[i, ..., 0], cmap="gray_r")
    bawah.imshow(
        np.kron(np.asarray(grid[i]), np.ones((2, 2))),
        cmap="magma",
        alpha=0.6,
        extent=(-0.5, 7.5, 7.5, -0.5),
    )
    bawah.set_title("perhatian [CLS]", fontsize=9)
    atas.axis("off")
    bawah.axis("off")
plt.tight_layout()
plt.show()

# how much of the class token's attention falls on patches with ink, vs their share
tinta = np.asarray(patchify(gambar, 2)).mean(-1) > 0.1  # (B, 16): patch has strokes
bagian_tinta = float(tinta.mean())
perhatian_tinta = float((np.asarray(dari_kelas) * tinta).sum(-1).mean())
print(
    f"patch bergores: {format_percent(bagian_tinta)} dari semua patch; perhatian [CLS] "
    f"yang jatuh di sana: {format_percent(perhatian_tinta)}"
)

# %% [markdown]
# Dua angka itu mengukur apa yang dilihat token kelas: bila perhatiannya lebih banyak jatuh
# pada patch bergores daripada bagian patch itu sendiri, ia memperhatikan goresan (pada
# model yang terlatih: bagian yang membedakan angka, seperti lengkung atas angka 2 atau
# celah angka 4), bukan latar kosong. Peta ini hanya satu lapisan dan dirata-rata atas head:
# alat bantu untuk melihat, bukan penjelasan lengkap keputusan model.
#
# ## ViT vs CNN
#
# CNN dari bab 3 dilatih pada data yang sama.

# %%
config_cnn = build_config(
    "cnn", overrides={"train.epochs": budget(30, 2), "train.seed": 0, "train.lr": 3e-3}
)
trainer_cnn = Trainer(config_cnn, dataset=data)
hasil_cnn = trainer_cnn.fit(progress=False)
baris = [
    ("ViT", trainer.num_params, akurasi_vit, hasil.history[-1]["time_s"]),
    (
        "CNN",
        trainer_cnn.num_params,
        hasil_cnn.summary["test_accuracy"],
        hasil_cnn.history[-1]["time_s"],
    ),
]
for nama, n, acc, t in baris:
    print(
        f"{nama}: {format_int(n):>8s} parameter, akurasi uji {format_percent(acc)}, "
        f"{format_float(t, 0)} dtk"
    )
selisih_cnn = baris[1][2] - baris[0][2]
print(
    f"CNN − ViT: {'+' if selisih_cnn >= 0 else ''}{format_float(100 * selisih_cnn, 1)} poin persen"
)

fig, ax = plt.subplots(figsize=(5, 3.5))
ax.bar([b[0] for b in baris], [b[2] for b in baris], color=["tab:purple", "tab:green"])
ax.set_ylim(min(b[2] for b in baris) - 0.05, 1.0)
ax.set_ylabel("akurasi uji")
ax.set_title("digits: ViT vs CNN")
plt.show()

# %% [markdown]
# Jujur saja: pada data sekecil ini (1.437 gambar latih) **CNN biasanya menang**, atau
# setidaknya menyamai ViT dengan waktu latih yang lebih singkat; selisih di run ini dicetak di
# atas. Konvolusi membawa anggapan bawaan (*inductive bias*) yang cocok untuk gambar: tetangga dekat saling terkait, dan pola yang sama bermakna di mana saja. ViT harus
# mempelajari semua itu dari data. Pada CIFAR-10 dari nol, ViT kecil mencapai sekitar 78 %
# setelah 200 epoch, sementara CNN biasa sekitar 90 % (tutorial UvA 15). ViT baru unggul bila
# dilatih pada data yang sangat besar atau dengan augmentasi dan regularisasi yang kuat.
#
# ## Latihan
#
# **Latihan 1.** Tulis `patchify`: dari `images` (B, H, W, C) dan ukuran patch `P`,
# kembalikan (B, N, P·P·C), patch urut baris demi baris, setiap patch diratakan sebagai
# (P, P, C).


# %%
def patchify_sendiri(images, P):
    # TODO
    return None


_ = latihan.check_patchify(patchify_sendiri)

# %% [markdown]
# **Latihan 2 (eksplorasi).** Latih ulang dengan `"model.patch": 4` (4 token) dan dengan
# `"model.pool": "mean"`. Mana yang lebih akurat, mana yang lebih cepat, dan mengapa?
#
# ## Ringkasan
#
# - ViT = potong gambar menjadi patch → proyeksi linear → token kelas + posisi → blok
#   transformer tanpa mask → klasifikasi token kelas (atau rata-rata patch).
# - `patchify` dan `unpatchify` hanya `reshape` dan `transpose`, dan saling membalik tepat.
# - Peta perhatian token kelas menunjukkan patch mana yang dipakai.
# - Pada data kecil CNN unggul berkat anggapan bawaannya; ViT butuh data atau augmentasi
#   yang jauh lebih banyak.
#
# Angka kunci eksekusi ini:

# %%
print_key_numbers(
    {
        "ViT: parameter, akurasi uji": f"{format_int(trainer.num_params)}; "
        f"{format_percent(akurasi_vit)} dalam {format_float(baris[0][3], 0)} dtk",
        "CNN: parameter, akurasi uji": f"{format_int(trainer_cnn.num_params)}; "
        f"{format_percent(baris[1][2])} dalam {format_float(baris[1][3], 0)} dtk",
        "perhatian [CLS] pada patch bergores": f"{format_percent(perhatian_tinta)} "
        f"(patch itu {format_percent(bagian_tinta)} dari semua patch)",
    }
)
