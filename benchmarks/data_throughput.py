"""Data-pipeline throughput on MNIST-shaped data (60,000 x 28 x 28 x 1, 10 classes).

Measured in one run, on the same uint8 images, each producing float32 batches of
`--batch` normalized images with int32 labels:

- `per_record_jnp`: the original course's style: a per-record transform that turns each
  image into a JAX array (`jnp.asarray(img, float32)[..., None] / 255`), records collected
  in a Python loop and stacked per batch;
- `per_record_numpy`: the same loop with a numpy per-record transform (a kinder peer);
- `grain`: `dljax.data.pipeline.EpochBatches` (Grain: shuffled index batches, one
  vectorized gather and one vectorized transform per batch);
- `device`: the engine's on-device fast path: the data on the device, a permutation per
  epoch and `lax.scan` gathering the batches (each batch is reduced so that XLA keeps the
  gather).

Each number is the median of `--repeats` timed runs after a warm-up. Writes
`benchmarks/results/data_throughput.json` (`--out`).

    python benchmarks/data_throughput.py [--batch 128] [--repeats 5] [--record-steps 20]
        [--allow-load] [--out PATH]
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import time
from pathlib import Path

os.environ.setdefault("OMP_NUM_THREADS", "1")

import jax  # noqa: E402
import jax.numpy as jnp  # noqa: E402
import numpy as np  # noqa: E402

sys.path.insert(0, str(Path(__file__).parent))
from measure import RESULTS, Session, add_arguments  # noqa: E402

from dljax.data.base import ArraySource  # noqa: E402
from dljax.data.pipeline import EpochBatches  # noqa: E402

N, H, W = 60_000, 28, 28
OUT = RESULTS / "data_throughput.json"
TITLE = "Throughput pipeline data"
DESCRIPTION = (
    "Sampel per detik dari gambar uint8 berbentuk MNIST (60.000 × 28 × 28) menjadi batch "
    "float32 ternormalisasi: loop per rekaman gaya kursus asli (transformasi jnp, lalu numpy), "
    "pipeline Grain `EpochBatches` yang tervektorisasi, dan jalur cepat di perangkat "
    "(`lax.scan` mengambil batch dari data di perangkat)."
)


def normalize(batch, rng=None):
    """Vectorized: uint8 (B, 28, 28) -> float32 (B, 28, 28, 1) in [0, 1]."""
    x = batch["input"].astype(np.float32)[..., None] * np.float32(1 / 255)
    return {"input": x, "label": batch["label"]}


def per_record_epoch(source, batch_size, seed, steps, to_array):
    """The per-record loop: read, transform and collect each record, then stack."""
    perm = np.random.default_rng(seed).permutation(len(source))
    n = 0
    for s in range(steps):
        xs, ys = [], []
        for i in perm[s * batch_size : (s + 1) * batch_size]:
            record = source[int(i)]
            xs.append(to_array(record["input"]))
            ys.append(int(record["label"]))
        batch = {"input": np.stack(xs), "label": np.array(ys, np.int32)}
        n += len(batch["label"])
    return n


def jnp_record(img):
    return np.asarray(jnp.asarray(img, dtype=jnp.float32)[..., None] / 255.0)


def numpy_record(img):
    return img.astype(np.float32)[..., None] / np.float32(255.0)


def grain_epoch(source, batch_size, seed, steps):
    n = 0
    for i, batch in enumerate(EpochBatches(source, batch_size, seed=seed, transform=normalize)):
        n += len(batch["label"])
        if i + 1 == steps:
            break
    return n


def make_device_epoch(images, labels, batch_size):
    x = jax.device_put(images)
    y = jax.device_put(labels)
    steps = len(labels) // batch_size

    @jax.jit
    def epoch(key):
        perm = jax.random.permutation(key, len(labels))

        def body(acc, i):
            idx = jax.lax.dynamic_slice_in_dim(perm, i * batch_size, batch_size)
            xb = jnp.take(x, idx, axis=0).astype(jnp.float32)[..., None] / 255.0
            yb = jnp.take(y, idx, axis=0)
            return acc + xb.sum() + yb.sum(), None

        acc, _ = jax.lax.scan(body, jnp.float32(0), jnp.arange(steps))
        return acc

    def run(seed):
        epoch(jax.random.key(seed)).block_until_ready()
        return steps * batch_size

    return run


def measure(fn, repeats):
    """Median samples/s of `fn(seed)` (which returns the samples it produced) over `repeats`
    calls with seeds 1.. after a warm-up call with seed 0 (compilation, caches)."""
    fn(0)  # warm-up (compilation, caches)
    rates = []
    for r in range(repeats):
        t0 = time.perf_counter()
        n = fn(r + 1)
        rates.append(n / (time.perf_counter() - t0))
    return {"samples_per_s": statistics.median(rates), "runs": [round(v) for v in rates]}


def parser() -> argparse.ArgumentParser:
    p = add_arguments(argparse.ArgumentParser(description=__doc__.splitlines()[0]), OUT)
    p.add_argument("--batch", type=int, default=128)
    p.add_argument("--repeats", type=int, default=5)
    p.add_argument("--record-steps", type=int, default=20, help="batches per loop run")
    return p


def main():
    args = parser().parse_args()
    session = Session.start("data_throughput", allow_load=args.allow_load)

    rng = np.random.default_rng(0)
    images = rng.integers(0, 256, (N, H, W), dtype=np.uint8)
    labels = rng.integers(0, 10, N).astype(np.int32)
    source = ArraySource({"input": images, "label": labels})
    full = N // args.batch

    results = {
        "per_record_jnp": measure(
            lambda s: per_record_epoch(source, args.batch, s, args.record_steps, jnp_record),
            args.repeats,
        ),
        "per_record_numpy": measure(
            lambda s: per_record_epoch(source, args.batch, s, full, numpy_record), args.repeats
        ),
        "grain": measure(lambda s: grain_epoch(source, args.batch, s, full), args.repeats),
        "device": measure(make_device_epoch(images, labels, args.batch), args.repeats),
    }
    base = results["per_record_jnp"]["samples_per_s"]
    peer = results["per_record_numpy"]["samples_per_s"]
    for name in ("grain", "device"):
        results[name]["x_per_record_jnp"] = round(results[name]["samples_per_s"] / base, 1)
        results[name]["x_per_record_numpy"] = round(results[name]["samples_per_s"] / peer, 1)
    report = {
        "title": TITLE,
        "description": DESCRIPTION,
        "data": f"MNIST-shaped uint8 ({N}, {H}, {W}) -> float32 (B, {H}, {W}, 1), int32 labels",
        "batch_size": args.batch,
        "repeats": args.repeats,
        "results": {
            k: {**v, "samples_per_s": round(v["samples_per_s"])} for k, v in results.items()
        },
    }
    for name, row in report["results"].items():
        print(name, row)
    session.write(args.out, report)


if __name__ == "__main__":
    main()
