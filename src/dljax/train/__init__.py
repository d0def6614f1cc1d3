"""The training engine: state, optimizers, the one training step, feeds, evaluation,
parallelism, sampling, export, and the loop (`Trainer.fit`), which writes no files."""

from dljax.train.export import load_into, model_tensors, save_params
from dljax.train.loop import Hook, Trainer, TrainResult
from dljax.train.progress import ProgressBar
from dljax.train.sampling import sample_text

__all__ = [
    "Hook",
    "ProgressBar",
    "TrainResult",
    "Trainer",
    "load_into",
    "model_tensors",
    "sample_text",
    "save_params",
]
