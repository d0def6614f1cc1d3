"""Upper bound for the MLP row of train_throughput: its matrix products alone.

One training step of the 784-512-512-10 MLP at batch 128 performs 8 matrix products
(3 forward, 3 weight gradients, 2 input gradients). This script times exactly those
products, jitted together, and PyTorch's full eager step, in one run on the same threads.
`max_dljax_vs_torch` = the speed-up over PyTorch that an engine with zero overhead besides
the matmuls could reach. Needs PyTorch (the `bench` extra).

    python benchmarks/mlp_bound.py [--allow-load] [--out PATH]

Writes `benchmarks/results/mlp_bound.json` (`--out`).
"""

from __future__ import annotations

import argparse
import os
import sys
from itertools import pairwise
from pathlib import Path

import jax
import jax.numpy as jnp
import numpy as np

sys.path.insert(0, str(Path(__file__).parent))
from measure import RESULTS, Session, add_arguments, median_rate  # noqa: E402

OUT = RESULTS / "mlp_bound.json"
TITLE = "Batas atas MLP: perkalian matriksnya saja"
DESCRIPTION = (
    "Langkah per detik MLP 784-512-512-10 (batch 128) bila hanya 8 perkalian matriks langkahnya "
    "yang dijalankan (JAX, satu `lax.scan`), dibandingkan dengan langkah latih penuh PyTorch eager "
    "di CPU: percepatan terbesar atas PyTorch yang bisa dicapai mesin tanpa overhead lain."
)
B, SIZES, STEPS, REPEATS = 128, (784, 512, 512, 10), 200, 7


def timed(run) -> float:
    """Median steps per second of `run()` (`STEPS` steps) over `REPEATS`, after a warm-up."""
    return median_rate(run, STEPS, REPEATS)[0]


def matmuls_only() -> float:
    rng = np.random.default_rng(0)
    ws = [jnp.asarray(rng.random((a, b), np.float32)) for a, b in pairwise(SIZES)]
    x = jnp.asarray(rng.random((B, SIZES[0]), np.float32))

    @jax.jit
    def many(ws, x):
        def body(ws, _):
            h1 = x @ ws[0]  # (B, 512)
            h2 = h1 @ ws[1]  # (B, 512)
            out = h2 @ ws[2]  # (B, 10)
            g2 = out @ ws[2].T  # (B, 512)
            g1 = g2 @ ws[1].T  # (B, 512)
            grads = (x.T @ g1, h1.T @ g2, h2.T @ out)  # weight gradients
            return [w - 1e-9 * g for w, g in zip(ws, grads, strict=True)], None

        return jax.lax.scan(body, ws, None, length=STEPS)[0]

    return timed(lambda: jax.block_until_ready(many(ws, x)))


def torch_step() -> float:
    import torch
    from torch import nn

    torch.set_num_threads(os.cpu_count() or 1)
    net = nn.Sequential(
        nn.Linear(784, 512), nn.ReLU(), nn.Linear(512, 512), nn.ReLU(), nn.Linear(512, 10)
    )
    opt = torch.optim.Adam(net.parameters(), lr=1e-3)
    x, y = torch.rand(STEPS * B, 784), torch.randint(0, 10, (STEPS * B,))
    loss_fn = nn.CrossEntropyLoss()

    def run():
        for i in range(STEPS):
            opt.zero_grad(set_to_none=True)
            loss_fn(net(x[i * B : (i + 1) * B]), y[i * B : (i + 1) * B]).backward()
            opt.step()

    return timed(run)


def parser() -> argparse.ArgumentParser:
    return add_arguments(argparse.ArgumentParser(description=__doc__.splitlines()[0]), OUT)


def main() -> None:
    args = parser().parse_args()
    session = Session.start("mlp_bound", allow_load=args.allow_load)
    bound = matmuls_only()
    torch_rate = torch_step()
    report = {
        "title": TITLE,
        "description": DESCRIPTION,
        "jax_matmuls_only_steps_per_s": bound,
        "torch_eager_steps_per_s": torch_rate,
        "max_dljax_vs_torch": bound / torch_rate,
    }
    print(report)
    session.write(args.out, report)


if __name__ == "__main__":
    main()
