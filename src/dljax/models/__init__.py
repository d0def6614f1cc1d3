"""Models by name: each entry knows its config dataclass, its builder, its task and presets."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from flax import nnx

from dljax.errors import DljaxError
from dljax.models import cnn, mlp
from dljax.models.cnn import CNN, CNNConfig
from dljax.models.mlp import MLP, MLPConfig


@dataclass(frozen=True)
class ModelSpec:
    name: str
    description: str  # Indonesian, shown by `dljax list`
    config_cls: type
    build: Callable[..., nnx.Module]  # build(config, info: DatasetInfo, rngs) -> Module
    task: str  # the name of its task in dljax.train.tasks
    default_dataset: str = "digits"
    scan_on_cpu: bool = True  # False for conv nets: XLA:CPU convs are slow inside loops
    presets: dict[str, dict[str, Any]] = field(default_factory=dict)


MODELS: dict[str, ModelSpec] = {
    "mlp": ModelSpec(
        "mlp",
        "Multilayer perceptron (lapisan Linear + ReLU + dropout)",
        MLPConfig,
        mlp.build,
        task="classification",
        presets={"tiny": {"model.hidden": (32,)}, "full": {"model.hidden": (512, 512)}},
    ),
    "cnn": ModelSpec(
        "cnn",
        "Jaringan konvolusi kecil (blok konvolusi 3x3 + batch norm + max-pool)",
        CNNConfig,
        cnn.build,
        task="classification",
        scan_on_cpu=False,
        presets={"tiny": {"model.channels": (8,), "model.hidden": 16}},
    ),
}


def get_spec(name: str) -> ModelSpec:
    if name not in MODELS:
        raise DljaxError(
            f"Model {name!r} tidak dikenal. Pilihan: {', '.join(sorted(MODELS))}. "
            "Lihat `dljax list`."
        )
    return MODELS[name]


__all__ = ["CNN", "MLP", "MODELS", "CNNConfig", "MLPConfig", "ModelSpec", "get_spec"]
