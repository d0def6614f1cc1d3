"""The training engine: tasks, jitted steps, the loop, checkpoints and export."""

from dljax.train.loop import Trainer, TrainResult, train
from dljax.train.run_dir import RunDir
from dljax.train.tasks import ClassificationTask, Task

__all__ = ["ClassificationTask", "RunDir", "Task", "TrainResult", "Trainer", "train"]
