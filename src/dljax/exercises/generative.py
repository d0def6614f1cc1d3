"""Exercise checkers of chapter 5 (`lessons/5-generative`): autoencoders, the VAE and GANs.

Every checker takes the learner's answer, prints an Indonesian verdict and returns
True/False; an unanswered exercise or one that raises is "belum tepat", never a crash.
Each checker draws its inputs from its own seeded generator, so its inputs never depend on
which checkers ran before it. References are NumPy re-derivations in float64.
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np

from dljax.exercises._common import check_all, check_function, close, normals


def _rng(seed: int) -> np.random.Generator:
    return np.random.default_rng(20240505 + seed)


def _images(rng: np.random.Generator, shape: tuple[int, ...]) -> np.ndarray:
    return rng.uniform(0.0, 1.0, shape).astype(np.float32)


def _softplus(x: np.ndarray) -> np.ndarray:
    return np.logaddexp(0.0, x)


# ----------------------------------------------------------------------------- 01 autoencoder
def check_gaussian_corruption(fn: Callable) -> bool:
    """`fn(x, eps, level)` -> clip(x + level * eps, 0, 1): images x (B, H, W, C) in [0, 1]
    corrupted with the given standard-normal noise eps (same shape) scaled by `level`."""
    rng = _rng(1)

    def reference(x, eps, level):
        return np.clip(np.asarray(x, np.float64) + level * np.asarray(eps, np.float64), 0, 1)

    inputs = []
    for shape, level in (((2, 4, 4, 1), 0.3), ((5, 8, 8, 1), 0.7)):
        x = _images(rng, shape)
        inputs.append((x, *normals(rng, shape), level))
    return check_function(
        "Latihan derau Gaussian",
        fn,
        reference,
        inputs,
        hint="tambahkan level kali eps ke x, lalu potong hasilnya (jnp.clip): piksel harus "
        "tetap di [0, 1].",
    )


def _psnr_reference(x, reference):
    x, reference = np.asarray(x, np.float64), np.asarray(reference, np.float64)
    mse = ((x - reference) ** 2).reshape(len(x), -1).mean(axis=1)
    return 10.0 * np.log10(1.0 / mse)


def check_psnr(fn: Callable) -> bool:
    """`fn(x, reference)` -> (B,) PSNR in dB of each image of x (B, H, W, C) in [0, 1]
    against the clean reference images: 10 log10(1 / MSE), the MSE over each image."""
    rng = _rng(2)
    inputs = []
    for shape, noise in (((3, 8, 8, 1), 0.1), ((4, 6, 5, 3), 0.3)):
        clean = _images(rng, shape)
        noisy = np.clip(clean + noise * rng.standard_normal(shape), 0, 1).astype(np.float32)
        inputs.append((noisy, clean))
    return check_function(
        "Latihan PSNR",
        fn,
        _psnr_reference,
        inputs,
        hint="hitung MSE per gambar (rata-rata atas tinggi, lebar dan kanal, bukan atas "
        "batch), lalu 10 log₁₀(1 / MSE).",
        atol=1e-4,
    )


# ----------------------------------------------------------------------------- 02 VAE
def _kl_reference(mean1, logvar1, mean2, logvar2):
    m1, lv1, m2, lv2 = (np.asarray(a, np.float64) for a in (mean1, logvar1, mean2, logvar2))
    per_dim = 0.5 * (lv2 - lv1 + (np.exp(lv1) + (m1 - m2) ** 2) / np.exp(lv2) - 1.0)
    return per_dim.sum(axis=-1)


def check_kl_diagonal(fn: Callable) -> bool:
    """`fn(mean1, logvar1, mean2, logvar2)` -> (B,) KL(N(mean1, exp(logvar1)) ||
    N(mean2, exp(logvar2))) of diagonal Gaussians, each argument (B, L), summed over L."""
    rng = _rng(3)
    inputs = []
    for b, lat in ((3, 2), (6, 8)):
        mean1, mean2 = rng.standard_normal((2, b, lat)).astype(np.float32)
        logvar1, logvar2 = (0.7 * rng.standard_normal((2, b, lat))).astype(np.float32)
        inputs.append((mean1, logvar1, mean2, logvar2))
    zeros = np.zeros((2, 4), np.float32)  # KL against N(0, I), as in the VAE
    inputs.append((inputs[0][0][:2, :2].repeat(2, axis=1), zeros + 0.5, zeros, zeros))
    return check_function(
        "Latihan KL dua Gaussian diagonal",
        fn,
        _kl_reference,
        inputs,
        hint="pakai rumus per dimensi di soal dengan σ² = exp(logvar), lalu jumlahkan pada "
        "sumbu terakhir (sumbu laten).",
    )


def check_reparameterize(fn: Callable) -> bool:
    """`fn(mean, logvar, key)` -> z = mean + exp(logvar / 2) * eps with
    eps = jax.random.normal(key, mean.shape); mean and logvar (B, L)."""
    import jax

    rng = _rng(4)

    def values(b: int, lat: int, seed: int) -> bool:
        mean = rng.standard_normal((b, lat)).astype(np.float32)
        logvar = (0.8 * rng.standard_normal((b, lat))).astype(np.float32)
        key = jax.random.key(seed)
        eps = np.asarray(jax.random.normal(key, mean.shape), np.float64)
        expected = mean + np.exp(0.5 * logvar.astype(np.float64)) * eps
        return close(fn(mean, logvar, key), expected, rtol=1e-4, atol=1e-5)

    def gradient() -> bool:  # it must flow to both: dz/dmean = 1, dz/dlogvar = (z - mean) / 2
        zeros, key = np.zeros((2, 3), np.float32), jax.random.key(3)
        grad = jax.grad(lambda m, lv: fn(m, lv, key).sum(), argnums=(0, 1))(zeros, zeros)
        eps = np.asarray(jax.random.normal(key, (2, 3)), np.float64)
        return close(grad[0], np.ones((2, 3))) and close(grad[1], eps / 2, rtol=1e-4)

    return check_all(
        "Latihan trik reparameterisasi",
        [lambda: values(4, 2, 0), lambda: values(16, 8, 7), gradient],
        hint="ambil derau normal baku berbentuk mean dengan key yang diberikan apa adanya "
        "(jangan di-split), lalu z = μ + σ ε dengan simpangan baku σ = exp(logvar / 2), bukan "
        "variansnya.",
    )


def check_interpolate(fn: Callable) -> bool:
    """`fn(z0, z1, steps)` -> (steps, L): the points (1 - t) z0 + t z1 for t evenly spaced
    from 0 to 1 inclusive, for codes z0 and z1 (L,)."""
    rng = _rng(5)

    def reference(z0, z1, steps):
        t = np.linspace(0.0, 1.0, steps)[:, None]
        return (1 - t) * np.asarray(z0, np.float64) + t * np.asarray(z1, np.float64)

    inputs = [(*rng.standard_normal((2, lat)).astype(np.float32), s) for lat, s in ((2, 5), (8, 9))]
    return check_function(
        "Latihan interpolasi laten",
        fn,
        reference,
        inputs,
        hint="buat `steps` nilai t berjarak sama dari 0 sampai 1 sebagai kolom, lalu campur "
        "(1 − t) z0 + t z1 dengan broadcasting: baris pertama z0, baris terakhir z1.",
    )


# ----------------------------------------------------------------------------- 03 GAN
def _logits(rng: np.random.Generator, n: int, scale: float) -> np.ndarray:
    return (scale * rng.standard_normal(n)).astype(np.float32)


def _d_loss_reference(real_logits, fake_logits):
    real, fake = np.asarray(real_logits, np.float64), np.asarray(fake_logits, np.float64)
    return np.mean(_softplus(-real)) + np.mean(_softplus(fake))


def check_discriminator_loss(fn: Callable) -> bool:
    """`fn(real_logits, fake_logits)` -> scalar: the discriminator's binary cross-entropy,
    real images labelled 1 and fakes labelled 0, each averaged over its batch and summed:
    mean(-log D(x)) + mean(-log(1 - D(G(z)))) with D = sigmoid(logit); stable for large
    logits."""
    rng = _rng(6)
    inputs = [
        (_logits(rng, 8, 2.0), _logits(rng, 8, 2.0)),
        (_logits(rng, 5, 1.0), _logits(rng, 7, 3.0)),  # batches of different sizes
        (np.array([60.0, -60.0], np.float32), np.array([-80.0, 90.0], np.float32)),
    ]
    return check_function(
        "Latihan loss diskriminator",
        fn,
        _d_loss_reference,
        inputs,
        hint="−log σ(ℓ) = softplus(−ℓ) dan −log(1 − σ(ℓ)) = softplus(ℓ): rata-ratakan yang "
        "pertama atas logit asli, yang kedua atas logit palsu, lalu jumlahkan keduanya. Log "
        "dari sigmoid yang dihitung langsung meluap untuk logit besar.",
    )


def check_generator_loss(fn: Callable) -> bool:
    """`fn(fake_logits)` -> scalar: the non-saturating generator loss mean(-log D(G(z))),
    D = sigmoid(logit); stable for large logits."""
    rng = _rng(7)

    def reference(fake_logits):
        return np.mean(_softplus(-np.asarray(fake_logits, np.float64)))

    inputs = [
        (_logits(rng, 8, 2.0),),
        (_logits(rng, 3, 4.0),),
        (np.array([-70.0, 0.0, 50.0], np.float32),),
    ]
    return check_function(
        "Latihan loss generator non-saturating",
        fn,
        reference,
        inputs,
        hint="generator ingin D(G(z)) → 1: rata-rata −log σ(ℓ) atas logit palsu, yang stabil "
        "ditulis dengan softplus(−ℓ). Bukan log(1 − D), itu versi yang jenuh.",
    )


# ----------------------------------------------------------------------------- 04 DCGAN, cGAN
def check_transposed_conv_size(fn: Callable) -> bool:
    """`fn(size, kernel, stride, padding)` -> the output side of a transposed convolution,
    (size - 1) * stride - 2 * padding + kernel (the inverse of a convolution's
    (size + 2 * padding - kernel) // stride + 1)."""

    def reference(size, kernel, stride, padding):
        return (size - 1) * stride - 2 * padding + kernel

    cases = [(4, 4, 2, 1), (8, 4, 2, 1), (7, 3, 1, 1), (5, 5, 3, 0), (1, 4, 1, 0)]
    return check_function(
        "Latihan ukuran konvolusi transpos",
        fn,
        reference,
        cases,
        hint="konvolusi transpos membalik rumus ukuran konvolusi biasa: mulai dari (masukan − 1) "
        "kali stride, lalu sesuaikan dengan padding (dua sisi) dan kernel; mis. 4x4 dengan "
        "kernel 4, stride 2, padding 1 menjadi 8x8.",
    )


def check_label_channels(fn: Callable) -> bool:
    """`fn(images, embeddings)` -> (B, H, W, C + E): images (B, H, W, C) with each image's
    label embedding (B, E) broadcast over all pixels and appended as extra channels."""
    rng = _rng(8)

    def reference(images, embeddings):
        b, h, w, _ = np.shape(images)
        tiled = np.broadcast_to(
            np.asarray(embeddings)[:, None, None, :], (b, h, w, np.shape(embeddings)[1])
        )
        return np.concatenate([images, tiled], axis=-1)

    inputs = [
        (_images(rng, (2, 4, 4, 1)), rng.standard_normal((2, 3)).astype(np.float32)),
        (_images(rng, (3, 8, 6, 2)), rng.standard_normal((3, 5)).astype(np.float32)),
    ]
    return check_function(
        "Latihan label sebagai kanal",
        fn,
        reference,
        inputs,
        hint="salin embedding setiap gambar ke semua pikselnya (dua sumbu baru di tengah, lalu "
        "jnp.broadcast_to ke (B, H, W, E)), lalu sambungkan pada sumbu kanal: gambar dulu, "
        "embedding sesudahnya.",
    )


def check_conv_output_size(fn: Callable) -> bool:
    """`fn(size, kernel, stride, padding)` -> the output side of a convolution,
    (size + 2 * padding - kernel) // stride + 1 (the discriminator's downsampling)."""

    def reference(size, kernel, stride, padding):
        return (size + 2 * padding - kernel) // stride + 1

    return check_function(
        "Latihan ukuran konvolusi",
        fn,
        reference,
        [(16, 4, 2, 1), (8, 4, 2, 1), (7, 3, 2, 0), (28, 5, 1, 2), (9, 4, 3, 1)],
        hint="pakai rumus panjang keluaran dari pelajaran 3.1 (padding di kedua sisi, dibagi "
        "stride, dibulatkan ke bawah); mis. 16x16 dengan kernel 4, stride 2, padding 1 menjadi "
        "8x8.",
    )


def check_grid_labels(fn: Callable) -> bool:
    """`fn(num_classes, per_class)` -> int labels (num_classes * per_class,) asking for class
    0 `per_class` times, then class 1, ...: row k of a `per_class`-column grid shows class k."""

    def reference(num_classes, per_class):
        return np.repeat(np.arange(num_classes), per_class)

    return check_function(
        "Latihan label untuk kisi",
        fn,
        reference,
        [(10, 8), (3, 4), (5, 1)],
        hint="jnp.repeat mengulang setiap elemen beberapa kali berturut-turut (0, 0, ..., 1, "
        "1, ...); jnp.tile mengulang seluruh barisan (0, 1, 2, ..., 0, 1, 2, ...: satu kolom "
        "per kelas, bukan satu baris).",
    )
