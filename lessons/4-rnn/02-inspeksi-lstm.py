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
# [![Buka di Colab](https://colab.research.google.com/assets/colab-badge.svg)](https://colab.research.google.com/github/dljax/dljax/blob/main/lessons/4-rnn/02-inspeksi-lstm.ipynb)
#
# # 4.2 Membuka LSTM: keadaan tersembunyi dan keadaan sel
#
# Di pelajaran sebelumnya LSTM menyelesaikan tugas urutan temporal yang membuat RNN gagal.
# *Bagaimana* caranya? Jaringan saraf bukan kotak hitam: semua bilangannya bisa kita baca.
# Di sini kita melatih LSTM kecil, lalu menjalankannya **langkah demi langkah** dan merekam
# keadaan tersembunyi $h_t$, keadaan sel $c_t$ dan gerbangnya di setiap langkah.
#
# Yang dipelajari:
#
# - inferensi langkah demi langkah dengan `Recurrent.step` dan `Cell` (sama persis dengan
#   versi `lax.scan` yang dipakai saat pelatihan);
# - *heatmap* $h_t$ dan $c_t$ sepanjang urutan, dengan posisi simbol `X`/`Y` ditandai;
# - gerbang masukan dan gerbang lupa: kapan LSTM menulis ke memori, kapan ia menahannya;
# - keadaan akhir $h_T$ sebagai representasi: empat kelas menjadi empat kelompok.

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
from flax import nnx

from dljax.data.synthetic import SYMBOLS
from dljax.exercises import rnn as latihan
from dljax.formatting import format_float, format_int, format_percent
from dljax.lesson import budget, print_key_numbers
from dljax.recipes import build_config
from dljax.train import Trainer

# %% [markdown]
# ## Melatih LSTM kecil
#
# Tingkat `normal`: urutan 30–40 langkah, simbol relevan pertama di posisi 2–5 dan kedua di
# 20–27 (dihitung dari `B`). Kita pakai hanya $H = 16$ unit agar gambarnya terbaca.

# %%
H = 16
config = build_config(
    "lstm",
    overrides={
        "data.name": "temporal_order",
        "data.difficulty": "normal",
        "model.hidden": H,
        "train.lr": 3e-3,
        "train.epochs": budget(10, 1),
        "train.seed": 0,
    },
)
trainer = Trainer(config)
hasil = trainer.fit(progress=False)
print(
    f"akurasi uji: {format_percent(hasil.summary['test_accuracy'], 1)} ({format_int(trainer.num_params)} parameter)"
)

# model evaluasi dengan parameter terlatih
model = nnx.merge(trainer.fns.eval_graphdef, hasil.state.params, hasil.state.rest)
sel = model.rnn.cells[0]
print("W_ih:", sel.ih.kernel.shape, "| W_hh:", sel.hh.kernel.shape, "(4 gerbang × H kolom)")

# %% [markdown]
# ## Satu langkah demi satu langkah
#
# Saat pelatihan, `Recurrent` menjalankan sel dengan `lax.scan` dan hanya mengembalikan $h_t$.
# Untuk melihat isinya kita jalankan sendiri dengan perulangan Python biasa. Sel LSTM
# (`Cell("lstm")`) menghitung keempat gerbang sekaligus dari satu perkalian:
#
# $$z_t = x_t W_{ih} + b_{ih} + h_{t-1} W_{hh} + b_{hh} \in \mathbb{R}^{4H}, \qquad
# (i_t, f_t, g_t, o_t) = \left(\sigma(z^{(1)}_t), \sigma(z^{(2)}_t), \tanh(z^{(3)}_t),
# \sigma(z^{(4)}_t)\right),$$
#
# $$c_t = f_t \odot c_{t-1} + i_t \odot g_t, \qquad h_t = o_t \odot \tanh(c_t).$$
#
# Fungsi di bawah merekam $h_t$, $c_t$ dan gerbang-gerbangnya, lalu memastikan $h_t$ sama
# dengan keluaran `scan`.


# %%
def jalankan(model, x):
    """x (B, T, D) -> kamus berisi h, c, i, f, g, o, masing-masing (B, T, H)."""
    sel = model.rnn.cells[0]
    h, c = sel.initial_carry(x.shape[0])  # (B, H) nol
    rekaman = {k: [] for k in "hcifgo"}
    for t in range(x.shape[1]):
        xw = sel.project_inputs(x[:, t])  # (B, 4H)
        i, f, g, o = jnp.split(xw + sel.hh(h), 4, axis=-1)
        (h, c), _ = sel.step((h, c), xw)  # langkah LSTM yang sebenarnya
        nilai = {"h": h, "c": c, "i": jax.nn.sigmoid(i), "f": jax.nn.sigmoid(f)}
        nilai |= {"g": jnp.tanh(g), "o": jax.nn.sigmoid(o)}
        for k, v in nilai.items():
            rekaman[k].append(v)
    return {k: np.stack(v, axis=1) for k, v in rekaman.items()}


uji = trainer.dataset.test.arrays
# satu urutan uji dari setiap kelas Q, R, S, U
pilih = [int(np.argmax(uji["label"] == k)) for k in range(4)]
x = jnp.asarray(uji["input"][pilih])  # (4, T, 8)
simbol = np.where(uji["input"][pilih].sum(-1) > 0, uji["input"][pilih].argmax(-1), -1)  # (4, T)
rekam = jalankan(model, x)

hs_scan, _ = model.rnn(x)
print("bentuk h dan c:", rekam["h"].shape, rekam["c"].shape)
print("sama dengan lax.scan:", np.allclose(rekam["h"], hs_scan, atol=1e-5))
print("prediksi:", "".join("QRSU"[k] for k in np.argmax(model(x), axis=1)), "| label: QRSU")

# %% [markdown]
# ## *Heatmap* keadaan tersembunyi dan keadaan sel
#
# Setiap baris adalah satu unit (dari 16), setiap kolom satu langkah waktu; sumbu mendatar
# diberi label simbolnya. Garis kuning menandai `X`/`Y`. Perhatikan:
#
# - $h_t = o_t \odot \tanh(c_t)$ selalu di $(-1, 1)$; $c_t$ tidak dibatasi dan bisa tumbuh;
# - pada LSTM yang terlatih (akurasi uji di atas jauh di atas 25 %), beberapa unit **berubah
#   tajam tepat di simbol relevan** lalu menahan nilainya sampai akhir, sementara pengalih
#   `a`–`d` hampir tidak mengubahnya.


# %%
def label_sumbu(s):
    return ["" if k < 0 else SYMBOLS[k] for k in s]


fig, axes = plt.subplots(8, 1, figsize=(10, 17), layout="constrained")
for n in range(4):
    mulai = int(np.argmax(simbol[n] >= 0))  # lewati padding di depan
    for baris, (kunci, judul) in enumerate((("h", "$h_t$"), ("c", "$c_t$"))):
        ax = axes[2 * n + baris]
        data = rekam[kunci][n, mulai:].T  # (H, T')
        batas = np.abs(data).max()
        im = ax.imshow(data, aspect="auto", cmap="RdBu_r", vmin=-batas, vmax=batas)
        t_rel = np.flatnonzero((simbol[n, mulai:] == 0) | (simbol[n, mulai:] == 1))
        for t in t_rel:
            ax.axvline(t, color="gold", lw=2)
        ax.set_xticks(range(data.shape[1]), label_sumbu(simbol[n, mulai:]), fontsize=9)
        ax.set_yticks(range(0, H, 3))
        ax.set_ylabel("unit")
        ax.set_title(f"{judul}, urutan kelas {'QRSU'[n]}", fontsize=10)
        fig.colorbar(im, ax=ax, fraction=0.02, pad=0.01)
fig.suptitle("Keadaan LSTM langkah demi langkah (kuning: posisi X/Y)")
plt.show()

# %% [markdown]
# ## Unit yang menyimpan jawabannya
#
# Unit mana yang paling berguna? Kita ukur pada 512 urutan uji: unit yang nilai akhirnya
# $c_T$ paling berbeda antar kelas (ragam rata-rata per kelas dibagi ragam total). Lalu kita
# gambar unit itu sepanjang waktu untuk keempat urutan. Sumbu mendatar sekarang adalah
# posisi sejak `B`; garis tegak menandai posisi X/Y tiap urutan.

# %%
N = budget(512, 128)
banyak = jalankan(model, jnp.asarray(uji["input"][:N]))
label_banyak = uji["label"][:N]
c_akhir = banyak["c"][:, -1]  # (N, H)
rata_kelas = np.stack([c_akhir[label_banyak == k].mean(0) for k in range(4)])  # (4, H)
skor = rata_kelas.var(0) / (c_akhir.var(0) + 1e-8)  # (H,) 0..1
terbaik = np.argsort(skor)[::-1][:3]
print("unit terbaik:", terbaik, "skor:", np.round(skor[terbaik], 2), "(≈ 1: ditentukan kelasnya)")

warna = ["tab:blue", "tab:orange", "tab:green", "tab:red"]
fig, axes = plt.subplots(1, 3, figsize=(10, 3.6), sharey=False)
for ax, unit in zip(axes, terbaik, strict=True):
    for n in range(4):
        mulai = int(np.argmax(simbol[n] >= 0))
        ax.plot(rekam["c"][n, mulai:, unit], color=warna[n], label=f"kelas {'QRSU'[n]}")
        for t in np.flatnonzero((simbol[n, mulai:] == 0) | (simbol[n, mulai:] == 1)):
            ax.axvline(t, color=warna[n], ls=":", lw=1)
    ax.set_title(f"$c_t$ unit {unit}")
    ax.set_xlabel("langkah sejak B")
    ax.grid(alpha=0.3)
axes[0].set_ylabel("nilai sel")
axes[0].legend(fontsize=8)
plt.tight_layout()
plt.show()

# %% [markdown]
# ## Gerbang: kapan menulis, kapan menahan
#
# Untuk unit terbaik di atas, gambarkan gerbang masukan $i_t$ (seberapa banyak isi baru
# ditulis ke sel) dan gerbang lupa $f_t$ (seberapa banyak isi lama disimpan) pada keempat
# urutan yang sama. Bandingkan dengan lompatan $c_t$ di gambar sebelumnya: pada LSTM yang
# terlatih, perubahan besar pada sel terjadi di sekitar `X`/`Y`, dan di antara simbol relevan
# $f_t$ yang tinggi menahan isinya.

# %%
unit = terbaik[0]
simbol_banyak = np.where(uji["input"][:N].sum(-1) > 0, uji["input"][:N].argmax(-1), -1)  # (N, T)
fig, axes = plt.subplots(1, 2, figsize=(10, 3.6), sharey=True)
for ax, gerbang, judul in zip(
    axes, "if", ("gerbang masukan $i_t$", "gerbang lupa $f_t$"), strict=True
):
    for n in range(4):
        mulai = int(np.argmax(simbol[n] >= 0))
        ax.plot(rekam[gerbang][n, mulai:, unit], color=warna[n], label=f"kelas {'QRSU'[n]}")
        for t in np.flatnonzero((simbol[n, mulai:] == 0) | (simbol[n, mulai:] == 1)):
            ax.axvline(t, color=warna[n], ls=":", lw=1)
    ax.set_title(f"{judul}, unit {unit}")
    ax.set_xlabel("langkah sejak B")
    ax.set_ylim(0, 1)
    ax.grid(alpha=0.3)
axes[0].legend(fontsize=8)
plt.tight_layout()
plt.show()

# %% [markdown]
# Mengapa $f_t \approx 1$ penting? Tanpa masukan baru ($i_t \approx 0$), isi sel di langkah
# $t$ yang tersisa di langkah terakhir adalah
#
# $$\frac{\partial c_T}{\partial c_t} \approx \prod_{s=t+1}^{T} f_s .$$
#
# Dengan $f = 0{,}9$ selama 30 langkah, tersisa $0{,}9^{30} \approx 4\%$; dengan $f = 0{,}99$
# tersisa 74 %. Itulah jumlah yang juga menentukan seberapa besar gradien yang kembali ke
# simbol di $t_1$.

# %%
sisa = np.cumprod(banyak["f"][:, ::-1, :], axis=1)[:, ::-1, :]  # (N, T, H): prod f_t..f_T
pos_x1 = np.argmax((simbol_banyak == 0) | (simbol_banyak == 1), axis=1)  # (N,)
sisa_x1 = sisa[np.arange(N), np.minimum(pos_x1 + 1, sisa.shape[1] - 1)]  # (N, H)
fig, ax = plt.subplots(figsize=(8, 3.5))
ax.bar(range(H), np.median(sisa_x1, axis=0), color="lightgray")
ax.bar(terbaik, np.median(sisa_x1, axis=0)[terbaik], color="tab:blue", label="unit terbaik")
ax.set_yscale("log")
ax.set_xlabel("unit")
ax.set_ylabel(r"median $\prod f_s$ sejak X/Y pertama")
ax.set_title("Berapa bagian isi sel dari simbol relevan pertama yang bertahan sampai akhir")
ax.legend()
plt.show()

# %% [markdown]
# ## Keadaan akhir sebagai representasi
#
# Lapisan keluaran hanya melihat $h_T$ (16 bilangan). Proyeksikan $h_T$ dari 512 urutan ke
# dua komponen utama (PCA lewat SVD). Pada LSTM yang terlatih, keempat kelas terpisah menjadi
# kelompok-kelompok, jadi sebuah lapisan linear cukup untuk mengklasifikasinya; seberapa
# jelas pemisahannya di gambar ini sejalan dengan akurasi uji di atas.

# %%
h_akhir = banyak["h"][:, -1]  # (N, H)
pusat = h_akhir - h_akhir.mean(0)
_, _, vt = np.linalg.svd(pusat, full_matrices=False)
proyeksi = pusat @ vt[:2].T  # (N, 2)
fig, ax = plt.subplots(figsize=(5.5, 5))
for k in range(4):
    m = label_banyak == k
    ax.scatter(*proyeksi[m].T, s=8, color=warna[k], label=f"kelas {'QRSU'[k]}")
ax.set_xlabel("komponen utama 1")
ax.set_ylabel("komponen utama 2")
ax.set_title(f"$h_T$ dari {N} urutan uji (PCA)")
ax.legend()
plt.show()

# %% [markdown]
# ## Latihan
#
# **Latihan 1.** Tulis satu langkah LSTM. Dari `x` (B, D), `h` dan `c` (B, H), `W_ih`
# (D, 4H), `W_hh` (H, 4H) dan `b` (4H,), kembalikan `(h_baru, c_baru)`. Urutan gerbang
# $i, f, g, o$. Pemeriksa membandingkannya dengan `Cell("lstm")` milik `dljax`.


# %%
def langkah_lstm(x, h, c, W_ih, W_hh, b):
    # TODO
    return None


_ = latihan.check_lstm_step(langkah_lstm)

# %% [markdown]
# **Latihan 2.** Dengan `model.rnn.step(carries, x_t)` (tanpa menyentuh `Cell` secara
# langsung), kumpulkan `hs` dan `cs`, masing-masing (B, T, H), untuk model LSTM satu lapis
# dan masukan `x` (B, T, D). `carries` adalah daftar berisi satu pasangan `(h, c)` per
# lapisan; mulai dari `model.rnn.initial_carry(B)`.


# %%
def kumpulkan_keadaan(model, x):
    # TODO
    return None


_ = latihan.check_collect_states(kumpulkan_keadaan)

# %% [markdown]
# **Latihan 3.** Dari gerbang lupa `f` (T, H), hitung `r` (T, H) dengan
# $r_t = f_{t+1} f_{t+2} \cdots f_{T}$ (dan $r_T = 1$): bagian isi sel setelah langkah $t$
# yang masih tersisa di langkah terakhir. (Posisi dihitung dari 1 sampai $T$ di rumus, dari 0
# sampai `T - 1` di kode.)


# %%
def sisa_memori(f):
    # TODO
    return None


_ = latihan.check_retention(sisa_memori)

# %% [markdown]
# ## Ringkasan
#
# - `Recurrent.step` dan `Cell.step` menjalankan jaringan yang sama dengan `lax.scan`,
#   satu langkah per panggilan: cara membaca keadaan di setiap langkah.
# - $h_t$ terbatas di $(-1, 1)$; $c_t$ adalah memori jangka panjang yang dijumlahkan.
# - LSTM terlatih mengubah isi sel di sekitar simbol `X`/`Y` dan menahannya melewati
#   pengalih; $\prod f_s$ menentukan berapa yang tersisa sampai akhir.
# - Keadaan akhir $h_T$ memisahkan kelas secara linear; itulah yang dibaca lapisan keluaran.
#
# Angka kunci eksekusi ini:

# %%
print_key_numbers(
    {
        "akurasi uji (tebakan acak 25 %)": format_percent(hasil.summary["test_accuracy"], 1),
        "unit terbaik (skor ≈ 1: ditentukan kelasnya)": f"unit {terbaik[0]} "
        f"(skor {format_float(skor[terbaik[0]], 2)})",
        "median ∏ f_s sejak X/Y pertama, unit terbaik": format_float(
            float(np.median(sisa_x1[:, terbaik[0]])), 3
        ),
    }
)
