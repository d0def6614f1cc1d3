"""Typed, frozen configurations with named presets and `key=value` overrides.

A run is described by one `Config`: the model name, the model's own config dataclass, a
`DataConfig` and a `TrainConfig`. Presets ("tiny", "default", "full") are dictionaries of
dotted-key overrides; models add their own preset overrides in `dljax.models`.
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
    weight_decay: float = 1e-4
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
    sample_every: int = 0  # generative runs: epochs between sample grids (0 = about 50 grids)
    checkpoint_every: int = 1  # epochs between checkpoints (the last epoch is always saved)
    keep_checkpoints: int = 2
    # how the train state lives on the device mesh: "data" replicates it on every device,
    # "fsdp" splits parameters and optimizer state over the devices (see train/parallel.py)
    parallel: str = "data"
    # compute dtype of the training step: "bfloat16" = mixed precision (float32 parameters,
    # optimizer state and loss); a GPU/TPU feature, bf16 does not speed up XLA:CPU
    dtype: str = "float32"

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
        _check(self.weight_decay >= 0, f"train.weight_decay={self.weight_decay} harus >= 0.")
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
            self.checkpoint_every >= 1,
            f"train.checkpoint_every={self.checkpoint_every} harus >= 1.",
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
    "tiny": {"train.epochs": 2, "data.batch_size": 32, "train.steps_per_dispatch": 8},
    "default": {},
    "full": {"train.epochs": 60},
}

SECTIONS = ("model", "data", "train")


def known_keys(config: Config) -> list[str]:
    """All dotted keys that `--set` accepts for this config."""
    return [
        f"{section}.{f.name}"
        for section in SECTIONS
        for f in dataclasses.fields(getattr(config, section))
    ]


def _field_type(obj: Any, name: str) -> Any:
    return typing.get_type_hints(type(obj))[name]


def parse_value(text: str, tp: Any, key: str) -> Any:
    """Parse a command-line string into the type of a config field."""
    origin = typing.get_origin(tp)
    if origin in (typing.Union, types.UnionType):
        args = [a for a in typing.get_args(tp) if a is not type(None)]
        if text.lower() in ("none", "null", ""):
            return None
        return parse_value(text, args[0], key)
    if origin is tuple:
        (inner, *_rest) = typing.get_args(tp)
        parts = [p for p in text.replace(" ", "").split(",") if p]
        return tuple(parse_value(p, inner, key) for p in parts)
    try:
        if tp is bool:
            lowered = text.lower()
            if lowered in ("1", "true", "ya", "yes", "on"):
                return True
            if lowered in ("0", "false", "tidak", "no", "off"):
                return False
            raise ValueError(text)
        if tp is int:
            value = int(text)
            if key.endswith("seed"):
                _check(
                    0 <= value <= MAX_SEED,
                    f"Nilai {key}={text} di luar rentang: seed harus 0..{MAX_SEED}.",
                )
            _check(abs(value) <= 2**63 - 1, f"Nilai {key}={text} terlalu besar.")
            return value
        if tp is float:
            value = float(text)
            _check(
                math.isfinite(value),
                f"Nilai {key}={text!r} tidak valid: harus bilangan berhingga (bukan inf/nan).",
            )
            return value
    except ValueError:
        kind = {bool: "true/false", int: "bilangan bulat", float: "bilangan"}[tp]
        raise DljaxError(f"Nilai {key}={text!r} tidak valid: harus {kind}.") from None
    return text


def apply_overrides(config: Config, overrides: dict[str, Any]) -> Config:
    """Return a new config with dotted-key overrides applied (values may be strings)."""
    sections = {s: getattr(config, s) for s in SECTIONS}
    for key, value in overrides.items():
        section, _, name = key.partition(".")
        if section not in sections or not name:
            raise DljaxError(_unknown_key_message(key, config))
        obj = sections[section]
        if name not in {f.name for f in dataclasses.fields(obj)}:
            raise DljaxError(_unknown_key_message(key, config))
        if isinstance(value, str):
            value = parse_value(value, _field_type(obj, name), key)
        elif isinstance(value, list):
            value = tuple(value)
        sections[section] = dataclasses.replace(obj, **{name: value})
    return dataclasses.replace(config, **sections)


def _unknown_key_message(key: str, config: Config) -> str:
    return (
        f"Kunci konfigurasi {key!r} tidak dikenal untuk model {config.model_name!r}. "
        f"Kunci yang tersedia: {', '.join(known_keys(config))}."
    )


def parse_set_args(items: list[str]) -> dict[str, str]:
    """Turn `["train.lr=0.01", ...]` into a dict, rejecting malformed items."""
    out: dict[str, str] = {}
    for item in items:
        key, sep, value = item.partition("=")
        if not sep or not key.strip():
            raise DljaxError(
                f"--set {item!r} harus berbentuk kunci=nilai, mis. --set train.lr=0.01."
            )
        out[key.strip()] = value.strip()
    return out


def config_from_dict(d: dict[str, Any], model_config_cls: type) -> Config:
    """Rebuild a `Config` from `Config.to_dict()` output (e.g. a run's config.json)."""

    def build(cls: type, values: dict[str, Any]) -> Any:
        names = {f.name for f in dataclasses.fields(cls)}
        return cls(
            **{k: tuple(v) if isinstance(v, list) else v for k, v in values.items() if k in names}
        )

    return Config(
        model_name=d["model_name"],
        model=build(model_config_cls, d["model"]),
        data=build(DataConfig, d["data"]),
        train=build(TrainConfig, d["train"]),
        preset=d.get("preset", "default"),
    )


def build_config(
    model_name: str, preset: str = "default", overrides: dict[str, Any] | None = None
) -> Config:
    """The config of `model_name`: its defaults, then the preset, then `overrides`."""
    from dljax.models import get_spec

    spec = get_spec(model_name)
    if preset not in PRESETS:
        raise DljaxError(f"Preset {preset!r} tidak dikenal. Pilihan: {', '.join(PRESETS)}.")
    config = Config(
        model_name=model_name,
        model=spec.config_cls(),
        data=DataConfig(name=spec.default_dataset),
        preset=preset,
    )
    config = apply_overrides(config, {**PRESETS[preset], **spec.presets.get(preset, {})})
    return apply_overrides(config, overrides or {})
