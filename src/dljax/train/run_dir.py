"""The run directory: what a training run leaves behind.

config.json         the full Config
metrics.jsonl       one JSON object per epoch
metrics.json        final summary (test_accuracy, test_loss, ...)
plots/              PNG learning curves
samples/            generative runs: epoch_NNN.png sample grids and training.gif
checkpoints/        Orbax checkpoints (for --resume and `dljax eval`)
params.safetensors  exported weights
"""

from __future__ import annotations

import json
from pathlib import Path


class RunDir:
    def __init__(self, path: Path | str):
        self.path = Path(path)
        self.config = self.path / "config.json"
        self.metrics_log = self.path / "metrics.jsonl"
        self.summary = self.path / "metrics.json"
        self.plots = self.path / "plots"
        self.samples = self.path / "samples"
        self.checkpoints = self.path / "checkpoints"
        self.params = self.path / "params.safetensors"

    def create(self) -> None:
        self.path.mkdir(parents=True, exist_ok=True)
        self.plots.mkdir(exist_ok=True)

    def is_run(self) -> bool:
        return self.config.is_file()

    def write_config(self, config_dict: dict) -> None:
        self.config.write_text(json.dumps(config_dict, indent=2, ensure_ascii=False) + "\n")

    def read_config(self) -> dict:
        return json.loads(self.config.read_text())

    def read_history(self) -> list[dict]:
        if not self.metrics_log.exists():
            return []
        lines = self.metrics_log.read_text().splitlines()
        return [json.loads(line) for line in lines if line.strip()]

    def write_history(self, records: list[dict]) -> None:
        text = "".join(json.dumps(r, ensure_ascii=False) + "\n" for r in records)
        self.metrics_log.write_text(text)

    def append_history(self, record: dict) -> None:
        with self.metrics_log.open("a") as f:
            f.write(json.dumps(record, ensure_ascii=False) + "\n")

    def write_summary(self, summary: dict) -> None:
        self.summary.write_text(json.dumps(summary, indent=2, ensure_ascii=False) + "\n")

    def read_summary(self) -> dict:
        return json.loads(self.summary.read_text())
