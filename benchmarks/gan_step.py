"""Time of one GAN training step on CPU for the `dljax.models.gan` networks.

For each configuration (batch `--batch`, default 64):

- `fwd_bwd_ms`: one forward + backward pass through G and D: the gradient of the
  non-saturating generator loss `softplus(-D(G(z)))` with respect to every parameter;
- `iteration_ms`: one full GAN iteration as trained: a discriminator step
  (`softplus(-D(x)) + softplus(D(G(z)))`, G's output held fixed) and a generator step, each
  a gradient and an SGD update, batch statistics updated as in training;
- `epoch_s_digits`: `iteration_ms` times the 22 full batches of the 1,437 digits training
  images (an estimate of one epoch's compute, without data feeding).

`conv_transpose`: forward + backward (gradients of the kernel and the input) of one 4x4
stride-2 transposed convolution, (B, 16, 16, 64) -> (B, 32, 32, 32), with
`nnx.ConvTranspose` and with `dljax.models.layers.ConvTranspose2x` (same function).

Each number is the median of `--repeats` timed calls after a warm-up, on the pure function
of `nnx.split` state (the way the engine jits its steps). Writes
`benchmarks/results/gan_step.json` (`--out`).

    python benchmarks/gan_step.py [--batch 64] [--repeats 20] [--only NAME ...] [--allow-load]
        [--out PATH]
"""

from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path

os.environ.setdefault("OMP_NUM_THREADS", "1")

import jax  # noqa: E402
import jax.numpy as jnp  # noqa: E402
from flax import nnx  # noqa: E402

sys.path.insert(0, str(Path(__file__).parent))
from measure import RESULTS, Session, add_arguments, median_time  # noqa: E402

from dljax.models.gan import GAN  # noqa: E402
from dljax.models.layers import ConvTranspose2x  # noqa: E402

OUT = RESULTS / "gan_step.json"
TITLE = "Waktu satu langkah latih GAN di CPU"
DESCRIPTION = (
    "Milidetik satu lintasan maju + mundur dan satu iterasi GAN penuh (langkah diskriminator lalu "
    "langkah generator) untuk jaringan `dljax.models.gan` (MLP dan DCGAN pada beberapa ukuran), "
    "perkiraan waktu satu epoch digits, dan satu konvolusi transpos 4×4 stride 2 dengan "
    "`nnx.ConvTranspose` dibandingkan dengan `ConvTranspose2x`; median dari beberapa panggilan."
)
DIGITS_TRAIN = 1437

CONFIGS = {
    "mlp_8x8": dict(image_shape=(8, 8, 1), variant="mlp"),
    "dcgan_16x16_w16": dict(image_shape=(16, 16, 1), variant="dcgan", width=16),
    "dcgan_16x16_w32": dict(image_shape=(16, 16, 1), variant="dcgan", width=32),
    "cdcgan_16x16_w32": dict(image_shape=(16, 16, 1), variant="dcgan", width=32, num_classes=10),
    "dcgan_32x32_w32": dict(image_shape=(32, 32, 1), variant="dcgan", width=32),
}


def make_steps(model: GAN):
    graphdef, params, rest = nnx.split(model, nnx.Param, ...)
    conditional = model.conditional

    def g_loss(params, rest, z, labels):
        m = nnx.merge(graphdef, params, rest, copy=True)
        lab = labels if conditional else None
        logits = m.discriminator(m.generator(z, lab), lab)  # (B,)
        return jax.nn.softplus(-logits).mean(), nnx.state(m, nnx.BatchStat)

    def d_loss(params, rest, real, z, labels):
        m = nnx.merge(graphdef, params, rest, copy=True)
        lab = labels if conditional else None
        fake = jax.lax.stop_gradient(m.generator(z, lab))
        real_logits, fake_logits = m.discriminator(real, lab), m.discriminator(fake, lab)
        loss = jax.nn.softplus(-real_logits).mean() + jax.nn.softplus(fake_logits).mean()
        return loss, nnx.state(m, nnx.BatchStat)

    @jax.jit
    def fwd_bwd(params, rest, z, labels):
        (loss, _), grads = jax.value_and_grad(g_loss, has_aux=True)(params, rest, z, labels)
        return loss, grads

    def sgd(params, grads):
        return jax.tree.map(lambda p, g: p - 1e-4 * g, params, grads)

    @jax.jit
    def iteration(params, rest, real, z, labels):
        (_, rest), g = jax.value_and_grad(d_loss, has_aux=True)(params, rest, real, z, labels)
        params = sgd(params, g)
        (loss, rest), g = jax.value_and_grad(g_loss, has_aux=True)(params, rest, z, labels)
        return sgd(params, g), rest, loss

    return params, rest, fwd_bwd, iteration


def median_ms(fn, fn_args: tuple, repeats: int) -> float:
    """Median milliseconds of `fn(*fn_args)` over `repeats` calls, after a warm-up (compiles)."""
    return median_time(lambda: jax.block_until_ready(fn(*fn_args)), repeats)[0] * 1e3


def conv_transpose_ms(batch: int, repeats: int) -> dict[str, float]:
    x = jax.random.normal(jax.random.key(0), (batch, 16, 16, 64))
    layers = {
        "nnx_conv_transpose_ms": nnx.ConvTranspose(
            64, 32, (4, 4), strides=2, padding="SAME", rngs=nnx.Rngs(0)
        ),
        "conv_transpose_2x_ms": ConvTranspose2x(64, 32, rngs=nnx.Rngs(0)),
    }
    out = {}
    for name, layer in layers.items():
        graphdef, params = nnx.split(layer)

        def loss(params, x, graphdef=graphdef):
            y = nnx.merge(graphdef, params, copy=True)(x)  # (B, 32, 32, 32)
            return jnp.square(y).sum()

        out[name] = round(median_ms(jax.jit(jax.grad(loss, (0, 1))), (params, x), repeats), 2)
    return out


def parser() -> argparse.ArgumentParser:
    p = add_arguments(argparse.ArgumentParser(description=__doc__.splitlines()[0]), OUT)
    p.add_argument("--batch", type=int, default=64)
    p.add_argument("--repeats", type=int, default=20)
    p.add_argument("--only", nargs="*", default=[*CONFIGS, "conv_transpose"])
    return p


def main() -> None:
    args = parser().parse_args()
    session = Session.start("gan_step", allow_load=args.allow_load)

    results = {}
    for name in [n for n in args.only if n in CONFIGS]:
        cfg = dict(CONFIGS[name])
        shape = cfg.pop("image_shape")
        model = GAN(shape, latent=32, **cfg, rngs=nnx.Rngs(0))
        params, rest, fwd_bwd, iteration = make_steps(model)
        keys = jax.random.split(jax.random.key(0), 2)
        real = jax.random.uniform(keys[0], (args.batch, *shape), minval=-1.0, maxval=1.0)
        z = jax.random.normal(keys[1], (args.batch, 32))
        labels = jnp.arange(args.batch, dtype=jnp.int32) % 10
        fb = median_ms(fwd_bwd, (params, rest, z, labels), args.repeats)
        it = median_ms(iteration, (params, rest, real, z, labels), args.repeats)
        n_params = sum(x.size for x in jax.tree.leaves(params))
        results[name] = {
            "image_shape": list(shape),
            **{k: v for k, v in cfg.items()},
            "params": int(n_params),
            "fwd_bwd_ms": round(fb, 2),
            "iteration_ms": round(it, 2),
            "epoch_s_digits": round(it * (DIGITS_TRAIN // args.batch) / 1e3, 3),
        }
        print(name, results[name], flush=True)

    if "conv_transpose" in args.only:
        results["conv_transpose"] = conv_transpose_ms(args.batch, args.repeats)
        print("conv_transpose", results["conv_transpose"], flush=True)

    data = {
        "title": TITLE,
        "description": DESCRIPTION,
        "batch": args.batch,
        "repeats": args.repeats,
        "results": results,
    }
    session.write(args.out, data)


if __name__ == "__main__":
    main()
