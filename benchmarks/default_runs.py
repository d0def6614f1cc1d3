"""The default `dljax train MODEL` runs on the embedded `digits` data: accuracy and time.

Each model is trained exactly as `dljax train MODEL` would (default preset, seed 0), timed
from the start of `fit` (compilation included) to the end, with the CPU time of all threads
beside the wall time. Targets from the issues: mlp >= 97% and cnn >= 98% in under a minute
each; lenet5 >= 98% in under two minutes; vit >= 97% in under five minutes.

    python benchmarks/default_runs.py [MODEL ...] [--allow-load] [--out PATH]

Writes `benchmarks/results/default_runs.json` (`--out`): one row per model under `runs`,
each with its own load average at start and end. Naming models reruns only those and keeps
the other rows of the existing file; without names every model is run and the file is new.
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parent))
from measure import RESULTS, Session, add_arguments, kept_rows, quiet_start, row_load  # noqa: E402

from dljax.recipes import build_config  # noqa: E402
from dljax.train import Trainer  # noqa: E402

OUT = RESULTS / "default_runs.json"
TITLE = "Run bawaan dljax train pada digits"
DESCRIPTION = (
    "Akurasi uji dan waktu latih (kompilasi termasuk) setiap model yang dilatih persis seperti "
    "`dljax train MODEL` (preset default, seed 0) pada data `digits` bawaan, dibandingkan "
    "dengan targetnya."
)
TARGETS = {"mlp": (0.97, 60.0), "cnn": (0.98, 60.0), "lenet5": (0.98, 120.0)}
TARGETS["vit"] = (0.97, 300.0)


def parser() -> argparse.ArgumentParser:
    p = add_arguments(argparse.ArgumentParser(description=__doc__.splitlines()[0]), OUT)
    p.add_argument(
        "models", nargs="*", metavar="MODEL", help=f"models to rerun ({', '.join(TARGETS)})"
    )
    return p


def run_model(model: str) -> dict:
    min_accuracy, max_seconds = TARGETS[model]
    start = quiet_start()
    trainer = Trainer(build_config(model))
    t0, c0 = time.perf_counter(), time.process_time()
    summary = trainer.fit(progress=False).summary
    seconds = time.perf_counter() - t0
    cpu_seconds = time.process_time() - c0  # all threads
    return {
        "test_accuracy": summary["test_accuracy"],
        "train_time_s": seconds,
        "cpu_time_s": cpu_seconds,
        "epochs": summary["epochs"],
        "target_accuracy": min_accuracy,
        "target_time_s": max_seconds,
        "meets_targets": summary["test_accuracy"] >= min_accuracy and seconds < max_seconds,
        **row_load(start),
    }


def main() -> None:
    p = parser()
    args = p.parse_args()
    unknown = [m for m in args.models if m not in TARGETS]
    if unknown:
        p.error(f"unknown models {unknown}; choose from {list(TARGETS)}")
    session = Session.start("default_runs", allow_load=args.allow_load)
    chosen = args.models or list(TARGETS)
    rows = kept_rows(args.out, "runs", drop=chosen) if args.models else {}
    for model in chosen:
        rows[model] = run_model(model)
        print(model, rows[model], flush=True)
    rows = {m: rows[m] for m in [*TARGETS, *rows] if m in rows}  # the usual order
    data = {"title": TITLE, "description": DESCRIPTION, "dataset": "digits", "runs": rows}
    session.write(args.out, data, rows=rows.values())


if __name__ == "__main__":
    main()
