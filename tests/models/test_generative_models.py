"""Autoencoder, VAE and GAN modules: shapes, ranges, corruption, init, batch-norm isolation,
hand-counted parameters, and the sub-pixel transposed convolution against nnx.ConvTranspose."""

from __future__ import annotations

import jax
import jax.numpy as jnp
import numpy as np
import pytest
from flax import nnx

from dljax.data import ArraySource, Dataset, DatasetInfo
from dljax.errors import DljaxError
from dljax.models import autoencoder, gan, vae
from dljax.models.autoencoder import Autoencoder, AutoencoderConfig, corrupt
from dljax.models.gan import GAN, Discriminator, GANConfig, Generator
from dljax.models.layers import ConvTranspose2x
from dljax.models.vae import VAE, VAEConfig
from dljax.recipes import MODELS, build_config, check_compatible


def info(shape, classes=10):
    return DatasetInfo("t", "t", "image", shape, classes)


def num_params(module) -> int:
    return sum(x.size for x in jax.tree.leaves(nnx.state(module, nnx.Param)))


def images(shape, n=3, seed=0):
    return jax.random.uniform(jax.random.key(seed), (n, *shape))  # (n, H, W, C) in [0, 1)


def leaves_equal(a, b) -> bool:
    la, lb = jax.tree.leaves(a), jax.tree.leaves(b)
    return len(la) == len(lb) and all(np.array_equal(x, y) for x, y in zip(la, lb, strict=True))


# ------------------------------------------------------------------------------ autoencoder
@pytest.mark.parametrize("shape", [(8, 8, 1), (16, 16, 3)])
def test_autoencoder_shapes(shape):
    model = autoencoder.build(AutoencoderConfig(latent=5), info(shape), nnx.Rngs(0))
    x = images(shape)
    z = model.encode(x)
    assert model.latent_dim == 5 and z.shape == (3, 5)
    assert model.decode(z).shape == (3, *shape)
    np.testing.assert_allclose(model(x), model.decode(z), atol=1e-6)


def test_autoencoder_hand_parameter_count():
    # 8x8x1 = 64 pixels, hidden (16,), latent 4:
    # encoder 64*16 + 16 = 1040, to latent 16*4 + 4 = 68,
    # decoder 4*16 + 16 = 80, to pixels 16*64 + 64 = 1088; total 2276.
    model = Autoencoder((8, 8, 1), (16,), 4, rngs=nnx.Rngs(0))
    assert num_params(model) == 2276


def test_corrupt_none_and_unknown():
    x = images((8, 8, 1))
    assert corrupt(x, "none", 0.5, jax.random.key(0)) is x
    with pytest.raises(DljaxError, match="salt_pepper"):
        corrupt(x, "blur", 0.5, jax.random.key(0))


def test_corrupt_gaussian_adds_scaled_noise_and_clips():
    key = jax.random.key(3)
    x = jnp.full((4, 8, 8, 1), 0.5)
    small = corrupt(x, "gaussian", 0.01, key)  # 0.5 +- 0.05 at most: never clipped here
    noise = jax.random.normal(key, x.shape)
    assert float(jnp.abs(noise).max()) < 50
    np.testing.assert_allclose(small, 0.5 + 0.01 * noise, atol=1e-6)
    big = corrupt(x, "gaussian", 2.0, key)
    assert float(big.min()) == 0.0 and float(big.max()) == 1.0  # clipped at both ends
    np.testing.assert_allclose(big, np.clip(0.5 + 2.0 * np.asarray(noise), 0, 1), atol=1e-6)
    np.testing.assert_array_equal(big, corrupt(x, "gaussian", 2.0, key))
    assert not np.array_equal(big, corrupt(x, "gaussian", 2.0, jax.random.key(4)))


@pytest.mark.parametrize("level", [0.0, 0.1, 0.3, 0.55])
def test_corrupt_salt_pepper_fraction(level):
    x = jnp.full((5, 10, 10, 2), 0.5)  # 100 pixels per image, 2 channels
    y = np.asarray(corrupt(x, "salt_pepper", level, jax.random.key(7)))
    k = round(level * 100)
    np.testing.assert_array_equal(y[..., 0], y[..., 1])  # a pixel changes in every channel
    pix = y[..., 0].reshape(5, 100)
    assert set(np.unique(pix)) <= {0.0, 0.5, 1.0}
    np.testing.assert_array_equal((pix == 0.0).sum(1), k // 2)  # pepper
    np.testing.assert_array_equal((pix == 1.0).sum(1), k - k // 2)  # salt
    np.testing.assert_array_equal((pix == 0.5).sum(1), 100 - k)  # untouched
    np.testing.assert_array_equal(y, corrupt(x, "salt_pepper", level, jax.random.key(7)))
    if k:
        other = np.asarray(corrupt(x, "salt_pepper", level, jax.random.key(8)))
        assert not np.array_equal(y, other)
        # different images get different pixel positions
        assert not np.array_equal(pix[0] == 0.5, pix[1] == 0.5)


def test_autoencoder_config_validation():
    AutoencoderConfig().validate()
    with pytest.raises(DljaxError, match="model.denoise='blur'"):
        AutoencoderConfig(denoise="blur").validate()
    with pytest.raises(DljaxError, match="model.noise_level=1.5"):
        AutoencoderConfig(noise_level=1.5).validate()


# ------------------------------------------------------------------------------ VAE
@pytest.mark.parametrize(
    ("variant", "shape"),
    [("mlp", (8, 8, 1)), ("mlp", (28, 28, 1)), ("conv", (8, 8, 1)), ("conv", (32, 32, 3))],
)
def test_vae_shapes(variant, shape):
    config = VAEConfig(variant=variant, latent=6)
    model = vae.build(config, info(shape), nnx.Rngs(0))
    x = images(shape)
    mean, logvar = model.encode(x)
    assert mean.shape == logvar.shape == (3, 6)
    assert model.latent_dim == 6 and model.likelihood == "bernoulli"
    assert model.decode(mean).shape == (3, *shape)
    out, m2, lv2 = model(x, jax.random.key(1))
    assert out.shape == (3, *shape)
    np.testing.assert_allclose(m2, mean, atol=1e-6)
    np.testing.assert_allclose(lv2, logvar, atol=1e-6)


@pytest.mark.parametrize("variant", ["mlp", "conv"])
def test_vae_decoder_outputs_logits_or_means(variant):
    z = 5.0 * jax.random.normal(jax.random.key(0), (64, 8))
    bern = VAE((8, 8, 1), variant=variant, likelihood="bernoulli", rngs=nnx.Rngs(0))
    gauss = VAE((8, 8, 1), variant=variant, likelihood="gaussian", rngs=nnx.Rngs(0))
    logits, means = bern.decode(z), gauss.decode(z)
    # same weights (same seed): the gaussian means are the sigmoid of the bernoulli logits
    np.testing.assert_allclose(means, jax.nn.sigmoid(logits), atol=1e-6)
    assert float(logits.min()) < 0.0 < float(logits.max())  # logits are not probabilities
    assert 0.0 <= float(means.min()) and float(means.max()) <= 1.0


def test_vae_reparameterize():
    n = 20000
    mean = jnp.full((n, 2), 3.0)
    logvar = jnp.stack([jnp.full((n,), jnp.log(4.0)), jnp.full((n,), -200.0)], axis=1)
    key = jax.random.key(5)
    z = VAE.reparameterize(mean, logvar, key)
    eps = jax.random.normal(key, (n, 2))
    np.testing.assert_allclose(z, mean + jnp.array([[2.0, 0.0]]) * eps, atol=1e-5)
    assert abs(float(z[:, 0].std()) - 2.0) < 0.05 and abs(float(z[:, 0].mean()) - 3.0) < 0.05
    np.testing.assert_allclose(z[:, 1], 3.0)  # variance ~0 gives the mean
    assert not np.array_equal(z, VAE.reparameterize(mean, logvar, jax.random.key(6)))


def test_vae_conv_needs_divisible_side():
    with pytest.raises(DljaxError, match="habis dibagi 4.*10x10"):
        vae.build(VAEConfig(variant="conv"), info((10, 10, 1)), nnx.Rngs(0))
    with pytest.raises(DljaxError, match="model.likelihood='poisson'"):
        VAEConfig(likelihood="poisson").validate()


# ------------------------------------------------------------------------------ GAN
GAN_CASES = [
    ("mlp", (8, 8, 1), False),
    ("mlp", (8, 8, 1), True),
    ("dcgan", (16, 16, 1), False),
    ("dcgan", (32, 32, 1), False),
    ("dcgan", (32, 32, 3), False),
    ("dcgan", (16, 16, 1), True),
]


@pytest.mark.parametrize(("variant", "shape", "conditional"), GAN_CASES)
def test_gan_shapes_and_ranges(variant, shape, conditional):
    config = GANConfig(variant=variant, latent=12, width=8, conditional=conditional)
    model = gan.build(config, info(shape, classes=10), nnx.Rngs(0))
    assert isinstance(model.generator, Generator)
    assert isinstance(model.discriminator, Discriminator)
    assert model.latent_dim == 12 and model.conditional == conditional
    assert model.num_classes == (10 if conditional else 0)
    z = 3.0 * jax.random.normal(jax.random.key(0), (6, 12))
    labels = jnp.arange(6) % 10 if conditional else None
    for mode in ("train", "eval"):
        getattr(model, mode)()
        fake = model.generator(z, labels)
        assert fake.shape == (6, *shape)
        assert -1.0 <= float(fake.min()) and float(fake.max()) <= 1.0
        assert model.discriminator(fake, labels).shape == (6,)
        np.testing.assert_array_equal(model(z, labels), model.generator(z, labels))


def test_conditional_gan_uses_the_label():
    model = GAN((16, 16, 1), variant="dcgan", latent=4, num_classes=10, rngs=nnx.Rngs(0))
    model.eval()
    z = jnp.zeros((2, 4))
    a = model.generator(z, jnp.array([1, 1]))
    b = model.generator(z, jnp.array([1, 2]))
    np.testing.assert_array_equal(a[0], b[0])
    assert not np.allclose(a[1], b[1])  # same z, different label: different image
    x = a[:1].repeat(2, axis=0)
    d = model.discriminator(x, jnp.array([1, 2]))
    assert float(d[0]) != float(d[1])
    with pytest.raises(DljaxError, match="labels"):
        model.generator(z)
    plain = GAN((16, 16, 1), variant="dcgan", latent=4, rngs=nnx.Rngs(0))
    with pytest.raises(DljaxError, match="model.conditional=true"):
        plain.generator(z, jnp.array([1, 2]))


def test_dcgan_init_statistics():
    model = GAN((32, 32, 1), variant="dcgan", latent=64, width=64, rngs=nnx.Rngs(0))
    g, d = model.generator, model.discriminator
    for kernel in (g.project.kernel, g.up1.kernel, g.up2.kernel, d.down1.kernel, d.down2.kernel):
        w = np.asarray(kernel[...])
        assert w.size >= 1024
        assert abs(w.std() - 0.02) < 0.002 and abs(w.mean()) < 0.002
    head = np.asarray(d.head.kernel[...])  # 8*8*128 = 8192 weights
    assert abs(head.std() - 0.02) < 0.002
    for bn in (g.norm0, g.norm1, d.norm2):
        scale = np.asarray(bn.scale[...])  # 64 or 128 values: loose bounds on the estimate
        assert abs(scale.mean() - 1.0) < 0.01 and 0.012 < scale.std() < 0.028
        np.testing.assert_array_equal(bn.bias[...], 0.0)
    for bias in (g.up2.bias, d.down1.bias, d.head.bias):
        np.testing.assert_array_equal(bias[...], 0.0)
    # layers followed by batch norm have no bias
    assert g.project.bias is None and g.up1.bias is None and d.down2.bias is None


def test_dcgan_hand_parameter_count():
    # 16x16x1, latent 8, width 4. Generator:
    #   project 8 -> 4*4*8 = 128, no bias: 8*128 = 1024;   BatchNorm(8): scale+bias = 16
    #   up1 4x4, 8 -> 4, no bias: 16*8*4 = 512;            BatchNorm(4): 8
    #   up2 4x4, 4 -> 1, bias: 16*4*1 + 1 = 65              total 1625
    # Discriminator:
    #   down1 4x4, 1 -> 4, bias: 16*1*4 + 4 = 68
    #   down2 4x4, 4 -> 8, no bias: 16*4*8 = 512;          BatchNorm(8): 16
    #   head 4*4*8 = 128 -> 1: 128 + 1 = 129                total 725
    model = GAN((16, 16, 1), variant="dcgan", latent=8, width=4, rngs=nnx.Rngs(0))
    assert num_params(model.generator) == 1625
    assert num_params(model.discriminator) == 725
    assert num_params(model) == 1625 + 725
    # conditional, 10 classes, label_embed 3: each network gets a 10x3 embedding (30);
    # G's projection sees 8 + 3 inputs (+3*128), D's first conv 1 + 3 channels (+16*3*4)
    cond = GAN((16, 16, 1), variant="dcgan", latent=8, width=4, num_classes=10, label_embed=3,
               rngs=nnx.Rngs(0))  # fmt: skip
    assert num_params(cond.generator) == 1625 + 30 + 3 * 128
    assert num_params(cond.discriminator) == 725 + 30 + 16 * 3 * 4


def test_mlp_gan_hand_parameter_count():
    # 8x8x1, latent 4, hidden (16,): G 4*16+16 = 80, 16*64+64 = 1088 -> 1168;
    # D 64*16+16 = 1040, 16*1+1 = 17 -> 1057.
    model = GAN((8, 8, 1), variant="mlp", latent=4, hidden=(16,), rngs=nnx.Rngs(0))
    assert num_params(model.generator) == 1168
    assert num_params(model.discriminator) == 1057


@pytest.mark.parametrize("conditional", [False, True])
def test_batch_norm_statistics_stay_with_their_network(conditional):
    model = GAN((16, 16, 1), variant="dcgan", latent=8, width=4, num_classes=10 if conditional
                else 0, rngs=nnx.Rngs(0))  # fmt: skip
    model.train()
    z = jax.random.normal(jax.random.key(1), (8, 8))
    labels = jnp.arange(8) if conditional else None
    g_before = nnx.clone(nnx.state(model.generator))
    d_before = nnx.clone(nnx.state(model.discriminator))
    fake = model.generator(z, labels)
    assert leaves_equal(nnx.state(model.discriminator), d_before)
    assert not leaves_equal(nnx.state(model.generator, nnx.BatchStat), nnx.state(g_before))
    g_after = nnx.clone(nnx.state(model.generator))
    model.discriminator(fake, labels)
    assert leaves_equal(nnx.state(model.generator), g_after)
    assert not leaves_equal(
        nnx.state(model.discriminator, nnx.BatchStat),
        nnx.state(d_before, nnx.BatchStat),
    )
    # in evaluation mode nothing is mutated
    model.eval()
    everything = nnx.clone(nnx.state(model))
    model.discriminator(model.generator(z, labels), labels)
    assert leaves_equal(nnx.state(model), everything)


@pytest.mark.parametrize("side", [10, 30, 6])
def test_dcgan_wrong_image_size_is_an_indonesian_error(side):
    with pytest.raises(DljaxError, match=rf"{side}x{side}.*--set data.image_size=16"):
        gan.build(GANConfig(variant="dcgan"), info((side, side, 1)), nnx.Rngs(0))
    # the MLP GAN takes any size
    model = gan.build(GANConfig(variant="mlp"), info((side, side, 1)), nnx.Rngs(0))
    assert model.generator(jnp.zeros((1, 32))).shape == (1, side, side, 1)


def test_gan_config_validation_and_build_errors():
    GANConfig().validate()
    with pytest.raises(DljaxError, match="model.variant='stylegan'"):
        GANConfig(variant="stylegan").validate()
    # a conditional model on a dataset without classes: refused once, by the recipe check
    config = build_config("gan", "tiny", {"model.conditional": "true"})
    data = Dataset(info((8, 8, 1), classes=0), ArraySource({"input": np.zeros((2, 8, 8, 1))}), None)
    with pytest.raises(DljaxError, match="berlabel kelas"):
        check_compatible(config, MODELS["gan"], MODELS["gan"].make_task(config), data)


# ------------------------------------------------------------------------------ layers
@pytest.mark.parametrize("shape", [(2, 4, 4, 3), (1, 5, 7, 3), (1, 1, 1, 3)])
@pytest.mark.parametrize("use_bias", [True, False])
def test_conv_transpose_2x_matches_nnx_conv_transpose(shape, use_bias):
    ref = nnx.ConvTranspose(
        3, 5, (4, 4), strides=2, padding="SAME", use_bias=use_bias, rngs=nnx.Rngs(0)
    )
    mine = ConvTranspose2x(3, 5, use_bias=use_bias, rngs=nnx.Rngs(1))
    assert num_params(mine) == num_params(ref)
    mine.kernel[...] = ref.kernel[...]
    if use_bias:
        ref.bias[...] = jax.random.normal(jax.random.key(2), (5,))
        mine.bias[...] = ref.bias[...]
    x = jax.random.normal(jax.random.key(3), shape)
    expected = ref(x)
    assert expected.shape == (shape[0], 2 * shape[1], 2 * shape[2], 5)
    np.testing.assert_allclose(mine(x), expected, atol=1e-5)

    def loss(layer, x):
        return jnp.sum(jnp.sin(layer(x)))

    g_ref = nnx.grad(loss)(ref, x)
    g_mine = nnx.grad(loss)(mine, x)
    np.testing.assert_allclose(g_mine.kernel[...], g_ref.kernel[...], atol=1e-4)


def test_conv_transpose_2x_computes_in_its_parameters_dtype():
    """Under train.dtype=bfloat16 the kernel is bfloat16 while a latent may be float32."""
    layer = ConvTranspose2x(3, 5, rngs=nnx.Rngs(0))
    x = jax.random.normal(jax.random.key(1), (2, 4, 4, 3))
    expected = layer(x)
    layer.kernel = nnx.Param(layer.kernel[...].astype(jnp.bfloat16))
    layer.bias = nnx.Param(layer.bias[...].astype(jnp.bfloat16))
    y = layer(x)
    assert y.dtype == jnp.bfloat16
    np.testing.assert_allclose(np.asarray(y, np.float32), expected, atol=0.05)
