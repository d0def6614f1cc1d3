"""A run back from its directory: the config it was trained with and its latest checkpoint.

- `saved_config` reads config.json and checks every value's type, so a damaged file is an
  Indonesian error instead of a crash deep inside training;
- `resume_config` applies the `--resume` rule (see `dljax.train.run_dir`): the run's own
  config, where only `train.epochs` may grow;
- `data_fingerprint` / `check_data` record and compare what a run was trained on (data.json),
  and `load_run` rebuilds a run, for `dljax sample` without its source files (a language
  model takes its vocabulary from data.json).
"""

from __future__ import annotations

import dataclasses
import sys
import types
import typing

from dljax.config import SECTIONS, Config, DataConfig, TrainConfig, apply_overrides
from dljax.errors import DljaxError
from dljax.train.checkpoint import Checkpointer
from dljax.train.run_dir import RunDir


def _type_ok(value, tp) -> bool:
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


def _section(run_dir: RunDir, raw: dict, name: str, cls: type):
    values = raw.get(name)
    if not isinstance(values, dict):
        raise run_dir.damaged(f"bagian {name!r} hilang atau bukan objek")
    hints = typing.get_type_hints(cls)
    kwargs = {}
    for f in dataclasses.fields(cls):
        if f.name not in values:
            continue  # an older run: the field's default
        value = values[f.name]
        if not _type_ok(value, hints[f.name]):
            raise run_dir.damaged(
                f"{name}.{f.name}={value!r} bertipe {type(value).__name__}, seharusnya "
                f"{getattr(hints[f.name], '__name__', hints[f.name])}"
            )
        kwargs[f.name] = tuple(value) if isinstance(value, list) else value
    return cls(**kwargs)


def saved_config(run_dir: RunDir) -> Config:
    """The `Config` a run directory was created with (validated)."""
    from dljax.models import MODELS, get_spec

    raw = run_dir.read_config()
    model_name = raw.get("model_name")
    if not isinstance(model_name, str) or model_name not in MODELS:
        raise run_dir.damaged(f"model_name={model_name!r} bukan model dljax")
    spec = get_spec(model_name)
    preset = raw.get("preset", "default")
    if not isinstance(preset, str):
        raise run_dir.damaged(f"preset={preset!r} bukan teks")
    config = Config(
        model_name=model_name,
        model=_section(run_dir, raw, "model", spec.config_cls),
        data=_section(run_dir, raw, "data", DataConfig),
        train=_section(run_dir, raw, "train", TrainConfig),
        preset=preset,
    )
    try:
        config.validate()
    except DljaxError as err:
        raise run_dir.damaged(str(err)) from None
    return config


def _flat(config: Config) -> dict[str, object]:
    return {
        f"{s}.{f.name}": getattr(getattr(config, s), f.name)
        for s in SECTIONS
        for f in dataclasses.fields(getattr(config, s))
    }


def resume_config(
    run_dir: RunDir, model_name: str, overrides: dict, preset: str | None = None
) -> Config:
    """The config to continue a run with: its own, where only `train.epochs` may grow.

    Every override that differs from the saved value (other than a larger epoch count) is
    refused with the list of differences.
    """
    run_dir.check_resumable()
    config = saved_config(run_dir)
    if config.model_name != model_name:
        raise DljaxError(
            f"--resume: run {run_dir.path} melatih model {config.model_name!r}, "
            f"bukan {model_name!r}."
        )
    wanted = _flat(apply_overrides(config, overrides))
    saved = _flat(config)
    diffs = [
        f"{key}: tersimpan {saved[key]!r}, diminta {wanted[key]!r}"
        for key in overrides
        if key != "train.epochs" and wanted.get(key) != saved.get(key)
    ]
    if preset is not None and preset != config.preset:
        diffs.insert(0, f"--preset: tersimpan {config.preset!r}, diminta {preset!r}")
    if diffs:
        raise DljaxError(
            f"--resume melanjutkan run {run_dir.path} dengan konfigurasinya sendiri; hanya "
            "--epochs yang boleh ditambah. Berbeda: " + "; ".join(diffs) + ". Hilangkan opsi "
            "itu, atau mulai run baru dengan --out lain."
        )
    epochs = wanted["train.epochs"]
    if epochs < config.train.epochs:
        raise DljaxError(
            f"--resume --epochs {epochs}: run {run_dir.path} direncanakan {config.train.epochs} "
            f"epoch; --epochs hanya boleh ditambah (mis. --epochs {config.train.epochs + 10})."
        )
    return dataclasses.replace(config, train=dataclasses.replace(config.train, epochs=epochs))


# ------------------------------------------------------------------------------ data
def data_fingerprint(dataset) -> dict:
    """What a run was trained on: shapes and classes; for text, the vocabulary and corpus
    hash (written to data.json)."""
    info = dataset.info
    out = {
        "name": info.name,
        "kind": info.kind,
        "input_shape": list(info.input_shape),
        "num_classes": info.num_classes,
        "num_train": len(dataset.train),
        "num_test": len(dataset.test),
    }
    vocab = getattr(dataset, "vocab", None)
    if vocab is not None:
        out["vocab"] = vocab.chars
        out["seq_len"] = dataset.seq_len
        out["text_sha256"] = getattr(dataset, "sha256", None)
    return out


def check_data(run_dir: RunDir, dataset, saved: dict) -> None:
    """Refuse data that is not what the run was trained on."""
    now = data_fingerprint(dataset)
    keys = ("input_shape", "num_classes", "vocab", "text_sha256", "num_train", "num_test")
    diffs = [k for k in keys if k in saved and saved[k] != now.get(k)]
    if diffs:
        raise DljaxError(
            f"Data run {run_dir.path} ({saved.get('name')}) sudah berubah sejak pelatihan "
            f"(berbeda: {', '.join(diffs)}); hasilnya tidak akan sebanding. Kembalikan berkas "
            "datanya (mis. --text) seperti saat pelatihan, atau latih ulang ke --out lain."
        )


def _dataset_for(run_dir: RunDir, config: Config, need_data: bool):
    from dljax.data import load_dataset

    saved = run_dir.read_data()
    if saved is not None and "vocab" in saved and not need_data:
        from dljax.data.text import vocab_dataset

        return vocab_dataset(saved["vocab"], saved["seq_len"], config.data.batch_size)
    try:
        dataset = load_dataset(config.data)
    except DljaxError as err:
        raise DljaxError(f"Data run {run_dir.path} tidak bisa dimuat lagi: {err}") from None
    if saved is not None:
        check_data(run_dir, dataset, saved)
    return dataset


def load_run(run_dir: RunDir, *, need_data: bool = True):
    """A `Trainer` of the run with its newest readable checkpoint restored.

    `need_data=False` (sampling) rebuilds a language model from its saved vocabulary alone.
    The run directory is only read.
    """
    from dljax.train.loop import Trainer

    config = saved_config(run_dir)
    dataset = _dataset_for(run_dir, config, need_data)
    trainer = Trainer(config, dataset=dataset)
    ckpt = Checkpointer(run_dir.checkpoints, config.train.keep_checkpoints, read_only=True)
    try:
        if ckpt.latest_step() is None:
            raise DljaxError(
                f"Run {run_dir.path} belum punya checkpoint (terhenti sebelum epoch pertama "
                f"selesai?). Lanjutkan dengan `dljax train {config.model_name} --out "
                f"{run_dir.path} --resume`."
            )
        trainer.state, meta = ckpt.restore(trainer.state)
        if ckpt.skipped:
            warn(
                f"checkpoint langkah {', '.join(map(str, ckpt.skipped))} di {run_dir.checkpoints}"
                f" tidak bisa dibaca (rusak); memakai checkpoint epoch {meta['epoch']}."
            )
    finally:
        ckpt.close()
    return trainer


def warn(message: str) -> None:
    """An Indonesian notice on stderr (the run goes on)."""
    print(f"dljax: peringatan: {message}", file=sys.stderr)
