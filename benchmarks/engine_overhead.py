"""The engine's overhead for every model in `dljax list`: the dljax engine vs a hand-written
JAX loop over the same model, the same task loss, the same optimizer and the same batches,
and vs a PyTorch twin where one exists (mlp, cnn, resnet, lstm, gan, gpt).

    python benchmarks/engine_overhead.py [--repeats 5] [--models mlp cnn ...] [--allow-load]

- engine: `Trainer(config).fit()` for one epoch of `steps` batches (the on-device path:
  `lax.scan` over the steps, or one asynchronous dispatch per step for conv nets on the CPU),
  which includes the epoch's bookkeeping and the evaluation of a one-batch test set;
- hand loop: what a user writes with plain JAX (`nnx.split` once, `jax.jit` of a step of
  `jax.value_and_grad` + optax, `lax.scan` over pre-batched data, or a Python loop of jitted
  steps for conv nets), calling the same task loss (`task.phases`: one optimizer, or a
  GAN's two in turn) and keeping batch-norm statistics and EMA weights the same way;
- torch: the PyTorch twins of `train_throughput.py` (mlp, cnn, resnet20, gan),
  `recurrent_throughput.py`-style LSTM and `transformer.py`'s nanoGPT twin, on the same
  shapes (eager, CPU, all threads).

Medians of `--repeats` after a warm-up, all in one run; the engine and the hand loop of a
row are timed in turn (`measure.interleaved_rates`), so both see the same machine. Writes
`benchmarks/results/engine_overhead.json` with the load average at start and end.
"""

from __future__ import annotations

import argparse
import dataclasses
import os
import sys
from pathlib import Path

import jax
import jax.numpy as jnp
import numpy as np
import optax
from flax import nnx

sys.path.insert(0, str(Path(__file__).parent))
from measure import RESULTS, Session, add_arguments, interleaved_rates, median_rate  # noqa: E402

from dljax.data import ArraySource, Dataset, DatasetInfo  # noqa: E402
from dljax.recipes import MODELS, build_config  # noqa: E402
from dljax.tasks import ALL  # noqa: E402
from dljax.train import Trainer  # noqa: E402
from dljax.train.optim import make_optimizer  # noqa: E402
from dljax.train.state import task_rngs  # noqa: E402

OUT = RESULTS / "engine_overhead.json"
SEQ_CLASSIFIER = {"model.hidden": "128"}
MNIST, NO_DROPOUT = ("image", (28, 28, 1), 10), {"model.dropout": "0"}
# row -> (model, overrides, (kind, input shape, classes), batch, steps per repeat)
ROWS = {
    "mlp": ("mlp", {"model.hidden": "512,512", **NO_DROPOUT}, MNIST, 128, 200),
    "cnn": ("cnn", {"model.channels": "32,64", "model.hidden": "128", **NO_DROPOUT}, MNIST, 128, 6),
    "lenet5": ("lenet5", {}, ("image", (28, 28, 1), 10), 128, 20),
    "vgg": ("vgg", {"model.depth": "11"}, ("image", (32, 32, 3), 10), 64, 3),
    "resnet": ("resnet", {"model.depth": "20"}, ("image", (32, 32, 3), 10), 128, 3),
    "vit": ("vit", {"model.dropout": "0"}, ("image", (28, 28, 1), 10), 128, 20),
    "rnn": ("rnn", SEQ_CLASSIFIER, ("sequence", (100, 8), 4), 64, 50),
    "lstm": ("lstm", SEQ_CLASSIFIER, ("sequence", (100, 8), 4), 64, 50),
    "gru": ("gru", SEQ_CLASSIFIER, ("sequence", (100, 8), 4), 64, 50),
    "char_lstm": ("char_lstm", {"data.seq_len": "64"}, ("text", (64,), 96), 64, 30),
    "gpt": (
        "gpt",
        {"model.positions": "learned", "model.dropout": "0", "data.seq_len": "128"},
        ("text", (128,), 96),
        32,
        20,
    ),
    "autoencoder": ("autoencoder", {}, ("image", (28, 28, 1), 10), 128, 100),
    "vae": ("vae", {}, ("image", (28, 28, 1), 10), 128, 100),
    "gan": ("gan", {"model.hidden": "128,256", "model.latent": "32"}, MNIST, 128, 200),
    "dcgan": ("dcgan", {}, ("image", (16, 16, 1), 10), 64, 10),
    "cgan": ("cgan", {}, ("image", (16, 16, 1), 10), 64, 10),
    "ddpm": ("ddpm", {}, ("image", (8, 8, 1), 10), 32, 20),
    "ddpm_cond": ("ddpm_cond", {}, ("image", (8, 8, 1), 10), 32, 20),
}  # fmt: skip


def dataset(kind: str, shape, classes: int, n: int, seed: int = 0) -> Dataset:
    rng = np.random.default_rng(seed)
    if kind == "text":
        tokens = rng.integers(0, classes, (n, shape[0] + 1)).astype(np.int32)
        info = DatasetInfo("synthetic", "synthetic", "text", shape, classes)
        return Dataset(info, ArraySource({"tokens": tokens}), ArraySource({"tokens": tokens}))
    arrays = {
        "input": rng.random((n, *shape), dtype=np.float32),
        "label": rng.integers(0, classes, n).astype(np.int32),
    }
    info = DatasetInfo("synthetic", "synthetic", kind, shape, classes)
    return Dataset(info, ArraySource(arrays), ArraySource(arrays))


def config_of(row: str):
    model, overrides, _, batch, steps = ROWS[row]
    return build_config(
        model,
        "default",
        {
            **overrides,
            "train.epochs": "1",
            "train.schedule": "constant",
            "train.warmup_steps": "0",
            "train.quality": "false",
            "data.batch_size": str(batch),
            "train.steps_per_dispatch": str(steps),
        },
    )


def engine_run(row: str):
    """`run()`: one epoch of `Trainer.fit` (blocks: `fit` reads the epoch's metrics)."""
    _, _, (kind, shape, classes), batch, steps = ROWS[row]
    train = dataset(kind, shape, classes, steps * batch)
    test = dataset(kind, shape, classes, batch, seed=1).test  # one batch
    trainer = Trainer(config_of(row), dataset=Dataset(train.info, train.train, test))
    return trainer.fit


def hand_loop_run(row: str):
    """`run()`: the same epoch, written directly with jax.jit / lax.scan and optax. Like any
    loop that shows its progress, it keeps each step's loss (the engine also keeps the task's
    other training metrics) and then evaluates the same one-batch test set as the engine
    (the task's `eval_fn` on the eval-mode model, with the EMA weights when kept)."""
    _, _, (kind, shape, classes), batch, steps = ROWS[row]
    config = config_of(row)
    recipe = MODELS[config.model_name]
    task = recipe.make_task(config)
    data = dataset(kind, shape, classes, steps * batch)
    model = recipe.build_model(config, data.info, nnx.Rngs(params=0))
    model.eval()
    eval_graphdef = nnx.split(model, nnx.Param, ...)[0]
    model.train()
    graphdef, params, rest = nnx.split(model, nnx.Param, ...)
    phases = task.phases
    txs = [make_optimizer(dataclasses.replace(config.train, **p.train), steps)[0] for p in phases]

    def own(tree, phase):  # (the phase's part, the others)
        if phase.params is ALL:
            return tree, nnx.State({})
        return nnx.split_state(tree, phase.params, ...)

    opts = [tx.init(own(params, p)[0]) for tx, p in zip(txs, phases, strict=True)]
    decay = config.train.ema_decay
    ema = jax.tree.map(jnp.copy, params) if decay > 0 else None
    arrays = data.train.arrays
    perm = np.random.default_rng(0).permutation(steps * batch).reshape(steps, batch)
    batches = {k: jnp.asarray(v[perm]) for k, v in arrays.items()}  # (S, B, ...)

    def step(carry, inputs):
        params, rest, opts, ema = carry
        batch_, key = inputs
        keys = [key] if len(phases) == 1 else jax.random.split(key, len(phases))
        new_opts, total = [], 0.0
        for phase, tx, opt, k in zip(phases, txs, opts, keys, strict=True):
            mine, others = own(params, phase)
            rest_mine, rest_others = own(rest, phase)

            def loss_of(p, others=others, phase=phase, k=k, rest=rest):
                m = nnx.merge(graphdef, p, others, rest, copy=True)
                loss, _ = phase.loss(m, batch_, task_rngs(k))
                return loss, own(nnx.split(m, nnx.Param, ...)[2], phase)[0]

            (loss, rest_mine), grads = jax.value_and_grad(loss_of, has_aux=True)(mine)
            total = total + loss
            updates, opt = tx.update(grads, opt, mine)
            params = nnx.merge_state(optax.apply_updates(mine, updates), others)
            rest = nnx.merge_state(rest_mine, rest_others)
            new_opts.append(opt)
        if ema is not None:
            ema = optax.incremental_update(params, ema, step_size=1.0 - decay)
        return (params, rest, new_opts, ema), total

    keys = jax.random.split(jax.random.key(0), steps)
    state = [(params, rest, opts, ema)]
    test = dataset(kind, shape, classes, batch, seed=1).test.arrays  # the engine's test set
    test = {**{k: jnp.asarray(v) for k, v in test.items()}, "mask": jnp.ones(batch)}

    @jax.jit
    def evaluate(carry):
        params, rest, _, ema = carry
        model = nnx.merge(eval_graphdef, params if ema is None else ema, rest, copy=True)
        return task.eval_fn(model, test, task_rngs(jax.random.key(1)))  # metric sums

    if recipe.scan_on_cpu or jax.default_backend() != "cpu":

        @jax.jit
        def epoch(carry):
            return jax.lax.scan(step, carry, (batches, keys))  # (carry, (S,) losses)

        def run():
            state[0], losses = epoch(state[0])
            jax.block_until_ready((state[0], losses, evaluate(state[0])))
    else:  # conv nets on the CPU: one asynchronous dispatch per step, as the engine
        jstep = jax.jit(lambda carry, b, k: step(carry, (b, k)), donate_argnums=(0,))
        per_step = [({k: v[i] for k, v in batches.items()}, keys[i]) for i in range(steps)]

        def run():
            carry, losses = state[0], []
            for batch_i, key_i in per_step:  # sliced once, before timing
                carry, loss = jstep(carry, batch_i, key_i)
                losses.append(loss)
            state[0] = carry
            jax.block_until_ready((carry, losses, evaluate(carry)))

    return run


# ---------------------------------------------------------------------------------- torch
def bench_torch(row: str, repeats: int):
    """(steps/s, runs, version) of the PyTorch twin, or None (no twin, or no PyTorch)."""
    try:
        import torch
    except ImportError:
        return None
    import train_throughput as tt
    import transformer as tf_bench

    torch.set_num_threads(os.cpu_count() or 1)
    torch.manual_seed(0)
    if row in ("mlp", "cnn", "gan", "resnet"):  # the same shapes and batch as ROWS
        (rate, runs), _ = tt.bench_torch("resnet20" if row == "resnet" else row, repeats)
    elif row == "gpt":  # tokens/s of (batch 32) x (context 128) windows
        out = tf_bench.bench_torch(repeats)
        rate, runs = out["tokens_per_s"] / (tf_bench.BATCH * tf_bench.SEQ), []
    elif row == "lstm":
        rate, runs = _torch_lstm(repeats)
    else:
        return None
    return {"steps_per_s": rate, "runs": runs, "version": torch.__version__}


def _torch_lstm(repeats: int):
    """An nn.LSTM(8 -> 128) + Linear(128 -> 4) classifier on the last step, Adam."""
    import torch
    from torch import nn

    _, _, (_, (t, f), classes), batch, steps = ROWS["lstm"]

    class Net(nn.Module):
        def __init__(self):
            super().__init__()
            self.lstm = nn.LSTM(f, 128, batch_first=True)
            self.head = nn.Linear(128, classes)

        def forward(self, x):
            return self.head(self.lstm(x)[0][:, -1])

    net = Net()
    opt = torch.optim.Adam(net.parameters(), lr=1e-3)
    x = torch.rand(steps * batch, t, f)
    y = torch.randint(0, classes, (steps * batch,))

    def run():
        for i in range(steps):
            opt.zero_grad(set_to_none=True)
            sl = slice(i * batch, (i + 1) * batch)
            nn.functional.cross_entropy(net(x[sl]), y[sl]).backward()
            opt.step()

    return median_rate(run, steps, repeats)


def main() -> None:
    parser = add_arguments(argparse.ArgumentParser(description=__doc__.splitlines()[0]))
    parser.add_argument("--repeats", type=int, default=5)
    parser.add_argument("--models", nargs="+", default=list(ROWS), choices=list(ROWS))
    parser.add_argument(
        "--min-seconds",
        type=float,
        default=8.0,
        help="time each of engine and hand loop at least this long per row (more repeats)",
    )
    parser.add_argument("--no-torch", action="store_true", help="skip the PyTorch twins")
    parser.add_argument("--out", type=Path, default=OUT)
    args = parser.parse_args()
    session = Session.start("engine_overhead", allow_load=args.allow_load)
    rows = []
    for name in args.models:
        model, overrides, (kind, shape, classes), batch, steps = ROWS[name]
        timed = interleaved_rates(
            {"engine": engine_run(name), "hand_loop": hand_loop_run(name)},
            steps,
            args.repeats,
            min_seconds=args.min_seconds,
        )
        (engine, engine_runs), (loop, loop_runs) = timed["engine"], timed["hand_loop"]
        row = {
            "model": model,
            "input_shape": list(shape),
            "batch": batch,
            "steps_per_repeat": steps,
            "overrides": overrides,
            "engine_steps_per_s": engine,
            "hand_loop_steps_per_s": loop,
            "engine_vs_hand_loop": engine / loop,
            "engine_runs": engine_runs,
            "hand_loop_runs": loop_runs,
        }
        twin = None if args.no_torch else bench_torch(name, args.repeats)
        if twin is not None:
            row["torch_steps_per_s"] = twin["steps_per_s"]
            row["engine_vs_torch"] = engine / twin["steps_per_s"]
            row["torch_version"] = twin["version"]
        rows.append(row)
        shown = {k: round(v, 3) for k, v in row.items() if isinstance(v, float)}
        print(name, shown, flush=True)
    session.write(
        args.out,
        {
            "title": "Overhead mesin pelatihan per keluarga model",
            "description": (
                "Langkah latih per detik: mesin dljax (Trainer.fit, satu epoch) dibandingkan "
                "dengan loop JAX yang ditulis tangan atas model, loss, optimizer dan batch yang "
                "sama, dan dibandingkan dengan kembaran PyTorch bila ada; median dari beberapa "
                "ulangan dalam satu run."
            ),
            "repeats": args.repeats,
            "min_seconds": args.min_seconds,
            "rows": rows,
        },
    )


if __name__ == "__main__":
    main()
