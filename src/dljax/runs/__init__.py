"""Runs: the run directory and everything written to it (config, status, history,
checkpoints, samples, weights, TensorBoard logs), `--resume`, and the public `train()` /
`load_run()` / `predict_files()`."""

from dljax.runs.api import default_out, load_run, train
from dljax.runs.checkpoint import Checkpointer
from dljax.runs.predict import predict_files
from dljax.runs.recorder import Recorder
from dljax.runs.resume import resume_config, saved_config
from dljax.runs.run_dir import RunDir

__all__ = [
    "Checkpointer",
    "Recorder",
    "RunDir",
    "default_out",
    "load_run",
    "predict_files",
    "resume_config",
    "saved_config",
    "train",
]
