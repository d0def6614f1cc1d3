import jax
import jax.numpy as jnp
import numpy as np
import pytest
from flax import nnx

from dljax.models.decoding import generate, sample_logits
from dljax.models.recurrent import Cell, CharLM, Recurrent


def sigmoid(x):
    return 1 / (1 + np.exp(-x))


def numpy_step(kind, params, carry, x):
    """The PyTorch-documented equations, written out with NumPy."""
    w_ih, b_ih, w_hh, b_hh = params
    h = carry[0] if kind == "lstm" else carry
    xw, hw = x @ w_ih + b_ih, h @ w_hh + b_hh
    if kind == "rnn":
        return np.tanh(xw + hw)
    if kind == "lstm":
        i, f, g, o = np.split(xw + hw, 4, axis=-1)
        c = sigmoid(f) * carry[1] + sigmoid(i) * np.tanh(g)
        return sigmoid(o) * np.tanh(c), c
    r = sigmoid(xw[:, :7] + hw[:, :7])
    z = sigmoid(xw[:, 7:14] + hw[:, 7:14])
    n = np.tanh(xw[:, 14:] + r * hw[:, 14:])
    return (1 - z) * n + z * h


def cell_params(cell):
    return [
        np.asarray(v, np.float64)
        for v in (cell.ih.kernel[...], cell.ih.bias[...], cell.hh.kernel[...], cell.hh.bias[...])
    ]


@pytest.mark.parametrize("kind", ["rnn", "lstm", "gru"])
def test_cell_matches_numpy_equations(kind):
    cell = Cell(kind, 5, 7, rngs=nnx.Rngs(3))
    rng = np.random.default_rng(0)
    x = rng.normal(size=(4, 5)).astype(np.float32)
    h = rng.normal(size=(4, 7)).astype(np.float32)
    carry = (h, rng.normal(size=(4, 7)).astype(np.float32)) if kind == "lstm" else h
    new, out = cell(jax.tree.map(jnp.asarray, carry), jnp.asarray(x))
    ref = numpy_step(kind, cell_params(cell), jax.tree.map(np.float64, carry), x)
    np.testing.assert_allclose(new, ref, rtol=1e-5, atol=1e-5)
    ref_h = ref[0] if kind == "lstm" else ref
    np.testing.assert_allclose(out, ref_h, rtol=1e-5, atol=1e-5)


@pytest.mark.parametrize("kind", ["rnn", "lstm", "gru"])
def test_scan_network_equals_step_by_step_loop(kind):
    net = Recurrent(kind, 3, 6, num_layers=2, rngs=nnx.Rngs(0))
    x = jax.random.normal(jax.random.key(1), (2, 9, 3))
    init = [jax.tree.map(lambda a: a + 0.1, c) for c in net.initial_carry(2)]
    hs, finals = net(x, init)
    carries, outs = init, []
    for t in range(9):
        carries, h = net.step(carries, x[:, t])
        outs.append(h)
    np.testing.assert_allclose(hs, jnp.stack(outs, axis=1), rtol=1e-5, atol=1e-6)
    for a, b in zip(jax.tree.leaves(finals), jax.tree.leaves(carries), strict=True):
        np.testing.assert_allclose(a, b, rtol=1e-5, atol=1e-6)
    assert hs.shape == (2, 9, 6)


def test_gradients_are_finite():
    net = Recurrent("lstm", 3, 6, num_layers=2, rngs=nnx.Rngs(0))
    graphdef, params = nnx.split(net)
    x = jax.random.normal(jax.random.key(1), (2, 50, 3))
    grads = jax.grad(lambda p: nnx.merge(graphdef, p, copy=True)(x)[0].sum())(params)
    leaves = jax.tree.leaves(grads)
    assert leaves and all(bool(jnp.isfinite(g).all()) for g in leaves)
    assert any(float(jnp.abs(g).max()) > 0 for g in leaves)


def test_matches_pytorch_weights_one_to_one():
    torch = pytest.importorskip("torch", reason="PyTorch is optional (bench extra)")
    ours = Recurrent("lstm", 5, 7, 2, rngs=nnx.Rngs(0))
    ref = torch.nn.LSTM(5, 7, num_layers=2, batch_first=True)
    for layer, cell in enumerate(ours.cells):
        for name, mod in (("ih", cell.ih), ("hh", cell.hh)):
            mod.kernel[...] = jnp.asarray(
                getattr(ref, f"weight_{name}_l{layer}").detach().numpy().T
            )
            mod.bias[...] = jnp.asarray(getattr(ref, f"bias_{name}_l{layer}").detach().numpy())
    x = np.random.default_rng(0).normal(size=(3, 11, 5)).astype(np.float32)
    np.testing.assert_allclose(
        ours(jnp.asarray(x))[0], ref(torch.from_numpy(x))[0].detach(), atol=1e-5
    )


def lm():
    return CharLM(12, 8, 16, num_layers=2, rngs=nnx.Rngs(0))


def test_sampling_is_reproducible_and_seed_dependent():
    model, prompt = lm(), jnp.array([[1, 2, 3]])
    a = generate(model, prompt, 30, jax.random.key(5))
    b = generate(model, prompt, 30, jax.random.key(5))
    c = generate(model, prompt, 30, jax.random.key(6))
    np.testing.assert_array_equal(a, b)
    assert a.shape == (1, 30) and not np.array_equal(a, c)


def test_temperature_zero_is_greedy_decoding_of_the_full_prefix():
    """Carrying the state forward gives what re-running the whole prefix gives."""
    model, tokens = lm(), [1, 2, 3]
    fast = generate(model, jnp.array([tokens]), 12, jax.random.key(0), temperature=0.0)
    for _ in range(12):
        logits = model(jnp.array([tokens]))[0, -1]  # re-run the whole prefix (quadratic)
        tokens.append(int(jnp.argmax(logits)))
    assert fast[0].tolist() == tokens[3:]


def test_top_k_restricts_choices():
    logits = jnp.array([[0.0, 5.0, 4.0, -1.0]])
    draws = {int(sample_logits(jax.random.key(i), logits, 1.0, 2)[0]) for i in range(50)}
    assert draws == {1, 2}


def test_sampling_compiles_once_for_all_temperatures(tiny):
    from dljax.train import Trainer
    from dljax.train.sampling import _sample, sample_tokens

    trainer = Trainer(tiny("char_lstm", train__epochs=1))
    sample_tokens(trainer, np.array([1, 2]), 5, temperature=0.5)
    before = _sample._cache_size()
    for t in (0.0, 0.8, 1.5):
        sample_tokens(trainer, np.array([1, 2]), 5, temperature=t)
    assert _sample._cache_size() == before
