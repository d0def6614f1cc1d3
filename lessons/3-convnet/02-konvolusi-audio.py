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
# [![Buka di Colab](https://colab.research.google.com/assets/colab-badge.svg)](https://colab.research.google.com/github/dljax/dljax/blob/main/lessons/3-convnet/02-konvolusi-audio.ipynb)
#
# # 3.2 Konvolusi pada suara: mendeteksi nada dengan *matched filter*
#
# Suara adalah sinyal 1-D: tekanan udara yang diukur ribuan kali per detik. Sebuah **nada**
# dengan frekuensi $f$ adalah gelombang sinus yang berulang $f$ kali per detik. Bagaimana
# komputer tahu nada apa yang sedang dimainkan? Salah satu jawaban tertua dari pengolahan
# sinyal adalah **matched filter**: konvolusikan sinyal dengan *templat* dari pola yang dicari;
# keluarannya besar tepat di tempat pola itu muncul.
#
# Itu persis yang dilakukan satu kanal lapisan konvolusi, hanya saja di sini kernelnya kita
# rancang sendiri. Di pelajaran berikutnya jaringan **mempelajari** kernelnya dari data.
#
# Kita memakai melodi sintetis dari `dljax.data.synthetic.tones` (tanpa rekaman, bisa diulang
# dari *seed*): lima nada dari tangga nada pentatonik mulai A3 = 220 Hz, 4 kHz, 0,5 detik,
# dengan empat pola (*kontur*): naik, turun, naik-turun, turun-naik. Setelah pelajaran ini
# kamu bisa:
#
# - membuat dan mendengarkan nada sinus dengan JAX;
# - membangun bank *matched filter* dengan konvolusi 1-D dan membaca *piano roll*-nya
#   (gulungan piano: gambar nada mana yang berbunyi kapan);
# - mendeteksi nada dan kontur melodi tanpa pelatihan, dan melihat seberapa tahan ia
#   terhadap derau.

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
from IPython.display import Audio, display
from jax import lax

from dljax.data.synthetic import BASE_HZ, CONTOURS, NUM_NOTES, PENTATONIC, SAMPLE_RATE, tones
from dljax.exercises import convnet as latihan
from dljax.formatting import format_float, format_percent
from dljax.lesson import budget, print_key_numbers


def dengarkan(wave, rate=SAMPLE_RATE):
    """Pemutar audio di Jupyter (diinterpolasi ke 16 kHz agar semua peramban bisa memutarnya)."""
    wave = np.asarray(wave, dtype=np.float64).ravel()
    t_new = np.arange(int(len(wave) * 16000 / rate)) * rate / 16000
    return Audio(np.interp(t_new, np.arange(len(wave)), wave), rate=16000)


# %% [markdown]
# ## Nada sinus
#
# Nada murni berfrekuensi $f$ Hz yang diambil sampelnya $r$ kali per detik (*sample rate*)
# adalah
#
# $$x[t] = \sin\!\left(2\pi f \frac{t}{r}\right), \qquad t = 0, 1, 2, \ldots$$
#
# Naik satu oktaf berarti frekuensinya dua kali lipat; satu semitone adalah faktor
# $2^{1/12}$. Tangga nada pentatonik memakai semitone $0, 2, 4, 7, 9$ di setiap oktaf.

# %%
r = SAMPLE_RATE
t = jnp.arange(int(0.5 * r)) / r  # 0,5 detik
a3 = jnp.sin(2 * jnp.pi * 220.0 * t)
a4 = jnp.sin(2 * jnp.pi * 440.0 * t)

fig, ax = plt.subplots(figsize=(8, 2.5))
ax.plot(t[:80] * 1000, a3[:80], label="A3 = 220 Hz")
ax.plot(t[:80] * 1000, a4[:80], label="A4 = 440 Hz (satu oktaf lebih tinggi)")
ax.set_xlabel("waktu (ms)")
ax.set_ylabel("amplitudo")
ax.legend(fontsize=8)
ax.grid(alpha=0.3)
fig.tight_layout()
plt.show()
display(dengarkan(a3))

# %% [markdown]
# ## Melodi dari `tones`
#
# `tones(n, seed=...)` mengembalikan gelombang $(n, T, 1)$, label kontur $(n,)$ dan frekuensi
# kelima nadanya $(n, 5)$. Setiap nada punya *envelope* seperti senar yang dipetik, harmonik
# kedua, kekerasan dan fase acak, ditambah derau Gaussian.

# %%
waves, labels, freqs = tones(8, seed=0)
waves = waves[..., 0]  # (n, T)
T = waves.shape[1]
note_len = T // NUM_NOTES
print("bentuk gelombang:", waves.shape, "| sampel per nada:", note_len)

fig, axes = plt.subplots(2, 2, figsize=(10, 4.5), sharex=True, sharey=True)
for c, ax in enumerate(axes.ravel()):
    i = int(np.flatnonzero(labels == c)[0]) if np.any(labels == c) else 0
    ax.plot(np.arange(T) / r, waves[i], lw=0.5)
    hz = ", ".join(f"{format_float(f, 0)}" for f in freqs[i])
    ax.set_title(f"{CONTOURS[labels[i]]}: {hz} Hz", fontsize=9)
for ax in axes[-1]:
    ax.set_xlabel("waktu (detik)")
fig.tight_layout()
plt.show()
for i in range(2):
    print(f"melodi {i}: kontur {CONTOURS[labels[i]]!r}")
    display(dengarkan(waves[i]))

# %% [markdown]
# ## Matched filter
#
# Misalkan kita mencari pola $s$ sepanjang $L$ di dalam sinyal $x$. Korelasi silang
#
# $$y[n] = \sum_{m=0}^{L-1} x[n + m]\; s[m]$$
#
# mengukur seberapa mirip jendela sinyal di posisi $n$ dengan templat $s$ (hasil kali dalam).
# Teorema *matched filter* menyatakan: bila derau bersifat putih (*white noise*), filter
# inilah yang memberi rasio sinyal-terhadap-derau terbesar.
#
# Fase nada tidak kita ketahui, jadi kita pakai **dua** templat untuk setiap frekuensi,
# sinus dan kosinus (dikalikan jendela Hann $h[m]$ agar tepinya halus), dan menjumlahkan
# kuadratnya. Energi nada $f$ di posisi $n$ adalah
#
# $$E_f[n] = \big(x \star h\sin_f\big)[n]^2 + \big(x \star h\cos_f\big)[n]^2,$$
#
# yang tidak bergantung pada fase nada. Dengan 12 frekuensi kandidat kita mendapat 24 kanal:
# satu kali `lax.conv_general_dilated` dengan kernel $(L, 1, 24)$, sama seperti lapisan
# konvolusi 1-D.

# %%
candidates = BASE_HZ * 2.0 ** (PENTATONIC / 12.0)  # (12,) frekuensi kandidat
names = ["A3", "B3", "C#4", "E4", "F#4", "A4", "B4", "C#5", "E5", "F#5", "A5", "B5"]
L = 256  # panjang templat: 64 ms
m = jnp.arange(L) / r
hann = jnp.hanning(L)
sin_bank = hann[:, None] * jnp.sin(2 * jnp.pi * candidates[None, :] * m[:, None])  # (L, 12)
cos_bank = hann[:, None] * jnp.cos(2 * jnp.pi * candidates[None, :] * m[:, None])  # (L, 12)
kernel = jnp.concatenate([sin_bank, cos_bank], axis=1)[:, None, :]  # (L, C_in=1, C_out=24)
kernel = kernel / jnp.sqrt(jnp.sum(hann**2))


@jax.jit
def energi_nada(x):
    """Energi matched filter: gelombang (B, T) -> (B, T, 12)."""
    y = lax.conv_general_dilated(
        x[..., None], kernel, (1,), "SAME", dimension_numbers=("NWC", "WIO", "NWC")
    )  # (B, T, 24)
    return y[..., :12] ** 2 + y[..., 12:] ** 2


fig, axes = plt.subplots(1, 2, figsize=(10, 3))
axes[0].plot(
    np.asarray(m) * 1000, sin_bank[:, 0], label=f"sin, {format_float(candidates[0], 0)} Hz"
)
axes[0].plot(
    np.asarray(m) * 1000, cos_bank[:, 0], label=f"cos, {format_float(candidates[0], 0)} Hz"
)
axes[0].set_title("Dua templat untuk satu nada")
axes[0].set_xlabel("ms")
axes[0].legend(fontsize=8)
axes[1].plot(
    np.asarray(m) * 1000,
    sin_bank[:, 5],
    color="C2",
    label=f"sin, {format_float(candidates[5], 0)} Hz",
)
axes[1].set_title("Templat nada lain")
axes[1].set_xlabel("ms")
axes[1].legend(fontsize=8)
fig.tight_layout()
plt.show()

# %% [markdown]
# ## *Piano roll* (gulungan piano)
#
# Gambarkan energi setiap kandidat sepanjang waktu: sumbu vertikal nada, sumbu horizontal
# waktu. Titik putih adalah nada yang sebenarnya dimainkan.

# %%
E = energi_nada(jnp.asarray(waves))  # (B, T, 12)
fig, axes = plt.subplots(2, 1, figsize=(9, 5.5), sharex=True)
for ax, i in zip(axes, (0, 1), strict=True):
    ax.imshow(
        np.asarray(E[i]).T,
        aspect="auto",
        origin="lower",
        extent=(0, T / r, -0.5, 11.5),
        cmap="magma",
    )
    true_idx = [int(np.argmin(np.abs(candidates - f))) for f in freqs[i]]
    centers = (np.arange(NUM_NOTES) + 0.5) * note_len / r
    ax.plot(centers, true_idx, "wo", ms=6, label="nada sebenarnya")
    ax.set_yticks(range(12), names, fontsize=8)
    ax.set_title(f"melodi {i}: {CONTOURS[labels[i]]}", fontsize=9)
    ax.legend(loc="upper right", fontsize=8)
axes[-1].set_xlabel("waktu (detik)")
fig.suptitle("Energi matched filter per nada")
fig.tight_layout()
plt.show()

# %% [markdown]
# ## Mendeteksi nada dan kontur
#
# Kita tahu setiap nada berlangsung `note_len` sampel. Rata-ratakan energi di setiap
# segmen, lalu ambil kandidat dengan energi terbesar (`argmax`). Dari lima nada yang
# terdeteksi, tanda selisih nada berturutan memberi kontur melodinya:
#
# | kontur | tanda selisih |
# | --- | --- |
# | naik | + + + + |
# | turun | − − − − |
# | naik-turun | + + − − |
# | turun-naik | − − + + |

# %%
SIGNS = jnp.array([[1, 1, 1, 1], [-1, -1, -1, -1], [1, 1, -1, -1], [-1, -1, 1, 1]])


def deteksi_nada(x):
    """Gelombang (B, T) -> indeks kandidat per nada (B, 5)."""
    E = energi_nada(x)[:, : NUM_NOTES * note_len]  # (B, 5 * note_len, 12)
    per_note = E.reshape(E.shape[0], NUM_NOTES, note_len, 12).mean(axis=2)  # (B, 5, 12)
    return jnp.argmax(per_note, axis=-1)


def deteksi_kontur(notes):
    """Indeks nada (B, 5) -> kontur (B,): pola tanda yang paling cocok."""
    signs = jnp.sign(jnp.diff(notes, axis=1))  # (B, 4)
    return jnp.argmax(signs @ SIGNS.T, axis=-1)


n_test = budget(1000, 200)
x_test, y_test, f_test = tones(n_test, seed=1)
notes = deteksi_nada(jnp.asarray(x_test[..., 0]))
true_notes = np.argmin(np.abs(f_test[..., None] - candidates[None, None, :]), axis=-1)
acc_notes = float(np.mean(np.asarray(notes) == true_notes))
acc_contour = float(np.mean(np.asarray(deteksi_kontur(notes)) == y_test))
print(f"nada yang benar  : {format_percent(acc_notes, 1)} dari {true_notes.size} nada")
print(f"kontur yang benar: {format_percent(acc_contour, 1)} dari {n_test} melodi")

# %% [markdown]
# Tanpa satu langkah pelatihan pun, konvolusi dengan templat yang tepat sudah memecahkan
# tugas ini. Bagaimana bila derau makin keras? Kita ulangi dengan beberapa tingkat derau
# (simpangan baku derau; amplitudo nada antara 0,5 dan 1).

# %%
noise_levels = budget([0.05, 0.25, 0.5, 1.0, 1.5, 2.0, 3.0], [0.05, 0.5, 1.5, 3.0])
n_noise = budget(400, 100)
accs = []
for noise in noise_levels:
    xn, yn, fn = tones(n_noise, seed=2, noise=noise)
    nn = deteksi_nada(jnp.asarray(xn[..., 0]))
    tn = np.argmin(np.abs(fn[..., None] - candidates[None, None, :]), axis=-1)
    accs.append((float(np.mean(np.asarray(nn) == tn)), float(np.mean(deteksi_kontur(nn) == yn))))
    print(
        f"derau {format_float(noise, 2)}: nada benar {format_percent(accs[-1][0])}, "
        f"kontur benar {format_percent(accs[-1][1])}"
    )

fig, ax = plt.subplots(figsize=(6, 3.5))
ax.plot(noise_levels, [a[0] for a in accs], "o-", label="nada")
ax.plot(noise_levels, [a[1] for a in accs], "s-", label="kontur")
ax.axhline(1 / 12, color="C0", ls=":", lw=1, label="tebakan acak (nada)")
ax.axhline(1 / 4, color="C1", ls=":", lw=1, label="tebakan acak (kontur)")
ax.set_xlabel("simpangan baku derau")
ax.set_ylabel("akurasi")
ax.set_title("Matched filter pada sinyal berderau")
ax.grid(alpha=0.3)
ax.legend(fontsize=8)
fig.tight_layout()
plt.show()

xn, _, _ = tones(1, seed=3, noise=1.0)
print("Melodi dengan derau 1,0 — bisakah telingamu masih mendengar nadanya?")
display(dengarkan(xn[0, :, 0]))

# %% [markdown]
# Nada tetap terdeteksi hampir sempurna sampai derau yang sebesar amplitudo nadanya sendiri
# (simpangan baku ± 0,5), baru kemudian akurasinya turun menuju tebakan acak (angkanya
# dicetak di atas gambar). Matched filter
# menjumlahkan ratusan sampel: derau yang acak saling meniadakan, sedangkan nada yang cocok
# dengan templat terus bertambah. Inilah alasan kernel konvolusi yang **tepat** sangat kuat.
#
# ## Latihan
#
# **Latihan 1.** Tulis `nada(freq, duration, sample_rate)` yang mengembalikan
# $\sin(2\pi f t)$ dengan $t$ = `arange(int(round(duration * sample_rate))) / sample_rate`.


# %%
def nada(freq, duration, sample_rate):
    # TODO
    return None


_ = latihan.check_tone(nada)

# %% [markdown]
# **Latihan 2.** Tulis `deteksi(wave, freqs, sample_rate)`: diberi satu gelombang (berisi satu
# nada berderau) dan daftar frekuensi kandidat, kembalikan **indeks** kandidat yang paling
# keras. Petunjuk: untuk setiap kandidat buat templat sinus dan kosinus, hitung energinya
# dengan `jnp.convolve(..., mode="valid")`, lalu `argmax`.


# %%
def deteksi(wave, freqs, sample_rate):
    # TODO
    return None


_ = latihan.check_detect_note(deteksi)

# %% [markdown]
# ## Ringkasan
#
# - Nada adalah sinus $\sin(2\pi f t / r)$; satu oktaf menggandakan frekuensi.
# - *Matched filter* = korelasi silang dengan templat pola yang dicari; keluarannya besar di
#   tempat pola muncul. Sepasang templat sinus dan kosinus membuat energinya tak bergantung
#   pada fase.
# - Bank 12 filter adalah **satu** konvolusi 1-D dengan 24 kanal keluaran — bentuk yang sama
#   dengan lapisan `nnx.Conv`. Bedanya, di sini kernel dirancang tangan; di jaringan saraf ia
#   dipelajari dengan *gradient descent*.
# - Dengan energi per segmen dan `argmax`, kita mendeteksi nada dan kontur melodi tanpa
#   pelatihan, dan cukup tahan derau.
#
# Angka kunci eksekusi ini:

# %%
print_key_numbers(
    {
        f"nada benar ({true_notes.size} nada)": format_percent(acc_notes, 1),
        f"kontur benar ({n_test} melodi)": format_percent(acc_contour, 1),
        **{
            f"derau {format_float(noise, 2)}: nada / kontur benar": f"{format_percent(a)} / "
            f"{format_percent(c)}"
            for noise, (a, c) in zip(noise_levels, accs, strict=True)
        },
    }
)
