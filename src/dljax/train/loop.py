"""The training loop. Data flows one way: source -> pipeline -> task/step -> loop -> run dir.

`Trainer` puts the parts together (each in its own module): `build` (model, optimizers,
state, jitted steps), `feed` (one epoch of batches into the steps), `evaluate` (test-set
metrics), `outputs` (samples, plots, weights) and `reload` (a run back from its directory).
`Trainer.fit` is the loop itself.
"""

from __future__ import annotations

import time
from dataclasses import dataclass
from pathlib import Path

import jax
from flax import nnx
from tqdm import tqdm

from dljax.config import Config
from dljax.data import Dataset, load_dataset
from dljax.data.pipeline import steps_per_epoch
from dljax.errors import DljaxError, PeerLost, TrainingDiverged
from dljax.models import get_spec
from dljax.train.build import build, check_compatible
from dljax.train.checkpoint import Checkpointer
from dljax.train.evaluate import Evaluator
from dljax.train.feed import DeviceFeed, StreamFeed, choose_dispatch, choose_pipeline
from dljax.train.metrics import first_bad_loss, init_acc, means
from dljax.train.outputs import Snapshots, write_final
from dljax.train.parallel import DataParallel, peer_lost_message
from dljax.train.run_dir import RunDir
from dljax.train.sampling import sample
from dljax.train.state import TrainState, inference_params
from dljax.train.tasks import get_task


@dataclass
class TrainResult:
    state: TrainState
    summary: dict
    history: list[dict]
    trainer: Trainer

    def model(self) -> nnx.Module:
        """The trained model in evaluation mode (see `Trainer.model`)."""
        return self.trainer.model()


class Trainer:
    """A run's parts, built from a `Config`; `fit` trains them."""

    def __init__(
        self, config: Config, dataset: Dataset | None = None, parallel: DataParallel | None = None
    ):
        config.validate()
        self.config = config
        self.spec = get_spec(config.model_name)
        self.task = get_task(self.spec.task)
        self.dataset = dataset if dataset is not None else load_dataset(config.data)
        check_compatible(config, self.spec, self.task, self.dataset)
        self.parallel = (parallel or DataParallel.create()).with_mode(config.train.parallel)
        batch_size = config.data.batch_size
        self.parallel.check_batch_size(batch_size)
        n_train = len(self.dataset.train)
        self.steps_per_epoch = steps_per_epoch(n_train, batch_size)
        if self.steps_per_epoch == 0:
            raise DljaxError(
                f"data.batch_size={batch_size} lebih besar dari jumlah data latih ({n_train}); "
                f"pakai --batch-size yang lebih kecil."
            )
        self.total_steps = config.train.epochs * self.steps_per_epoch
        self.built = build(
            config, self.spec, self.task, self.dataset, self.parallel, self.total_steps
        )
        self.state, self.fns = self.built.state, self.built.fns
        self.num_params = self.built.num_params
        self.pipeline = choose_pipeline(config.data.pipeline, self.dataset.train)
        self.dispatch = choose_dispatch(config.train.dispatch, self.spec.scan_on_cpu)
        if self.pipeline == "device":
            self.feed = DeviceFeed(
                config, self.dataset, self.fns, self.parallel, self.built.data_key,
                self.steps_per_epoch, self.dispatch,
            )  # fmt: skip
        else:
            self.feed = StreamFeed(
                config, self.dataset, self.fns, self.parallel, self.steps_per_epoch
            )
        self.evaluator = Evaluator(self.dataset.test, self.fns, self.parallel, self.built.eval_key)

    def evaluate(self) -> dict[str, float]:
        """Test-set metrics (means per example) of the current state."""
        return self.evaluator(self.state)

    def model(self) -> nnx.Module:
        """The weights that evaluate (EMA when kept) as a stand-alone eval-mode model (a copy)."""
        params = inference_params(self.state)
        return nnx.merge(self.fns.eval_graphdef, params, self.state.rest, copy=True)

    def sample(self, n: int, *, seed: int = 0, **options):
        """`n` samples from the task's `sample` protocol, in one compiled call (numpy)."""
        return sample(self, n, seed=seed, **options)

    def fit(self, run_dir=None, *, resume=False, progress=True, on_epoch_end=None) -> TrainResult:
        """Train for `config.train.epochs` epochs; with `resume`, continue from the last
        checkpoint in `run_dir`. `on_epoch_end(epoch, record)` is called after each epoch."""
        cfg = self.config
        is_main = jax.process_index() == 0
        ckpt = Checkpointer(run_dir.checkpoints, cfg.train.keep_checkpoints) if run_dir else None
        snapshots = Snapshots(self, run_dir, write=is_main)  # every process samples
        history, start_epoch = self._resume(run_dir, ckpt, is_main) if resume else ([], 0)
        elapsed0 = history[-1]["time_s"] if history else 0.0
        bar = self._progress_bar(start_epoch) if progress and is_main else None

        def show(steps, acc):  # the host reads the metric sums once per dispatch chunk
            if bar is not None:
                bar.update(steps)
                bar.set_postfix(_short(means(jax.device_get(acc))), refresh=False)

        t0 = time.perf_counter()
        try:
            for epoch in range(start_epoch, cfg.train.epochs):
                acc = self.parallel.put_global(
                    init_acc(self.task.metrics), self.parallel.replicated
                )
                self.state, acc = self.feed.epoch(self.state, acc, epoch, show)
                acc_host = jax.device_get(acc)
                if int(acc_host["bad_step"]) >= 0:
                    raise TrainingDiverged(
                        int(acc_host["bad_step"]) + 1, epoch + 1, first_bad_loss(acc_host)
                    )
                step = (epoch + 1) * self.steps_per_epoch
                record = {"epoch": epoch + 1, "step": step, **means(acc_host), **self.evaluate()}
                record.update(self._lr(step - 1))
                record["time_s"] = round(elapsed0 + time.perf_counter() - t0, 3)
                record.update(self.task.derived(record))
                history.append(record)
                last = epoch + 1 == cfg.train.epochs
                snapshots.write(epoch + 1, last)
                if bar is not None:
                    bar.set_postfix({"epoch": f"{epoch + 1}/{cfg.train.epochs}", **_short(record)})
                if run_dir is not None:
                    if is_main:
                        run_dir.append_history(record)
                    if last or (epoch + 1) % cfg.train.checkpoint_every == 0:
                        meta = {"epoch": epoch + 1, "step": step}
                        ckpt.save(self.state, {**meta, "data_position": {"epoch": epoch + 1}})
                if on_epoch_end is not None:
                    on_epoch_end(epoch + 1, record)
        except jax.errors.JaxRuntimeError as err:
            if jax.process_count() == 1:
                raise
            raise PeerLost(peer_lost_message(err)) from err  # a collective lost its peer
        finally:
            if bar is not None:
                bar.close()
            if ckpt is not None:
                ckpt.close()

        summary = {**self.summary(history), **self.task.final_metrics(self)}
        snapshots.finish()
        if run_dir is not None:
            weights = self.parallel.gather((inference_params(self.state), self.state.rest))
            if is_main:  # the weights are gathered by all processes, written by one
                write_final(self, run_dir, history, summary, weights)
        return TrainResult(self.state, summary, history, self)

    def _resume(self, run_dir: RunDir, ckpt: Checkpointer, is_main: bool):
        """(history so far, first epoch to run) after restoring the newest readable checkpoint.

        Without a checkpoint the run starts again from epoch 0 and its history is cleared; an
        unreadable newest checkpoint is set aside (kept in checkpoints_rusak/) for an older one.
        """
        from dljax.train.reload import warn

        if ckpt is None or ckpt.latest_step() is None:
            if is_main and run_dir is not None:
                warn(f"{run_dir.path} belum punya checkpoint; pelatihan dimulai dari epoch 0.")
                run_dir.write_history([])
            return [], 0
        self.state, meta = ckpt.restore(self.state)
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

    def _progress_bar(self, start_epoch: int):
        return tqdm(
            total=self.total_steps,
            initial=start_epoch * self.steps_per_epoch,
            desc=f"{self.config.model_name}/{self.config.data.name}",
            unit=" langkah",
            dynamic_ncols=True,
        )

    def _lr(self, step: int) -> dict[str, float]:
        """The learning rate(s) at `step`: `lr`, or `lr_<part>` for several optimizers."""
        rates = self.built.optimizers.lr(step)
        if len(rates) == 1:
            return {"lr": next(iter(rates.values()))}
        return {f"lr_{name}": value for name, value in rates.items()}

    def summary(self, history: list[dict]) -> dict:
        last = history[-1] if history else {}
        return {
            "model": self.config.model_name,
            "dataset": self.config.data.name,
            "preset": self.config.preset,
            "epochs": last.get("epoch", 0),
            "steps": last.get("step", 0),
            **{k: v for k, v in last.items() if k.startswith(("train_", "test_"))},
            "num_params": int(self.num_params),
            "devices": self.parallel.num_devices,
            "processes": self.parallel.num_processes,
            "parallel": self.parallel.mode,
            "pipeline": self.pipeline,
            "dispatch": self.dispatch,
            "seed": self.config.train.seed,
            "wall_time_s": last.get("time_s", 0.0),
        }

    @classmethod
    def from_run(cls, run_dir: RunDir) -> Trainer:
        """Rebuild the trainer of a run and restore its latest checkpoint."""
        from dljax.train.reload import load_run

        return load_run(run_dir)


_SHORT_NAMES = {
    "train_loss": "loss",
    "train_accuracy": "akurasi",
    "test_accuracy": "akurasi_uji",
    "train_d_loss": "loss_D",
    "train_g_loss": "loss_G",
}


def _short(record: dict) -> dict[str, str]:
    """Progress-bar fields: training loss/accuracy, and test accuracy once known."""
    return {short: f"{record[k]:.4f}" for k, short in _SHORT_NAMES.items() if k in record}


def train(
    config: Config,
    out: Path | str | None = None,
    *,
    resume: bool = False,
    dataset: Dataset | None = None,
    progress: bool = True,
    on_epoch_end=None,
    on_start=None,
    parallel: DataParallel | None = None,
) -> TrainResult:
    """Train `config`; with `out`, write a run directory there (and resume from it).

    The dataset is loaded and everything is validated before the directory is created, so
    bad input never leaves a half-written run behind. `on_start(trainer, run_dir)` is called
    just before the first step (the CLI prints its banner there).
    """
    trainer = Trainer(config, dataset=dataset, parallel=parallel)
    if out is None:
        if on_start is not None:
            on_start(trainer, None)
        return trainer.fit(None, resume=resume, progress=progress, on_epoch_end=on_epoch_end)
    run_dir = RunDir(out)
    resume = resume and run_dir.is_run()
    if resume:
        run_dir.check_resumable()
    else:
        run_dir.check_new()
    is_main = jax.process_index() == 0  # process 0 owns the directory's files and lock
    _barrier("checked")  # every process has looked at --out before process 0 writes there
    created = run_dir.create() if is_main else False
    if is_main:
        run_dir.lock()
    try:
        if is_main:
            _prepare(run_dir, trainer, config, resume)
        _barrier("prepared")
        if on_start is not None:
            on_start(trainer, run_dir)
        result = trainer.fit(run_dir, resume=resume, progress=progress, on_epoch_end=on_epoch_end)
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


def _barrier(name: str) -> None:
    """Wait for every process (multi-process training only)."""
    if jax.process_count() > 1:
        from jax.experimental import multihost_utils

        multihost_utils.sync_global_devices(f"dljax:{name}")


def _has_checkpoint(run_dir: RunDir) -> bool:
    folder = run_dir.checkpoints
    return folder.is_dir() and any(p.name.isdigit() for p in folder.iterdir())


def _prepare(run_dir: RunDir, trainer: Trainer, config: Config, resume: bool) -> None:
    """Write config.json, data.json and the `running` status (process 0, holding the lock)."""
    from dljax.train.reload import check_data, data_fingerprint

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
