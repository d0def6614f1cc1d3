"""Chapter 5's generative models on digits: sample quality and training time.

Each model is trained exactly as `dljax train MODEL` would (default preset, seed 0); the end-
of-run quality numbers come from the run itself (`Task.final_metrics`: FD on the reference
classifier's features, the train-vs-test floor, the full-covariance Gaussian baseline, k-NN
precision/recall, and for `cgan` the label accuracy). `train_seconds` is the training loop's
own time, compilation included; the reference classifier is trained (once, cached) before.
Targets from issue 9: gan, dcgan, cgan fd <= 0.5 * fd_baseline; vae fd < fd_baseline;
cgan label_accuracy >= 0.90; each default run <= 5 minutes on this 2-core machine.

Usage: python benchmarks/generative_quality.py [MODEL ...]
Writes (merging into) `benchmarks/results/generative_quality.json`, keyed by model name.
"""

from __future__ import annotations

import json
import os
import sys
import time
from pathlib import Path

from dljax.quality import ReferenceClassifier
from dljax.recipes import build_config
from dljax.runs import train

RESULTS = Path(__file__).parent / "results" / "generative_quality.json"
MODELS = ("autoencoder", "vae", "gan", "dcgan", "cgan")
KEYS = ("fd", "fd_floor", "fd_baseline", "precision", "recall", "label_accuracy")


def target(model: str, row: dict) -> bool | None:
    if "fd" not in row:
        return None
    ok = row["train_seconds"] <= 300
    if model in ("gan", "dcgan", "cgan"):
        ok &= row["fd"] <= 0.5 * row["fd_baseline"]
    if model == "vae":
        ok &= row["fd"] < row["fd_baseline"]
    if model == "cgan":
        ok &= row["label_accuracy"] >= 0.90
    return bool(ok)


def main(models: list[str]) -> None:
    reference = ReferenceClassifier.load_or_train("digits")
    data = json.loads(RESULTS.read_text()) if RESULTS.exists() else {}
    data.setdefault("runs", {})
    data.update(
        dataset="digits",
        cpu_count=os.cpu_count(),
        reference_accuracy=reference.accuracy,
    )
    for model in models:
        config = build_config(model)
        t0 = time.perf_counter()
        result = train(config, progress=False)
        seconds = time.perf_counter() - t0
        s = result.summary
        row = {k: s[k] for k in KEYS if k in s}
        row.update(
            {k: v for k, v in s.items() if k.startswith("test_") and k != "test_count"},
            train_seconds=round(s["wall_time_s"], 1),
            seconds_with_quality=round(seconds, 1),
            epochs=s["epochs"],
            num_params=s["num_params"],
        )
        row["meets_targets"] = target(model, row)
        data["runs"][model] = row
        print(model, json.dumps(row), flush=True)
        RESULTS.write_text(json.dumps(data, indent=2) + "\n")


if __name__ == "__main__":
    main(sys.argv[1:] or list(MODELS))
