"""The training engine: state, optimizers, the one training step, feeds, evaluation,
parallelism, sampling, export, and the loop (`Trainer.fit`), which writes no files."""

from dljax.train.loop import Hook, Trainer, TrainResult
from dljax.train.progress import ProgressBar

__all__ = ["Hook", "ProgressBar", "TrainResult", "Trainer"]
