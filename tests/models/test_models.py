import jax
import jax.numpy as jnp
import numpy as np
import pytest
from flax import nnx

from dljax.data import ArraySource, Dataset, DatasetInfo
from dljax.errors import DljaxError
from dljax.models import CNN, MLP, CNNConfig, MLPConfig
from dljax.recipes import MODELS, build_config, check_compatible


def info(shape, classes=10):
    return DatasetInfo("t", "t", "image", shape, classes)


@pytest.mark.parametrize("shape", [(8, 8, 1), (28, 28, 1), (32, 32, 3)])
@pytest.mark.parametrize("name", ["mlp", "cnn"])
def test_output_shapes(name, shape):
    model = MODELS[name].build_model(build_config(name), info(shape, 7), nnx.Rngs(0))
    model.eval()
    out = model(jnp.zeros((3, *shape)))
    assert out.shape == (3, 7)


def test_mlp_parameter_count():
    model = MLP(64, (32, 16), 10, rngs=nnx.Rngs(0))
    n = sum(x.size for x in jax.tree.leaves(nnx.state(model, nnx.Param)))
    assert n == (64 * 32 + 32) + (32 * 16 + 16) + (16 * 10 + 10)


def test_mlp_dropout_is_random_in_training_and_off_in_eval():
    model = MLP(4, (64,), 2, dropout=0.5, rngs=nnx.Rngs(0))
    x = jnp.ones((2, 4))
    model.train()
    a = model(x, rngs=nnx.Rngs(dropout=1))
    b = model(x, rngs=nnx.Rngs(dropout=2))
    assert not np.allclose(a, b)
    model.eval()
    np.testing.assert_array_equal(model(x), model(x))


def test_cnn_batch_norm_updates_in_training_only():
    model = CNN((8, 8, 1), 10, channels=(4,), hidden=8, batch_norm=True, rngs=nnx.Rngs(0))
    x = jax.random.normal(jax.random.key(0), (16, 8, 8, 1)) * 3 + 1
    before = nnx.state(model, nnx.BatchStat)
    before = jax.tree.map(np.array, before)
    model.train()
    model(x, rngs=nnx.Rngs(dropout=0))
    after_train = jax.tree.map(np.array, nnx.state(model, nnx.BatchStat))
    changed = jax.tree.map(lambda a, b: not np.allclose(a, b), before, after_train)
    assert all(jax.tree.leaves(changed))
    model.eval()
    model(x)
    after_eval = jax.tree.map(np.array, nnx.state(model, nnx.BatchStat))
    same = jax.tree.map(np.array_equal, after_train, after_eval)
    assert all(jax.tree.leaves(same))


def test_cnn_rejects_non_images():
    config, recipe = build_config("cnn"), MODELS["cnn"]
    seq = DatasetInfo("seq", "s", "sequence", (10, 3), 2)
    data = Dataset(seq, ArraySource({"input": np.zeros((2, 10, 3), np.float32)}), None)
    with pytest.raises(DljaxError, match="butuh gambar"):
        check_compatible(config, recipe, recipe.make_task(config), data)


def test_model_configs_validate():
    with pytest.raises(DljaxError, match="model.hidden"):
        MLPConfig(hidden=(0,)).validate()
    with pytest.raises(DljaxError, match="model.channels"):
        CNNConfig(channels=()).validate()
