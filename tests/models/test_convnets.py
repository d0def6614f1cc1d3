"""LeNet-5, VGG and ResNet: shapes, published parameter counts, batch norm, configs, smoke runs."""

import jax
import jax.numpy as jnp
import numpy as np
import pytest
from flax import nnx

from dljax.data import ArraySource, Dataset, DatasetInfo
from dljax.errors import DljaxError
from dljax.models import VGG, LeNet5, LeNet5Config, ResNet, ResNetConfig, VGGConfig
from dljax.models.lenet import fit_to_size
from dljax.recipes import MODELS, build_config, check_compatible
from dljax.train import Trainer

CONVNETS = ["lenet5", "vgg", "resnet"]


def info(shape, classes=10):
    return DatasetInfo("t", "t", "image", shape, classes)


def num_params(module) -> int:
    return sum(x.size for x in jax.tree.leaves(nnx.state(module, nnx.Param)))


def build(name, shape, classes=10, preset="tiny", **overrides):
    config = build_config(name, preset, {f"model.{k}": v for k, v in overrides.items()})
    return MODELS[name].build_model(config, info(shape, classes), nnx.Rngs(0))


# ------------------------------------------------------------------------------ shapes
@pytest.mark.parametrize("shape", [(8, 8, 1), (28, 28, 1), (32, 32, 3)])
@pytest.mark.parametrize("name", CONVNETS)
def test_output_shapes(name, shape):
    model = build(name, shape, classes=7)
    model.eval()
    assert model(jnp.zeros((3, *shape))).shape == (3, 7)


def test_lenet_input_is_padded_or_resized_to_32():
    x = jnp.ones((2, 28, 28, 1))
    padded = fit_to_size(x)  # MNIST: 28x28 centred in a 32x32 field, as in the paper
    assert padded.shape == (2, 32, 32, 1)
    assert float(padded.sum()) == 2 * 28 * 28 and float(padded[:, :2].sum()) == 0.0
    assert fit_to_size(jnp.ones((2, 8, 8, 1))).shape == (2, 32, 32, 1)  # digits: resized
    assert fit_to_size(x, mode="resize").shape == (2, 32, 32, 1)
    y = jnp.ones((2, 32, 32, 3))
    assert fit_to_size(y) is y


# ------------------------------------------------------------------------------ parameter counts
def test_lenet5_parameter_counts_match_the_paper_and_the_modern_variant():
    # LeCun et al. 1998, Section II.B: C1 156, S2 12, C3 1,516, S4 32, C5 48,120, F6 10,164
    # = 60,000 trainable parameters. The paper's RBF output units have fixed codes; we use a
    # trainable 84 -> 10 linear layer (850 parameters) instead.
    paper = LeNet5((32, 32, 1), 10, variant="paper", rngs=nnx.Rngs(0))
    layers = {
        "c1": 156,
        "s2": 12,
        "c3": 1516,
        "s4": 32,
        "c5": 48120,
        "f6": 10164,
        "out": 850,
    }
    for name, expected in layers.items():
        assert num_params(getattr(paper, name)) == expected, name
    assert num_params(paper) - layers["out"] == 60_000
    # The simplified modern variant (ReLU, max-pool, fully connected C3): the commonly
    # quoted 61,706 = 156 + 2,416 + 48,120 + 10,164 + 850.
    modern = LeNet5((32, 32, 1), 10, variant="modern", rngs=nnx.Rngs(0))
    assert num_params(modern) == 61_706


def test_lenet5_paper_c3_uses_the_connection_table():
    # Map 0 of C3 sees only S2 maps 0, 1, 2: changing S2 map 5 must not change it.
    c3 = LeNet5((32, 32, 1), 10, variant="paper", rngs=nnx.Rngs(0)).c3
    x = jax.random.normal(jax.random.key(0), (1, 14, 14, 6))
    y = c3(x)
    x2 = x.at[..., 5].add(1.0)
    y2 = c3(x2)
    assert y.shape == (1, 10, 10, 16)
    np.testing.assert_array_equal(y[..., 0], y2[..., 0])
    assert not np.allclose(y[..., 15], y2[..., 15])  # map 15 sees all six


def test_resnet_parameter_counts_match_published():
    # He et al. 2016, Table 6: ResNet-20 for CIFAR-10 has 0.27M parameters (269,722 with the
    # parameter-free option-A shortcuts).
    r20 = ResNet((32, 32, 3), 10, depth=20, rngs=nnx.Rngs(0))
    assert num_params(r20) == 269_722
    # ResNet-18 for ImageNet: 11,689,512 (torchvision.models.resnet18).
    r18 = nnx.eval_shape(lambda: ResNet((224, 224, 3), 1000, depth=18, rngs=nnx.Rngs(0)))
    assert num_params(r18) == 11_689_512
    # ResNet-18 for CIFAR-10 (3x3 stem, 10 classes): 11,173,962, i.e. ~11.2M.
    r18c = nnx.eval_shape(lambda: ResNet((32, 32, 3), 10, depth=18, rngs=nnx.Rngs(0)))
    assert num_params(r18c) == 11_173_962


@pytest.mark.parametrize(
    ("depth", "features"),
    [(11, 9_220_480), (13, 9_404_992), (16, 14_714_688), (19, 20_024_384)],
)
def test_vgg_depths_match_published_convolution_counts(depth, features):
    # torchvision vgg{depth}().features (no batch norm, 3 input channels).
    model = nnx.eval_shape(
        lambda: VGG((32, 32, 3), 10, depth=depth, batch_norm=False, rngs=nnx.Rngs(0))
    )
    assert num_params(model.features) == features
    n_convs = sum(len(stage) for stage in model.features)
    assert n_convs + len(model.fcs) + 1 == depth  # weight layers, as in the paper's names


def test_vgg_batch_norm_replaces_conv_bias():
    plain = VGG((8, 8, 1), 10, depth=11, width=4, batch_norm=False, rngs=nnx.Rngs(0))
    bn = VGG((8, 8, 1), 10, depth=11, width=4, batch_norm=True, rngs=nnx.Rngs(0))
    channels = sum(layer.conv.out_features for stage in bn.features for layer in stage)
    assert num_params(bn.features) == num_params(plain.features) + channels  # +scale, -bias


# ------------------------------------------------------------------------------ batch norm
@pytest.mark.parametrize("name", ["vgg", "resnet"])
def test_batch_norm_statistics_update_in_training_and_stay_fixed_in_eval(name):
    model = build(name, (8, 8, 1))
    x = jax.random.normal(jax.random.key(0), (16, 8, 8, 1)) * 3 + 1
    before = jax.tree.map(np.array, nnx.state(model, nnx.BatchStat))
    assert jax.tree.leaves(before)
    model.train()
    train_out = model(x, rngs=nnx.Rngs(dropout=0))
    after_train = jax.tree.map(np.array, nnx.state(model, nnx.BatchStat))
    changed = jax.tree.map(lambda a, b: not np.allclose(a, b), before, after_train)
    assert all(jax.tree.leaves(changed))
    model.eval()
    eval_out = model(x)
    np.testing.assert_array_equal(eval_out, model(x))
    after_eval = jax.tree.map(np.array, nnx.state(model, nnx.BatchStat))
    assert all(jax.tree.leaves(jax.tree.map(np.array_equal, after_train, after_eval)))
    assert not np.allclose(train_out, eval_out)  # batch vs running statistics


def test_resnet_eval_output_does_not_depend_on_the_rest_of_the_batch():
    model = build("resnet", (8, 8, 1))
    model.train()
    model(jax.random.normal(jax.random.key(1), (8, 8, 8, 1)))
    model.eval()
    x = jax.random.normal(jax.random.key(2), (4, 8, 8, 1))
    np.testing.assert_allclose(model(x)[:1], model(x[:1]), rtol=1e-5, atol=1e-6)


# ------------------------------------------------------------------------------ configs
def test_resnet_depth_selects_imagenet_or_cifar_style():
    r18 = build_config("resnet", "default", {"model.depth": "18"})
    r20 = build_config("resnet", "default", {"model.depth": "20"})
    m18 = nnx.eval_shape(lambda: MODELS["resnet"].build(r18.model, info((32, 32, 3)), nnx.Rngs(0)))
    m20 = MODELS["resnet"].build(r20.model, info((32, 32, 3)), nnx.Rngs(0))
    assert len(m18.blocks) == 8 and m18.blocks[-1].conv2.out_features == 512
    assert m18.blocks[2].proj is not None  # option B projection where the shape changes
    assert len(m20.blocks) == 9 and m20.blocks[-1].conv2.out_features == 64
    assert all(b.proj is None for b in m20.blocks)  # option A: parameter-free shortcuts
    assert MODELS["resnet"].config_cls().depth == 20


def test_plain_network_has_the_same_layers_without_shortcuts():
    res = ResNet((8, 8, 1), 10, depth=8, width=4, rngs=nnx.Rngs(0))
    plain = ResNet((8, 8, 1), 10, depth=8, width=4, residual=False, rngs=nnx.Rngs(0))
    assert num_params(res) == num_params(plain)
    plain.eval()
    res.eval()
    x = jax.random.normal(jax.random.key(0), (2, 8, 8, 1))
    assert not np.allclose(res(x), plain(x))


@pytest.mark.parametrize(
    ("config", "key"),
    [
        (LeNet5Config(variant="lecun"), "model.variant"),
        (LeNet5Config(fit="crop"), "model.fit"),
        (VGGConfig(depth=12), "model.depth"),
        (VGGConfig(width=0), "model.width"),
        (VGGConfig(dropout=1.0), "model.dropout"),
        (ResNetConfig(depth=21), "model.depth"),
        (ResNetConfig(stem="big"), "model.stem"),
        (ResNetConfig(shortcut="x"), "model.shortcut"),
    ],
)
def test_invalid_configs_are_rejected_with_the_key(config, key):
    with pytest.raises(DljaxError, match=key):
        config.validate()


@pytest.mark.parametrize("name", CONVNETS)
def test_convnets_reject_non_images(name):
    recipe = MODELS[name]
    config = build_config(name, "tiny")
    seq = DatasetInfo("seq", "s", "sequence", (10, 3), 2)
    data = Dataset(seq, ArraySource({"input": np.zeros((4, 10, 3), np.float32)}), None)
    with pytest.raises(DljaxError, match="butuh gambar"):
        check_compatible(config, recipe, recipe.make_task(config), data)


def test_lenet_pad_rejects_large_images():
    with pytest.raises(DljaxError, match="model.fit"):
        MODELS["lenet5"].build(LeNet5Config(fit="pad"), info((64, 64, 3)), nnx.Rngs(0))


# ------------------------------------------------------------------------------ smoke runs
@pytest.mark.parametrize("name", CONVNETS)
def test_smoke_training_loss_decreases_without_recompiling(
    tiny, digits, name, trace_log, assert_smoke
):
    config = tiny(name, train__epochs=3, train__lr=3e-3)
    trainer = Trainer(config, dataset=digits)
    assert trainer.dispatch == "step"  # conv nets dispatch step by step on the CPU
    assert_smoke(trainer.fit([trace_log]), trace_log, min_accuracy=0.2)  # chance is 0.1
