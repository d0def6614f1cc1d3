"""What `--resume`, `dljax eval` and `dljax sample` read back from a run directory.

- `saved_config` reads config.json (`dljax.config.config_from_dict`: every value's type is
  checked), so a damaged file is an Indonesian error instead of a crash deep inside training;
- `resume_config` applies the `--resume` rule (see `dljax.runs.run_dir`): the run's own
  config, where only `train.epochs` may grow;
- `restore_latest` restores the newest readable checkpoint into a trainer (older ones when
  the newest is damaged) and the history up to it: the one place that decides where a
  resumed run starts;
- `data_fingerprint` / `check_data` record and compare what a run was trained on (data.json);
  `standin_dataset` rebuilds an image dataset's description from it (no data needed).
"""

from __future__ import annotations

import dataclasses
import sys

import numpy as np

from dljax.config import SECTIONS, Config, config_from_dict
from dljax.data import ArraySource, Dataset, DatasetInfo
from dljax.errors import DljaxError
from dljax.overrides import apply_overrides
from dljax.recipes import MODELS
from dljax.runs.checkpoint import Checkpointer
from dljax.runs.run_dir import RunDir


def saved_config(run_dir: RunDir) -> Config:
    """The `Config` a run directory was created with (validated)."""
    raw = run_dir.read_config()
    model_name = raw.get("model_name")
    if not isinstance(model_name, str) or model_name not in MODELS:
        raise run_dir.damaged(f"model_name={model_name!r} bukan model dljax")
    config = config_from_dict(raw, MODELS[model_name].config_cls, damaged=run_dir.damaged)
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
    if info.class_names:
        out["class_names"] = list(info.class_names)
    vocab = getattr(dataset, "vocab", None)
    if vocab is not None:
        out["vocab"] = vocab.chars
        out["seq_len"] = dataset.seq_len
        out["text_sha256"] = getattr(dataset, "sha256", None)
    return out


def standin_dataset(run_dir: RunDir, saved: dict, batch_size: int) -> Dataset | None:
    """A stand-in for an image dataset from its data.json alone (shape, classes), with
    `batch_size` blank examples: enough to rebuild a run's model to sample or predict, not
    to train or evaluate. None for other kinds of data (they are loaded again)."""
    if saved.get("kind") != "image":
        return None
    shape, k = saved.get("input_shape"), saved.get("num_classes", 0)
    names = saved.get("class_names", [str(c) for c in range(k)] if isinstance(k, int) else None)
    valid = (
        isinstance(shape, list)
        and len(shape) == 3
        and all(isinstance(d, int) and d >= 1 for d in shape)
        and isinstance(k, int)
        and k >= 0
        and isinstance(names, list)
        and len(names) == k
        and all(isinstance(c, str) for c in names)
    )
    if not valid:
        raise DljaxError(
            f"{run_dir.data} rusak (input_shape, num_classes atau class_names tidak valid). "
            "Kembalikan berkas aslinya atau latih ulang run ini."
        )
    info = DatasetInfo(
        str(saved.get("name", "")), "", "image", tuple(shape), k, tuple(names) if k else ()
    )
    n = max(1, batch_size)
    blank = ArraySource(
        {"input": np.zeros((n, *shape), np.float32), "label": np.zeros(n, np.int32)}
    )
    return Dataset(info=info, train=blank, test=blank)


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


def restore_latest(trainer, run_dir: RunDir, ckpt: Checkpointer, *, is_main: bool = True):
    """Restore the newest readable checkpoint of `run_dir` into `trainer.state`; returns
    (history up to it, the epoch to continue from).

    Without a checkpoint the run starts again from epoch 0 and its history is cleared; an
    unreadable newest checkpoint is set aside (kept in checkpoints_rusak/) for an older one.
    Only the main process (`is_main`) touches the directory's files.
    """
    if ckpt.latest_step() is None:
        if is_main:
            warn(f"{run_dir.path} belum punya checkpoint; pelatihan dimulai dari epoch 0.")
            run_dir.write_history([])
        return [], 0
    trainer.state, meta = ckpt.restore(trainer.state)
    start_epoch = int(meta["epoch"])
    if ckpt.skipped and is_main:
        moved = ckpt.set_aside(ckpt.skipped, run_dir.path / "checkpoints_rusak")
        warn(
            f"checkpoint langkah {', '.join(map(str, ckpt.skipped))} tidak bisa dibaca "
            f"(rusak) dan dipindahkan ke {moved[0].parent if moved else '-'}; "
            f"dilanjutkan dari checkpoint epoch {start_epoch}."
        )
    by_epoch = {r["epoch"]: r for r in run_dir.read_history() if r["epoch"] <= start_epoch}
    history = [by_epoch[e] for e in sorted(by_epoch)]  # one record per epoch
    if is_main:
        run_dir.write_history(history)
    return history, start_epoch


def warn(message: str) -> None:
    """An Indonesian notice on stderr (the run goes on)."""
    print(f"dljax: peringatan: {message}", file=sys.stderr)
