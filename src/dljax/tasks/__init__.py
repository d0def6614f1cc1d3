"""Tasks: what a model family is trained to do, as pure functions (see `tasks.base`):
classification, language modelling, autoencoders, GANs and diffusion."""

from dljax.tasks.autoencoders import AutoencoderTask, VAETask
from dljax.tasks.base import ALL, Batch, Phase, Task, cross_entropy, masked_sums
from dljax.tasks.classification import ClassificationTask
from dljax.tasks.diffusion import ConditionalDiffusionTask, DiffusionTask
from dljax.tasks.gan import ConditionalGANTask, GANTask
from dljax.tasks.images import ClassConditional, ImageGenerativeTask, to_signed, to_unit
from dljax.tasks.language_model import LanguageModelTask
from dljax.tasks.losses import gaussian_kl, psnr

__all__ = [
    "ALL",
    "AutoencoderTask",
    "Batch",
    "ClassConditional",
    "ClassificationTask",
    "ConditionalDiffusionTask",
    "ConditionalGANTask",
    "DiffusionTask",
    "GANTask",
    "ImageGenerativeTask",
    "LanguageModelTask",
    "Phase",
    "Task",
    "VAETask",
    "cross_entropy",
    "gaussian_kl",
    "masked_sums",
    "psnr",
    "to_signed",
    "to_unit",
]
