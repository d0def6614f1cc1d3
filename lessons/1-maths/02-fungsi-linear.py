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
# [![Buka di Colab](https://colab.research.google.com/assets/colab-badge.svg)](https://colab.research.google.com/github/dljax/dljax/blob/main/lessons/1-maths/02-fungsi-linear.ipynb)
#
# # 1.2 Fungsi linear dan aproksimasi Taylor
#
# Jaringan saraf adalah susunan fungsi linear yang diselingi fungsi nonlinear. Fungsi
# linear itu sederhana: ia ditentukan sepenuhnya oleh satu vektor. Fungsi nonlinear yang
# mulus pun, bila dilihat cukup dekat, hampir linear; aproksimasi itulah yang dipakai
# *gradient descent* di setiap langkah.
#
# Di pelajaran ini kita:
#
# - menguji sifat **superposisi** yang mendefinisikan fungsi linear;
# - melihat bahwa setiap fungsi linear berbentuk $f(x) = a^\top x$;
# - membangun **aproksimasi Taylor orde satu** dengan `jax.grad` dan `jax.jvp`, lalu mengukur
#   galatnya.

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

from dljax.exercises import maths as latihan
from dljax.formatting import format_float
from dljax.lesson import print_key_numbers

# %% [markdown]
# ## Superposisi
#
# Fungsi $f : \mathbb{R}^n \to \mathbb{R}$ disebut **linear** bila untuk semua vektor $x, y$
# dan skalar $\alpha, \beta$ berlaku
#
# $$f(\alpha x + \beta y) = \alpha f(x) + \beta f(y).$$
#
# Contoh: rata-rata, $f(x) = (x_1 + \cdots + x_n)/n$, dan hasil kali dalam dengan vektor
# tetap, $f(x) = a^\top x$. Bukan contoh: $f(x) = \max_i x_i$, dan $f(x) = a^\top x + b$
# dengan $b \ne 0$ (fungsi **afin**). Mari kita uji dengan angka acak.

# %%
a = jnp.array([2.0, -1.0, 0.5])


def linear(x):
    return a @ x


def afin(x):
    return a @ x + 3.0


def maksimum(x):
    return jnp.max(x)


def uji_superposisi(f, key, trials=5):
    """Selisih terbesar |f(αx + βy) - (αf(x) + βf(y))| pada beberapa pilihan acak."""
    worst = 0.0
    for k in jax.random.split(key, trials):
        kx, ky, ka = jax.random.split(k, 3)
        x, y = jax.random.normal(kx, (3,)), jax.random.normal(ky, (3,))
        alpha, beta = jax.random.normal(ka, (2,))
        worst = max(worst, float(jnp.abs(f(alpha * x + beta * y) - (alpha * f(x) + beta * f(y)))))
    return worst


key = jax.random.key(0)
for nama, f in (("a·x", linear), ("a·x + 3", afin), ("max(x)", maksimum)):
    print(f"{nama:8s}: selisih superposisi terbesar = {uji_superposisi(f, key):.2e}")

# %% [markdown]
# Hanya `a·x` yang lolos (selisihnya sebesar galat pembulatan *float32*).
#
# ## Setiap fungsi linear adalah hasil kali dalam
#
# Tulis $x = x_1 e_1 + \cdots + x_n e_n$ dengan $e_i$ vektor satuan standar. Superposisi
# memberi $f(x) = x_1 f(e_1) + \cdots + x_n f(e_n) = a^\top x$ dengan $a_i = f(e_i)$.
# Jadi kita bisa "membaca" $a$ dari fungsinya dengan mengevaluasi $f$ di $e_1, \ldots, e_n$.
# Gradien fungsi linear juga tepat $a$, di titik mana pun.

# %%
E = jnp.eye(3)  # baris-barisnya adalah e_1, e_2, e_3
print("f(e_i)          :", jnp.array([linear(e) for e in E]))
print("jax.grad(f)(x)  :", jax.grad(linear)(jnp.array([5.0, -7.0, 1.0])))
print("a sebenarnya    :", a)

# %% [markdown]
# ## Aproksimasi Taylor orde satu
#
# Untuk fungsi $f$ yang mulus dan titik $z$, aproksimasi Taylor orde satu adalah fungsi afin
#
# $$\hat f(x) = f(z) + \nabla f(z)^\top (x - z),$$
#
# dengan gradien $\nabla f(z) = \left(\frac{\partial f}{\partial x_1}(z), \ldots,
# \frac{\partial f}{\partial x_n}(z)\right)$. Dekat $z$, $\hat f(x) \approx f(x)$, dan
# galatnya mengecil secepat $\|x - z\|^2$.
#
# JAX menghitung gradien secara otomatis: `jax.grad(f)` adalah *fungsi* yang mengembalikan
# $\nabla f$. Mari mulai dari satu dimensi, di mana $\hat f$ adalah garis singgung.


# %%
def g(x):
    return jnp.sin(2 * x) + 0.3 * x**2


z = 0.8
dg = jax.grad(g)
xs = jnp.linspace(-1.0, 2.5, 200)
garis_singgung = g(z) + dg(z) * (xs - z)

fig, ax = plt.subplots(figsize=(6, 4))
ax.plot(xs, jax.vmap(g)(xs), label="g(x) = sin 2x + 0,3 x²")
ax.plot(xs, garis_singgung, "--", label="aproksimasi Taylor di z = 0,8")
ax.plot([z], [g(z)], "ko")
ax.set_ylim(-1.5, 2.5)
ax.set_xlabel("x")
ax.set_ylabel("nilai")
ax.set_title("Aproksimasi Taylor orde satu = garis singgung")
ax.legend()
ax.grid(alpha=0.3)
plt.show()
print(
    f"g'(z) dari jax.grad = {format_float(dg(z), 6)}, dari rumus 2cos(2z) + 0,6z = {format_float(2 * jnp.cos(2 * z) + 0.6 * z, 6)}"
)

# %% [markdown]
# Sekarang fungsi tiga variabel, $f(x) = x_1 x_2 + e^{x_3} - \log(1 + x_1^2)$. Kita bandingkan
# $f(x)$ dan $\hat f(x)$ di titik $x = z + h\,d$ untuk arah $d$ tetap dan langkah $h$ yang
# makin kecil.
#
# Ada dua cara menghitung suku $\nabla f(z)^\top (x - z)$:
#
# - `jax.grad(f)(z) @ (x - z)`: hitung seluruh gradien (mode mundur, *reverse mode*), lalu
#   hasil kali dalam;
# - `jax.jvp(f, (z,), (x - z,))`: *Jacobian-vector product* (mode maju, *forward mode*),
#   yang langsung memberi $f(z)$ dan turunan berarah $\nabla f(z)^\top v$ tanpa membentuk
#   gradiennya.


# %%
def f(x):
    return x[0] * x[1] + jnp.exp(x[2]) - jnp.log(1.0 + x[0] ** 2)


z = jnp.array([1.0, -0.5, 0.2])
d = jnp.array([0.6, 0.8, -0.3])
grad_f = jax.grad(f)
print("∇f(z) =", grad_f(z))

galat_h = {}
for h in (1.0, 0.1, 0.01):
    x = z + h * d
    taylor_grad = f(z) + grad_f(z) @ (x - z)
    f_z, turunan = jax.jvp(f, (z,), (x - z,))
    taylor_jvp = f_z + turunan
    galat_h[h] = float(abs(f(x) - taylor_grad))
    print(
        f"h = {format_float(h, 2):>5}: f(x) = {format_float(f(x), 6)}, Taylor(grad) = {format_float(taylor_grad, 6)}, "
        f"Taylor(jvp) = {format_float(taylor_jvp, 6)}, galat = {abs(f(x) - taylor_grad):.2e}"
    )

print(
    "galat turun",
    f"{format_float(galat_h[1.0] / galat_h[0.1], 0)}× (h: 1 → 0,1) dan",
    f"{format_float(galat_h[0.1] / galat_h[0.01], 0)}× (h: 0,1 → 0,01)",
)

# %% [markdown]
# Kedua cara memberi angka yang sama, dan galatnya turun kira-kira 100 kali setiap $h$
# dibagi 10 (rasionya dicetak di atas): galat $\approx C h^2$. Plot log-log membuat ini terlihat jelas: garis dengan
# kemiringan 2. (Untuk $h$ sangat kecil, galat pembulatan *float32*, sekitar $10^{-7}$,
# mulai mendominasi.)

# %%
hs = jnp.logspace(-3, 0, 20)


def galat_taylor(h):
    x = z + h * d
    f_z, turunan = jax.jvp(f, (z,), (x - z,))
    return jnp.abs(f(x) - (f_z + turunan))


galat = jax.vmap(galat_taylor)(hs)
fig, ax = plt.subplots(figsize=(6, 4))
ax.loglog(hs, galat, "o-", label=r"$|f(x) - \hat{f}(x)|$")
ax.loglog(hs, 0.5 * hs**2, "k--", label="h² / 2 (kemiringan 2)")
ax.set_xlabel("langkah h = ‖x - z‖ / ‖d‖")
ax.set_ylabel("galat")
ax.set_title("Galat aproksimasi Taylor mengecil seperti h²")
ax.legend()
ax.grid(alpha=0.3, which="both")
plt.show()

# %% [markdown]
# **Mengapa ini penting?** *Gradient descent* memakai $\hat f$: bila kita melangkah
# $x = z - \eta \nabla f(z)$ dengan $\eta$ kecil, maka
# $\hat f(x) = f(z) - \eta \|\nabla f(z)\|^2 < f(z)$. Selama langkahnya kecil, Taylor
# menjamin $f$ ikut turun. Kita akan memakai ini di bab MLP.

# %%
eta = 0.05
x_baru = z - eta * grad_f(z)
print(
    f"f(z) = {format_float(f(z), 5)} → f(z - η∇f(z)) = {format_float(f(x_baru), 5)} (prediksi Taylor {format_float(f(z) - eta * grad_f(z) @ grad_f(z), 5)})"
)

# %% [markdown]
# ## Latihan
#
# **Latihan 1.** Tulis `taylor(f, z, x)` yang mengembalikan $\hat f(x) = f(z) + \nabla f(z)^\top (x - z)$.


# %%
def taylor(f, z, x):
    # TODO: pakai jax.grad(f)(z)
    return None


_ = latihan.check_taylor(taylor)

# %% [markdown]
# **Latihan 2.** Tulis `turunan_berarah(f, x, v)` yang mengembalikan $\nabla f(x)^\top v$
# dengan `jax.jvp` (tanpa `jax.grad`).


# %%
def turunan_berarah(f, x, v):
    # TODO: jax.jvp(f, (x,), (v,)) mengembalikan dua nilai
    return None


_ = latihan.check_directional_derivative(turunan_berarah)

# %% [markdown]
# **Latihan 3.** Mana yang linear? Ubah `None` menjadi `True` atau `False`. Kamu boleh
# memakai `uji_superposisi` di atas.
#
# - $f_1(x) = 3x_1 - 2x_2$
# - $f_2(x) = x_1 x_2$
# - $f_3(x) = 2x_1 + 1$
# - $f_4(x) = \mathrm{mean}(x)$

# %%
jawaban = {
    "f1": None,  # TODO
    "f2": None,  # TODO
    "f3": None,  # TODO
    "f4": None,  # TODO
}
_ = latihan.check_is_linear(jawaban)

# %% [markdown]
# ## Ringkasan
#
# - $f$ linear ⇔ superposisi $f(\alpha x + \beta y) = \alpha f(x) + \beta f(y)$; setiap fungsi
#   linear adalah $f(x) = a^\top x$ dengan $a_i = f(e_i)$. Fungsi afin $a^\top x + b$ tidak linear
#   bila $b \neq 0$.
# - `jax.grad(f)` mengembalikan fungsi gradien; `jax.jvp(f, (z,), (v,))` memberi $f(z)$ dan
#   $\nabla f(z)^\top v$ sekaligus (mode maju).
# - Aproksimasi Taylor $\hat f(x) = f(z) + \nabla f(z)^\top(x - z)$ punya galat $O(\|x - z\|^2)$;
#   inilah alasan *gradient descent* dengan langkah kecil menurunkan *loss*.
#
# Berikutnya: matriks, yang mengumpulkan banyak fungsi linear sekaligus. Angka kunci eksekusi
# ini:

# %%
print_key_numbers(
    {
        "selisih superposisi terbesar, a·x / a·x + 3": f"{uji_superposisi(linear, key):.1e} / "
        f"{format_float(uji_superposisi(afin, key), 2)}",
        "galat Taylor h = 1 / 0,1 / 0,01": " / ".join(f"{g:.1e}" for g in galat_h.values()),
        "f(z) → f(z − η∇f(z))": f"{format_float(f(z), 5)} → {format_float(f(x_baru), 5)}",
    }
)
