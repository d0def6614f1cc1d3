"""The training loop: `Trainer` builds a run's parts from a `Config`; `Trainer.fit` trains.

Data flows one way: source -> pipeline -> step -> loop. `Trainer.fit` runs the epochs: for
each one the feed (`dljax.train.feed`) puts the epoch's batches through the jitted training
step (`dljax.train.step.train_step`, which calls the task's pure loss), then the test set is
evaluated and the epoch's record is handed to the hooks. The engine writes no files: run
directories, checkpoints, sample grids and quality numbers are hooks of the layers above
(`dljax.runs`, `dljax.quality`); the progress bar is `dljax.train.progress.ProgressBar`.

A hook is any object with some of these methods (see `Hook`), called in the order given:
`on_fit_start(trainer, start_epoch)`, `on_chunk(trainer, steps, acc)` (once per dispatch
chunk, with the on-device metric sums), `on_epoch_end(trainer, record)`,
`on_fit_end(trainer, summary)` (may add to the summary) and `close()` (always, last).
"""

from __future__ import annotations

import time
from dataclasses import dataclass

import jax
from flax import nnx

from dljax.config import Config
from dljax.data import Dataset, load_dataset
from dljax.data.pipeline import steps_per_epoch
from dljax.errors import DljaxError, TrainingDiverged
from dljax.recipes import MODELS, check_compatible
from dljax.train.accumulate import eval_means, first_bad_loss, init_acc, means
from dljax.train.build import build
from dljax.train.evaluate import Evaluator
from dljax.train.feed import DeviceFeed, StreamFeed, choose_dispatch, choose_pipeline
from dljax.train.parallel import DataParallel, peer_lost
from dljax.train.progress import ProgressBar
from dljax.train.sampling import sample
from dljax.train.state import TrainState, inference_params


class Hook:
    """Something that follows a `fit`; every method is optional (these do nothing)."""

    def on_fit_start(self, trainer: Trainer, start_epoch: int) -> None: ...

    def on_chunk(self, trainer: Trainer, steps: int, acc) -> None: ...

    def on_epoch_end(self, trainer: Trainer, record: dict) -> None: ...

    def on_fit_end(self, trainer: Trainer, summary: dict) -> None: ...

    def close(self) -> None: ...


class EpochCallback(Hook):
    """`fn(epoch, record)` after each epoch, as a hook."""

    def __init__(self, fn):
        self.fn = fn

    def on_epoch_end(self, trainer: Trainer, record: dict) -> None:
        self.fn(record["epoch"], record)


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
    """A run's parts, built from a `Config`: recipe, task, dataset, state and jitted steps."""

    def __init__(
        self, config: Config, dataset: Dataset | None = None, parallel: DataParallel | None = None
    ):
        config.validate()
        self.config = config
        self.recipe = MODELS[config.model_name]
        self.task = self.recipe.make_task(config)
        self.dataset = dataset if dataset is not None else load_dataset(config.data)
        check_compatible(config, self.recipe, self.task, self.dataset)
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
            config, self.recipe, self.task, self.dataset.info, self.parallel, self.total_steps
        )
        self.state, self.fns = self.built.state, self.built.fns
        self.num_params = self.built.num_params
        self.pipeline = choose_pipeline(config.data.pipeline, self.dataset.train)
        self.dispatch = choose_dispatch(config.train.dispatch, self.recipe.scan_on_cpu)
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

    def fit(
        self,
        hooks=(),
        *,
        progress: bool = False,
        on_epoch_end=None,
        start_epoch: int = 0,
        history: list[dict] | None = None,
    ) -> TrainResult:
        """Train from `start_epoch` to `config.train.epochs` and return a `TrainResult`.

        `hooks` follow the run (see the module docstring); `progress` adds the progress bar
        and `on_epoch_end(epoch, record)` a function called after each epoch (both are hooks
        too). `history` holds the records of the epochs already done (a resumed run).
        """
        hooks = list(hooks)
        if on_epoch_end is not None:
            hooks.append(EpochCallback(on_epoch_end))
        if progress and jax.process_index() == 0:  # one bar, on the main process
            hooks.insert(0, ProgressBar())
        history = list(history or [])
        elapsed0 = history[-1]["time_s"] if history else 0.0
        t0 = time.perf_counter()
        try:
            for hook in hooks:
                _call(hook, "on_fit_start", self, start_epoch)
            for epoch in range(start_epoch, self.config.train.epochs):
                record = self._epoch(epoch, hooks)
                record["time_s"] = round(elapsed0 + time.perf_counter() - t0, 3)
                history.append(record)
                for hook in hooks:
                    _call(hook, "on_epoch_end", self, record)
            summary = self.summary(history)
            for hook in hooks:
                _call(hook, "on_fit_end", self, summary)
        except jax.errors.JaxRuntimeError as err:
            lost = peer_lost(err)  # multi-process: a collective lost its peer
            if lost is None:
                raise
            raise lost from err
        finally:
            for hook in hooks:  # `close` always, last (also after a failure)
                _call(hook, "close")
        return TrainResult(self.state, summary, history, self)

    def _epoch(self, epoch: int, hooks) -> dict:
        """One epoch of training steps, then the test set: the epoch's record."""
        acc = self.parallel.put_global(init_acc(self.task.metrics), self.parallel.replicated)

        def show(steps, acc):  # once per dispatch chunk
            for hook in hooks:
                _call(hook, "on_chunk", self, steps, acc)

        self.state, acc = self.feed.epoch(self.state, acc, epoch, show)
        sums = self.evaluator.start(self.state)  # queued behind the steps: no wait between
        acc_host, sums_host = jax.device_get((acc, sums))
        if int(acc_host["bad_step"]) >= 0:
            raise TrainingDiverged(
                int(acc_host["bad_step"]) + 1, epoch + 1, first_bad_loss(acc_host)
            )
        step = (epoch + 1) * self.steps_per_epoch
        record = {"epoch": epoch + 1, "step": step, **means(acc_host), **eval_means(sums_host)}
        record.update(self._lr(step - 1))
        record.update(self.task.derived(record))
        return record

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


def _call(hook, name: str, *args) -> None:
    method = getattr(hook, name, None)
    if method is not None:
        method(*args)
