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
# [![Buka di Colab](https://colab.research.google.com/assets/colab-badge.svg)](https://colab.research.google.com/github/dljax/dljax/blob/main/lessons/7-transformer/02-gpt.ipynb)
#
# # 7.2 GPT yang menulis bahasa Indonesia
#
# Kita menyusun blok perhatian dari pelajaran 7.1 menjadi **GPT** kecil (*decoder-only
# transformer*, seperti nanoGPT) yang menebak karakter berikutnya, melatihnya pada tulisan
# kursus ini sendiri, lalu membiarkannya menulis. Di akhir kita bandingkan dengan `char_lstm`
# dari bab 4 pada teks dan anggaran waktu yang sama.
#
# Yang dipelajari:
#
# - blok transformer *pre-LayerNorm*: perhatian kausal + MLP, masing-masing dengan jalur
#   pintas (*residual*);
# - posisi *rotary* dan embedding yang **diikat** (*weight tying*) dengan proyeksi keluaran;
# - menulis dengan **cache kunci/nilai**: awalan diproses sekali, lalu satu token per langkah
#   di dalam `lax.scan`, jauh lebih cepat daripada mengulang seluruh awalan;
# - temperatur dan *top-k*;
# - GPT vs LSTM dengan anggaran waktu yang sama.

# %%
import sys

if "google.colab" in sys.modules:
    import subprocess

    subprocess.run(
        [sys.executable, "-m", "pip", "install", "-q", "git+https://github.com/dljax/dljax"],
        check=True,
    )

# %%
import time

import jax
import jax.numpy as jnp
import matplotlib.pyplot as plt
import numpy as np
from flax import nnx

from dljax.data.text import char_dataset, embedded_corpus
from dljax.exercises import transformer as latihan
from dljax.formatting import format_float, format_int
from dljax.lesson import FAST, budget, print_epochs, print_key_numbers
from dljax.models.gpt import GPT, generate_by_rerunning
from dljax.recipes import build_config
from dljax.train import Trainer, sample_text

# %% [markdown]
# ## Korpus: tulisan kursus ini
#
# Korpus bawaan `dljax` berisi dua bagian: tulisan pendek tentang kursus (`kursus.txt`) dan
# seluruh prosa pelajaran-pelajarannya (`pelajaran.txt`: sel markdown semua pelajaran, tanpa
# kode dan rumus blok, dibangun ulang dengan `make corpus`). Jadi GPT kita belajar menulis
# **seperti kursus ini**. Kamu bisa memakai berkas teks UTF-8 lain: `char_dataset(teks)` di
# sini, atau `dljax train gpt --text BERKAS` dari terminal.

# %%
teks = embedded_corpus()
print(f"{format_int(len(teks))} karakter, {len(set(teks))} karakter berbeda")
print(teks[9000:9400])

# %% [markdown]
# Jendela berurutan bergeser satu karakter sehingga isinya hampir sama; agar satu epoch
# tidak terlalu panjang kita memulai jendela setiap `LOMPAT` karakter (`data.stride` di
# `dljax train`). Setiap karakter tetap ikut dilatih selama `LOMPAT` $\le$ `SEQ_LEN`, di
# kedua mode.

# %%
SEQ_LEN = budget(64, 32)
LOMPAT = 20
assert LOMPAT <= SEQ_LEN, "every character must fall inside some training window"
data = char_dataset(teks, seq_len=SEQ_LEN, stride=LOMPAT)
vocab = data.vocab
print(
    f"V = {vocab.size}; jendela latih {format_int(len(data.train))}, uji {format_int(len(data.test))}"
)

n_uji = int(len(teks) * 0.1)
id_latih, id_uji = vocab.encode(teks[:-n_uji]), vocab.encode(teks[-n_uji:])
frekuensi = (np.bincount(id_latih, minlength=vocab.size) + 1) / (len(id_latih) + vocab.size)
loss_unigram = float(-np.mean(np.log(frekuensi[id_uji])))
print(f"baseline unigram: {format_float(loss_unigram, 3)} nat per karakter")

# %% [markdown]
# ## Arsitektur
#
# $$h_0 = E[x], \qquad h_{\ell}' = h_{\ell-1} + \mathrm{Attn}(\mathrm{LN}(h_{\ell-1})),
# \qquad h_\ell = h_\ell' + \mathrm{MLP}(\mathrm{LN}(h_\ell')), \qquad
# \mathrm{logit} = \mathrm{LN}(h_L)\, E^\top .$$
#
# - **Pre-LN**: *LayerNorm* dipasang **sebelum** perhatian dan MLP, bukan sesudahnya; jalur
#   pintas $h + \ldots$ tetap bersih sehingga gradien mengalir lancar melalui banyak blok.
# - **Rotary** (RoPE, Su dkk. 2021): $q$ dan $k$ setiap head diputar dengan sudut sebanding
#   dengan posisinya (rumusnya di bawah), sehingga skor $q_t \cdot k_s$ bergantung pada
#   posisi $t$ dan $s$ hanya lewat selisihnya $s - t$. Tidak ada tabel posisi yang
#   dipelajari, dan cache bisa berjalan melewati panjang jendela latih.
# - **Weight tying**: matriks embedding $E$ ($V \times D$) juga dipakai sebagai proyeksi
#   keluaran ($E^\top$), menghemat $V \cdot D$ parameter.
# - *Dropout* pada keluaran perhatian dan MLP selama pelatihan.
#
# **Rumus rotary.** Vektor $q_t \in \mathbb R^d$ (satu head, posisi $t$) dibagi menjadi
# $d/2$ pasangan $(q_{t,i},\, q_{t,i+d/2})$, dan pasangan ke-$i$ diputar dengan sudut
# $t\,\theta_i$:
#
# $$\begin{pmatrix} q'_{t,i} \\ q'_{t,i+d/2} \end{pmatrix} =
# \begin{pmatrix} \cos t\theta_i & -\sin t\theta_i \\
# \sin t\theta_i & \cos t\theta_i \end{pmatrix}
# \begin{pmatrix} q_{t,i} \\ q_{t,i+d/2} \end{pmatrix},$$
#
# $$\theta_i = 10000^{-2i/d}, \qquad i = 0, \ldots, d/2 - 1,$$
#
# dan $k_s$ diputar dengan cara yang sama pada posisinya $s$. Tulis semua putaran itu sebagai
# satu matriks ortogonal $R_t$; karena $R_t^\top R_s = R_{s-t}$,
#
# $$q'_t \cdot k'_s = (R_t q_t)^\top (R_s k_s) = q_t^\top R_{s-t}\, k_s .$$
#
# Skornya masih bergantung pada isi $q_t$ dan $k_s$, tetapi pada posisinya hanya lewat
# $s - t$: menggeser seluruh teks tidak mengubah perhatian.

# %%
config = build_config(
    "gpt",
    overrides={
        "model.dim": budget(96, 32),
        "model.depth": budget(3, 2),
        "model.heads": 4,
        "model.dropout": budget(0.1, 0.0),
        "data.seq_len": SEQ_LEN,
        "data.batch_size": 32,
        "train.epochs": budget(3, 1),
        "train.lr": 2e-3,
        "train.warmup_steps": budget(100, 0),
        "train.seed": 0,
    },
)
trainer = Trainer(config, dataset=data)
model0 = trainer.model()
print(f"{format_int(trainer.num_params)} parameter, {trainer.steps_per_epoch} langkah per epoch")
for path, p in nnx.to_flat_state(nnx.state(model0, nnx.Param)):
    if "blocks" not in path or path[1] == 0:  # blok pertama saja, blok lain sama
        print(f"  {'/'.join(map(str, path)):32s} {tuple(p.shape)}")

# %% [markdown]
# Tidak ada `head` keluaran terpisah: logit dihitung dengan `tok.embedding` yang sama.


# %%
hasil = trainer.fit([print_epochs("train_loss", "test_loss")])
waktu_gpt = hasil.history[-1]["time_s"]

# %% [markdown]
# ## Menulis dengan cache kunci/nilai
#
# Cara naif (nanoGPT, juga tutorial miniGPT JAX AI Stack) menjalankan ulang **seluruh**
# awalan untuk setiap token baru: $n$ token berarti $n$ kali *forward* atas sampai `SEQ_LEN`
# posisi. Padahal kunci dan nilai posisi lama tidak berubah (mask kausal!). Jadi kita
# **menyimpannya** di cache berukuran tetap (B, `SEQ_LEN`, H, d) per lapisan: awalan
# diproses sekali (*prefill*), lalu setiap langkah hanya menghitung $q, k, v$ untuk **satu**
# token baru, menulis $k, v$ ke cache, dan memperhatikan seluruh cache. Semua langkah
# berada di satu `lax.scan` yang dikompilasi sekali untuk semua temperatur, dengan kunci
# acak baru per langkah (`jax.random.split`).
#
# Melewati `SEQ_LEN` token, cache menjadi *ring buffer*: posisi $t$ ditulis ke slot
# $t \bmod$ `SEQ_LEN`, sehingga model selalu melihat `SEQ_LEN` token terakhir (rotary
# membuat ini sah: posisi hanya berperan lewat selisihnya).
#
# Selama seluruh teks masih muat dalam satu jendela, kedua cara menghitung hal yang sama,
# jadi dengan $T = 0$ (*greedy*) tokennya harus sama persis. Sesudah itu keduanya boleh
# berbeda: kunci dan nilai di cache dihitung ketika token lama masih melihat konteksnya
# sendiri, sedangkan cara naif menghitung ulang semuanya dari jendela yang sudah dipotong
# (di lapisan kedua dan seterusnya hasilnya tidak sama).

# %%
model = trainer.model()
graphdef, state = nnx.split(model)
awalan = "Kita"
prompt = jnp.asarray(vocab.encode(awalan))[None]  # (1, T)
PANJANG = budget(500, 100)


def tulis_dengan(fungsi):
    @jax.jit
    def jalan(state, key, temperature):
        m = nnx.merge(graphdef, state)
        return fungsi(m, prompt, PANJANG, key, temperature=temperature)

    return jalan


cepat, lambat = tulis_dengan(GPT.generate), tulis_dengan(generate_by_rerunning)
a = cepat(state, jax.random.key(0), 0.0)
b = lambat(state, jax.random.key(0), 0.0)
DALAM_JENDELA = SEQ_LEN - prompt.shape[1]  # tokens generated while the text fits one window
sama = bool(jnp.all(a[:, :DALAM_JENDELA] == b[:, :DALAM_JENDELA]))
print(f"{DALAM_JENDELA} token pertama sama persis (greedy):", sama)
print("token yang sama dari seluruh", PANJANG, "token:", int(jnp.sum(a == b)))

waktu = {}
for nama, f in (("cache kunci/nilai", cepat), ("ulang awalan", lambat)):
    f(state, jax.random.key(1), 1.0).block_until_ready()
    catatan = []
    for i in range(3):
        mulai = time.perf_counter()
        f(state, jax.random.key(i), 1.0).block_until_ready()
        catatan.append(time.perf_counter() - mulai)
    waktu[nama] = min(catatan)
    print(f"{nama:18s}: {format_float(waktu[nama] * 1000, 1)} ms untuk {PANJANG} karakter")
percepatan = waktu["ulang awalan"] / waktu["cache kunci/nilai"]
print(f"cache {format_float(percepatan, 1)}× lebih cepat")

# %% [markdown]
# ## Temperatur dan *top-k*
#
# Seperti di pelajaran 4.3, logit dibagi temperatur $T$ sebelum *softmax*. *Top-k* membuang
# semua karakter kecuali $k$ yang paling mungkin sebelum mengambil sampel: ekor distribusi
# yang berisi karakter aneh tidak pernah terpilih. `sample_text` memanggil `GPT.generate`
# yang sama (dan `dljax sample RUN --prompt ... --top-k 10` dari terminal).

# %%
for t, k in ((0.0, 0), (0.5, 0), (1.0, 0), (1.0, 10), (1.5, 0)):
    tulisan = sample_text(trainer, awalan, budget(300, 60), temperature=t, top_k=k, seed=0)
    print(f"===== T = {format_float(t, 1)}, top-k = {k or 'semua'} =====\n{awalan}{tulisan}\n")

# %% [markdown]
# Model ini dilatih pada tulisan tentang vektor, gradien dan jaringan; setelah pelatihan yang
# cukup, sampelnya memakai kata-kata kursus itu ("model", "data", "lapisan", "gradien").
# Pada $T = 0$ ia cenderung berulang; $T = 1$ dengan *top-k* 10 sering menjadi kompromi yang
# baik. Bandingkan sendiri kelima tulisan di atas.
#
# ## Peta perhatian yang dipelajari
#
# `GPT.attention_maps(token)` mengembalikan bobot perhatian setiap lapisan dan head,
# (L, B, H, T, T). Kita lihat lapisan pertama pada sebuah kalimat.

# %%
kalimat = "Kita melatih model."
kalimat = "".join(c for c in kalimat if c in vocab)[:SEQ_LEN]
peta = model.attention_maps(jnp.asarray(vocab.encode(kalimat))[None])  # (L, 1, H, T, T)
n_head = min(4, peta.shape[2])
fig, axes = plt.subplots(2, 2, figsize=(10, 9.5), squeeze=False)
label_sumbu = [c if c != " " else "␣" for c in kalimat]
for h, ax in enumerate(axes.ravel()):
    if h >= n_head:
        ax.axis("off")
        continue
    ax.imshow(peta[0, 0, h], cmap="viridis", vmin=0, vmax=1)
    ax.set_xticks(range(len(kalimat)), label_sumbu, fontsize=10)
    ax.set_yticks(range(len(kalimat)), label_sumbu, fontsize=10)
    ax.set_title(f"lapisan 1, head {h + 1}")
    ax.set_xlabel("karakter yang dilihat")
    ax.set_ylabel("karakter yang melihat")
plt.tight_layout()
plt.show()
diagonal_bawah = np.asarray([np.diagonal(peta[0, 0, h], -1).mean() for h in range(n_head)])
print(
    "bobot rata-rata pada karakter tepat sebelumnya, per head:",
    "; ".join(format_float(b, 2) for b in diagonal_bawah),
    f"(bila merata di semua karakter sebelumnya: ±{format_float(2 / len(kalimat), 2)})",
)

# %% [markdown]
# Segitiga atas selalu nol (mask kausal). Pada model yang terlatih sering muncul head yang
# hampir hanya melihat karakter sebelumnya (diagonal tepat di bawah diagonal utama; angka
# di atas mengukurnya per head), dan head yang melihat spasi atau awal kata.
#
# ## GPT vs LSTM, anggaran waktu yang sama
#
# Kita latih `char_lstm` pada jendela yang sama, dengan parameter kira-kira sebanyak GPT di
# atas, dan hentikan setelah waktunya habis (`waktu_gpt` detik).


# %%
class WaktuHabis(Exception):
    pass


lebar_lstm = budget(256, 64)
config_lstm = build_config(
    "char_lstm",
    overrides={
        "model.embed": 64 if not FAST else 16,
        "model.hidden": lebar_lstm,
        "data.seq_len": SEQ_LEN,
        "data.batch_size": 32,
        "train.epochs": 100,
        "train.lr": 3e-3,
        "train.seed": 0,
    },
)
trainer_lstm = Trainer(config_lstm, dataset=data)
riwayat_lstm = []


def catat(epoch, r):
    riwayat_lstm.append(r)
    if r["time_s"] >= waktu_gpt:
        raise WaktuHabis


try:
    trainer_lstm.fit(progress=False, on_epoch_end=catat)
except WaktuHabis:
    pass
print(
    f"GPT : {format_int(trainer.num_params)} parameter, loss uji "
    f"{format_float(hasil.history[-1]['test_loss'], 3)} nat/karakter dalam {format_float(waktu_gpt, 0)} dtk"
)
print(
    f"LSTM: {format_int(trainer_lstm.num_params)} parameter, loss uji "
    f"{format_float(riwayat_lstm[-1]['test_loss'], 3)} nat/karakter dalam "
    f"{format_float(riwayat_lstm[-1]['time_s'], 0)} dtk"
)

fig, ax = plt.subplots(figsize=(8, 4))
for nama, riwayat in (("GPT", hasil.history), ("char_lstm", riwayat_lstm)):
    ax.plot(
        [r["time_s"] for r in riwayat], [r["test_loss"] for r in riwayat], marker="o", label=nama
    )
ax.axhline(loss_unigram, color="gray", ls="--", label="unigram")
ax.set_xlabel("waktu pelatihan (detik)")
ax.set_ylabel("loss uji (nat per karakter)")
ax.set_title("Loss uji terhadap waktu")
ax.grid(alpha=0.3)
ax.legend()
plt.show()

# %% [markdown]
# Hasil terukur dengan anggaran waktu CPU yang sama untuk keduanya, pada puisi Chairil Anwar,
# ada di `benchmarks/results/transformer.json` (`benchmarks/transformer.py`, juga di halaman
# *Hasil terukur* situs). Pada teks sekecil
# ini dan CPU 2 inti, LSTM tetap lawan yang kuat: satu langkah LSTM murah, sedangkan
# keunggulan transformer (semua posisi dilatih sejajar, konteks panjang yang dilihat
# langsung) paling terasa pada data dan komputer yang jauh lebih besar.
#
# ## Latihan
#
# **Latihan 1.** Tulis penyaring *top-k*: dari `logits` (B, V) dan `k`, kembalikan logit
# yang sama, tetapi semua nilai di bawah nilai terbesar ke-$k$ pada barisnya diganti
# `-inf`.


# %%
def top_k(logits, k):
    # TODO
    return None


_ = latihan.check_top_k(top_k)

# %% [markdown]
# **Latihan 2 (eksplorasi).** Latih ulang dengan `"model.positions": "learned"`. Apa yang
# terjadi bila kamu meminta `sample_text` menulis lebih dari `SEQ_LEN` karakter, dan
# mengapa rotary tidak punya masalah itu?
#
# ## Ringkasan
#
# - GPT = embedding token → $L$ blok pre-LN (perhatian kausal + MLP, dengan *residual*) →
#   LayerNorm → logit lewat embedding yang sama (*weight tying*).
# - Posisi rotary: $q'_t \cdot k'_s = q_t^\top R_{s-t} k_s$ bergantung pada posisi hanya lewat
#   selisihnya.
# - Cache kunci/nilai berukuran tetap: awalan sekali, lalu satu token per langkah di
#   `lax.scan`; selama teks muat dalam satu jendela hasilnya sama persis dengan mengulang
#   awalan, dan jauh lebih cepat.
# - Temperatur dan *top-k* mengatur keragaman sampel.
# - Dengan anggaran waktu kecil di CPU, LSTM bisa menyamai atau mengalahkan GPT kecil.
#
# Angka kunci eksekusi ini:

# %%
print_key_numbers(
    {
        "baseline unigram (nat per karakter)": format_float(loss_unigram, 3),
        "GPT: parameter, loss uji": f"{format_int(trainer.num_params)}; "
        f"{format_float(hasil.history[-1]['test_loss'], 3)} dalam "
        f"{format_float(waktu_gpt, 0)} dtk",
        "char_lstm: parameter, loss uji": f"{format_int(trainer_lstm.num_params)}; "
        f"{format_float(riwayat_lstm[-1]['test_loss'], 3)} dalam "
        f"{format_float(riwayat_lstm[-1]['time_s'], 0)} dtk",
        f"cache kunci/nilai vs ulang awalan ({PANJANG} karakter)": f"{format_float(percepatan, 1)}×",
        f"{DALAM_JENDELA} token pertama sama persis (greedy)": sama,
    }
)
