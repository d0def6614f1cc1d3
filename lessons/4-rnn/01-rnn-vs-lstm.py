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
# [![Buka di Colab](https://colab.research.google.com/assets/colab-badge.svg)](https://colab.research.google.com/github/dljax/dljax/blob/main/lessons/4-rnn/01-rnn-vs-lstm.ipynb)
#
# # 4.1 RNN vs LSTM: mengingat jauh ke belakang
#
# Teks, suara, sinyal sensor: banyak data datang sebagai **urutan**, dan artinya bergantung
# pada *urutan* kejadiannya. Jaringan saraf berulang (*recurrent neural network*, RNN)
# membaca urutan satu langkah demi satu langkah sambil membawa sebuah **keadaan tersembunyi**
# $h_t$, ringkasan dari semua yang sudah dibaca.
#
# Secara teori RNN bisa mengingat apa saja. Dalam praktik, RNN sederhana sulit belajar
# ketergantungan yang **jauh**: gradiennya menghilang (*vanishing gradient*) ketika dirambatkan
# mundur melewati banyak langkah. LSTM (Hochreiter & Schmidhuber, 1997) dirancang justru untuk
# masalah ini. Di pelajaran ini kita melihatnya sendiri:
#
# - tugas **urutan temporal** dari makalah LSTM, dengan jarak yang makin jauh;
# - persamaan RNN dan LSTM, dan sel `dljax` yang menjalankannya dengan `lax.scan`;
# - melatih `rnn` dan `lstm` dengan mesin pelatihan `dljax` di tiga tingkat kesulitan;
# - *backpropagation through time* (BPTT) dan **gradien terhadap masukan awal**, diukur dengan
#   `jax.grad`.

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
from matplotlib.ticker import MaxNLocator

from dljax.data.synthetic import ORDER_LEVELS, SYMBOLS, temporal_order
from dljax.exercises import rnn as latihan
from dljax.formatting import format_float, format_int, format_percent
from dljax.lesson import budget, print_key_numbers
from dljax.models.recurrent import Cell, SequenceClassifier
from dljax.recipes import build_config
from dljax.train import Trainer

# %% [markdown]
# ## Tugas urutan temporal (tugas "QRSU")
#
# Setiap urutan diawali simbol `B` dan diakhiri `E`. Di antaranya ada simbol pengalih `a, b, c,
# d` yang acak, kecuali di **dua posisi relevan** $t_1 < t_2$ yang berisi `X` atau `Y`. Kelasnya
# adalah urutan kedua simbol itu: `XX` → Q, `XY` → R, `YX` → S, `YY` → U. Tebakan acak benar
# 25 %.
#
# Model harus *mengingat* simbol di $t_1$ sampai akhir urutan, sambil mengabaikan semua
# pengalih. Urutan yang lebih pendek diberi *padding* di depan (ditampilkan `·`), sehingga
# setiap urutan berakhir di langkah terakhir. Masukannya *one-hot* berukuran 8.

# %%
x_contoh, y_contoh, simbol_contoh = temporal_order(6, "normal", seed=0)
kelas = "QRSU"
for s, y in zip(simbol_contoh, y_contoh, strict=True):
    teks = "".join("·" if i < 0 else SYMBOLS[i] for i in s)
    print(f"{kelas[y]}  {teks}")
print("bentuk masukan:", x_contoh.shape, "(urutan, langkah, simbol one-hot)")

# %% [markdown]
# Tingkat kesulitannya menggeser posisi relevan dan panjang urutan. Yang menentukan sulitnya
# adalah **jarak** dari simbol relevan pertama ke akhir urutan: berapa langkah informasinya
# harus dibawa. Dari tabel tingkat ($t_1$ dihitung dari `B`):

# %%
TINGKAT = budget(["easy", "normal", "moderate"], ["easy"])


def jarak_rata2(tingkat):
    """Rata-rata (panjang - 1 - t1): langkah dari simbol relevan pertama sampai E."""
    lv = ORDER_LEVELS[tingkat]
    return np.mean(lv.lengths) - 1 - np.mean(lv.windows[0])


for nama in TINGKAT:
    lv = ORDER_LEVELS[nama]
    print(
        f"{nama:9s} panjang {lv.lengths}, t1 di {lv.windows[0]}, t2 di {lv.windows[1]}"
        f" → jarak rata-rata ≈ {format_float(jarak_rata2(nama), 0)} langkah"
    )

# %% [markdown]
# ## RNN sederhana
#
# Untuk masukan $x_t \in \mathbb{R}^D$ dan keadaan $h_{t-1} \in \mathbb{R}^H$ (vektor baris,
# seperti di kode):
#
# $$h_t = \tanh\left(x_t W_{ih} + h_{t-1} W_{hh} + b\right), \qquad h_0 = 0,$$
#
# dengan **bobot yang sama di setiap langkah**. Untuk klasifikasi kita memakai keadaan
# terakhir: $\hat{y} = \mathrm{softmax}(h_T W_o + b_o)$.
#
# Di `dljax`, satu langkah adalah `Cell("rnn", D, H)`; `Recurrent` menjalankannya sepanjang
# waktu dengan `jax.lax.scan`, dan `SequenceClassifier` menambahkan lapisan keluaran.
# Perkalian $x_t W_{ih}$ untuk semua langkah dikerjakan sekaligus sebelum `scan`; hanya bagian
# berulang $h_{t-1} W_{hh}$ yang harus berjalan langkah demi langkah.

# %%
sel = Cell("rnn", 8, 4, rngs=nnx.Rngs(0))
h = sel.initial_carry(1)  # (1, H) nol
for t in range(3):
    h, keluaran = sel(h, jnp.asarray(x_contoh[:1, -3 + t]))  # satu langkah: (1, D) -> (1, H)
    print(f"langkah {t}: h = {np.round(np.asarray(h[0]), 3)}")

model = SequenceClassifier("rnn", 8, 4, num_classes=4, rngs=nnx.Rngs(0))
hs, akhir = model.rnn(jnp.asarray(x_contoh))  # seluruh urutan dengan lax.scan
print("semua keadaan:", hs.shape, "| logit kelas:", model(jnp.asarray(x_contoh)).shape)

# %% [markdown]
# ## LSTM
#
# LSTM menambahkan **keadaan sel** $c_t$ dan tiga **gerbang** bernilai di $(0, 1)$: gerbang
# masukan $i_t$, gerbang lupa $f_t$ dan gerbang keluaran $o_t$, ditambah kandidat isi $g_t$
# (urutan gerbang sama dengan PyTorch: $i, f, g, o$):
#
# $$
# \begin{aligned}
# i_t &= \sigma(x_t W_{ii} + h_{t-1} W_{hi} + b_i) &
# f_t &= \sigma(x_t W_{if} + h_{t-1} W_{hf} + b_f) \\
# g_t &= \tanh(x_t W_{ig} + h_{t-1} W_{hg} + b_g) &
# o_t &= \sigma(x_t W_{io} + h_{t-1} W_{ho} + b_o) \\
# c_t &= f_t \odot c_{t-1} + i_t \odot g_t &
# h_t &= o_t \odot \tanh(c_t)
# \end{aligned}
# $$
#
# Kuncinya ada di baris terakhir: $c_t$ diperbarui dengan **penjumlahan**, bukan dengan
# perkalian matriks lalu $\tanh$. Bila $f_t \approx 1$ dan $i_t \approx 0$, isi sel dibawa
# maju tanpa berubah sejauh apa pun.

# %% [markdown]
# ## Mengapa RNN lupa: *backpropagation through time*
#
# Pelatihan menghitung gradien loss $L$ (yang hanya bergantung pada $h_T$) terhadap keadaan
# awal dengan aturan rantai melewati **semua** langkah:
#
# $$\frac{\partial L}{\partial h_k} = \frac{\partial L}{\partial h_T}
# \prod_{t=k+1}^{T} \frac{\partial h_t}{\partial h_{t-1}}, \qquad
# \frac{\partial h_t}{\partial h_{t-1}} = \mathrm{diag}\!\left(1 - h_t^2\right) W_{hh}^\top .$$
#
# Itu hasil kali $T - k$ matriks. Karena $|1 - h_t^2| \le 1$, normanya dibatasi
# $\left\|\partial h_T / \partial h_k\right\| \le \|W_{hh}\|^{T-k}$: bila $\|W_{hh}\| < 1$
# gradiennya **mengecil secara eksponensial** dengan jarak (*vanishing*), bila jauh lebih
# besar dari 1 bisa **meledak** (*exploding*). Sinyal dari simbol di $t_1$ yang 50 langkah
# sebelum akhir praktis tidak sampai: RNN tidak tahu bahwa simbol itu penting.
#
# Pada LSTM, jalur lewat sel memberi $\partial c_t / \partial c_{t-1} = \mathrm{diag}(f_t)$
# (ditambah suku lewat gerbang), sehingga
# $\partial c_T / \partial c_k \approx \prod_{t=k+1}^{T} \mathrm{diag}(f_t)$: tanpa matriks
# bobot dan tanpa turunan $\tanh$. Bila jaringan belajar $f_t \approx 1$, gradien mengalir
# hampir utuh (*constant error carousel*).

# %% [markdown]
# ## Melatih RNN dan LSTM di setiap tingkat
#
# Kita memakai mesin pelatihan `dljax` seperti di bab sebelumnya. Model dan tugasnya sama, hanya
# `data.difficulty` yang berubah. Keduanya punya $H = 32$ unit tersembunyi; LSTM punya
# sekitar empat kali lebih banyak parameter (empat gerbang).

# %%
EPOCH = {"easy": budget(5, 1), "normal": budget(8, 1), "moderate": budget(10, 1)}


def latih(jenis, tingkat):
    config = build_config(
        jenis,
        overrides={
            "data.name": "temporal_order",
            "data.difficulty": tingkat,
            "model.hidden": 32,
            "train.lr": 3e-3,
            "train.epochs": EPOCH[tingkat],
            "train.seed": 0,
        },
    )
    trainer = Trainer(config)
    hasil = trainer.fit(progress=False)
    return trainer, hasil


runs = {}
for tingkat in TINGKAT:
    for jenis in ("rnn", "lstm"):
        trainer, hasil = latih(jenis, tingkat)
        runs[jenis, tingkat] = (trainer, hasil)
        s = hasil.summary
        print(
            f"{tingkat:9s} {jenis:5s}: akurasi uji {format_percent(s['test_accuracy'], 1):>6} "
            f"({format_int(trainer.num_params)} parameter, {format_float(s['wall_time_s'], 0)} dtk)"
        )

# %% [markdown]
# ## Akurasi terhadap jarak
#
# Garis putus-putus adalah tebakan acak (25 %). Dengan pelatihan penuh di ketiga tingkat,
# yang biasanya terlihat: dengan jarak beberapa langkah keduanya sempurna; sekitar 30
# langkah RNN masih bisa, walau lebih lambat; pada jarak lebih dari 50 langkah RNN jatuh ke
# tebakan acak, sementara LSTM bertahan. Akurasi run ini dicetak di atas.

# %%
jarak = [jarak_rata2(t) for t in TINGKAT]
fig, (ax1, ax2) = plt.subplots(1, 2, figsize=(10, 4))
for jenis, warna in (("rnn", "tab:red"), ("lstm", "tab:blue")):
    akurasi = [runs[jenis, t][1].summary["test_accuracy"] for t in TINGKAT]
    ax1.plot(jarak, akurasi, marker="o", color=warna, label=jenis.upper())
    for t, ls in zip(TINGKAT, ("-", "--", ":"), strict=False):
        riwayat = runs[jenis, t][1].history
        ax2.plot(
            [r["epoch"] for r in riwayat],
            [r["test_accuracy"] for r in riwayat],
            ls=ls,
            marker=".",
            color=warna,
            label=f"{jenis.upper()} {t}",
        )
for ax in (ax1, ax2):
    ax.axhline(0.25, color="gray", ls="--", lw=1)
    ax.set_ylim(0, 1.05)
    ax.set_ylabel("akurasi uji")
    ax.grid(alpha=0.3)
    ax.legend(fontsize=8)
for x_, t in zip(jarak, TINGKAT, strict=True):
    ax1.annotate(t, (x_, 0.05), ha="center")
ax1.set_xlabel("jarak rata-rata simbol relevan pertama ke akhir (langkah)")
ax1.set_title("Akurasi akhir terhadap jarak")
ax2.set_xlabel("epoch")
ax2.xaxis.set_major_locator(MaxNLocator(integer=True))  # whole epochs
ax2.set_title("Kurva belajar per tingkat")
plt.show()

# %% [markdown]
# ## Gradien terhadap masukan awal
#
# Sekarang kita ukur langsung seberapa besar sinyal dari setiap langkah masukan sampai ke
# keputusan. Untuk logit kelas yang benar $z_y$, kita hitung dengan `jax.grad` gradien
# terhadap **seluruh urutan masukan** sekaligus, lalu normanya per langkah:
#
# $$s_t = \left\| \frac{\partial z_y}{\partial x_t} \right\|_2 ,$$
#
# dirata-ratakan atas beberapa urutan uji. Sumbu mendatar adalah jarak ke akhir urutan
# ($T - 1 - t$). Kita bandingkan model **sebelum** pelatihan dan **sesudah** pelatihan pada
# tingkat tersulit. Sumbu tegak logaritmik: garis lurus yang turun berarti peluruhan
# eksponensial.


# %%
def norma_gradien(model, x, y):
    """s_t = ||d z_y / d x_t|| per urutan: x (B, T, D), y (B,) -> (B, T)."""

    def logit_benar(x):
        logits = model(x)  # (B, K)
        return jnp.take_along_axis(logits, y[:, None], axis=1).sum()

    g = jax.grad(logit_benar)(x)  # (B, T, D), sama bentuknya dengan x
    return np.asarray(jnp.linalg.norm(g, axis=-1))  # (B, T)


tersulit = TINGKAT[-1]
uji = runs["lstm", tersulit][0].dataset.test.arrays
x_uji, y_uji = jnp.asarray(uji["input"][:256]), jnp.asarray(uji["label"][:256])
simbol = np.where(uji["input"][:256].sum(-1) > 0, uji["input"][:256].argmax(-1), -1)  # (B, T)
t_akhir = simbol.shape[1] - 1
posisi_xy = np.argsort((simbol > 1) | (simbol < 0), axis=1, kind="stable")[:, :2]  # (B, 2)

model_uji = {}
for jenis in ("rnn", "lstm"):
    trainer, hasil = runs[jenis, tersulit]
    model_uji[jenis, "awal"] = SequenceClassifier(jenis, 8, 32, num_classes=4, rngs=nnx.Rngs(0))
    model_uji[jenis, "terlatih"] = nnx.merge(
        trainer.fns.eval_graphdef, hasil.state.params, hasil.state.rest
    )
norma = {k: norma_gradien(m, x_uji, y_uji) for k, m in model_uji.items()}

fig, axes = plt.subplots(1, 2, figsize=(10, 4.2), sharey=True)
for ax, tahap in zip(axes, ("awal", "terlatih"), strict=True):
    for jenis, warna in (("rnn", "tab:red"), ("lstm", "tab:blue")):
        s = norma[jenis, tahap].mean(axis=0)  # (T,) rata-rata atas urutan
        ax.semilogy(t_akhir - np.arange(len(s)), s, color=warna, label=jenis.upper())
    for k in range(2):  # arsir rentang jarak tempat X/Y pertama dan kedua berada
        d = t_akhir - posisi_xy[:, k]
        ax.axvspan(d.min() - 0.5, d.max() + 0.5, color="gold", alpha=0.25)
    ax.set_xlabel("jarak ke akhir urutan T - 1 - t (langkah)")
    ax.set_title(f"{'sebelum' if tahap == 'awal' else 'sesudah'} pelatihan ({tersulit})")
    ax.invert_xaxis()
    ax.grid(alpha=0.3, which="both")
    ax.legend()
axes[0].set_ylabel(r"$\|\partial z_y / \partial x_t\|$ (log)")
fig.suptitle("Gradien logit kelas benar per langkah masukan (kuning: posisi X/Y)")
plt.show()

# %% [markdown]
# Dua angka merangkum gambar itu: **faktor peluruhan per langkah** sebelum pelatihan (dari
# kemiringan garis di skala log), dan **berapa bagian sinyal yang sampai** dari simbol
# relevan pertama, dibandingkan dengan dari langkah terakhir.

# %%
jarak_ke_akhir = t_akhir - np.arange(t_akhir + 1)
tengah = (jarak_ke_akhir > 2) & (jarak_ke_akhir < min(40, t_akhir - 1))
faktor = {}
for (jenis, tahap), g in norma.items():
    s = g.mean(axis=0)  # (T,)
    miring = np.polyfit(jarak_ke_akhir[tengah], np.log(s[tengah] + 1e-30), 1)[0]
    rasio = np.median(g[np.arange(256), posisi_xy[:, 0]] / g[:, -1])
    faktor[jenis, tahap] = float(np.exp(miring))
    print(
        f"{jenis.upper():4s} {tahap:8s}: faktor per langkah ≈ {format_float(np.exp(miring), 2)}, "
        f"sinyal dari X/Y pertama / sinyal dari E ≈ {rasio:.1e}"
    )

# %% [markdown]
# Yang terlihat:
#
# - **Sebelum pelatihan** kedua model meluruh secara eksponensial: setiap langkah mundur
#   mengalikan gradien dengan faktor < 1, dan sinyal dari simbol relevan pertama sudah
#   belasan orde besaran lebih kecil. Dengan gerbang lupa $f_t \approx \sigma(0) = 0{,}5$,
#   LSTM yang belum dilatih juga pelupa, hanya sedikit lebih lambat.
# - LSTM bisa keluar dari situ: sinyal dari simbol kedua (lebih dekat) cukup untuk mulai
#   belajar menahan isi sel ($f_t \to 1$), dan setiap kenaikan $f_t$ membuat sinyal dari
#   jarak yang lebih jauh ikut sampai.
# - **Sesudah pelatihan penuh** pada tingkat tersulit (`moderate`), kurva LSTM datar (faktor
#   per langkah ≈ 1; angka run ini dicetak di atas): sinyal dari 50–70
#   langkah ke belakang tiba tanpa meluruh, dan kurvanya secara keseluruhan jauh lebih tinggi
#   daripada RNN. RNN terlatih masih meluruh (faktor < 1), sinyal dari X/Y pertama
#   kira-kira sepuluh kali lebih lemah (relatif terhadap `E`) daripada pada LSTM, dan
#   akurasinya tetap di tingkat tebakan. Pelajaran berikutnya membuka LSTM itu dan melihat
#   keadaannya.

# %% [markdown]
# ## Latihan
#
# **Latihan 1.** Tulis satu langkah RNN: dari `x` (B, D), `h` (B, H), `W_ih` (D, H),
# `W_hh` (H, H) dan `b` (H,), kembalikan $h_t$ (B, H). Pemeriksa membandingkannya dengan
# `Cell("rnn")` milik `dljax` yang memakai bobot yang sama.


# %%
def langkah_rnn(x, h, W_ih, W_hh, b):
    # TODO
    return None


_ = latihan.check_rnn_step(langkah_rnn)

# %% [markdown]
# **Latihan 2.** BPTT secara manual. Diberikan `W_hh` (H, H) dan keadaan `hs` (T, H)
# $= h_1, \ldots, h_T$ sebuah RNN $\tanh$, kembalikan Jacobian
# $\partial h_T / \partial h_0 = J_T \cdots J_1$ dengan
# $J_t = \mathrm{diag}(1 - h_t^2)\, W_{hh}^\top$ (entri $[i, j] = \partial h_T[i] / \partial
# h_0[j]$). Setelah benar, coba hitung normanya untuk `W_hh` kecil dan besar.


# %%
def rantai_jacobian(W_hh, hs):
    # TODO
    return None


_ = latihan.check_jacobian_chain(rantai_jacobian)

# %% [markdown]
# **Latihan 3.** Dari id simbol `simbol` (n, T) (X = 0, Y = 1, *padding* = -1, `E` di posisi
# terakhir), hitung untuk setiap urutan jarak dari simbol relevan **pertama** ke posisi
# terakhir. Bandingkan rata-ratanya dengan `jarak_rata2(...)` di atas.


# %%
def jarak_relevan(simbol):
    # TODO
    return None


_ = latihan.check_gap(jarak_relevan)

# %% [markdown]
# ## Ringkasan
#
# - RNN membawa keadaan $h_t = \tanh(x_t W_{ih} + h_{t-1} W_{hh} + b)$ dengan bobot yang sama
#   di setiap langkah; `dljax` menjalankannya dengan `lax.scan`.
# - BPTT mengalikan $T - k$ Jacobian $\mathrm{diag}(1 - h_t^2) W_{hh}^\top$: gradien ke
#   masukan yang jauh menghilang (atau meledak) secara eksponensial.
# - LSTM menyimpan memori di sel $c_t = f_t \odot c_{t-1} + i_t \odot g_t$; dengan
#   $f_t \approx 1$ gradien mengalir tanpa meluruh.
# - Pada tugas urutan temporal, RNN gagal ketika jaraknya puluhan langkah, LSTM tetap
#   menyelesaikannya; `jax.grad` terhadap masukan memperlihatkan sebabnya.
# - Coba sendiri: `dljax train gru --set data.difficulty=moderate`, atau tingkat `hard`
#   dengan epoch lebih banyak.
#
# Angka kunci eksekusi ini:

# %%
print_key_numbers(
    {
        **{
            f"{tingkat} (jarak ≈ {format_float(jarak_rata2(tingkat), 0)}): akurasi uji RNN / LSTM": " / ".join(
                format_percent(runs[j, tingkat][1].summary["test_accuracy"], 1)
                for j in ("rnn", "lstm")
            )
            for tingkat in TINGKAT
        },
        f"faktor per langkah sesudah pelatihan ({tersulit}), RNN / LSTM": f"{format_float(faktor['rnn', 'terlatih'], 2)}"
        f" / {format_float(faktor['lstm', 'terlatih'], 2)}",
    }
)
