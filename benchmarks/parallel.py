"""Memory per device of the train state: `train.parallel=data` vs `fsdp`.

For the MLP and ResNet-20 (default presets, built for the embedded `digits` data: the
parameter count of ResNet-20 differs from its CIFAR-10 version only in the first
convolution's input channels) on 1, 4 and 8 simulated CPU devices, it builds the run's
initial state with each layout and records the bytes that each device holds: parameters and
optimizer state (AdamW moments). Sizes only, no timings: simulated devices share the
machine's cores, so their speed says nothing about real accelerators.

Each device count runs in its own process (the count is fixed when JAX starts). Writes
`benchmarks/results/parallel.json`. No GPU was lent when it was written (see the note).
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import subprocess
import sys
from pathlib import Path

RESULTS = Path(__file__).parent / "results" / "parallel.json"
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


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--child", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        print(json.dumps(measure()))
        return
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
    import jax

    report = {
        "what": "bytes of the train state held by one device (the largest), data vs fsdp",
        "devices": "simulated CPU devices (--xla_force_host_platform_device_count)",
        "jax": jax.__version__,
        "machine": platform.processor() or platform.machine(),
        "gpu": None,
        "note": "No GPU was lent to this session: no GPU steps/s are recorded. Simulated "
        "CPU devices share 2 cores, so no timings are given (they would not be meaningful). "
        "fsdp splits each array along its largest axis divisible by the device count; "
        "arrays without such an axis (small biases, norm scales) stay replicated, so the "
        "ratio is a little above 1/N.",
        "results": results,
    }
    RESULTS.parent.mkdir(exist_ok=True)
    RESULTS.write_text(json.dumps(report, indent=2, ensure_ascii=False) + "\n")
    print(f"Ditulis: {RESULTS}")


if __name__ == "__main__":
    main()
