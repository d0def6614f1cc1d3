"""Training throughput: the dljax engine vs a hand-written JAX loop vs PyTorch eager (CPU).

Same model, batch and optimizer (Adam) in one process, on the same pinned threads; warm-up is
excluded; each measurement is repeated (>= 5) and the median is reported. Writes
`benchmarks/results/train_throughput.json`.

Rows:
- mlp: 784-512-512-10 MLP, batch 128, on MNIST-shaped synthetic data (200 steps per repeat).
- cnn: dljax's small CNN (two conv blocks 32/64 with batch norm, 128 hidden), batch 128,
  28x28x1 inputs (20 steps per repeat).
- gan: dljax's MLP GAN (G 32-128-256-784 tanh, D 784-256-128-1, LeakyReLU 0.2), batch 128,
  one discriminator step then one generator step per batch, both Adam 2e-4 beta1 0.5,
  on MNIST-shaped data (200 steps per repeat); compared with a PyTorch twin (no JAX loop).
- resnet20: dljax's ResNet-20 (He et al. 2016, CIFAR-style, option-A shortcuts, batch norm,
  269,722 parameters), batch 128, CIFAR-shaped 32x32x3 inputs (4 steps per repeat).
The hand-written JAX loop uses the same Flax model via nnx.split/merge and a jitted step:
`lax.scan` over the steps for the MLP, and one dispatch per step for the conv nets (XLA:CPU
runs convolutions inside loops ~50x slower, see dljax/train/steps.py).

    python benchmarks/train_throughput.py [--repeats 5] [--models mlp ...] [--allow-load]
        [--out PATH]

Running only some models updates their rows in the existing JSON (`--out`) and keeps the
others; every row records its own load average at start and end. The PyTorch twins take a
`device` ("cpu" here; `benchmarks/gpu.py` runs them on CUDA).
"""

from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path

import jax
import jax.numpy as jnp
import numpy as np
import optax
from flax import nnx

sys.path.insert(0, str(Path(__file__).parent))
from measure import (  # noqa: E402
    RESULTS,
    Session,
    add_arguments,
    kept_rows,
    median_rate,
    quiet_start,
    row_load,
)

from dljax.data import ArraySource, Dataset, DatasetInfo  # noqa: E402
from dljax.recipes import MODELS, build_config  # noqa: E402
from dljax.train import Trainer  # noqa: E402

OUT = RESULTS / "train_throughput.json"
TITLE = "Throughput pelatihan: dljax dibandingkan dengan loop JAX dan PyTorch"
DESCRIPTION = (
    "Langkah latih per detik (Adam, batch 128, data sintetis berbentuk MNIST/CIFAR) untuk MLP, CNN "
    "kecil, GAN MLP dan ResNet-20: mesin dljax dibandingkan dengan loop JAX yang ditulis tangan "
    "dan kembaran PyTorch eager di CPU, median dari beberapa ulangan dalam satu proses."
)
BATCH = 128
SHAPES = {"mlp": (28, 28, 1), "cnn": (28, 28, 1), "resnet20": (32, 32, 3), "gan": (28, 28, 1)}
STEPS = {"mlp": 200, "cnn": 20, "resnet20": 4, "gan": 200}
MODEL_NAMES = {"mlp": "mlp", "cnn": "cnn", "resnet20": "resnet", "gan": "gan"}  # row -> model
OVERRIDES = {
    "mlp": {"model.hidden": "512,512", "model.dropout": "0"},
    "gan": {"model.hidden": "128,256", "model.latent": "32", "train.quality": "false"},
    "cnn": {"model.channels": "32,64", "model.hidden": "128", "model.dropout": "0"},
    "resnet20": {"model.depth": "20"},
}


def synthetic(n: int, shape: tuple[int, ...], seed: int = 0) -> dict[str, np.ndarray]:
    rng = np.random.default_rng(seed)
    return {
        "input": rng.random((n, *shape), dtype=np.float32),
        "label": rng.integers(0, 10, n).astype(np.int32),
    }


# ---------------------------------------------------------------------------------- dljax
def bench_dljax(model: str, repeats: int):
    steps, shape = STEPS[model], SHAPES[model]
    info = DatasetInfo("synthetic", "synthetic", "image", shape, 10)
    data = Dataset(
        info, ArraySource(synthetic(steps * BATCH, shape)), ArraySource(synthetic(BATCH, shape, 1))
    )
    optimizer = {"train.lr": "2e-4", "train.beta1": "0.5"} if model == "gan" else {}
    overrides = {
        **OVERRIDES[model],
        **optimizer,
        "train.epochs": "1",
        "train.optimizer": "adam",
        "train.schedule": "constant",
        "data.batch_size": str(BATCH),
        "train.steps_per_dispatch": str(steps),
    }
    trainer = Trainer(build_config(MODEL_NAMES[model], overrides=overrides), dataset=data)
    return median_rate(lambda: trainer.fit(progress=False), steps, repeats)


# ------------------------------------------------------------------------ hand-written JAX
def bench_jax_loop(model: str, repeats: int):
    if model == "gan":
        return None  # the GAN row compares the engine with PyTorch only
    steps, shape = STEPS[model], SHAPES[model]
    config = build_config(MODEL_NAMES[model], overrides=OVERRIDES[model])
    info = DatasetInfo("synthetic", "synthetic", "image", shape, 10)
    net = MODELS[MODEL_NAMES[model]].build_model(config, info, nnx.Rngs(0))
    net.train()
    graphdef, params, rest = nnx.split(net, nnx.Param, ...)
    tx = optax.adam(1e-3)
    arrays = synthetic(steps * BATCH, shape)
    x, y = jnp.asarray(arrays["input"]), jnp.asarray(arrays["label"])

    def step(params, rest, opt_state, idx):
        def loss_fn(p):
            m = nnx.merge(graphdef, p, rest, copy=True)
            logits = m(x[idx], rngs=nnx.Rngs(dropout=0))
            loss = optax.softmax_cross_entropy_with_integer_labels(logits, y[idx]).mean()
            return loss, nnx.split(m, nnx.Param, ...)[2]

        (loss, rest), grads = jax.value_and_grad(loss_fn, has_aux=True)(params)
        updates, opt_state = tx.update(grads, opt_state, params)
        return optax.apply_updates(params, updates), rest, opt_state, loss

    state = [params, rest, tx.init(params)]
    key = jax.random.key(0)

    if model == "mlp":

        @jax.jit
        def epoch(params, rest, opt_state, key):
            perm = jax.random.permutation(key, steps * BATCH).reshape(steps, BATCH)

            def body(carry, idx):
                *carry, loss = step(*carry, idx)
                return tuple(carry), loss

            (params, rest, opt_state), losses = jax.lax.scan(body, (params, rest, opt_state), perm)
            return params, rest, opt_state, losses.mean()

        def run():
            *state[:], loss = epoch(*state, key)
            loss.block_until_ready()
    else:
        jstep = jax.jit(step)

        def run():
            perm = jax.random.permutation(key, steps * BATCH).reshape(steps, BATCH)
            loss = None
            for i in range(steps):
                *state[:], loss = jstep(*state, perm[i])
            loss.block_until_ready()

    return median_rate(run, steps, repeats)


# ---------------------------------------------------------------------------------- torch
def torch_resnet20():
    """The PyTorch twin of dljax's ResNet-20: 3x3 stem, 3 stages of 3 basic blocks (16, 32,
    64 channels), option-A shortcuts, batch norm, global average pooling, 269,722 params."""
    import torch.nn.functional as F
    from torch import nn

    class Block(nn.Module):
        def __init__(self, cin, cout, stride):
            super().__init__()
            self.conv1 = nn.Conv2d(cin, cout, 3, stride, 1, bias=False)
            self.bn1 = nn.BatchNorm2d(cout)
            self.conv2 = nn.Conv2d(cout, cout, 3, 1, 1, bias=False)
            self.bn2 = nn.BatchNorm2d(cout)
            self.stride, self.pad = stride, cout - cin

        def forward(self, x):
            y = F.relu(self.bn1(self.conv1(x)))
            y = self.bn2(self.conv2(y))
            sc = x[:, :, :: self.stride, :: self.stride]
            if self.pad:
                sc = F.pad(sc, (0, 0, 0, 0, 0, self.pad))
            return F.relu(y + sc)

    layers, cin = [nn.Conv2d(3, 16, 3, 1, 1, bias=False), nn.BatchNorm2d(16), nn.ReLU()], 16
    for i, cout in enumerate((16, 32, 64)):
        for j in range(3):
            layers.append(Block(cin, cout, 2 if i > 0 and j == 0 else 1))
            cin = cout
    net = nn.Sequential(*layers, nn.AdaptiveAvgPool2d(1), nn.Flatten(), nn.Linear(64, 10))
    assert sum(p.numel() for p in net.parameters()) == 269_722
    return net


def _synchronize(device: str) -> None:
    """Wait for the queued kernels of `device` (CUDA runs asynchronously; CPU does not)."""
    import torch

    if torch.device(device).type == "cuda":
        torch.cuda.synchronize(device)


def bench_torch_gan(repeats: int, device: str = "cpu"):
    """The PyTorch twin of dljax's MLP GAN step: a D step, then a G step (non-saturating)."""
    import torch
    from torch import nn

    steps = STEPS["gan"]
    g = nn.Sequential(
        nn.Linear(32, 128), nn.LeakyReLU(0.2), nn.Linear(128, 256), nn.LeakyReLU(0.2),
        nn.Linear(256, 784), nn.Tanh(),
    )  # fmt: skip
    d = nn.Sequential(
        nn.Linear(784, 256), nn.LeakyReLU(0.2), nn.Linear(256, 128), nn.LeakyReLU(0.2),
        nn.Linear(128, 1),
    )  # fmt: skip
    g, d = g.to(device), d.to(device)
    opt_g = torch.optim.Adam(g.parameters(), lr=2e-4, betas=(0.5, 0.999))
    opt_d = torch.optim.Adam(d.parameters(), lr=2e-4, betas=(0.5, 0.999))
    x = torch.from_numpy(synthetic(steps * BATCH, SHAPES["gan"])["input"]).reshape(-1, 784)
    x = x.to(device) * 2 - 1  # images in [-1, 1], as the dljax GAN task scales them
    bce = nn.BCEWithLogitsLoss()
    ones, zeros = torch.ones(BATCH, 1, device=device), torch.zeros(BATCH, 1, device=device)

    def run():
        perm = torch.randperm(len(x), device=device)
        for i in range(steps):
            real = x[perm[i * BATCH : (i + 1) * BATCH]]
            fake = g(torch.randn(BATCH, 32, device=device)).detach()
            opt_d.zero_grad(set_to_none=True)
            (bce(d(real), ones) + bce(d(fake), zeros)).backward()
            opt_d.step()
            opt_g.zero_grad(set_to_none=True)
            bce(d(g(torch.randn(BATCH, 32, device=device))), ones).backward()
            opt_g.step()
        _synchronize(device)

    return median_rate(run, steps, repeats), torch.__version__


def bench_torch(model: str, repeats: int, device: str = "cpu"):
    """((steps/s, every repeat's rate), torch version) of the PyTorch twin of `model` on
    `device` (eager)."""
    import torch
    from torch import nn

    torch.set_num_threads(os.cpu_count() or 1)
    torch.manual_seed(0)
    if model == "gan":
        return bench_torch_gan(repeats, device)
    steps = STEPS[model]
    if model == "mlp":
        net = nn.Sequential(
            nn.Flatten(),
            nn.Linear(784, 512),
            nn.ReLU(),
            nn.Linear(512, 512),
            nn.ReLU(),
            nn.Linear(512, 10),
        )
    elif model == "resnet20":
        net = torch_resnet20()
    else:

        def block(cin, cout):
            return [
                nn.Conv2d(cin, cout, 3, padding=1, bias=False),
                nn.BatchNorm2d(cout),
                nn.ReLU(),
                nn.Conv2d(cout, cout, 3, padding=1, bias=False),
                nn.BatchNorm2d(cout),
                nn.ReLU(),
                nn.MaxPool2d(2, ceil_mode=True),
            ]

        net = nn.Sequential(
            *block(1, 32),
            *block(32, 64),
            nn.Flatten(),
            nn.Linear(7 * 7 * 64, 128),
            nn.ReLU(),
            nn.Linear(128, 10),
        )
    net.to(device).train()
    opt = torch.optim.Adam(net.parameters(), lr=1e-3)
    arrays = synthetic(steps * BATCH, SHAPES[model])
    x = torch.from_numpy(arrays["input"]).permute(0, 3, 1, 2).contiguous().to(device)
    y = torch.from_numpy(arrays["label"]).long().to(device)
    loss_fn = nn.CrossEntropyLoss()

    def run():
        perm = torch.randperm(len(y), device=device)
        for i in range(steps):
            idx = perm[i * BATCH : (i + 1) * BATCH]
            opt.zero_grad(set_to_none=True)
            loss = loss_fn(net(x[idx]), y[idx])
            loss.backward()
            opt.step()
        _synchronize(device)

    return median_rate(run, steps, repeats), torch.__version__


def parser() -> argparse.ArgumentParser:
    p = add_arguments(argparse.ArgumentParser(description=__doc__.splitlines()[0]), OUT)
    p.add_argument("--repeats", type=int, default=5)
    p.add_argument("--models", nargs="+", default=list(STEPS), choices=list(STEPS))
    return p


def main() -> None:
    args = parser().parse_args()
    session = Session.start("train_throughput", allow_load=args.allow_load)
    results = kept_rows(args.out, "results", drop=args.models)  # rows of models not run now
    for model in args.models:
        start = quiet_start()
        row = {"repeats": args.repeats, "input_shape": list(SHAPES[model])}
        rate, runs = bench_dljax(model, args.repeats)
        row["dljax"] = {"steps_per_s": rate, "runs": runs}
        loop = bench_jax_loop(model, args.repeats)
        row["jax_loop"] = None if loop is None else {"steps_per_s": loop[0], "runs": loop[1]}
        try:
            (rate, runs), version = bench_torch(model, args.repeats)
            row["torch"] = {"steps_per_s": rate, "runs": runs, "version": version}
        except ImportError:
            row["torch"] = None  # PyTorch not installed: pip install torch (CPU build)
        if row["jax_loop"]:
            row["dljax_vs_jax_loop"] = row["dljax"]["steps_per_s"] / row["jax_loop"]["steps_per_s"]
        if row["torch"]:
            row["dljax_vs_torch"] = row["dljax"]["steps_per_s"] / row["torch"]["steps_per_s"]
        row.update(row_load(start))
        results[model] = row
        summary = {k: round(v["steps_per_s"], 1) for k, v in row.items() if isinstance(v, dict)}
        print(model, summary, {k: round(v, 3) for k, v in row.items() if k.startswith("dljax_")})
    results = {m: results[m] for m in [*STEPS, *results] if m in results}  # the usual order
    data = {
        "title": TITLE,
        "description": DESCRIPTION,
        "batch_size": BATCH,
        "repeats": args.repeats,
        "steps_per_repeat": STEPS,
        "results": results,
    }
    session.write(args.out, data, rows=results.values())


if __name__ == "__main__":
    main()
