"""Memory per device of the train state: `train.parallel=data` vs `fsdp`.

For the MLP and ResNet-20 (default presets, built for the embedded `digits` data: the
parameter count of ResNet-20 differs from its CIFAR-10 version only in the first
convolution's input channels) on 1, 4 and 8 simulated CPU devices, it builds the run's
initial state with each layout and records the bytes that each device holds: parameters and
optimizer state (AdamW moments). Sizes only, no timings: simulated devices share the
machine's cores, so their speed says nothing about real accelerators.

Each device count runs in its own process (the count is fixed when JAX starts). Writes
`benchmarks/results/parallel.json` (`--out`). No GPU was lent when it was written (see the
note).

    python benchmarks/parallel.py [--allow-load] [--out PATH]
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parent))
from measure import RESULTS, Session, add_arguments  # noqa: E402

OUT = RESULTS / "parallel.json"
TITLE = "Memori per perangkat: train.parallel=data dibandingkan dengan fsdp"
DESCRIPTION = (
    "Byte state latih (parameter dan momen optimizer AdamW) yang dipegang satu perangkat (yang "
    "terbesar) untuk `mlp` dan `resnet` dengan tata letak `data` dan `fsdp`, pada 1, 4 dan 8 "
    "perangkat CPU simulasi; hanya ukuran, tanpa waktu."
)
MODELS = ("mlp", "resnet")
DEVICE_COUNTS = (1, 4, 8)


def measure() -> dict:
    """In a child process: bytes per device for every model and layout."""
    import jax

    from dljax.data import digits
    from dljax.recipes import build_config
    from dljax.train import Trainer

    data = digits.load()
    out = {}
    for model in MODELS:
        row = {}
        for mode in ("data", "fsdp"):
            batch = 32 * jax.device_count()
            cfg = build_config(model, "default", {"train.parallel": mode, "data.batch_size": batch})
            t = Trainer(cfg, dataset=data)
            params = t.parallel.bytes_per_device(t.state.params)
            opt = t.parallel.bytes_per_device(t.state.opt_state)
            row[mode] = {
                "params_bytes_per_device_max": max(params.values()),
                "opt_state_bytes_per_device_max": max(opt.values()),
                "params_bytes_total": sum(x.nbytes for x in jax.tree.leaves(t.state.params)),
                "num_params": int(t.num_params),
            }
        row["fsdp_over_data"] = round(
            row["fsdp"]["params_bytes_per_device_max"] / row["data"]["params_bytes_per_device_max"],
            4,
        )
        out[model] = row
    return out


def parser() -> argparse.ArgumentParser:
    p = add_arguments(argparse.ArgumentParser(description=__doc__.splitlines()[0]), OUT)
    p.add_argument("--child", action="store_true", help=argparse.SUPPRESS)
    return p


def main() -> None:
    args = parser().parse_args()
    if args.child:
        print(json.dumps(measure()))
        return
    session = Session.start("parallel", allow_load=args.allow_load)
    results = {}
    for n in DEVICE_COUNTS:
        env = dict(os.environ, XLA_FLAGS=f"--xla_force_host_platform_device_count={n}")
        proc = subprocess.run(
            [sys.executable, __file__, "--child"],
            env=env,
            capture_output=True,
            text=True,
            check=True,
        )
        results[str(n)] = json.loads(proc.stdout.strip().splitlines()[-1])
        for model, row in results[str(n)].items():
            print(
                f"{n} perangkat, {model}: fsdp/data byte parameter per perangkat = "
                f"{row['fsdp_over_data']}"
            )
    report = {
        "title": TITLE,
        "description": DESCRIPTION,
        "devices": "simulated CPU devices (--xla_force_host_platform_device_count)",
        "gpu": None,
        "note": "Tidak ada GPU yang dipinjamkan saat skrip ini ditulis: tidak ada langkah per "
        "detik GPU yang dicatat. Perangkat CPU simulasi berbagi inti mesin yang sama, jadi "
        "tidak ada waktu yang dicatat (tidak akan bermakna). fsdp membagi setiap array "
        "sepanjang sumbu terbesarnya yang habis dibagi jumlah perangkat; array tanpa sumbu "
        "seperti itu (bias kecil, skala normalisasi) tetap direplikasi, sehingga rasionya "
        "sedikit di atas 1/N.",
        "results": results,
    }
    session.write(args.out, report)


if __name__ == "__main__":
    main()
