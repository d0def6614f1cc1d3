"""Transformers: attention against NumPy, causality, KV-cache decoding against the full forward
pass, reproducible sampling, patches, and tiny training runs of `gpt` and `vit`."""

import jax
import jax.numpy as jnp
import numpy as np
import pytest
from flax import nnx

from dljax.errors import DljaxError
from dljax.models import attention
from dljax.models import gpt as gpt_module
from dljax.models import vit as vit_module
from dljax.runs import train
from dljax.train import Trainer

VOCAB, MAX_LEN = 11, 12


def numpy_attention(q, k, v, mask):
    """Scaled dot-product attention re-derived in NumPy, one batch and head at a time."""
    b, tq, h, d = q.shape
    out = np.zeros_like(q)
    weights = np.zeros((b, h, tq, k.shape[1]))
    for i in range(b):
        for j in range(h):
            s = q[i, :, j] @ k[i, :, j].T / np.sqrt(d)  # (Tq, Tk)
            s = np.where(mask[0, 0], s, -np.inf)
            e = np.exp(s - s.max(axis=1, keepdims=True))
            weights[i, j] = e / e.sum(axis=1, keepdims=True)
            out[i, :, j] = weights[i, j] @ v[i, :, j]
    return out, weights


def test_attention_matches_numpy_and_the_fused_version():
    rng = np.random.default_rng(0)
    q, k, v = (rng.normal(size=(2, 5, 3, 4)).astype(np.float32) for _ in range(3))
    mask = np.asarray(attention.causal_mask(5))
    expected, weights = numpy_attention(q, k, v, mask)
    np.testing.assert_allclose(attention.attention(q, k, v, mask), expected, atol=1e-5)
    np.testing.assert_allclose(attention.fused_attention(q, k, v, mask), expected, atol=1e-5)
    np.testing.assert_allclose(attention.attention_weights(q, k, mask), weights, atol=1e-6)
    assert weights[0, 0, 0, 1:].sum() == 0  # the first position sees only itself


def test_rotary_scores_depend_on_the_offset_only():
    rng = np.random.default_rng(1)
    q, k = (rng.normal(size=(1, 1, 1, 8)).astype(np.float32) for _ in range(2))

    def score(i, j):
        qi = attention.rotary(jnp.asarray(q), jnp.array([i]))
        kj = attention.rotary(jnp.asarray(k), jnp.array([j]))
        return float(jnp.sum(qi * kj))

    assert score(3, 1) == pytest.approx(score(10, 8), abs=1e-5)
    assert score(3, 1) != pytest.approx(score(3, 2), abs=1e-3)
    norm = jnp.linalg.norm(attention.rotary(jnp.asarray(q), jnp.array([7])))
    assert float(norm) == pytest.approx(float(np.linalg.norm(q)), rel=1e-6)  # a rotation


def make_gpt(positions="rope"):
    model = gpt_module.GPT(
        VOCAB, MAX_LEN, 16, 2, 2, positions=positions, dropout=0.1, rngs=nnx.Rngs(0)
    )
    model.eval()
    return model


@pytest.fixture(scope="module")
def gpt():
    return make_gpt()


def test_gpt_is_causal_and_ties_its_embedding(gpt):
    tokens = jax.random.randint(jax.random.key(1), (2, MAX_LEN), 0, VOCAB)
    logits = gpt(tokens)
    assert logits.shape == (2, MAX_LEN, VOCAB)
    changed = tokens.at[:, 7:].set((tokens[:, 7:] + 1) % VOCAB)  # change positions >= 7
    other = gpt(changed)
    np.testing.assert_allclose(other[:, :7], logits[:, :7], atol=1e-6)
    assert not np.allclose(other[:, 7:], logits[:, 7:])
    names = {"/".join(map(str, p)) for p, _ in nnx.to_flat_state(nnx.state(gpt, nnx.Param))}
    assert not any("head" in n for n in names)  # no separate output projection


@pytest.mark.parametrize("positions", ["rope", "learned"])
def test_kv_cache_logits_equal_the_full_forward_pass(positions):
    graphdef, state = nnx.split(make_gpt(positions))
    tokens = jax.random.randint(jax.random.key(2), (3, MAX_LEN), 0, VOCAB)

    @jax.jit
    def decode(state):
        model = nnx.merge(graphdef, state)
        cache, first = model.prefill(tokens[:, :3])

        def body(cache, pos):
            cache, logits = model.step(cache, tokens[:, pos], pos)
            return cache, logits

        _, rest = jax.lax.scan(body, cache, jnp.arange(3, MAX_LEN))  # (T - 3, B, V)
        return model(tokens), first, jnp.swapaxes(rest, 0, 1)

    full, first, rest = decode(state)  # full: (B, T, V)
    np.testing.assert_allclose(first, full[:, 2], atol=1e-5)
    np.testing.assert_allclose(rest, full[:, 3:], atol=1e-5)


def test_generation_matches_rerunning_the_prefix(gpt):
    graphdef, state = nnx.split(gpt)
    prompt = jnp.array([[1, 2, 3], [4, 5, 6]])
    length = MAX_LEN - 3

    @jax.jit
    def both(state, key, temperature):
        model = nnx.merge(graphdef, state)
        fast = model.generate(prompt, length, key, temperature=temperature)
        slow = gpt_module.generate_by_rerunning(model, prompt, length, key, temperature=temperature)
        return fast, slow

    for temperature in (0.0, 1.0):  # greedy, then sampled with the same keys
        fast, slow = both(state, jax.random.key(3), temperature)
        assert fast.shape == (2, length)
        np.testing.assert_array_equal(fast, slow)


def test_sampling_is_reproducible_and_compiled_once():
    model = gpt_module.GPT(VOCAB, MAX_LEN, 16, 1, 2, rngs=nnx.Rngs(1))
    model.eval()
    graphdef, state = nnx.split(model)
    traces = []

    @jax.jit
    def sample(state, key, temperature):
        traces.append(1)
        m = nnx.merge(graphdef, state)
        return m.generate(jnp.array([[1, 2]]), 40, key, temperature=temperature, top_k=3)

    a = sample(state, jax.random.key(5), 1.0)
    np.testing.assert_array_equal(a, sample(state, jax.random.key(5), 1.0))
    assert not np.array_equal(a, sample(state, jax.random.key(6), 1.0))
    sample(state, jax.random.key(5), 0.5)
    assert len(traces) == 1  # every temperature reuses one compilation
    assert a.shape == (1, 40)  # 40 > MAX_LEN: the rotary ring-buffer cache goes on
    steps = a[0, 1:] != a[0, :-1]
    assert steps.any()  # a fresh key per step: not one repeated draw


def test_learned_positions_refuse_to_generate_past_the_context():
    model = gpt_module.GPT(VOCAB, 4, 8, 1, 2, positions="learned", rngs=nnx.Rngs(0))
    with pytest.raises(DljaxError, match="--length"):
        model.generate(jnp.array([[1, 2]]), 5, jax.random.key(0))


def test_patches_round_trip_and_vit_attention_maps():
    images = jnp.arange(2 * 8 * 8 * 3, dtype=jnp.float32).reshape(2, 8, 8, 3)
    patches = vit_module.patchify(images, 4)
    assert patches.shape == (2, 4, 48)
    np.testing.assert_array_equal(patches[0, 1].reshape(4, 4, 3), images[0, :4, 4:])
    np.testing.assert_array_equal(vit_module.unpatchify(patches, 4, 8, 8), images)
    vit = vit_module.ViT((8, 8, 3), 10, 2, 16, 2, 2, rngs=nnx.Rngs(0))
    vit.eval()
    assert vit(images).shape == (2, 10)
    maps = vit.attention_maps(images)
    assert maps.shape == (2, 2, 2, 17, 17)  # (L, B, H, 1 + 16 patches, same)
    np.testing.assert_allclose(maps.sum(-1), 1.0, rtol=1e-5)
    with pytest.raises(DljaxError, match="patch=3"):
        vit_module.ViT((8, 8, 1), 10, 3, rngs=nnx.Rngs(0))


@pytest.mark.parametrize(("shape", "patches"), [((28, 28, 1), 49), ((32, 32, 3), 64)])
def test_vit_builds_for_mnist_and_cifar_shapes(shape, patches):
    from dljax.data.base import DatasetInfo

    info = DatasetInfo("x", "x", "image", shape, 10)
    vit = vit_module.build_vit(vit_module.ViTConfig(dim=16, depth=1, heads=2), info, nnx.Rngs(0))
    assert vit.patch == 4 and vit.num_patches == patches  # automatic 4x4 patches
    vit.eval()
    assert vit(jnp.zeros((2, *shape))).shape == (2, 10)


@pytest.fixture(scope="module")
def gpt_run(tmp_path_factory):
    from dljax.recipes import build_config

    config = build_config("gpt", "tiny", {"train.epochs": 2})
    run = tmp_path_factory.mktemp("gpt") / "run"
    traces = {}

    def remember(epoch, record):
        if epoch == 1:
            traces.update(result_trainer[0].fns.traces)

    result_trainer = []
    result = train(
        config,
        run,
        progress=False,
        on_start=lambda trainer, _: result_trainer.append(trainer),
        on_epoch_end=remember,
    )
    trainer = result.trainer
    return config, run, trainer, result, traces


def test_gpt_tiny_trains_without_recompiling(gpt_run):
    _, _, trainer, result, traces = gpt_run
    losses = [r["train_loss"] for r in result.history]
    assert np.isfinite(losses).all() and losses[-1] < losses[0]
    assert result.history[-1]["test_loss"] < np.log(trainer.dataset.vocab.size)  # beats uniform
    assert dict(trainer.fns.traces) == traces


def test_gpt_resumes_to_identical_params(gpt_run, tmp_path):
    config, _, _, full, _ = gpt_run

    def stop_after_one(epoch, record):
        if epoch == 1:
            raise KeyboardInterrupt

    with pytest.raises(KeyboardInterrupt):
        train(config, tmp_path / "run", progress=False, on_epoch_end=stop_after_one)
    resumed = train(config, tmp_path / "run", resume=True, progress=False)
    assert [r["epoch"] for r in resumed.history] == [1, 2]
    for a, b in zip(jax.tree.leaves(full.state), jax.tree.leaves(resumed.state), strict=True):
        np.testing.assert_array_equal(a, b)


def test_gpt_samples_from_the_cli(gpt_run, capsys):
    from dljax.cli import main

    run = str(gpt_run[1])
    args = ["sample", run, "--prompt", "Kita", "--length", "30", "--seed", "4"]
    assert main(args) == 0
    first = capsys.readouterr().out.strip()
    assert main(args) == 0
    assert capsys.readouterr().out.strip() == first
    assert first.startswith("Kita") and len(first) == 34


def test_vit_tiny_trains_on_digits(tiny, digits, trace_log, assert_smoke):
    config = tiny("vit", train__epochs=2, train__lr=3e-3)
    assert_smoke(Trainer(config, dataset=digits).fit([trace_log]), trace_log)
