"""Tasks by name: classification, language modelling and the generative families."""

from dljax.registry import Registry
from dljax.train.tasks.base import Batch, Task, cross_entropy, masked_sums
from dljax.train.tasks.classification import ClassificationTask
from dljax.train.tasks.diffusion import ConditionalDiffusionTask, DiffusionTask
from dljax.train.tasks.gan import ConditionalGANTask, GANTask
from dljax.train.tasks.generative import AutoencoderTask, ImageGenerativeTask, VAETask
from dljax.train.tasks.language_model import LanguageModelTask

TASKS: Registry[Task] = Registry("tugas")
for _task in (
    ClassificationTask(),
    LanguageModelTask(),
    AutoencoderTask(),
    VAETask(),
    GANTask(),
    ConditionalGANTask(),
    DiffusionTask(),
    ConditionalDiffusionTask(),
):
    TASKS.register(_task.name, _task)


def get_task(name: str) -> Task:
    return TASKS.get(name)


__all__ = [
    "TASKS",
    "AutoencoderTask",
    "ConditionalGANTask",
    "ConditionalDiffusionTask",
    "DiffusionTask",
    "GANTask",
    "ImageGenerativeTask",
    "VAETask",
    "Batch",
    "ClassificationTask",
    "LanguageModelTask",
    "Task",
    "cross_entropy",
    "get_task",
    "masked_sums",
]
