"""Exercise checkers of chapter 3 (`lessons/3-convnet`): 1-D convolution, tones and matched
filters, 2-D convolution shapes and parameters, and residual shortcuts.

Every checker takes the learner's answer (usually a function), prints an Indonesian verdict
and returns True/False. An unanswered exercise (a function returning None) or one that
raises is reported as "belum tepat", never as a crash.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import partial

import numpy as np

from dljax.exercises._common import check_function, check_values, report, rng_for


# ----------------------------------------------------------------------------- 01 konvolusi 1-D
def check_conv1d_full(fn: Callable) -> bool:
    """`fn(x, w)` -> the full convolution of two 1-D signals, `np.convolve(x, w, "full")`."""
    rng = rng_for("convnet.check_conv1d_full")
    inputs = [
        (np.array([1.0, 2.0, 3.0]), np.array([0.0, 1.0, 0.5])),
        (np.array([1.0, 0.0, 0.0, 0.0]), np.array([1.0, -1.0])),
        *[(rng.standard_normal(n), rng.standard_normal(k)) for n, k in [(9, 3), (12, 5)]],
    ]
    return check_function(
        "Latihan konvolusi 'full'",
        fn,
        partial(np.convolve, mode="full"),
        inputs,
        hint="panjang keluarannya n + k - 1: tambahkan k - 1 nol di kedua sisi x "
        "(jnp.pad), lalu pakai konvolusi 'valid' dari pelajaran.",
    )


def check_output_length(fn: Callable) -> bool:
    """`fn(n, k, padding, stride)` -> floor((n + 2 padding - k) / stride) + 1."""
    cases = [(10, 3, 0, 1), (10, 3, 1, 1), (10, 3, 0, 2)]  # (n, k, padding, stride)
    cases += [(28, 5, 2, 1), (32, 5, 0, 1), (7, 7, 3, 2)]
    return check_values(
        "Latihan panjang keluaran",
        fn,
        cases,
        lambda n, k, p, s: (n + 2 * p - k) // s + 1,
        "hitung berapa posisi kernel yang muat: (n + 2*padding - k) // stride + 1. "
        "Untuk n=10, k=3 tanpa padding hasilnya 8.",
    )


def check_correlate(fn: Callable) -> bool:
    """`fn(x, w)` -> the 'valid' cross-correlation `np.correlate(x, w, "valid")`."""
    rng = rng_for("convnet.check_correlate")
    inputs = [
        (np.array([1.0, 2.0, 3.0, 4.0]), np.array([1.0, 0.0, -1.0])),
        *[(rng.standard_normal(n), rng.standard_normal(k)) for n, k in [(8, 2), (15, 4)]],
    ]
    return check_function(
        "Latihan korelasi silang",
        fn,
        partial(np.correlate, mode="valid"),
        inputs,
        hint="korelasi silang adalah konvolusi dengan kernel yang urutannya dibalik; pakai "
        "conv1d dari pelajaran.",
    )


# ----------------------------------------------------------------------------- 02 audio
def _tone(freq: float, duration: float, sample_rate: int) -> np.ndarray:
    t = np.arange(int(round(duration * sample_rate))) / sample_rate
    return np.sin(2 * np.pi * freq * t)


def check_tone(fn: Callable) -> bool:
    """`fn(freq, duration, sample_rate)` -> sin(2 pi freq t), t = arange(duration * sr) / sr."""
    inputs = [(440.0, 0.01, 8000), (220.0, 0.05, 4000), (1000.0, 0.002, 16000)]
    return check_function(
        "Latihan membuat nada",
        fn,
        _tone,
        inputs,
        hint="sumbu waktu t: bilangan bulat 0, 1, 2, ... sebanyak duration × sample_rate "
        "(dibulatkan), dibagi sample_rate; lalu sinus dari 2π f t.",
        atol=1e-4,
    )


def check_detect_note(fn: Callable) -> bool:
    """`fn(wave, freqs, sample_rate)` -> index of the frequency in `freqs` that is loudest in
    `wave` (e.g. via the energy of a matched filter per candidate)."""
    sr = 4000
    freqs = np.array([220.0, 246.94, 277.18, 329.63, 369.99, 440.0])
    rng = np.random.default_rng(3)
    cases = []
    for idx in (0, 3, 5, 2):
        phase = rng.uniform(0, 2 * np.pi)
        t = np.arange(1600) / sr
        wave = 0.7 * np.sin(2 * np.pi * freqs[idx] * t + phase) + 0.3 * rng.standard_normal(1600)
        cases.append((wave.astype(np.float32), idx))
    try:
        answers = [fn(wave, freqs, sr) for wave, _ in cases]
        ok = all(
            a is not None and int(a) == idx for a, (_, idx) in zip(answers, cases, strict=True)
        )
    except Exception as err:  # a learner's code may raise anything; report it, don't crash
        return report("Latihan deteksi nada", False, f"fungsimu memunculkan {err!r}.")
    return report(
        "Latihan deteksi nada",
        ok,
        "kembalikan satu indeks (bilangan bulat). Untuk setiap frekuensi buat templat sinus "
        "dan kosinus pendek, konvolusikan dengan gelombang, jumlahkan kuadrat keluarannya "
        "(energi), lalu jnp.argmax.",
    )


# ----------------------------------------------------------------------------- 03 CNN gambar
def check_conv2d_shape(fn: Callable) -> bool:
    """`fn(h, w, k, stride, padding)` -> (h_out, w_out) of a k x k convolution."""
    cases = [
        (28, 28, 3, 1, 1),
        (28, 28, 5, 1, 0),
        (32, 16, 3, 2, 1),
        (8, 8, 3, 1, 0),
        (7, 9, 2, 2, 0),
    ]

    return check_values(
        "Latihan bentuk keluaran konvolusi 2-D",
        fn,
        cases,
        lambda h, w, k, s, p: ((h + 2 * p - k) // s + 1, (w + 2 * p - k) // s + 1),
        "terapkan rumus panjang keluaran 1-D pada tinggi dan lebar secara terpisah; "
        "kembalikan tuple (h_out, w_out).",
    )


def check_conv2d_params(fn: Callable) -> bool:
    """`fn(k, c_in, c_out, bias)` -> k * k * c_in * c_out (+ c_out with a bias)."""
    cases = [(3, 1, 32, True), (3, 32, 64, False), (5, 6, 16, True), (1, 64, 128, False)]
    return check_values(
        "Latihan jumlah parameter konvolusi",
        fn,
        cases,
        lambda k, ci, co, b: k * k * ci * co + (co if b else 0),
        "setiap kanal keluaran punya satu kernel k x k x c_in, ditambah satu bias bila ada.",
    )


def check_max_pool(fn: Callable) -> bool:
    """`fn(x)` -> 2x2 max-pooling with stride 2 of a (H, W) array with even H, W."""
    rng = rng_for("convnet.check_max_pool")

    def ref(x):
        h, w = x.shape
        return x.reshape(h // 2, 2, w // 2, 2).max(axis=(1, 3))

    inputs = [(np.arange(16.0).reshape(4, 4),), (rng.standard_normal((6, 8)),)]
    return check_function(
        "Latihan max-pooling 2x2",
        fn,
        ref,
        inputs,
        hint="ubah bentuk (H, W) menjadi (H/2, 2, W/2, 2) lalu ambil max pada sumbu 1 dan 3.",
    )


# ----------------------------------------------------------------------------- 04 arsitektur
def check_basic_block_params(fn: Callable) -> bool:
    """`fn(c_in, c_out)` -> parameters of a ResNet basic block: two bias-free 3x3 convs
    (c_in -> c_out, c_out -> c_out), two batch norms (scale and shift: 2 c_out each) and a
    parameter-free (option A) shortcut."""
    cases = [(16, 16), (16, 32), (32, 64), (64, 64)]
    return check_values(
        "Latihan parameter blok residual",
        fn,
        cases,
        lambda ci, co: 9 * ci * co + 9 * co * co + 4 * co,
        "3*3*c_in*c_out + 3*3*c_out*c_out untuk kedua konvolusi, ditambah 2*c_out untuk "
        "setiap batch norm (skala dan geseran); shortcut opsi A tidak punya parameter.",
    )


def check_shortcut(fn: Callable) -> bool:
    """`fn(x, c_out)` -> the option-A shortcut of a (B, H, W, C) batch: keep every second
    row and column, then pad the channels with zeros up to `c_out`."""
    rng = rng_for("convnet.check_shortcut")

    def ref(x, c_out):
        y = x[:, ::2, ::2, :]
        return np.pad(y, ((0, 0), (0, 0), (0, 0), (0, c_out - x.shape[-1])))

    inputs = [
        (rng.standard_normal((2, 8, 8, 4)), 8),
        (rng.standard_normal((1, 6, 6, 3)), 5),
    ]
    return check_function(
        "Latihan shortcut opsi A",
        fn,
        ref,
        inputs,
        hint="ambil setiap baris dan kolom kedua (slicing berlangkah 2 pada sumbu H dan W), "
        "lalu tambahkan kanal nol di akhir sumbu kanal (jnp.pad) sampai c_out kanal.",
    )
