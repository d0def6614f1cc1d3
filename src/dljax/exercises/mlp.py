"""Exercise checkers of chapter 2 (`lessons/2-mlp`): autograd, an MLP in pure JAX, Flax NNX
and Optax, and image classification with the dljax engine.

Every checker takes the learner's answer, prints an Indonesian verdict and returns
True/False; an unanswered exercise or one that raises is "belum tepat", never a crash.
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np

from dljax.exercises._common import check_function, close, raised, report, rng_for


# ----------------------------------------------------------------------------- 01 autograd
def check_mse_gradient(fn: Callable) -> bool:
    """`fn(w, b, x, y)` -> (dL/dw, dL/db) of L(w, b) = mean((w x + b - y)²), scalars w, b."""
    rng = rng_for("mlp.check_mse_gradient")

    def reference(w, b, x, y):
        r = w * x + b - y
        return np.array([np.mean(2 * r * x), np.mean(2 * r)])

    inputs = []
    for n in (5, 30):
        x = rng.standard_normal(n).astype(np.float32)
        y = (1.5 * x - 0.5 + 0.1 * rng.standard_normal(n)).astype(np.float32)
        inputs.append((np.float32(rng.standard_normal()), np.float32(0.3), x, y))
    return check_function(
        "Latihan gradien MSE",
        lambda *a: _pair(fn(*a)),
        reference,
        inputs,
        hint="turunkan rata-rata kuadrat galat dengan aturan rantai (galat w x + b − y muncul "
        "di kedua turunan, untuk w dikali x), atau pakai jax.grad dengan argnums untuk w dan b.",
    )


def _pair(answer):
    """(dw, db) as a float64 array (2,), or None when the exercise is unanswered."""
    if answer is None or answer is Ellipsis:
        return None
    return np.asarray([np.asarray(g, np.float64) for g in answer])


def check_sgd_step(fn: Callable) -> bool:
    """`fn(params, grads, lr)` -> the pytree params - lr * grads (same structure)."""
    rng = rng_for("mlp.check_sgd_step")
    import jax

    name = "Latihan langkah SGD"
    hint = (
        "jax.tree.map menerapkan satu fungsi pada setiap pasangan daun params dan grads: "
        "kurangi lr kali gradien dari parameternya."
    )
    params = {"w": rng.standard_normal((2, 3)), "b": rng.standard_normal(3)}
    params = {"lapis": [params, {"w": rng.standard_normal((3, 1)), "b": np.zeros(1)}]}
    grads = jax.tree.map(lambda p: rng.standard_normal(p.shape), params)
    try:
        answer = fn(params, grads, 0.1)
        expected = jax.tree.map(lambda p, g: p - 0.1 * g, params, grads)
        same = jax.tree.structure(answer) == jax.tree.structure(expected)
        ok = same and all(
            close(a, e)
            for a, e in zip(jax.tree.leaves(answer), jax.tree.leaves(expected), strict=True)
        )
    except Exception as err:
        return raised(name, err, hint)
    return report(name, ok, hint)


# ----------------------------------------------------------------------------- 02 MLP JAX murni
def _logits_and_labels(rng: np.random.Generator):
    out = []
    for b, k in ((4, 3), (16, 10)):
        logits = (3 * rng.standard_normal((b, k))).astype(np.float32)
        out.append((logits, rng.integers(0, k, b).astype(np.int32)))
    out.append((np.array([[1000.0, 0.0, -1000.0]], np.float32), np.array([1], np.int32)))
    return out


def check_cross_entropy(fn: Callable) -> bool:
    """`fn(logits, labels)` -> mean over the batch of -log softmax(logits)[label]."""
    rng = rng_for("mlp.check_cross_entropy")

    def reference(logits, labels):
        z = logits.astype(np.float64)
        m = z.max(axis=1, keepdims=True)
        log_softmax = z - m - np.log(np.exp(z - m).sum(axis=1, keepdims=True))
        return -np.mean(log_softmax[np.arange(len(labels)), labels])

    return check_function(
        "Latihan cross-entropy",
        fn,
        reference,
        _logits_and_labels(rng),
        hint="ambil log-softmax logit (jax.nn.log_softmax, stabil untuk logit besar), pilih "
        "kolom label setiap baris (jnp.take_along_axis), lalu rata-ratakan dengan tanda minus.",
        atol=1e-4,
    )


def check_accuracy(fn: Callable) -> bool:
    """`fn(logits, labels)` -> the fraction of rows whose argmax equals the label."""
    rng = rng_for("mlp.check_accuracy")
    return check_function(
        "Latihan akurasi",
        fn,
        lambda logits, labels: np.mean(np.argmax(logits, axis=1) == labels),
        _logits_and_labels(rng)[:2],
        hint="bandingkan argmax setiap baris logit dengan labelnya, lalu rata-ratakan hasil "
        "perbandingan itu.",
    )


def check_count_params(fn: Callable) -> bool:
    """`fn(params)` -> the total number of numbers in the pytree `params`."""
    params = [
        {"W": np.zeros((2, 64)), "b": np.zeros(64)},
        {"W": np.zeros((64, 64)), "b": np.zeros(64)},
        {"W": np.zeros((64, 3)), "b": np.zeros(3)},
    ]
    small = {"a": np.zeros((3, 4)), "b": (np.zeros(2), np.zeros(()))}
    return check_function(
        "Latihan jumlah parameter",
        fn,
        lambda p: sum(np.size(x) for x in _leaves(p)),
        [(params,), (small,)],
        hint="jax.tree.leaves memberi semua array di dalam pytree; jumlahkan ukuran (size) "
        "semuanya.",
    )


def _leaves(tree):
    import jax

    return jax.tree.leaves(tree)


# ----------------------------------------------------------------------------- 03 Flax NNX + Optax
def check_nnx_mlp(cls) -> bool:
    """`cls(din, dhid, dout, *, rngs)`: an nnx.Module with two hidden Linear layers of width
    `dhid` (ReLU) and a Linear output layer; (B, din) -> (B, dout)."""
    rng = rng_for("mlp.check_nnx_mlp")
    import jax
    import jax.numpy as jnp
    from flax import nnx

    name = "Latihan MLP NNX dua lapisan tersembunyi"
    hint = (
        "tiga nnx.Linear: din→dhid, dhid→dhid, dhid→dout, dengan nnx.relu di antaranya. "
        "Untuk (2, 16, 3) jumlah parameternya 2·16+16 + 16·16+16 + 16·3+3 = 371."
    )
    if cls is None or cls is Ellipsis:
        return report(name, False, hint)
    try:
        model = cls(2, 16, 3, rngs=nnx.Rngs(0))
        if not isinstance(model, nnx.Module):
            return report(name, False, "kelasnya harus turunan nnx.Module. " + hint)
        y = model(jnp.ones((5, 2)))
        if y is None:
            return report(name, False, hint)
        n_params = sum(x.size for x in jax.tree.leaves(nnx.state(model, nnx.Param)))
        # an affine map has f(x) + f(-x) = 2 f(0); the ReLUs between the layers break that
        x = jnp.asarray(rng.standard_normal((8, 2)), jnp.float32)
        both = np.asarray(model(x)) + np.asarray(model(-x))
        affine = close(both, 2.0 * np.repeat(np.asarray(model(jnp.zeros((1, 2)))), 8, axis=0))
        ok = tuple(y.shape) == (5, 3) and n_params == 371 and not affine
    except Exception as err:
        return raised(name, err, hint)
    return report(name, ok, hint)


def check_optimizer(tx) -> bool:
    """`tx`: an optax transformation equal to chain(clip_by_global_norm(1.0), adam(3e-3))."""
    rng = rng_for("mlp.check_optimizer")
    import jax.numpy as jnp
    import optax

    name = "Latihan optimizer Optax"
    hint = (
        "rangkai dua transformasi dengan optax.chain: pemotongan norma global gradien lebih "
        "dulu, lalu Adam dengan learning rate dari soal."
    )
    reference = optax.chain(optax.clip_by_global_norm(1.0), optax.adam(3e-3))
    if tx is None or tx is Ellipsis:
        return report(name, False, hint)
    params = {"w": jnp.ones((3, 2)), "b": jnp.zeros(2)}
    try:
        states = [tx.init(params), reference.init(params)]
        ok = True
        for scale in (10.0, 0.1, 5.0):
            grads = {
                "w": jnp.asarray(scale * rng.standard_normal((3, 2)), jnp.float32),
                "b": jnp.asarray(scale * rng.standard_normal(2), jnp.float32),
            }
            (u1, states[0]), (u2, states[1]) = (
                tx.update(grads, states[0], params),
                reference.update(grads, states[1], params),
            )
            ok &= all(close(u1[k], u2[k], rtol=1e-4, atol=1e-7) for k in params)
    except Exception as err:
        return raised(name, err, hint)
    return report(name, ok, hint)


# ------------------------------------------------------------------------- 04 klasifikasi gambar
def _label_pairs(rng: np.random.Generator):
    out = []
    for n, k in ((12, 3), (200, 10)):
        labels = np.concatenate([np.arange(k), rng.integers(0, k, n - k)]).astype(np.int32)
        preds = np.where(rng.random(n) < 0.7, labels, rng.integers(0, k, n)).astype(np.int32)
        out.append((labels, preds, k))
    return out


def check_confusion_matrix(fn: Callable) -> bool:
    """`fn(labels, preds, num_classes)` -> C (K, K) with C[i, j] = #(label i, predicted j)."""
    rng = rng_for("mlp.check_confusion_matrix")

    def reference(labels, preds, k):
        c = np.zeros((k, k))
        np.add.at(c, (labels, preds), 1)
        return c

    return check_function(
        "Latihan matriks kebingungan",
        fn,
        reference,
        _label_pairs(rng),
        hint="baris: label sebenarnya, kolom: prediksi. Mulai dari matriks nol K × K dan "
        "tambahkan 1 di posisi (label, prediksi) setiap contoh (.at[...].add); jumlah semua "
        "elemennya sama dengan banyak contoh.",
    )


def check_per_class_accuracy(fn: Callable) -> bool:
    """`fn(labels, preds, num_classes)` -> (K,) accuracy within each true class."""
    rng = rng_for("mlp.check_per_class_accuracy")

    def reference(labels, preds, k):
        return np.array([np.mean(preds[labels == c] == c) for c in range(k)])

    return check_function(
        "Latihan akurasi per kelas",
        fn,
        reference,
        _label_pairs(rng),
        hint="untuk setiap kelas c: dari contoh berlabel c, berapa bagian yang diprediksi c? "
        "Dari matriks kebingungan: diagonalnya dibagi jumlah setiap baris.",
    )
