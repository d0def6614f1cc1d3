"""Typed, frozen configurations with named presets and `key=value` overrides.

A run is described by one `Config`: the model name, the model's own config dataclass, a
`DataConfig` and a `TrainConfig`. Presets ("tiny", "default", "full") are dictionaries of
dotted-key overrides (`dljax.overrides`, the `--set key=value` mechanism); each model's recipe
adds its own (`dljax.recipes`, which also builds a model's config: `build_config`).

- `config_from_dict`: the one reader of a saved config (a run's config.json, a cached
  reference classifier), checking every value's type;
- `refuse_unused`: settings that would be silently ignored under the chosen options are
  refused (e.g. `train.weight_decay` with `train.optimizer=adam`), never dropped.
"""

from __future__ import annotations

import dataclasses
import math
import types
import typing
from dataclasses import dataclass, field
from typing import Any

from dljax.errors import DljaxError

MAX_SEED = 2**32 - 1  # jax.random.key takes a 32-bit seed; larger ones would wrap around
MAX_INT = 2**31 - 1  # no count, size or length in a config gets near this


def _check(cond: bool, message: str) -> None:
    if not cond:
        raise DljaxError(message)


def _finite(value: float, key: str, example: str) -> None:
    _check(
        math.isfinite(value),
        f"{key}={value} harus bilangan berhingga (bukan inf/nan), mis. {example}.",
    )


def _check_ints(obj: Any, section: str) -> None:
    """Every int field of a config section within the int32 range (no silent overflow)."""
    for f in dataclasses.fields(obj):
        value = getattr(obj, f.name)
        values = value if isinstance(value, tuple) else (value,)
        for v in values:
            if isinstance(v, int) and not isinstance(v, bool) and f.name != "seed":
                _check(
                    abs(v) <= MAX_INT,
                    f"{section}.{f.name}={v} terlalu besar (batas {MAX_INT}).",
                )
            if isinstance(v, float):
                _finite(v, f"{section}.{f.name}", "0.1")


def refuse_unused(obj: Any, section: str, unused: dict[str, str]) -> None:
    """Refuse a field of `obj` that differs from its default but has no effect.

    `unused` maps field names to why they have no effect now (Indonesian, e.g. "hanya untuk
    model.variant=dcgan"); a field still at its default is fine.
    """
    defaults = {f.name: f.default for f in dataclasses.fields(obj)}
    for name, why in unused.items():
        value = getattr(obj, name)
        if value != defaults[name]:
            raise DljaxError(
                f"{section}.{name}={_shown(value)} tidak berpengaruh: {why}. Hapus opsi itu, "
                "atau ubah pilihan yang membuatnya berlaku."
            )


def check_fields(
    obj: Any,
    section: str = "model",
    *,
    choices: dict[str, tuple] | None = None,
    at_least: dict[str, float] | None = None,
    widths: tuple[str, ...] = (),
    fractions: tuple[str, ...] = (),
) -> None:
    """The common checks of a config's fields, each refused in Indonesian with the key, the
    value and an example (the field's default): `choices` (one of a tuple), `at_least` (a
    minimum), `widths` (a non-empty tuple of sizes >= 1), `fractions` (in [0, 1))."""
    defaults = {f.name: f.default for f in dataclasses.fields(obj)}

    def refuse(name: str, why: str) -> None:
        value, example = getattr(obj, name), _shown(defaults[name])
        shown = repr(value) if isinstance(value, str) else _shown(value)
        raise DljaxError(f"{section}.{name}={shown} {why}, mis. --set {section}.{name}={example}.")

    for name, options in (choices or {}).items():
        if getattr(obj, name) not in options:
            refuse(name, f"tidak dikenal; pilih salah satu: {', '.join(map(str, options))}")
    for name, minimum in (at_least or {}).items():
        if not getattr(obj, name) >= minimum:
            refuse(name, f"harus >= {_shown(minimum)}")
    for name in widths:
        if not getattr(obj, name) or any(w < 1 for w in getattr(obj, name)):
            refuse(name, "harus berisi lebar >= 1")
    for name in fractions:
        if not 0.0 <= getattr(obj, name) < 1.0:
            refuse(name, "harus di rentang [0, 1)")


def _shown(value: Any) -> str:
    if isinstance(value, tuple):
        return ",".join(map(str, value))
    return str(value)


@dataclass(frozen=True)
class DataConfig:
    """Which dataset to load and how to feed it."""

    name: str = "digits"
    batch_size: int = 64
    # "auto": on-device fast path when the training set fits in memory; "device"; "grain".
    pipeline: str = "auto"
    num_workers: int = 0  # Grain worker processes (0 = in the main process)
    prefetch: int = 2  # batches prefetched by the Grain pipeline
    data_dir: str | None = None  # files the user already has (real datasets)
    text: str | None = None  # a UTF-8 text file for the language-model datasets
    difficulty: str = "normal"  # level of the synthetic sequence tasks (temporal_order, ...)
    seq_len: int = 0  # length of generated sequences (0 = the dataset's default)
    image_size: int = 0  # resize images to image_size x image_size once on load (0 = as stored)
    stride: int = 0  # text datasets: a window starts every `stride` characters (0 = every one)
    channels: int = 0  # image folders: 1 = grayscale, 3 = RGB (0 = what most images are)
    skip_bad: bool = False  # image folders: skip (and count) unreadable images instead of failing

    def validate(self) -> None:
        _check_ints(self, "data")
        _check(self.batch_size >= 1, f"data.batch_size={self.batch_size} harus >= 1.")
        _check(
            self.pipeline in ("auto", "device", "grain"),
            f"data.pipeline={self.pipeline!r} tidak dikenal; pilih: auto, device, grain.",
        )
        _check(self.num_workers >= 0, f"data.num_workers={self.num_workers} harus >= 0.")
        _check(self.prefetch >= 0, f"data.prefetch={self.prefetch} harus >= 0.")
        _check(
            self.image_size >= 0,
            f"data.image_size={self.image_size} harus >= 0 (0 = ukuran asli, mis. 16).",
        )
        _check(self.stride >= 0, f"data.stride={self.stride} harus >= 0 (0 = setiap karakter).")
        _check(
            self.channels in (0, 1, 3),
            f"data.channels={self.channels} tidak dikenal; pilih 1 (abu-abu), 3 (RGB) atau "
            "0 (ikuti sebagian besar gambar).",
        )


OPTIMIZERS = ("adam", "adamw", "sgd")
SCHEDULES = ("constant", "cosine")


@dataclass(frozen=True)
class TrainConfig:
    """Optimization and bookkeeping of a run."""

    epochs: int = 30
    lr: float = 1e-3
    optimizer: str = "adamw"
    beta1: float = 0.9  # Adam's first-moment decay (DCGAN uses 0.5)
    # decoupled weight decay of adamw (None = 1e-4); adam and sgd take none (refused)
    weight_decay: float | None = None
    schedule: str = "cosine"
    warmup_steps: int = 0
    grad_clip: float = 0.0  # 0 = no clipping
    # > 0: keep an exponential moving average of the weights (decay per step, e.g. 0.999);
    # evaluation, sampling and export then use the averaged weights
    ema_decay: float = 0.0
    seed: int = 0
    steps_per_dispatch: int = 200  # on-device path: training steps per host round trip
    # on-device path: "scan" runs steps_per_dispatch steps in one lax.scan dispatch, "step"
    # dispatches them one by one; "auto" picks "step" for conv nets on the CPU (see steps.py).
    dispatch: str = "auto"
    quality: bool = True  # generative runs: FD etc. with the reference classifier at the end
    sample_every: int = 0  # generative runs: epochs between sample grids (0 = about 25 grids)
    # epochs between checkpoints; 0 = about 20 per run (an Orbax save takes about a second
    # on 2 cores: more than a small model's epoch). The last epoch is always saved.
    checkpoint_every: int = 0
    # run directories: TensorBoard logs in RUN_DIR/tensorboard/ (scalars per epoch, the
    # sample grids of generative runs); false writes none
    tensorboard: bool = True
    keep_checkpoints: int = 2
    # how the train state lives on the device mesh: "data" replicates it on every device,
    # "fsdp" splits parameters and optimizer state over the devices (see train/parallel.py)
    parallel: str = "data"
    # compute dtype of the training step: "bfloat16" = mixed precision (float32 parameters,
    # optimizer state and loss); a GPU/TPU feature, bf16 does not speed up XLA:CPU
    dtype: str = "float32"

    @property
    def decay(self) -> float:
        """The weight decay the optimizer applies (adamw's default 1e-4; 0 otherwise)."""
        if self.optimizer != "adamw":
            return 0.0
        return 1e-4 if self.weight_decay is None else self.weight_decay

    def validate(self) -> None:
        _check_ints(self, "train")
        _finite(self.lr, "train.lr", "--lr 1e-3")
        _check(self.epochs >= 1, f"train.epochs={self.epochs} harus >= 1 (mis. --epochs 10).")
        _check(self.lr > 0, f"train.lr={self.lr} harus > 0 (mis. --lr 1e-3).")
        _check(
            self.optimizer in OPTIMIZERS,
            f"train.optimizer={self.optimizer!r} tidak dikenal; pilih: {', '.join(OPTIMIZERS)}.",
        )
        _check(
            self.schedule in SCHEDULES,
            f"train.schedule={self.schedule!r} tidak dikenal; pilih: {', '.join(SCHEDULES)}.",
        )
        _check(
            self.dispatch in ("auto", "scan", "step"),
            f"train.dispatch={self.dispatch!r} tidak dikenal; pilih: auto, scan, step.",
        )
        _check(
            self.weight_decay is None or self.weight_decay >= 0,
            f"train.weight_decay={self.weight_decay} harus >= 0.",
        )
        if self.optimizer != "adamw" and self.weight_decay:
            raise DljaxError(
                f"train.weight_decay={self.weight_decay} tidak berpengaruh dengan "
                f"train.optimizer={self.optimizer}: hanya adamw yang memakai weight decay "
                "(terpisah dari gradien, Loshchilov & Hutter 2019). Pakai "
                "--set train.optimizer=adamw, atau hapus train.weight_decay."
            )
        if self.optimizer == "sgd":
            refuse_unused(self, "train", {"beta1": "optimizer sgd memakai momentum 0,9 tetap"})
        _check(self.warmup_steps >= 0, f"train.warmup_steps={self.warmup_steps} harus >= 0.")
        _check(self.grad_clip >= 0, f"train.grad_clip={self.grad_clip} harus >= 0.")
        _check(0 <= self.beta1 < 1, f"train.beta1={self.beta1} harus dalam [0, 1), mis. 0.9.")
        _check(
            0 <= self.ema_decay < 1,
            f"train.ema_decay={self.ema_decay} harus dalam [0, 1) (0 = tanpa EMA, mis. 0.999).",
        )
        _check(
            0 <= self.seed <= MAX_SEED,
            f"train.seed={self.seed} harus dalam 0..{MAX_SEED} (seed 32-bit), mis. --seed 0.",
        )
        _check(
            self.steps_per_dispatch >= 1,
            f"train.steps_per_dispatch={self.steps_per_dispatch} harus >= 1.",
        )
        _check(self.sample_every >= 0, f"train.sample_every={self.sample_every} harus >= 0.")
        _check(
            self.checkpoint_every >= 0,
            f"train.checkpoint_every={self.checkpoint_every} harus >= 0 (0 = otomatis).",
        )
        _check(
            self.keep_checkpoints >= 1,
            f"train.keep_checkpoints={self.keep_checkpoints} harus >= 1.",
        )
        _check(
            self.parallel in ("data", "fsdp"),
            f"train.parallel={self.parallel!r} tidak dikenal; pilih: data (parameter disalin "
            "ke setiap perangkat) atau fsdp (parameter dibagi antarperangkat).",
        )
        _check(
            self.dtype in ("float32", "bfloat16"),
            f"train.dtype={self.dtype!r} tidak dikenal; pilih: float32, bfloat16 "
            "(bfloat16 hanya mempercepat GPU/TPU).",
        )


@dataclass(frozen=True)
class Config:
    """Everything that defines a run; saved as `config.json` in the run directory."""

    model_name: str
    model: Any  # the model family's own frozen dataclass (see dljax.models)
    data: DataConfig = field(default_factory=DataConfig)
    train: TrainConfig = field(default_factory=TrainConfig)
    preset: str = "default"

    def validate(self) -> None:
        self.data.validate()
        self.train.validate()
        _check_ints(self.model, "model")
        validate = getattr(self.model, "validate", None)
        if validate is not None:
            validate()

    def to_dict(self) -> dict[str, Any]:
        return {
            "model_name": self.model_name,
            "preset": self.preset,
            "model": dataclasses.asdict(self.model),
            "data": dataclasses.asdict(self.data),
            "train": dataclasses.asdict(self.train),
        }


# Preset overrides shared by every model; models add their own (dljax.models.ModelSpec.presets).
PRESETS: dict[str, dict[str, Any]] = {
    # tiny: quick checks of a run's files, every epoch checkpointed (kill-and-resume tests)
    "tiny": {
        "train.epochs": 2,
        "data.batch_size": 32,
        "train.steps_per_dispatch": 8,
        "train.checkpoint_every": 1,
    },
    "default": {},
    "full": {"train.epochs": 60},
}

SECTIONS = ("model", "data", "train")


def _type_ok(value: Any, tp: Any) -> bool:
    origin = typing.get_origin(tp)
    if origin in (typing.Union, types.UnionType):
        return any(_type_ok(value, a) for a in typing.get_args(tp))
    if tp is type(None):
        return value is None
    if origin is tuple:
        inner = typing.get_args(tp)[0]
        return isinstance(value, list | tuple) and all(_type_ok(v, inner) for v in value)
    if tp is bool:
        return isinstance(value, bool)
    if tp is int:
        return isinstance(value, int) and not isinstance(value, bool)
    if tp is float:
        return isinstance(value, int | float) and not isinstance(value, bool)
    if tp is str:
        return isinstance(value, str)
    return True


def _section(raw: dict, name: str, cls: type, damaged) -> Any:
    values = raw.get(name)
    if not isinstance(values, dict):
        raise damaged(f"bagian {name!r} hilang atau bukan objek")
    hints = typing.get_type_hints(cls)
    kwargs = {}
    for f in dataclasses.fields(cls):
        if f.name not in values:
            continue  # written before the field existed: its default
        value = values[f.name]
        if not _type_ok(value, hints[f.name]):
            raise damaged(
                f"{name}.{f.name}={value!r} bertipe {type(value).__name__}, seharusnya "
                f"{getattr(hints[f.name], '__name__', hints[f.name])}"
            )
        kwargs[f.name] = tuple(value) if isinstance(value, list) else value
    return cls(**kwargs)


def _not_a_config(why: str) -> DljaxError:
    return DljaxError(f"Konfigurasi tersimpan rusak: {why}.")


def config_from_dict(raw: dict[str, Any], model_config_cls: type, damaged=_not_a_config) -> Config:
    """The `Config` of a `Config.to_dict()` dict (e.g. a run's config.json), every value
    type-checked. `damaged(why)` makes the error for a bad file (a `DljaxError` that says
    what to do); fields missing from an older file take their defaults."""
    if not isinstance(raw, dict):
        raise damaged(f"berisi {type(raw).__name__}, bukan objek JSON")
    model_name = raw.get("model_name")
    if not isinstance(model_name, str):
        raise damaged(f"model_name={model_name!r} bukan teks")
    preset = raw.get("preset", "default")
    if not isinstance(preset, str):
        raise damaged(f"preset={preset!r} bukan teks")
    train = raw.get("train")
    if isinstance(train, dict) and train.get("optimizer") in ("adam", "sgd"):
        # runs from before weight_decay became optional stored adamw's default 1e-4 here,
        # which adam and sgd never used
        raw = {**raw, "train": {k: v for k, v in train.items() if k != "weight_decay"}}
    return Config(
        model_name=model_name,
        model=_section(raw, "model", model_config_cls, damaged),
        data=_section(raw, "data", DataConfig, damaged),
        train=_section(raw, "train", TrainConfig, damaged),
        preset=preset,
    )
