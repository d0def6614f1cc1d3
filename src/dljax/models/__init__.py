"""Models by name: each entry knows its config dataclass, its builder, its task and presets."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from flax import nnx

from dljax.models import cnn, lenet, mlp, recurrent, resnet, vgg
from dljax.models.cnn import CNN, CNNConfig
from dljax.models.lenet import LeNet5, LeNet5Config
from dljax.models.mlp import MLP, MLPConfig
from dljax.models.recurrent import CharLM, CharLMConfig, SequenceClassifier, SequenceConfig
from dljax.models.resnet import ResNet, ResNetConfig
from dljax.models.vgg import VGG, VGGConfig
from dljax.registry import Registry


@dataclass(frozen=True)
class ModelSpec:
    name: str
    description: str  # Indonesian, shown by `dljax list`
    config_cls: type
    build: Callable[..., nnx.Module]  # build(config, info: DatasetInfo, rngs) -> Module
    task: str  # the name of its task in dljax.train.tasks
    default_dataset: str = "digits"
    scan_on_cpu: bool = True  # False for conv nets: XLA:CPU convs are slow inside loops
    per_step_labels: bool = False  # can predict one label per time step (e.g. `echo`)
    presets: dict[str, dict[str, Any]] = field(default_factory=dict)


MODELS: Registry[ModelSpec] = Registry("model")
for _spec in (
    ModelSpec(
        "mlp",
        "Multilayer perceptron (lapisan Linear + ReLU + dropout)",
        MLPConfig,
        mlp.build,
        task="classification",
        presets={"tiny": {"model.hidden": (32,)}, "full": {"model.hidden": (512, 512)}},
    ),
    ModelSpec(
        "cnn",
        "Jaringan konvolusi kecil (blok konvolusi 3x3 + batch norm + max-pool)",
        CNNConfig,
        cnn.build,
        task="classification",
        scan_on_cpu=False,
        presets={"tiny": {"model.channels": (8,), "model.hidden": 16}},
    ),
    ModelSpec(
        "lenet5",
        "LeNet-5 (LeCun dkk. 1998): konvolusi 5x5, subsampling, 120-84-10; gambar ke 32x32",
        LeNet5Config,
        lenet.build,
        task="classification",
        scan_on_cpu=False,
        # default: measured >= 98% test accuracy on digits in ~35-50 s on 2 CPU cores
        presets={
            "tiny": {"model.variant": "modern"},
            "default": {"data.batch_size": 32, "train.epochs": 40, "train.lr": 3e-3},
        },
    ),
    ModelSpec(
        "vgg",
        "VGG (Simonyan & Zisserman 2015): tumpukan konvolusi 3x3 + batch norm; "
        "--set model.depth=11|13|16|19",
        VGGConfig,
        vgg.build,
        task="classification",
        scan_on_cpu=False,
        presets={
            "tiny": {"model.width": 4, "model.hidden": 16},
            "default": {"model.width": 32, "model.hidden": 256},
        },
    ),
    ModelSpec(
        "resnet",
        "ResNet (He dkk. 2016) dengan batch norm: ResNet-20 (CIFAR) atau ResNet-18; "
        "--set model.depth=18|20|32|...",
        ResNetConfig,
        resnet.build,
        task="classification",
        scan_on_cpu=False,
        presets={"tiny": {"model.depth": 8, "model.width": 4}},
    ),
):
    MODELS.register(_spec.name, _spec)


for _kind, _what in (("rnn", "RNN sederhana"), ("lstm", "LSTM"), ("gru", "GRU")):
    MODELS.register(
        _kind,
        ModelSpec(
            _kind,
            f"{_what} untuk klasifikasi urutan (lax.scan atas waktu)",
            SequenceConfig,
            recurrent.build_classifier(_kind),
            task="classification",
            default_dataset="temporal_order",
            per_step_labels=True,
            presets={"tiny": {"model.hidden": 8}},
        ),
    )
MODELS.register(
    "char_lstm",
    ModelSpec(
        "char_lstm",
        "Model bahasa tingkat karakter: embedding + LSTM + proyeksi (dljax sample)",
        CharLMConfig,
        recurrent.build_char_lm,
        task="language_model",
        default_dataset="text",
        presets={
            "tiny": {"model.embed": 8, "model.hidden": 16, "data.seq_len": 16},
            "default": {"train.epochs": 10, "train.lr": 3e-3},
        },
    ),
)


def get_spec(name: str) -> ModelSpec:
    return MODELS.get(name)


__all__ = [
    "CNN",
    "CharLM",
    "CharLMConfig",
    "SequenceClassifier",
    "SequenceConfig",
    "MLP",
    "MODELS",
    "VGG",
    "CNNConfig",
    "LeNet5",
    "LeNet5Config",
    "MLPConfig",
    "ModelSpec",
    "ResNet",
    "ResNetConfig",
    "VGGConfig",
    "get_spec",
]
