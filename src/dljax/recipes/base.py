"""The recipe of a trainable model: what `dljax train NAME` builds and how.

A `Recipe` names the model's config dataclass and builder, the task that trains it, the
kind of input it needs (checked once here, for every model) and its presets. `MODELS` holds
them by name; `build_config` makes the `Config` of a run: the model's defaults, then the
shared and the model's preset, then the user's overrides.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from flax import nnx

from dljax.config import PRESETS, Config, DataConfig
from dljax.errors import DljaxError
from dljax.overrides import apply_overrides
from dljax.registry import Registry
from dljax.tasks import Task

# What a model takes as one example: (Indonesian description, check of DatasetInfo, example).
INPUTS: dict[str, tuple[str, Callable[[Any], bool], str]] = {
    "image": ("gambar (tinggi, lebar, kanal)", lambda i: len(i.input_shape) == 3, "digits"),
    "sequence": ("urutan (panjang, fitur)", lambda i: len(i.input_shape) == 2, "temporal_order"),
    "text": ("dataset teks", lambda i: i.kind == "text", "text"),
    "vector": (
        "contoh berbentuk apa saja (diratakan)",
        lambda i: len(i.input_shape) >= 1,
        "digits",
    ),
}


@dataclass(frozen=True)
class Recipe:
    name: str
    description: str  # Indonesian, shown by `dljax list` and the site's catalogue
    config_cls: type  # the model's frozen config dataclass (`config.model`)
    build: Callable[..., nnx.Module]  # build(config.model, info: DatasetInfo, rngs) -> Module
    task: type[Task]  # trains it; `task.from_config(config)` reads its settings
    inputs: str  # a key of INPUTS
    default_dataset: str = "digits"
    scan_on_cpu: bool = True  # False for conv nets: XLA:CPU convs are slow inside loops
    per_step_labels: bool = False  # can predict one label per time step (e.g. `echo`)
    presets: dict[str, dict[str, Any]] = field(default_factory=dict)

    def make_task(self, config: Config) -> Task:
        return self.task.from_config(config)

    def build_model(self, config: Config, info, rngs: nnx.Rngs) -> nnx.Module:
        return self.build(config.model, info, rngs)


MODELS: Registry[Recipe] = Registry("model")


def build_config(
    model_name: str, preset: str = "default", overrides: dict[str, Any] | None = None
) -> Config:
    """The config of `model_name`: its defaults, then the preset, then `overrides`."""
    recipe = MODELS[model_name]
    if preset not in PRESETS:
        raise DljaxError(f"Preset {preset!r} tidak dikenal. Pilihan: {', '.join(PRESETS)}.")
    config = Config(
        model_name=model_name,
        model=recipe.config_cls(),
        data=DataConfig(name=recipe.default_dataset),
        preset=preset,
    )
    config = apply_overrides(config, {**PRESETS[preset], **recipe.presets.get(preset, {})})
    return apply_overrides(config, overrides or {})


def check_compatible(config: Config, recipe: Recipe, task: Task, dataset) -> None:
    """Refuse, in Indonesian, a dataset that cannot feed the model or its task."""
    info = dataset.info
    what, fits, example = INPUTS[recipe.inputs]
    if not fits(info):
        raise DljaxError(
            f"Model {recipe.name} butuh {what}, tetapi dataset {info.name!r} berbentuk "
            f"{info.input_shape} (jenis {info.kind!r}). Pilih dataset yang cocok, mis. "
            f"--dataset {example}."
        )
    if getattr(config.model, "conditional", False) and info.num_classes < 2:
        raise DljaxError(
            f"Model {recipe.name} bersyarat butuh dataset berlabel kelas, tetapi {info.name!r} "
            f"punya {info.num_classes} kelas. Pilih dataset lain (mis. --dataset digits) atau "
            "--set model.conditional=false."
        )
    problem = task.check_dataset(dataset)
    if problem is None and info.label_shape and not recipe.per_step_labels:
        problem = "dataset ini punya satu label per langkah waktu; pakai rnn, lstm atau gru"
    if problem is not None:
        raise DljaxError(
            f"Dataset {info.name!r} tidak cocok untuk model {config.model_name!r} (tugas "
            f"{task.name}): {problem}. Pilih dataset yang cocok, mis. --dataset "
            f"{recipe.default_dataset} (lihat `dljax list`)."
        )
