"""Exercise checkers of chapter 4 (`lessons/4-rnn`): recurrent cells and backpropagation
through time, inspecting an LSTM, and character-level text generation.

Every checker takes the learner's answer, prints an Indonesian verdict and returns
True/False; an unanswered exercise or one that raises is "belum tepat", never a crash.
The cell exercises are checked against `dljax.models.recurrent.Cell` itself.
"""

from __future__ import annotations

from collections.abc import Callable

import jax
import jax.numpy as jnp
import numpy as np
from flax import nnx

from dljax.data.synthetic import temporal_order
from dljax.exercises._common import check_all, check_function, close, raised, report, rng_for
from dljax.models.recurrent import Cell, SequenceClassifier


def _cell_with(kind: str, w_ih, w_hh, b):
    """A `dljax.models.recurrent.Cell` holding the given weights (b as `ih.bias`, hh.bias 0)."""
    d, gh = np.shape(w_ih)
    cell = Cell(kind, d, gh // {"rnn": 1, "lstm": 4}[kind], rngs=nnx.Rngs(0))
    cell.ih.kernel[...] = jnp.asarray(w_ih, jnp.float32)
    cell.ih.bias[...] = jnp.asarray(b, jnp.float32)
    cell.hh.kernel[...] = jnp.asarray(w_hh, jnp.float32)
    cell.hh.bias[...] = jnp.zeros(np.shape(b), jnp.float32)
    return cell


def _weights(rng: np.random.Generator, gates: int, batch: int, d: int, h: int):
    """Random x (B, D), h (B, H), c (B, H), W_ih (D, G*H), W_hh (H, G*H), b (G*H,)."""
    s = 1 / np.sqrt(h)
    return (
        rng.standard_normal((batch, d)).astype(np.float32),
        (0.5 * rng.standard_normal((batch, h))).astype(np.float32),
        rng.standard_normal((batch, h)).astype(np.float32),
        rng.uniform(-s, s, (d, gates * h)).astype(np.float32),
        rng.uniform(-s, s, (h, gates * h)).astype(np.float32),
        rng.uniform(-s, s, gates * h).astype(np.float32),
    )


# ----------------------------------------------------------------------------- 01 RNN vs LSTM
def check_rnn_step(fn: Callable) -> bool:
    """`fn(x, h, W_ih, W_hh, b)` -> h' = tanh(x W_ih + h W_hh + b).

    x (B, D), h (B, H), W_ih (D, H), W_hh (H, H), b (H,) -> (B, H); compared with
    `Cell("rnn", D, H)` holding the same weights.
    """
    rng = rng_for("rnn.check_rnn_step")

    def reference(x, h, w_ih, w_hh, b):
        return _cell_with("rnn", w_ih, w_hh, b)(jnp.asarray(h), jnp.asarray(x))[1]

    inputs = []
    for batch, d, h in ((3, 4, 5), (8, 8, 16)):
        x, h0, _, w_ih, w_hh, b = _weights(rng, 1, batch, d, h)
        inputs.append((x, h0, w_ih, w_hh, b))
    return check_function(
        "Latihan langkah RNN",
        fn,
        reference,
        inputs,
        hint="jumlahkan proyeksi masukan, proyeksi keadaan sebelumnya dan bias, lalu tanh; "
        "bentuknya (B, H).",
    )


def _rnn_states(w_ih, w_hh, b, xs, h0):
    """Hidden states h_1..h_T (T, H) of a tanh RNN on one sequence xs (T, D)."""
    out, h = [], h0
    for x in xs:
        h = np.tanh(x @ w_ih + h @ w_hh + b)
        out.append(h)
    return np.stack(out)


def _jacobian_chain_reference(w_hh, hs):
    """dh_T/dh_0 = J_T ... J_1 with J_t = diag(1 - h_t^2) W_hh^T (row-vector convention)."""
    w_hh, hs = np.asarray(w_hh, np.float64), np.asarray(hs, np.float64)
    jac = np.eye(w_hh.shape[0])
    for h in hs:
        jac = ((1 - h**2)[:, None] * w_hh.T) @ jac
    return jac


def check_jacobian_chain(fn: Callable) -> bool:
    """`fn(W_hh, hs)` -> dh_T/dh_0 (H, H) of a tanh RNN, from W_hh (H, H) and the hidden
    states hs (T, H) = h_1..h_T of one sequence; entry [i, j] = d h_T[i] / d h_0[j]."""
    rng = rng_for("rnn.check_jacobian_chain")
    inputs = []
    for t, h, scale in ((3, 4, 1.0), (12, 6, 0.6), (25, 5, 1.5)):
        w_ih = rng.standard_normal((2, h)).astype(np.float32)
        w_hh = (scale * rng.standard_normal((h, h)) / np.sqrt(h)).astype(np.float32)
        b = (0.1 * rng.standard_normal(h)).astype(np.float32)
        xs = rng.standard_normal((t, 2)).astype(np.float32)
        hs = _rnn_states(w_ih, w_hh, b, xs, np.zeros(h, np.float32)).astype(np.float32)
        inputs.append((w_hh, hs))
    return check_function(
        "Latihan rantai Jacobian (BPTT)",
        fn,
        _jacobian_chain_reference,
        inputs,
        hint="mulai dari matriks identitas H × H, lalu untuk setiap h_t secara berurutan "
        "kalikan dari kiri dengan J_t = diag(1 − h_t²) W_hhᵀ. Cek dengan jax.jacobian bila ragu.",
        rtol=1e-3,
        atol=1e-6,
    )


def _gap_reference(symbols):
    symbols = np.asarray(symbols)
    relevant = (symbols == 0) | (symbols == 1)  # X or Y
    first = np.argmax(relevant, axis=1)
    return symbols.shape[1] - 1 - first


def check_gap(fn: Callable) -> bool:
    """`fn(symbols)` -> (n,) steps from the first X/Y to the last position (the E), for
    symbol ids (n, T) of `temporal_order` (X=0, Y=1, padding -1)."""
    inputs = [
        (temporal_order(16, "easy", seed=3)[2],),
        (temporal_order(40, "moderate", seed=4)[2],),
    ]
    return check_function(
        "Latihan jarak simbol relevan",
        fn,
        _gap_reference,
        inputs,
        hint="cari posisi pertama X atau Y di setiap baris (argmax dari mask boolean-nya); "
        "jaraknya T − 1 dikurangi posisi itu (E selalu di posisi terakhir, padding di depan).",
    )


# ----------------------------------------------------------------------------- 02 inspeksi LSTM
def _as_pair(answer):
    if answer is None or answer is Ellipsis or len(answer) != 2:
        return None
    return answer


def check_lstm_step(fn: Callable) -> bool:
    """`fn(x, h, c, W_ih, W_hh, b)` -> (h', c') of an LSTM with gates in the order i, f, g, o.

    x (B, D), h and c (B, H), W_ih (D, 4H), W_hh (H, 4H), b (4H,); compared with
    `Cell("lstm", D, H)` holding the same weights.
    """
    rng = rng_for("rnn.check_lstm_step")

    def step(batch: int, d: int, h: int) -> bool:
        x, h0, c0, w_ih, w_hh, b = _weights(rng, 4, batch, d, h)
        cell = _cell_with("lstm", w_ih, w_hh, b)
        (h_ref, c_ref), _ = cell((jnp.asarray(h0), jnp.asarray(c0)), jnp.asarray(x))
        answer = _as_pair(fn(x, h0, c0, w_ih, w_hh, b))
        tol = {"rtol": 1e-4, "atol": 1e-5}
        return (
            answer is not None and close(answer[0], h_ref, **tol) and close(answer[1], c_ref, **tol)
        )

    return check_all(
        "Latihan langkah LSTM",
        [lambda: step(2, 3, 4), lambda: step(8, 8, 16)],
        hint="hitung keempat gerbang sekaligus dari satu jumlah (proyeksi masukan, proyeksi "
        "keadaan, bias), pecah menjadi empat bagian sama besar berurutan i, f, g, o, lalu pakai "
        "rumus c_t dan h_t di pelajaran; kembalikan pasangan (h_baru, c_baru).",
    )


def check_collect_states(fn: Callable) -> bool:
    """`fn(model, x)` -> (hs, cs), each (B, T, H): the hidden and cell states after every
    step of a one-layer LSTM `SequenceClassifier` on x (B, T, D), run with
    `model.rnn.step`; hs must equal the scan's output `model.rnn(x)[0]`."""
    rng = rng_for("rnn.check_collect_states")

    name = "Latihan mengumpulkan h dan c"
    hint = (
        "mulai dari keadaan awal model.rnn.initial_carry untuk B urutan, panggil model.rnn.step "
        "untuk setiap "
        "langkah waktu; carries[0] berisi pasangan (h, c) lapisan pertama. Kumpulkan keduanya, "
        "lalu tumpuk pada sumbu waktu (sumbu 1)."
    )
    try:
        model = SequenceClassifier("lstm", 3, 5, 2, rngs=nnx.Rngs(7))
        x = jnp.asarray(rng.standard_normal((4, 9, 3)), jnp.float32)
        hs_ref = np.asarray(model.rnn(x)[0])
        cs, carry = [], model.rnn.initial_carry(4)
        for t in range(9):
            carry, _ = model.rnn.step(carry, x[:, t])
            cs.append(np.asarray(carry[0][1]))
        cs_ref = np.stack(cs, axis=1)
        answer = _as_pair(fn(model, x))
        if answer is None:
            return report(name, False, hint)
        answer = jax.tree.map(np.asarray, tuple(answer))
        ok = close(answer[0], hs_ref, rtol=1e-4, atol=1e-5) and close(
            answer[1], cs_ref, rtol=1e-4, atol=1e-5
        )
    except Exception as err:
        return raised(name, err, hint)
    return report(name, ok, hint)


def _retention_reference(f):
    f = np.asarray(f, np.float64)
    later = np.concatenate([f[1:], np.ones((1, f.shape[1]))])  # f_{t+1}, ..., then 1
    return np.cumprod(later[::-1], axis=0)[::-1]


def check_retention(fn: Callable) -> bool:
    """`fn(f)` -> r (T, H) with r[t] = f[t+1] * ... * f[T-1] (r[T-1] = 1): the fraction of
    the cell state c_t still present at the last step, for forget gates f (T, H)."""
    rng = rng_for("rnn.check_retention")
    inputs = [
        (rng.uniform(0.0, 1.0, (6, 3)).astype(np.float32),),
        (rng.uniform(0.8, 1.0, (30, 4)).astype(np.float32),),
    ]
    return check_function(
        "Latihan sisa memori",
        fn,
        _retention_reference,
        inputs,
        hint="r di langkah terakhir adalah 1, dan r di langkah t adalah f[t+1] kali r di "
        "langkah t + 1: hasil kali kumulatif dari belakang (jnp.cumprod pada f yang dibalik).",
        atol=1e-6,
    )


# ----------------------------------------------------------------------------- 03 generasi teks
def check_softmax_temperature(fn: Callable) -> bool:
    """`fn(logits, temperature)` -> softmax(logits / temperature) over the last axis, for
    logits (B, V) and temperature > 0; stable for large logits."""
    rng = rng_for("rnn.check_softmax_temperature")

    def reference(logits, temperature):
        z = np.asarray(logits, np.float64) / temperature
        z = z - z.max(axis=-1, keepdims=True)
        e = np.exp(z)
        return e / e.sum(axis=-1, keepdims=True)

    logits = (3 * rng.standard_normal((4, 10))).astype(np.float32)
    big = np.array([[800.0, 790.0, -50.0]], np.float32)
    return check_function(
        "Latihan softmax dengan temperatur",
        fn,
        reference,
        [(logits, 1.0), (logits, 0.5), (logits, 2.0), (big, 1.0)],
        hint="bagi logit dengan temperatur, lalu softmax per baris; kalau menulis sendiri, "
        "kurangi dulu nilai maksimum per baris agar exp tidak meluap.",
        atol=1e-6,
    )


def check_entropy(fn: Callable) -> bool:
    """`fn(probs)` -> (B,) entropy -sum p log p in nats of each row of probs (B, V), with
    0 log 0 = 0."""
    rng = rng_for("rnn.check_entropy")

    def reference(probs):
        p = np.asarray(probs, np.float64)
        return -np.sum(np.where(p > 0, p * np.log(np.where(p > 0, p, 1.0)), 0.0), axis=-1)

    probs = rng.dirichlet(np.ones(6), size=3).astype(np.float32)
    edge = np.array([[1.0, 0.0, 0.0, 0.0], [0.25, 0.25, 0.25, 0.25]], np.float32)
    return check_function(
        "Latihan entropi",
        fn,
        reference,
        [(probs,), (edge,)],
        hint="jumlahkan −p log p per baris, tetapi 0 log 0 harus 0: jax.scipy.special.entr "
        "menanganinya, atau pilih 0 dengan jnp.where bila p = 0.",
    )


def _bigram_reference(train_ids, test_ids, vocab_size):
    train_ids, test_ids = np.asarray(train_ids), np.asarray(test_ids)
    counts = np.ones((vocab_size, vocab_size))  # add-one (Laplace) smoothing
    np.add.at(counts, (train_ids[:-1], train_ids[1:]), 1)
    probs = counts / counts.sum(axis=1, keepdims=True)
    return -np.mean(np.log(probs[test_ids[:-1], test_ids[1:]]))


def check_bigram_loss(fn: Callable) -> bool:
    """`fn(train_ids, test_ids, vocab_size)` -> the mean cross-entropy (nats) on the test
    pairs of a bigram model with add-one smoothing fitted on the training ids:
    p(b | a) = (N(a, b) + 1) / (N(a) + V), N counted over consecutive training pairs."""
    rng = rng_for("rnn.check_bigram_loss")
    inputs = []
    for v, n in ((3, 40), (7, 500)):
        probs = rng.dirichlet(np.ones(v), size=v)
        ids = [0]
        for _ in range(n + n // 4):
            ids.append(int(rng.choice(v, p=probs[ids[-1]])))
        ids = np.asarray(ids, np.int32)
        inputs.append((ids[:n], ids[n:], v))
    return check_function(
        "Latihan baseline bigram",
        fn,
        _bigram_reference,
        inputs,
        hint="mulai dari matriks satu V × V (pemulusan tambah-satu), tambahkan 1 untuk setiap "
        "pasangan berurutan data latih, bagi setiap baris dengan jumlahnya, lalu rata-ratakan "
        "−log peluang pasangan berurutan data uji.",
        atol=1e-6,
    )
