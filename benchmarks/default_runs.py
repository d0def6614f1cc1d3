"""The default `dljax train MODEL` runs on the embedded `digits` data: accuracy and time.

Each model is trained exactly as `dljax train MODEL` would (default preset, seed 0), timed
from the start of `fit` (compilation included) to the end. Targets from the issues:
mlp >= 97% and cnn >= 98% in under a minute each; lenet5 >= 98% in under two minutes;
vit >= 97% in under five minutes. Writes `benchmarks/results/default_runs.json`;
`python benchmarks/default_runs.py vit` reruns only the named models and keeps the other rows.
"""

from __future__ import annotations

import json
import os
import sys
import time
from pathlib import Path

from dljax.recipes import build_config
from dljax.train import Trainer

RESULTS = Path(__file__).parent / "results" / "default_runs.json"
TARGETS = {"mlp": (0.97, 60.0), "cnn": (0.98, 60.0), "lenet5": (0.98, 120.0)}
TARGETS["vit"] = (0.97, 300.0)


def main() -> None:
    chosen = sys.argv[1:] or list(TARGETS)
    rows = json.loads(RESULTS.read_text())["runs"] if sys.argv[1:] and RESULTS.exists() else {}
    for model in chosen:
        min_accuracy, max_seconds = TARGETS[model]
        trainer = Trainer(build_config(model))
        t0, c0 = time.perf_counter(), time.process_time()
        summary = trainer.fit(progress=False).summary
        seconds = time.perf_counter() - t0
        cpu_seconds = time.process_time() - c0  # all threads: on a shared machine, the work done
        rows[model] = {
            "test_accuracy": summary["test_accuracy"],
            "train_time_s": seconds,
            "cpu_time_s": cpu_seconds,
            "load_average_1min": os.getloadavg()[0],
            "epochs": summary["epochs"],
            "target_accuracy": min_accuracy,
            "target_time_s": max_seconds,
            "meets_targets": summary["test_accuracy"] >= min_accuracy and seconds < max_seconds,
        }
        print(model, rows[model])
    RESULTS.parent.mkdir(parents=True, exist_ok=True)
    RESULTS.write_text(
        json.dumps({"dataset": "digits", "cpu_count": os.cpu_count(), "runs": rows}, indent=2)
        + "\n"
    )


if __name__ == "__main__":
    main()
