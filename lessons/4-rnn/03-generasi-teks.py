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
# [![Buka di Colab](https://colab.research.google.com/assets/colab-badge.svg)](https://colab.research.google.com/github/dljax/dljax/blob/main/lessons/4-rnn/03-generasi-teks.ipynb)
#
# # 4.3 Menulis puisi huruf demi huruf: model bahasa tingkat karakter
#
# Sebuah LSTM yang membaca teks satu karakter demi satu karakter dan menebak **karakter
# berikutnya** adalah *model bahasa*. Setelah dilatih, ia bisa **menulis**: tebak satu
# karakter, masukkan kembali sebagai masukan, ulangi. Kita melatihnya pada puisi-puisi
# Chairil Anwar, lalu membiarkannya menulis dengan beberapa **temperatur**.
#
# Yang dipelajari:
#
# - kosakata karakter, jendela teks, dan *loss* prediksi karakter berikutnya (dalam nat per
#   karakter) dibandingkan dengan *baseline* frekuensi karakter;
# - model `char_lstm` (embedding → LSTM → proyeksi) dengan mesin pelatihan `dljax`;
# - *softmax* dengan temperatur: dari selalu memilih yang paling mungkin sampai acak total;
# - pembangkitan teks yang biayanya **linear** dalam panjang teks, karena keadaan LSTM
#   dibawa maju.

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
from matplotlib.ticker import MaxNLocator

from dljax.data import ArraySource
from dljax.data.text import TextDataset, chairil_anwar_text, char_dataset
from dljax.exercises import rnn as latihan
from dljax.formatting import format_float, format_int, format_percent
from dljax.lesson import FAST, budget, print_epochs, print_key_numbers
from dljax.recipes import build_config
from dljax.train import Trainer, sample_text

# %% [markdown]
# ## Korpus
#
# Puisi-puisi Chairil Anwar tidak disertakan di dalam `dljax`. `chairil_anwar_text()`
# memakai berkas `chairilanwar.txt` di folder data kursus (`shared/data/`, atau folder yang
# ditunjuk `$DLJAX_SHARED_DATA`) bila ada; kalau tidak dan ada internet, ia mengunduhnya
# (checksum MD5 diperiksa); kalau tidak juga, ia memakai korpus Indonesia bawaan `dljax`
# (tulisan tentang kursus ini) sehingga semua langkah di bawah tetap berjalan.
#
# Kamu bisa memakai **berkas teks UTF-8 apa pun**: ganti sel di bawah dengan
# `teks = dljax.data.text.read_text_file("puisiku.txt")`, atau dari terminal
# `dljax train char_lstm --text puisiku.txt`.

# %%
teks, sumber = chairil_anwar_text(download=not FAST)
print(f"Sumber teks: {sumber}")
print(f"{format_int(len(teks))} karakter, {len(set(teks))} karakter berbeda\n")
print(teks[:240])

# %% [markdown]
# ## Dari teks ke bilangan
#
# Setiap karakter berbeda mendapat satu id (urut menurut kode Unicode): itulah kosakata,
# dengan $V$ karakter. `char_dataset` memotong teks menjadi **jendela** berisi
# `seq_len + 1` id: model membaca `seq_len` karakter pertama dan di setiap posisi menebak
# karakter berikutnya. 10 % terakhir teks disisihkan sebagai data uji (*held-out*), tanpa
# jendela yang melintasi batasnya.
#
# Jendela yang berurutan bergeser satu karakter, jadi hampir sama isinya; agar satu epoch
# tidak terlalu panjang kita hanya memakai setiap jendela ke-`LOMPAT`.

# %%
SEQ_LEN = budget(64, 32)
LOMPAT = budget(4, 32)
penuh = char_dataset(teks, seq_len=SEQ_LEN)
vocab = penuh.vocab
data = TextDataset(
    penuh.info,
    ArraySource({"tokens": penuh.train.arrays["tokens"][::LOMPAT]}),
    ArraySource({"tokens": penuh.test.arrays["tokens"][:: budget(4, 16)]}),
    vocab,
    SEQ_LEN,
)
print("kosakata:", repr(vocab.chars[:60]), "..." if vocab.size > 60 else "")
print(
    f"V = {vocab.size}; jendela latih {format_int(len(data.train))}, jendela uji {format_int(len(data.test))}"
)
contoh = data.train.arrays["tokens"][0]
print("satu jendela (id):", contoh[:12], "...")
print("masukan :", repr(vocab.decode(contoh[:-1])[:40]))
print("sasaran :", repr(vocab.decode(contoh[1:])[:40]))

# %% [markdown]
# ## *Baseline*: seberapa baik tanpa konteks?
#
# Loss model bahasa adalah *cross-entropy* rata-rata per karakter (dalam nat):
#
# $$L = -\frac{1}{N} \sum_{t=1}^{N} \log p_\theta(x_{t} \mid x_{<t}).$$
#
# Dua pembanding tanpa jaringan saraf:
#
# - **seragam**: setiap karakter berpeluang $1/V$, jadi $L = \log V$;
# - **unigram**: peluang setiap karakter = frekuensinya di data latih, tanpa melihat
#   karakter sebelumnya.
#
# Model yang berguna harus jauh di bawah unigram. $e^{L}$ disebut *perplexity*: banyaknya
# pilihan yang "setara" di setiap langkah.

# %%
n_uji = int(len(teks) * 0.1)
id_latih = vocab.encode(teks[: len(teks) - n_uji])
id_uji = vocab.encode(teks[len(teks) - n_uji :])
frekuensi = (np.bincount(id_latih, minlength=vocab.size) + 1) / (len(id_latih) + vocab.size)
loss_seragam = np.log(vocab.size)
loss_unigram = -np.mean(np.log(frekuensi[id_uji]))
print(
    f"seragam: {format_float(loss_seragam, 3)} nat (perplexity {format_float(np.exp(loss_seragam), 1)})"
)
print(
    f"unigram: {format_float(loss_unigram, 3)} nat (perplexity {format_float(np.exp(loss_unigram), 1)})"
)
urut = np.argsort(frekuensi)[::-1][:10]
print("karakter tersering:", [(vocab.chars[i], round(float(frekuensi[i]), 3)) for i in urut])

# %% [markdown]
# ## Model `char_lstm`
#
# $$e_t = E[x_t] \in \mathbb{R}^{d_e}, \qquad (h_t, c_t) = \mathrm{LSTM}(e_t, h_{t-1},
# c_{t-1}), \qquad p_\theta(x_{t+1} \mid x_{\le t}) = \mathrm{softmax}(h_t W + b).$$
#
# Embedding $E$ ($V \times d_e$) mengganti id karakter dengan vektor yang dipelajari. Saat
# pelatihan seluruh jendela diproses sekaligus dengan `lax.scan`; loss-nya rata-rata atas
# semua posisi jendela.

# %%
config = build_config(
    "char_lstm",
    overrides={
        "model.embed": budget(64, 16),
        "model.hidden": budget(256, 32),
        "data.seq_len": SEQ_LEN,
        "data.batch_size": 64,
        "train.epochs": budget(5, 1),
        "train.lr": 3e-3,
        "train.seed": 0,
    },
)
trainer = Trainer(config, dataset=data)
print(f"{format_int(trainer.num_params)} parameter, {trainer.steps_per_epoch} langkah per epoch")
hasil = trainer.fit([print_epochs()])  # one line per epoch: losses, perplexity, seconds

# %%
ep = [r["epoch"] for r in hasil.history]
fig, ax = plt.subplots(figsize=(8, 4))
ax.plot(ep, [r["train_loss"] for r in hasil.history], marker="o", label="latih")
ax.plot(ep, [r["test_loss"] for r in hasil.history], marker="o", label="uji (held-out)")
ax.axhline(
    loss_seragam, color="gray", ls=":", label=f"seragam log V = {format_float(loss_seragam, 2)}"
)
ax.axhline(loss_unigram, color="gray", ls="--", label=f"unigram = {format_float(loss_unigram, 2)}")
ax.set_xlabel("epoch")
ax.xaxis.set_major_locator(MaxNLocator(integer=True))  # whole epochs
ax.set_ylabel("cross-entropy (nat per karakter)")
ax.set_title("Kurva belajar char_lstm")
ax.grid(alpha=0.3)
ax.legend()
plt.show()

# %% [markdown]
# Bila loss uji berhenti turun sementara loss latih terus turun, model mulai menghafal teks
# latih (*overfitting*); korpus puisi ini kecil (puluhan ribu karakter), jadi itu cepat
# terjadi pada model besar.

# %% [markdown]
# ## Temperatur
#
# Model memberi logit $z \in \mathbb{R}^V$ untuk karakter berikutnya. Sebelum mengambil
# sampel kita membaginya dengan **temperatur** $T > 0$:
#
# $$p_i(T) = \frac{\exp(z_i / T)}{\sum_{j=1}^{V} \exp(z_j / T)} .$$
#
# - $T = 1$: distribusi model apa adanya;
# - $T < 1$: yang sudah besar makin besar, distribusi makin tajam; $T \to 0$ berarti selalu
#   memilih $\arg\max_i z_i$ (*greedy*, di `dljax` ditulis `temperature=0`);
# - $T > 1$: distribusi makin rata; $T \to \infty$ mendekati seragam.
#
# Entropi $H = -\sum_i p_i \log p_i$ mengukur seberapa "ragu" distribusinya: 0 untuk satu
# pilihan pasti, $\log V$ untuk seragam. Lihat distribusi karakter sesudah awalan `"Aku "`.

# %%
model = nnx.merge(trainer.fns.eval_graphdef, hasil.state.params, hasil.state.rest)
awalan = "Aku " if all(c in vocab for c in "Aku ") else teks[:4]
_, logit = model.prefill(jnp.asarray(vocab.encode(awalan))[None])  # (1, V)
logit = logit[0]

suhu = [0.5, 1.0, 1.5]
teratas = np.argsort(np.asarray(logit))[::-1][:15]
fig, axes = plt.subplots(3, 1, figsize=(9, 6.6), sharex=True, sharey=True)
for ax, t in zip(axes, suhu, strict=True):
    p = np.asarray(jax.nn.softmax(logit / t))
    ax.bar(range(15), p[teratas])
    h = float(jax.scipy.special.entr(p).sum())
    ax.set_title(f"T = {format_float(t, 1)}: entropi {format_float(h, 2)} nat", fontsize=10)
    ax.set_ylabel("peluang")
axes[-1].set_xticks(range(15), [repr(vocab.chars[i])[1:-1] or "?" for i in teratas])
axes[-1].set_xlabel(f"15 karakter berikutnya yang paling mungkin sesudah {awalan!r}")
plt.tight_layout()
plt.show()

semua_t = np.linspace(0.05, 3, 60)
entropi = [float(jax.scipy.special.entr(jax.nn.softmax(logit / t)).sum()) for t in semua_t]
fig, ax = plt.subplots(figsize=(6, 3.5))
ax.plot(semua_t, entropi)
ax.axhline(np.log(vocab.size), color="gray", ls=":", label="log V (seragam)")
ax.set_xlabel("temperatur T")
ax.set_ylabel("entropi (nat)")
ax.set_title("Temperatur mengatur keragaman")
ax.grid(alpha=0.3)
ax.legend()
plt.show()

# %% [markdown]
# ## Menulis
#
# `sample_text(trainer, awalan, panjang, temperature=T, seed=...)` memproses awalan satu kali,
# lalu mengulang: ambil sampel satu karakter dari $p(T)$, masukkan ke LSTM satu langkah,
# begitu seterusnya. Seed yang sama memberi teks yang sama.
#
# Di bawah setiap tulisan dua angka: bagian **kata** tulisan itu yang juga muncul di korpus
# (kata karangan sendiri tidak), dan banyaknya kata berbeda (keragaman).

# %%
PANJANG = budget(300, 60)
kata_korpus = set(teks.split())
per_suhu = {}
for t in (0.0, 0.5, 1.0, 1.5):
    tulisan = sample_text(trainer, awalan, PANJANG, temperature=t, seed=0)
    kata = (awalan + tulisan).split()
    nyata = sum(k in kata_korpus for k in kata) / max(len(kata), 1)
    per_suhu[t] = (nyata, len(set(kata)))
    print(f"===== T = {format_float(t, 1)} =====\n{awalan}{tulisan}")
    print(f"--> {format_percent(nyata)} kata ada di korpus, {len(set(kata))} kata berbeda\n")

# %% [markdown]
# Apa yang diubah temperatur:
#
# - **T = 0** (*greedy*): dari keadaan yang sama selalu dipilih karakter yang sama, jadi
#   tulisannya cenderung terjebak mengulang frasa yang sama.
# - **T < 1**, mis. 0,5: distribusi dipertajam; karakter yang sering makin sering. Pada model
#   yang sudah terlatih, inilah tulisan yang paling mirip gaya korpusnya, tetapi sedikit
#   monoton.
# - **T = 1**: sampel dari distribusi yang dipelajari apa adanya, dengan sesekali kata
#   karangan sendiri.
# - **T = 1,5**: karakter yang jarang ikut terpilih; ejaan mulai rusak dan bagian kata yang
#   ada di korpus biasanya turun.
#
# Seberapa jelas pola itu terlihat di tulisan di atas bergantung pada seberapa jauh loss uji
# model kita sudah turun di bawah unigram.
# Model hanya melihat karakter, tidak pernah diberi tahu apa itu "kata" atau "baris": spasi,
# huruf kapital di awal baris dan jeda bait semuanya dipelajari dari data.

# %% [markdown]
# ## Waktunya sebanding dengan panjang teks
#
# Cara naif menulis $n$ karakter adalah menjalankan ulang seluruh teks yang sudah ada untuk
# setiap karakter baru: $1 + 2 + \cdots + n = O(n^2)$ langkah LSTM. Tetapi keadaan
# $(h_t, c_t)$ sudah merangkum seluruh masa lalu, jadi cukup **membawanya maju**: satu
# langkah per karakter, $O(n)$. `dljax` melakukannya di dalam `lax.scan` yang dikompilasi
# sekali per panjang. Kita ukur (sesudah kompilasi): bila biayanya linear, teks 4× lebih
# panjang butuh kira-kira 4× lebih lama.


# %%
def waktu_tulis(panjang, ulang=7):
    sample_text(trainer, awalan, panjang, temperature=1.0, seed=0)  # kompilasi
    catatan = []
    for i in range(ulang):
        mulai = time.perf_counter()
        sample_text(trainer, awalan, panjang, temperature=1.0, seed=i)
        catatan.append(time.perf_counter() - mulai)
    return min(catatan)  # yang tercepat: paling sedikit terganggu program lain


pendek, panjang = budget(100, 50), budget(400, 200)
w1, w4 = waktu_tulis(pendek), waktu_tulis(panjang)
print(
    f"{pendek} karakter: {format_float(w1 * 1000, 1)} ms | {panjang} karakter: {format_float(w4 * 1000, 1)} ms"
)
print(f"rasio waktu {format_float(w4 / w1, 1)}× untuk teks {panjang // pendek}× lebih panjang")

# %% [markdown]
# Untuk teks yang sangat pendek, ongkos tetap (memanggil fungsi, menyalin hasil) ikut
# terhitung, sehingga rasionya bisa di bawah 4; di komputer yang sedang sibuk angkanya
# naik-turun, jadi ulangi sel ini bila rasionya jauh dari 4.

# %% [markdown]
# ## Latihan
#
# **Latihan 1.** Tulis *softmax* dengan temperatur: dari `logits` (B, V) dan `temperature`
# $> 0$, kembalikan peluang (B, V). Harus stabil untuk logit besar (mis. 800).


# %%
def softmax_suhu(logits, temperature):
    # TODO
    return None


_ = latihan.check_softmax_temperature(softmax_suhu)

# %% [markdown]
# **Latihan 2.** Tulis entropi $H(p) = -\sum_i p_i \log p_i$ (dalam nat) untuk setiap baris
# `probs` (B, V), dengan $0 \log 0 = 0$. Lalu pakai bersama fungsi latihan 1 untuk
# menggambar ulang kurva entropi terhadap temperatur.


# %%
def entropi_baris(probs):
    # TODO
    return None


_ = latihan.check_entropy(entropi_baris)

# %% [markdown]
# **Latihan 3.** *Baseline* yang lebih kuat dari unigram: **bigram**, yang melihat satu
# karakter sebelumnya. Dari id latih dan id uji, hitung loss uji (nat per karakter) dengan
# pemulusan tambah-satu:
#
# $$p(b \mid a) = \frac{N(a, b) + 1}{N(a) + V}, \qquad N(a) = \sum_b N(a, b),$$
#
# dengan $N(a, b)$ banyaknya pasangan berurutan $(a, b)$ di data latih, dan loss rata-rata
# $-\log p(b \mid a)$ atas pasangan berurutan di data uji. Setelah benar, hitung
# `bigram_loss(id_latih, id_uji, vocab.size)` dan bandingkan dengan unigram dan LSTM.


# %%
def bigram_loss(id_latih, id_uji, V):
    # TODO
    return None


_ = latihan.check_bigram_loss(bigram_loss)

# %% [markdown]
# ## Ringkasan
#
# - Model bahasa tingkat karakter menebak karakter berikutnya; loss-nya *cross-entropy* per
#   karakter, dibandingkan dengan $\log V$ (seragam) dan unigram.
# - `char_lstm` = embedding → LSTM → proyeksi, dilatih dengan mesin `dljax` pada jendela
#   teks; `Trainer(config, dataset=data)` menerima dataset teks apa pun (berkas UTF-8 mana
#   saja, mis. `dljax train char_lstm --text BERKAS`).
# - Temperatur $T$ membagi logit sebelum *softmax*: $T \to 0$ *greedy* dan berulang,
#   $T = 1$ distribusi model, $T > 1$ makin acak; entropi naik bersama $T$.
# - Menulis dengan membawa keadaan $(h_t, c_t)$ maju berbiaya $O(n)$, bukan $O(n^2)$.
#
# Angka kunci eksekusi ini:

# %%
akhir = hasil.history[-1]
print_key_numbers(
    {
        "loss seragam / unigram (nat per karakter)": f"{format_float(loss_seragam, 3)} / "
        f"{format_float(loss_unigram, 3)}",
        "char_lstm: loss uji (perplexity)": f"{format_float(akhir['test_loss'], 3)} "
        f"({format_float(akhir['test_perplexity'], 2)})",
        "parameter, epoch": f"{format_int(trainer.num_params)}, {akhir['epoch']}",
        **{
            f"T = {format_float(t, 1)}: kata ada di korpus": format_percent(nyata)
            for t, (nyata, _) in per_suhu.items()
        },
        f"waktu tulis {panjang} / {pendek} karakter": f"{format_float(w4 / w1, 1)}×",
    }
)
