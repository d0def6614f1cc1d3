"""The training loop: epochs, evaluation, logging, checkpoints and the run directory.

Data flows one way: source -> pipeline -> task/step -> loop -> run directory. Two input paths:

- on-device ("device"): the training set is placed on the devices once, each epoch's
  permutation is drawn on the device, and `train.steps_per_dispatch` steps run in one
  `lax.scan` dispatch; the host reads the metric sums once per dispatch.
- streaming ("grain"): batches come from a Grain pipeline with prefetch, one jitted step each.
"""

from __future__ import annotations

import math
import time
from dataclasses import dataclass
from pathlib import Path

import jax
import jax.numpy as jnp
import numpy as np
from flax import nnx
from tqdm import tqdm

from dljax.config import Config, config_from_dict
from dljax.data import Dataset, as_arrays, load_dataset
from dljax.data.pipeline import grain_batches, steps_per_epoch
from dljax.errors import DljaxError, TrainingDiverged
from dljax.models import get_spec
from dljax.train.checkpoint import Checkpointer
from dljax.train.export import save_params
from dljax.train.metrics import eval_means, first_bad_loss, init_acc, means
from dljax.train.optim import make_optimizer
from dljax.train.parallel import DataParallel
from dljax.train.run_dir import RunDir
from dljax.train.state import TrainState, create_state
from dljax.train.steps import StepFunctions
from dljax.train.tasks import get_task

DEVICE_PATH_MAX_BYTES = 2 * 1024**3  # "auto" keeps datasets up to this size on the device
EVAL_BATCH = 512


@dataclass
class TrainResult:
    state: TrainState
    summary: dict
    history: list[dict]
    trainer: Trainer

    def model(self) -> nnx.Module:
        """The trained model in evaluation mode (see `Trainer.model`)."""
        return self.trainer.model()


def _pad_to_batches(arrays: dict[str, np.ndarray], batch: int) -> dict[str, np.ndarray]:
    """(N, ...) arrays -> (ceil(N / batch), batch, ...) with a `mask` of real examples."""
    n = len(next(iter(arrays.values())))
    nb = max(1, math.ceil(n / batch))
    out = {}
    for k, v in arrays.items():
        padded = np.zeros((nb * batch, *v.shape[1:]), v.dtype)
        padded[:n] = v
        out[k] = padded.reshape(nb, batch, *v.shape[1:])
    mask = np.zeros(nb * batch, np.float32)
    mask[:n] = 1.0
    out["mask"] = mask.reshape(nb, batch)
    return out


class Trainer:
    """Builds a model, its task, optimizer and jitted steps from a `Config`, and trains it."""

    def __init__(
        self, config: Config, dataset: Dataset | None = None, parallel: DataParallel | None = None
    ):
        config.validate()
        self.config = config
        self.spec = get_spec(config.model_name)
        self.task = get_task(self.spec.task)
        self.dataset = dataset if dataset is not None else load_dataset(config.data)
        problem = self.task.check_dataset(self.dataset)
        if problem is None and self.dataset.info.label_shape and not self.spec.per_step_labels:
            problem = "dataset ini punya satu label per langkah waktu; pakai rnn, lstm atau gru"
        if problem is not None:
            raise DljaxError(
                f"Dataset {self.dataset.info.name!r} tidak cocok untuk model "
                f"{config.model_name!r} (tugas {self.task.name}): {problem}. "
                "Pilih dataset klasifikasi, mis. --dataset digits (lihat `dljax list`)."
            )
        self.parallel = parallel or DataParallel.create()
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

        init_key, dropout_key, self.data_key = jax.random.split(
            jax.random.key(config.train.seed), 3
        )
        model = self.spec.build(config.model, self.dataset.info, nnx.Rngs(params=init_key))
        self.tx, self.schedule = make_optimizer(config.train, self.total_steps)
        graphdef, eval_graphdef, state = create_state(model, self.tx, self.task, dropout_key)
        self.state = self.parallel.put(state, self.parallel.replicated)
        self.fns = StepFunctions(self.task, graphdef, eval_graphdef, self.tx, self.parallel)
        self.num_params = sum(x.size for x in jax.tree.leaves(state.params))

        self.pipeline = self._choose_pipeline()
        self.dispatch = config.train.dispatch
        if self.dispatch == "auto":
            slow_loops = jax.default_backend() == "cpu" and not self.spec.scan_on_cpu
            self.dispatch = "step" if slow_loops else "scan"
        self.eval_batch = self.parallel.num_devices * math.ceil(
            EVAL_BATCH / self.parallel.num_devices
        )
        if self.pipeline == "device":
            self.train_data = self.parallel.put(
                as_arrays(self.dataset.train), self.parallel.replicated
            )
        self._eval_data = None

    def _choose_pipeline(self) -> str:
        choice = self.config.data.pipeline
        if choice != "auto":
            return choice
        arrays = getattr(self.dataset.train, "arrays", None)
        if arrays is None:
            return "grain"
        size = sum(v.nbytes for v in arrays.values())
        return "device" if size <= DEVICE_PATH_MAX_BYTES else "grain"

    # ----------------------------------------------------------------- evaluation
    def _eval_batches(self):
        """Padded test batches on the device (cached when the test set is in memory)."""
        if self._eval_data is not None:
            return self._eval_data
        test = self.dataset.test
        sharding = self.parallel.batch_sharding()
        if getattr(test, "arrays", None) is not None:
            stacked = _pad_to_batches(test.arrays, self.eval_batch)
            self._eval_data = [
                self.parallel.put({k: v[i] for k, v in stacked.items()}, sharding)
                for i in range(len(stacked["mask"]))
            ]
            return self._eval_data
        return (
            self.parallel.put(
                {k: v[0] for k, v in _pad_to_batches(b, self.eval_batch).items()}, sharding
            )
            for b in grain_batches(
                test, self.eval_batch, seed=0, epoch=0, shuffle=False, drop_remainder=False
            )
        )

    def evaluate(self) -> dict[str, float]:
        """Test-set metrics (means per example) of the current state."""
        params, rest = self.state.params, self.state.rest
        sums = None
        for batch in self._eval_batches():
            if sums is None:
                shapes = jax.eval_shape(self.fns.eval_batch, params, rest, batch, None)
                sums = jax.tree.map(lambda s: jnp.zeros(s.shape, s.dtype), shapes)
            sums = self.fns.eval_batch(params, rest, batch, sums)
        return eval_means(jax.device_get(sums))

    # ----------------------------------------------------------------- training
    def _device_epoch(self, epoch: int, acc, bar):
        cfg = self.config
        n = len(self.dataset.train)
        perm = self.fns.permutation(self.data_key, epoch, n)  # (N,)
        done = 0
        while done < self.steps_per_epoch:
            k = min(cfg.train.steps_per_dispatch, self.steps_per_epoch - done)
            if self.dispatch == "scan":  # k steps in one dispatch
                chunk = self.fns.device_chunk(k)
                self.state, acc = chunk(
                    self.state, acc, self.train_data, perm, np.int32(done), cfg.data.batch_size
                )
            else:  # k asynchronous dispatches of one step each
                for i in range(done, done + k):
                    self.state, acc = self.fns.device_step(
                        self.state, acc, self.train_data, perm, np.int32(i), cfg.data.batch_size
                    )
            done += k
            self._show(bar, k, jax.device_get(acc))  # one host read per k steps
        return acc

    def _stream_epoch(self, epoch: int, acc, bar):
        cfg = self.config
        batches = grain_batches(
            self.dataset.train,
            cfg.data.batch_size,
            seed=cfg.train.seed,
            epoch=epoch,
            num_workers=cfg.data.num_workers,
            prefetch=cfg.data.prefetch,
            shard_index=jax.process_index(),
            shard_count=jax.process_count(),
        )
        sharding = self.parallel.batch_sharding()
        pending = 0
        for i, batch in enumerate(batches):
            self.state, acc = self.fns.stream_step(
                self.state, acc, self.parallel.put(batch, sharding)
            )
            pending += 1
            if pending == cfg.train.steps_per_dispatch or i + 1 == self.steps_per_epoch:
                self._show(bar, pending, jax.device_get(acc))
                pending = 0
        return acc

    @staticmethod
    def _show(bar, steps: int, acc_host: dict) -> None:
        if bar is None:
            return
        bar.update(steps)
        bar.set_postfix(_short(means(acc_host)), refresh=False)

    def fit(
        self,
        run_dir: RunDir | None = None,
        *,
        resume: bool = False,
        progress: bool = True,
        on_epoch_end=None,
    ) -> TrainResult:
        """Train for `config.train.epochs` epochs; with `resume`, continue from the last
        checkpoint in `run_dir`. `on_epoch_end(epoch, record)` is called after each epoch."""
        cfg = self.config
        is_main = jax.process_index() == 0
        ckpt = Checkpointer(run_dir.checkpoints, cfg.train.keep_checkpoints) if run_dir else None
        history: list[dict] = []
        start_epoch = 0
        if resume and ckpt is not None and ckpt.latest_step() is not None:
            self.state, meta = ckpt.restore(self.state)
            start_epoch = int(meta["epoch"])
            history = [r for r in run_dir.read_history() if r["epoch"] <= start_epoch]
            if is_main:
                run_dir.write_history(history)
        elapsed0 = history[-1]["time_s"] if history else 0.0

        bar = None
        if progress and is_main:
            bar = tqdm(
                total=self.total_steps,
                initial=start_epoch * self.steps_per_epoch,
                desc=f"{cfg.model_name}/{cfg.data.name}",
                unit=" langkah",
                dynamic_ncols=True,
            )
        t0 = time.perf_counter()
        try:
            for epoch in range(start_epoch, cfg.train.epochs):
                acc = self.parallel.put(init_acc(self.task.metrics), self.parallel.replicated)
                run_epoch = self._device_epoch if self.pipeline == "device" else self._stream_epoch
                acc_host = jax.device_get(run_epoch(epoch, acc, bar))
                if int(acc_host["bad_step"]) >= 0:
                    raise TrainingDiverged(
                        int(acc_host["bad_step"]) + 1, epoch + 1, first_bad_loss(acc_host)
                    )
                step = (epoch + 1) * self.steps_per_epoch
                record = {
                    "epoch": epoch + 1,
                    "step": step,
                    **means(acc_host),
                    **self.evaluate(),
                    "lr": float(self.schedule(step - 1)),
                    "time_s": round(elapsed0 + time.perf_counter() - t0, 3),
                }
                record.update(self.task.derived(record))
                history.append(record)
                if bar is not None:
                    bar.set_postfix({"epoch": f"{epoch + 1}/{cfg.train.epochs}", **_short(record)})
                if run_dir is not None:
                    if is_main:
                        run_dir.append_history(record)
                    last = epoch + 1 == cfg.train.epochs
                    if last or (epoch + 1) % cfg.train.checkpoint_every == 0:
                        ckpt.save(
                            self.state,
                            {
                                "epoch": epoch + 1,
                                "step": step,
                                "data_position": {"epoch": epoch + 1, "batch": 0},
                            },
                        )
                if on_epoch_end is not None:
                    on_epoch_end(epoch + 1, record)
        finally:
            if bar is not None:
                bar.close()
            if ckpt is not None:
                ckpt.close()

        summary = self.summary(history)
        if run_dir is not None and is_main:
            self.write_outputs(run_dir, history, summary)
        return TrainResult(self.state, summary, history, self)

    def model(self) -> nnx.Module:
        """The current weights as a stand-alone model in evaluation mode (a copy)."""
        return nnx.merge(self.fns.eval_graphdef, self.state.params, self.state.rest, copy=True)

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
            "pipeline": self.pipeline,
            "dispatch": self.dispatch,
            "seed": self.config.train.seed,
            "wall_time_s": last.get("time_s", 0.0),
        }

    def write_outputs(self, run_dir: RunDir, history: list[dict], summary: dict) -> None:
        from dljax.viz import plot_learning_curves

        run_dir.write_summary(summary)
        plot_learning_curves(history, run_dir.plots)
        save_params(
            run_dir.params,
            self.state.params,
            self.state.rest,
            metadata={"model": self.config.model_name, "dataset": self.config.data.name},
        )

    # ----------------------------------------------------------------- reload
    @classmethod
    def from_run(cls, run_dir: RunDir) -> Trainer:
        """Rebuild the trainer of a run and restore its latest checkpoint."""
        if not run_dir.is_run():
            raise DljaxError(
                f"{run_dir.path} bukan direktori run dljax (tidak ada config.json). "
                "Berikan direktori yang dibuat oleh `dljax train`, mis. runs/mlp-digits."
            )
        raw = run_dir.read_config()
        config = config_from_dict(raw, get_spec(raw["model_name"]).config_cls)
        trainer = cls(config)
        ckpt = Checkpointer(run_dir.checkpoints, config.train.keep_checkpoints)
        try:
            if ckpt.latest_step() is None:
                raise DljaxError(
                    f"Tidak ada checkpoint di {run_dir.checkpoints}. Latih dulu dengan "
                    f"`dljax train {config.model_name} --out {run_dir.path}`."
                )
            trainer.state, _ = ckpt.restore(trainer.state)
        finally:
            ckpt.close()
        return trainer


_SHORT_NAMES = {"train_loss": "loss", "train_accuracy": "akurasi", "test_accuracy": "akurasi_uji"}


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
    parallel: DataParallel | None = None,
) -> TrainResult:
    """Train `config`; with `out`, write a run directory there (and resume from it)."""
    trainer = Trainer(config, dataset=dataset, parallel=parallel)
    run_dir = None
    if out is not None:
        run_dir = RunDir(out)
        run_dir.create()
        if not (resume and run_dir.is_run()):
            run_dir.write_config(config.to_dict())
    return trainer.fit(run_dir, resume=resume, progress=progress, on_epoch_end=on_epoch_end)
