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
# [![Buka di Colab](https://colab.research.google.com/assets/colab-badge.svg)](https://colab.research.google.com/github/dljax/dljax/blob/main/lessons/1-maths/04-kuadrat-terkecil.ipynb)
#
# # 1.4 Kuadrat terkecil: menaksir harga rumah
#
# Kita punya tabel penjualan rumah (luas, jumlah kamar, umur, kota, ...) dan harganya. Bisakah
# kita menemukan "harga per meter persegi", "harga per kamar", dan seterusnya? Bila harga
# kira-kira kombinasi linear dari fitur-fiturnya, pertanyaan ini adalah masalah **kuadrat
# terkecil** (*least squares*): regresi linear, model pembelajaran mesin yang paling tua dan
# masih sangat berguna. Ia juga satu-satunya model di kursus ini yang bisa kita latih tanpa
# *gradient descent*, dengan satu rumus.
#
# Di pelajaran ini:
#
# - menurunkan **persamaan normal** dan membandingkannya dengan `jnp.linalg.lstsq`;
# - memulihkan koefisien sebenarnya dari tabel harga rumah sintetis (koefisiennya kita tahu);
# - melihat mengapa penskalaan kolom penting di *float32*;
# - memakai data nyata (`house_sales.csv`) bila tersedia.

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

from dljax.data import table
from dljax.exercises import maths as latihan
from dljax.formatting import format_float
from dljax.lesson import budget, find_shared_file, print_key_numbers

# %% [markdown]
# ## Masalahnya
#
# Diberikan matriks $A \in \mathbb{R}^{m\times n}$ (satu baris per rumah, satu kolom per fitur)
# dan vektor $b \in \mathbb{R}^m$ (harga), biasanya $m \gg n$ sehingga $Ax = b$ tidak punya
# solusi tepat. Kita cari $x$ yang membuat **residu** $r = Ax - b$ sekecil mungkin:
#
# $$\hat x = \arg\min_x \|Ax - b\|^2 = \arg\min_x \sum_{i=1}^m \left(a_i^\top x - b_i\right)^2 .$$
#
# ## Persamaan normal
#
# Gradien $f(x) = \|Ax - b\|^2$ adalah $\nabla f(x) = 2A^\top(Ax - b)$. Di titik minimum
# gradiennya nol, sehingga
#
# $$A^\top A\,\hat x = A^\top b \qquad\Longrightarrow\qquad \hat x = (A^\top A)^{-1} A^\top b$$
#
# (bila kolom-kolom $A$ bebas linear). Secara geometris: residu terbaik **tegak lurus** pada
# setiap kolom $A$, karena $A^\top \hat r = 0$.
#
# Mari mulai dari contoh terkecil: mencocokkan garis $y = c_0 + c_1 t$ ke titik-titik berderau.
# Kolom pertama $A$ berisi angka 1 (untuk intersep $c_0$), kolom kedua berisi $t$.

# %%
key_t, key_e = jax.random.split(jax.random.key(0))
t = jax.random.uniform(key_t, (30,), minval=0.0, maxval=10.0)
y = 2.0 + 0.7 * t + jax.random.normal(key_e, (30,))  # garis sebenarnya: c0 = 2, c1 = 0,7

A_garis = jnp.stack([jnp.ones_like(t), t], axis=1)  # (30, 2)
c_normal = jnp.linalg.solve(A_garis.T @ A_garis, A_garis.T @ y)
c_lstsq, *_ = jnp.linalg.lstsq(A_garis, y)
print("persamaan normal :", c_normal)
print("jnp.linalg.lstsq :", c_lstsq)

residu = A_garis @ c_normal - y
print("Aᵀr (harus ≈ 0)  :", A_garis.T @ residu)
print("gradien di x̂     :", jax.grad(lambda c: jnp.sum((A_garis @ c - y) ** 2))(c_normal))

# %%
ts = jnp.linspace(0, 10, 2)
fig, ax = plt.subplots(figsize=(6, 4))
ax.scatter(t, y, s=15, label="data")
ax.plot(ts, 2.0 + 0.7 * ts, "k:", label="garis sebenarnya")
ax.plot(
    ts,
    c_normal[0] + c_normal[1] * ts,
    "r-",
    label=f"kuadrat terkecil: {format_float(c_normal[0], 2)} + {format_float(c_normal[1], 2)} t",
)
ax.vlines(t, y, A_garis @ c_normal, color="gray", lw=0.8, label="residu")
ax.set_xlabel("t")
ax.set_ylabel("y")
ax.set_title("Garis kuadrat terkecil meminimalkan jumlah kuadrat residu")
ax.legend()
plt.show()

# %% [markdown]
# `jnp.linalg.lstsq` tidak membentuk $A^\top A$; ia memakai dekomposisi nilai singular
# (SVD) dari $A$ langsung. Hasilnya sama di sini, tetapi bedanya akan terlihat sebentar lagi.
#
# ## Harga rumah sintetis dengan koefisien yang diketahui
#
# `dljax.data.table.house_prices_table` membuat tabel penjualan rumah di mana harga
# (juta rupiah) dibangkitkan dari rumus yang kita tahu, ditambah derau $\mathcal{N}(0, 80^2)$:
#
# $$\text{harga} = \sum_j \beta_j\,\text{fitur}_j + \text{harga dasar kota} + \varepsilon .$$
#
# Tugas kita: memulihkan $\beta_j$ dan harga dasar tiap kota hanya dari tabelnya.

# %%
print("koefisien sebenarnya :", table.HOUSE_COEFFICIENTS)
print("harga dasar kota     :", table.HOUSE_CITY_BASE)

n_rumah = 5000  # murah, bahkan di mode cepat
tabel = table.house_prices_table(n_rumah, seed=0)
print(f"\n{n_rumah} rumah; lima baris pertama:")
print(" | ".join(tabel))
for i in range(5):
    print(" | ".join(str(tabel[k][i]) for k in tabel))

# %% [markdown]
# Kita susun matriks $A$: kolom angka apa adanya, `garasi` menjadi 0/1, dan `kota` menjadi
# empat kolom *one-hot* (1 di kolom kota rumah itu, 0 di lainnya). Kolom one-hot sekaligus
# berperan sebagai intersep per kota, jadi tidak perlu kolom 1 terpisah.

# %%
fitur = list(table.HOUSE_COEFFICIENTS)  # luas_bangunan, ..., garasi
kota = sorted(table.HOUSE_CITY_BASE)


def matriks_rumah(tabel):
    kolom = [
        np.asarray(tabel[f], np.float64) if f != "garasi" else (tabel[f] == "ya").astype(np.float64)
        for f in fitur
    ]
    one_hot = (tabel["kota"][:, None] == np.array(kota)[None, :]).astype(np.float64)  # (m, 4)
    A = np.concatenate([np.stack(kolom, axis=1), one_hot], axis=1)  # (m, 11)
    return jnp.asarray(A, jnp.float32), jnp.asarray(tabel["harga"], jnp.float32)


A, b = matriks_rumah(tabel)
nama_kolom = fitur + [f"kota={k}" for k in kota]
benar = np.array(
    [table.HOUSE_COEFFICIENTS[f] for f in fitur] + [table.HOUSE_CITY_BASE[k] for k in kota]
)
print("A:", A.shape, A.dtype, "| b:", b.shape)

# %% [markdown]
# ### Jebakan: skala kolom dan *float32*
#
# Luas tanah bernilai ratusan, garasi hanya 0 atau 1. Kolom yang skalanya sangat berbeda
# membuat **bilangan kondisi** $\kappa(A)$ besar, dan persamaan normal *mengkuadratkannya*:
# $\kappa(A^\top A) = \kappa(A)^2$. Dengan *float32* (±7 digit) itu berbahaya.
#
# `jnp.linalg.lstsq` punya jebakan lain: nilai singular yang lebih kecil dari
# `rcond · σ_max` dianggap nol, dan `rcond` bawaannya adalah $\epsilon_{\text{mesin}}\cdot\max(m,n)$,
# di sini ($m = 5000$) $1{,}2\cdot10^{-7}\cdot 5000 \approx 6\cdot 10^{-4}$, lebih besar dari
# $1/\kappa(A)$. Lihat akibatnya:

# %%
print(f"κ(A)   = {jnp.linalg.cond(A):.3g}")
print(f"κ(AᵀA) = {jnp.linalg.cond(A.T @ A):.3g}")
x_normal = jnp.linalg.solve(A.T @ A, A.T @ b)
x_lstsq, *_ = jnp.linalg.lstsq(A, b)
print(f"\n{'kolom':22s} {'benar':>8s} {'normal':>9s} {'lstsq':>9s}")
for nama, c, xn, xl in zip(nama_kolom, benar, x_normal, x_lstsq, strict=True):
    print(f"{nama:22s} {format_float(c, 1):>8} {format_float(xn, 2):>9} {format_float(xl, 2):>9}")

# %% [markdown]
# `lstsq` membuang satu arah yang sebenarnya penting, sehingga koefisiennya kacau. Obatnya
# sederhana dan selalu dianjurkan: **skalakan kolom**. Kita bagi setiap kolom dengan
# simpangan bakunya, $A_s = A D^{-1}$ dengan $D = \mathrm{diag}(s_1, \ldots, s_n)$. Bila
# $A_s z \approx b$ maka $x = D^{-1} z$, jadi koefisien asli didapat dengan membagi kembali.

# %%
s = A.std(axis=0)
A_s = A / s
print(f"κ(A_s) = {jnp.linalg.cond(A_s):.3g}, κ(A_sᵀA_s) = {jnp.linalg.cond(A_s.T @ A_s):.3g}")

x_normal = jnp.linalg.solve(A_s.T @ A_s, A_s.T @ b) / s
x_lstsq = jnp.linalg.lstsq(A_s, b)[0] / s
print(f"\n{'kolom':22s} {'benar':>8s} {'normal':>9s} {'lstsq':>9s}")
for nama, c, xn, xl in zip(nama_kolom, benar, x_normal, x_lstsq, strict=True):
    print(f"{nama:22s} {format_float(c, 1):>8} {format_float(xn, 2):>9} {format_float(xl, 2):>9}")
print(f"\nselisih terbesar normal vs lstsq: {jnp.max(jnp.abs(x_normal - x_lstsq)):.2e}")

# %% [markdown]
# Kedua metode kini sepakat, dan taksirannya dekat dengan koefisien sebenarnya. Sisa
# selisihnya berasal dari derau $\varepsilon$ (simpangan baku 80 juta). Kamar tidur dan kamar
# mandi saling berkorelasi (rumah besar punya keduanya lebih banyak), sehingga koefisien
# keduanya paling sulit dipisahkan.
#
# Berapa galat prediksinya? **Galat RMS** $\sqrt{\frac1m\sum_i r_i^2}$ seharusnya mendekati
# simpangan baku derau, 80.

# %%
rms = float(jnp.sqrt(jnp.mean((A @ x_lstsq - b) ** 2)))
print(f"galat RMS = {format_float(rms, 1)} juta rupiah (derau sebenarnya: {table.HOUSE_NOISE})")

# %% [markdown]
# Makin banyak data, makin tepat taksirannya: galat koefisien turun kira-kira seperti
# $1/\sqrt{m}$. Kita ulangi untuk beberapa ukuran tabel (lima tabel acak per ukuran, agar
# kurvanya tidak terlalu bergerigi).

# %%
ukuran = budget([100, 300, 1000, 3000, 10000, 30000], [100, 300, 1000, 3000])
ulangan = 5  # tabel acak per ukuran; galatnya dirata-rata


def galat_relatif(m, seed):
    A_m, b_m = matriks_rumah(table.house_prices_table(m, seed=seed))
    s_m = A_m.std(axis=0)
    x_m = jnp.linalg.lstsq(A_m / s_m, b_m)[0] / s_m
    return float(jnp.mean(jnp.abs(x_m - benar) / jnp.abs(benar)))


galat_rel = []
for m in ukuran:
    galat_rel.append(np.mean([galat_relatif(m, seed) for seed in range(1, ulangan + 1)]))
    print(f"m = {m:6d}: galat relatif rata-rata koefisien = {format_float(galat_rel[-1], 4)}")

fig, ax = plt.subplots(figsize=(6, 4))
ax.loglog(ukuran, galat_rel, "o-", label=f"galat relatif rata-rata ({ulangan} tabel per ukuran)")
acuan = galat_rel[-1] * np.sqrt(ukuran[-1] / np.array(ukuran))
ax.loglog(ukuran, acuan, "k--", label="∝ 1/√m")
ax.set_xlabel("banyak rumah m")
ax.set_ylabel("galat relatif")
ax.set_title("Lebih banyak data, koefisien lebih tepat")
ax.legend()
ax.grid(alpha=0.3, which="both")
plt.show()

# %% [markdown]
# ## Data nyata: `house_sales.csv`
#
# Bila berkas `house_sales.csv` tersedia (folder `shared/data` kursus, atau jalur di variabel
# lingkungan `DLJAX_SHARED_DATA`), kita pakai data penjualan rumah sungguhan. Di sini
# tidak ada koefisien "sebenarnya"; yang bisa kita ukur adalah galat prediksi pada rumah yang
# **tidak** dipakai untuk mencocokkan (data uji).
#
# `table.load_csv_table` membaca CSV apa pun: kolom angka distandarkan (rata-rata 0,
# simpangan baku 1, dengan statistik data latih), kolom ya/tidak menjadi 0/1, kolom teks
# lain menjadi *one-hot*, dan data dibagi 80/20 dengan seed tetap. Karena kolom sudah
# berskala serupa, masalah kondisi di atas tidak muncul.

# %%
path = find_shared_file("house_sales.csv")
if path is None:
    print(
        "Berkas house_sales.csv tidak ditemukan, jadi bagian ini dilewati. Letakkan berkasnya "
        "di shared/data/ atau setel DLJAX_SHARED_DATA ke foldernya; tabel sintetis di atas "
        "sudah memperlihatkan semua langkahnya."
    )
else:
    data = table.load_csv_table(path)
    latih, uji = data.train.arrays, data.test.arrays
    print(
        f"{path.name}: {len(data.train)} rumah latih, {len(data.test)} rumah uji, {len(data.feature_names)} fitur"
    )

    def dengan_intersep(X):
        return jnp.concatenate([jnp.ones((X.shape[0], 1)), X], axis=1)

    A_latih = dengan_intersep(jnp.asarray(latih["input"]))
    A_uji = dengan_intersep(jnp.asarray(uji["input"]))
    x_hat = jnp.linalg.lstsq(A_latih, jnp.asarray(latih["target"]))[0]

    def ke_rupiah(z):
        return np.asarray(z) * data.target_std + data.target_mean

    prediksi, harga = ke_rupiah(A_uji @ x_hat), ke_rupiah(uji["target"])
    rms_model = np.sqrt(np.mean((prediksi - harga) ** 2))
    rms_rata = np.sqrt(np.mean((data.target_mean - harga) ** 2))
    print(f"RMS uji model linear       : {format_float(rms_model / 1e6, 2)} juta")
    print(f"RMS uji tebak rata-rata    : {format_float(rms_rata / 1e6, 2)} juta")
    print(
        "\nefek terbesar pada harga (juta; per 1 simpangan baku untuk fitur angka, ya vs tidak untuk fitur 0/1):"
    )
    urutan = np.argsort(-np.abs(np.asarray(x_hat[1:])))
    for j in urutan[:6]:
        juta = float(x_hat[1 + j] * data.target_std / 1e6)
        print(f"  {data.feature_names[j]:32s} {'+' if juta >= 0 else ''}{format_float(juta, 2)}")

    fig, ax = plt.subplots(figsize=(5, 5))
    ax.scatter(harga / 1e6, prediksi / 1e6, s=12)
    batas = [harga.min() / 1e6, harga.max() / 1e6]
    ax.plot(batas, batas, "k--", label="prediksi = harga")
    ax.set_xlabel("harga sebenarnya (juta)")
    ax.set_ylabel("prediksi (juta)")
    ax.set_title("Data uji: prediksi model linear")
    ax.legend()
    plt.show()

# %% [markdown]
# Catatan: kolom *one-hot* satu fitur teks (mis. tiga kolom `furnishingstatus=...`) selalu
# berjumlah 1, sama dengan kolom intersep. Kolom $A$ jadi tidak bebas linear dan
# $A^\top A$ singular, sehingga persamaan normal gagal. `lstsq` tetap memberi jawaban (solusi
# dengan norma terkecil), tetapi koefisien kolom-kolom itu hanya bermakna relatif satu sama
# lain. Prediksinya tidak terpengaruh.
#
# ## Latihan
#
# **Latihan 1.** Selesaikan kuadrat terkecil dengan persamaan normal
# $(A^\top A)\hat x = A^\top b$ (pakai `jnp.linalg.solve`, bukan `lstsq`).


# %%
def persamaan_normal(A, b):
    # TODO
    return None


_ = latihan.check_normal_equations(persamaan_normal)

# %% [markdown]
# **Latihan 2.** Galat RMS $\sqrt{\frac{1}{m}\sum_i (a_i^\top x - b_i)^2}$.


# %%
def galat_rms(A, x, b):
    # TODO
    return None


_ = latihan.check_rms_error(galat_rms)

# %% [markdown]
# **Latihan 3.** Tambahkan kolom angka 1 di *depan* matriks fitur $X$ (untuk intersep),
# sehingga bentuknya $(m, n+1)$.


# %%
def tambah_intersep(X):
    # TODO
    return None


_ = latihan.check_add_intercept(tambah_intersep)

# %% [markdown]
# ## Ringkasan
#
# - Kuadrat terkecil: $\hat x = \arg\min\|Ax - b\|^2$; gradien nol memberi persamaan normal
#   $A^\top A\hat x = A^\top b$, dan residunya tegak lurus pada kolom $A$.
# - `jnp.linalg.lstsq` memakai SVD tanpa membentuk $A^\top A$; persamaan normal
#   mengkuadratkan bilangan kondisi.
# - Di *float32*, **skalakan kolom** sebelum mencocokkan (lalu bagi kembali koefisiennya);
#   awas `rcond` bawaan `lstsq` pada kolom berskala sangat berbeda.
# - Pada data sintetis kita memulihkan koefisien sebenarnya, dan galatnya turun seperti
#   $1/\sqrt{m}$; pada data nyata kita menilai model dengan galat pada data uji.
#
# Berikutnya: transformasi linear 2-D, melihat matriks sebagai pengubah ruang. Angka kunci
# eksekusi ini:

# %%
angka_kunci = {
    "garis: c0, c1 (sebenarnya 2; 0,7)": f"{format_float(c_normal[0], 3)}; "
    f"{format_float(c_normal[1], 3)}",
    "κ(A) tanpa / dengan penskalaan kolom": f"{format_float(jnp.linalg.cond(A), 0)} / "
    f"{format_float(jnp.linalg.cond(A_s), 1)}",
    f"galat RMS (derau sebenarnya {format_float(table.HOUSE_NOISE, 0)})": f"{format_float(rms, 1)} juta rupiah",
    f"galat relatif koefisien, m = {ukuran[0]} / {ukuran[-1]}": f"{format_float(galat_rel[0], 4)}"
    f" / {format_float(galat_rel[-1], 4)}",
}
if path is not None:
    angka_kunci["house_sales.csv: RMS uji model / tebak rata-rata"] = (
        f"{format_float(rms_model / 1e6, 2)} / {format_float(rms_rata / 1e6, 2)} juta"
    )
print_key_numbers(angka_kunci)
