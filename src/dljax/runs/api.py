"""The public way to train and to load a run: `train(config, out)` and `load_run(run_dir)`.

`train` builds a `Trainer`, validates everything and loads the dataset *before* the run
directory is created (bad input never leaves a half-written run behind), takes the
directory's lock, writes config.json, data.json and the status, and runs `Trainer.fit` with
the hooks that record the run (`Recorder`, `TensorBoardHook`), show progress and measure
sample quality.

`load_run(run_dir, need_data=False)` (sampling, prediction) needs only the run directory:
the dataset is rebuilt from data.json (`resume.standin_dataset`), not read again.
"""

from __future__ import annotations

from pathlib import Path

import jax
from jax.experimental import multihost_utils

from dljax.config import Config
from dljax.data import Dataset, load_dataset
from dljax.data.text import vocab_dataset
from dljax.errors import DljaxError
from dljax.quality import QualityHook
from dljax.recipes import MODELS
from dljax.runs.checkpoint import Checkpointer
from dljax.runs.recorder import Recorder
from dljax.runs.resume import (
    check_data,
    data_fingerprint,
    restore_latest,
    saved_config,
    standin_dataset,
    warn,
)
from dljax.runs.run_dir import RunDir
from dljax.runs.tensorboard import TensorBoardHook
from dljax.train import Trainer, TrainResult
from dljax.train.parallel import DataParallel


def train(
    config: Config,
    out: Path | str | None = None,
    *,
    resume: bool = False,
    dataset: Dataset | None = None,
    progress: bool = True,
    on_epoch_end=None,
    on_start=None,
    hooks=(),
    parallel: DataParallel | None = None,
) -> TrainResult:
    """Train `config`; with `out`, write a run directory there (and resume from it).

    `on_epoch_end(epoch, record)` is called after each epoch and `on_start(trainer,
    run_dir)` just before the first step (the CLI prints its banner there); `hooks` are
    extra `Trainer.fit` hooks. The summary holds the quality numbers of a generative model
    (`train.quality`).
    """
    trainer = Trainer(config, dataset=dataset, parallel=parallel)
    is_main = jax.process_index() == 0  # process 0 owns the directory's files and lock
    extra = [*hooks]
    if config.train.quality and getattr(trainer.task, "quality", False):
        extra.append(QualityHook())
    fit = {"progress": progress, "on_epoch_end": on_epoch_end}
    if out is None:
        if on_start is not None:
            on_start(trainer, None)
        return trainer.fit(extra, **fit)
    run_dir = RunDir(out)
    resume = resume and run_dir.is_run()
    if resume:
        run_dir.check_resumable()
    else:
        run_dir.check_new()
    _barrier("checked")  # every process has looked at --out before process 0 writes there
    created = run_dir.create() if is_main else False
    if is_main:
        run_dir.lock()
    try:
        if is_main:
            _prepare(run_dir, trainer, config, resume)
        _barrier("prepared")
        ckpt = Checkpointer(run_dir.checkpoints, config.train.keep_checkpoints)
        history, start_epoch = [], 0
        if resume:
            try:
                history, start_epoch = restore_latest(trainer, run_dir, ckpt, is_main=is_main)
            except BaseException:
                ckpt.close()
                raise
        if on_start is not None:
            on_start(trainer, run_dir)
        recorder = Recorder(run_dir, trainer, ckpt)
        hooks = [*extra, recorder]  # records after quality is known
        if is_main and config.train.tensorboard:  # after the Recorder: logs its grids
            hooks.append(TensorBoardHook(run_dir, recorder))
        result = trainer.fit(hooks, **fit, start_epoch=start_epoch, history=history)
    except KeyboardInterrupt:
        if is_main:
            run_dir.write_status("interrupted")
        raise
    except BaseException as err:
        if is_main:
            if not resume and not _has_checkpoint(run_dir):
                run_dir.discard(created)  # nothing worth keeping: the retry may reuse --out
            else:
                run_dir.write_status("failed", error=f"{type(err).__name__}: {err}"[:1000])
        raise
    else:
        if is_main:
            run_dir.write_status("finished", epochs=config.train.epochs)
        return result
    finally:
        run_dir.unlock()


def load_run(run_dir: RunDir | Path | str, *, need_data: bool = True) -> Trainer:
    """A `Trainer` of the run with its newest readable checkpoint restored.

    `need_data=False` (sampling, prediction) rebuilds the dataset's description from
    data.json alone (a language model's vocabulary, an image dataset's shape and classes),
    so the training data may be gone; a task that samples from real data (autoencoders
    reconstruct test images) still loads it. The run directory is only read.
    """
    run_dir = run_dir if isinstance(run_dir, RunDir) else RunDir(run_dir)
    if not run_dir.path.is_dir():
        raise DljaxError(f"Direktori run {run_dir.path} tidak ada. Lihat folder runs/.")
    config = saved_config(run_dir)
    trainer = Trainer(config, dataset=_dataset_for(run_dir, config, need_data))
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


def default_out(model: str, dataset: str, resume: bool) -> Path:
    """`runs/MODEL-DATASET`, or the next free `-2`, `-3`...; with resume, the latest one."""
    base = Path("runs") / f"{model}-{dataset}"
    candidates = [base] + [base.with_name(f"{base.name}-{i}") for i in range(2, 1000)]
    existing = [p for p in candidates if p.exists()]
    if resume:
        if not existing:
            raise DljaxError(
                f"Tidak ada run {base} untuk dilanjutkan. Mulai baru tanpa --resume, "
                "atau berikan --out DIR dari run yang terhenti."
            )
        return existing[-1]
    return next(p for p in candidates if not p.exists())


def _dataset_for(run_dir: RunDir, config: Config, need_data: bool):
    saved = run_dir.read_data()
    if saved is not None and "vocab" in saved and not need_data:
        return vocab_dataset(saved["vocab"], saved["seq_len"], config.data.batch_size)
    standin_ok = not need_data and not MODELS[config.model_name].task.sample_needs_data
    if saved is not None and standin_ok:
        standin = standin_dataset(run_dir, saved, config.data.batch_size)
        if standin is not None:
            return standin
    try:
        dataset = load_dataset(config.data)
    except DljaxError as err:
        raise DljaxError(f"Data run {run_dir.path} tidak bisa dimuat lagi: {err}") from None
    if saved is not None:
        check_data(run_dir, dataset, saved)
    return dataset


def _barrier(name: str) -> None:
    """Wait for every process (multi-process training only)."""
    if jax.process_count() > 1:
        multihost_utils.sync_global_devices(f"dljax:{name}")


def _has_checkpoint(run_dir: RunDir) -> bool:
    folder = run_dir.checkpoints
    return folder.is_dir() and any(p.name.isdigit() for p in folder.iterdir())


def _prepare(run_dir: RunDir, trainer: Trainer, config: Config, resume: bool) -> None:
    """Write config.json, data.json and the `running` status (process 0, holding the lock)."""
    fingerprint = data_fingerprint(trainer.dataset)
    if not resume:
        run_dir.write_config(config.to_dict())
        run_dir.write_data(fingerprint)
        run_dir.write_status("running", epochs=config.train.epochs)
        return
    saved = run_dir.read_data()
    if saved is None:
        run_dir.write_data(fingerprint)  # a run from before data.json existed
    else:
        check_data(run_dir, trainer.dataset, saved)
    before = run_dir.read_config().get("train", {}).get("epochs")
    if before != config.train.epochs:
        run_dir.record_resume({"train.epochs": [before, config.train.epochs]})
        run_dir.write_config(config.to_dict())
    run_dir.write_status("running", epochs=config.train.epochs)
