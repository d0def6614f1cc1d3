"""What a training run leaves in its directory, written as it goes: a hook of `Trainer.fit`.

- after every epoch: the epoch's record in `metrics.jsonl`, a checkpoint every
  `train.checkpoint_every` epochs (0: about `MAX_CHECKPOINTS` per run; and after the last
  one), and for tasks that sample images
  a grid from the same fixed latents every `train.sample_every` epochs
  (`samples/epoch_NNN.png`);
- at the end: `metrics.json`, the learning curves in `plots/`, `params.safetensors` (the
  weights that evaluate: EMA weights when the run keeps them) and `samples/training.gif`.

With several processes every one takes part in the checkpoints and the sampling (both are
collectives); only the main process writes the other files.
"""

from __future__ import annotations

from pathlib import Path

import jax

from dljax.runs.checkpoint import Checkpointer
from dljax.runs.run_dir import RunDir
from dljax.train.export import save_params
from dljax.train.sampling import sample
from dljax.train.state import inference_params
from dljax.viz import plot_learning_curves, save_gif, save_grid

# train.sample_every=0 spaces the grids so a run writes about this many (a ddpm grid and its
# TensorBoard image cost about 0,4 s: 50 of them were a fifth of a default run)
MAX_GRIDS = 25
MAX_CHECKPOINTS = 20  # train.checkpoint_every=0 spaces the checkpoints likewise


def checkpoint_interval(every: int, epochs: int) -> int:
    """Epochs between checkpoints: `every`, or for 0 about `MAX_CHECKPOINTS` in the run."""
    return every or max(1, epochs // MAX_CHECKPOINTS)


class Recorder:
    def __init__(self, run_dir: RunDir, trainer, ckpt: Checkpointer):
        self.run_dir, self.ckpt = run_dir, ckpt
        self.is_main = jax.process_index() == 0
        cfg = trainer.config.train
        self.grids = trainer.task.snapshot_options(trainer.dataset)
        self.grid_every = cfg.sample_every or max(1, -(-cfg.epochs // MAX_GRIDS))
        self.checkpoint_every = checkpoint_interval(cfg.checkpoint_every, cfg.epochs)
        self.last_grid: tuple[int, Path] | None = None  # (epoch, PNG) of the newest grid

    def on_epoch_end(self, trainer, record: dict) -> None:
        epoch, epochs = record["epoch"], trainer.config.train.epochs
        last = epoch == epochs
        if self.grids is not None and (last or epoch % self.grid_every == 0):
            self._grid(trainer, epoch)
        if self.is_main:
            self.run_dir.append_history(record)
        if last or epoch % self.checkpoint_every == 0:
            meta = {"epoch": epoch, "step": record["step"]}
            self.ckpt.save(trainer.state, {**meta, "data_position": {"epoch": epoch}})

    def _grid(self, trainer, epoch: int) -> None:
        options = dict(self.grids)
        n, cols = options.pop("n"), options.pop("cols")
        images = sample(trainer, n, key=trainer.built.sample_key, **options)  # all processes
        if self.is_main:
            path = save_grid(images, self.run_dir.samples / f"epoch_{epoch:03d}.png", cols=cols)
            self.last_grid = (epoch, path)

    def close(self) -> None:
        self.ckpt.close()

    def on_fit_end(self, trainer, summary: dict) -> None:
        # the weights are gathered by all processes, written by one
        params, rest = trainer.parallel.gather(
            (inference_params(trainer.state), trainer.state.rest)
        )
        if not self.is_main:
            return
        if self.grids is not None:
            frames = sorted(self.run_dir.samples.glob("epoch_*.png"))
            save_gif(frames, self.run_dir.samples / "training.gif")
        self.run_dir.write_summary(summary)
        plot_learning_curves(self.run_dir.read_history(), self.run_dir.plots)
        save_params(
            self.run_dir.params,
            params,
            rest,
            metadata={"model": trainer.config.model_name, "dataset": trainer.config.data.name},
        )
