"""What a run writes into its directory besides the logs: sample grids, plots, weights.

- `Snapshots`: for tasks that sample images, a grid from the same fixed latents after every
  `train.sample_every` epochs (`samples/epoch_NNN.png`), and at the end `samples/training.gif`
  (the grid over training);
- `write_final`: `metrics.json`, the learning curves in `plots/` and `params.safetensors`
  (the weights that evaluate: EMA weights when the run keeps them).
"""

from __future__ import annotations

from dljax.train.export import save_params
from dljax.train.run_dir import RunDir
from dljax.train.sampling import sample
from dljax.train.state import inference_params

MAX_GRIDS = 50  # train.sample_every=0 spaces the grids so a run writes about this many


class Snapshots:
    def __init__(self, trainer, run_dir: RunDir | None, write: bool = True):
        """With several processes every one samples (the sampler is a collective) and only
        the one with `write` saves the images."""
        self.trainer, self.run_dir, self.writes = trainer, run_dir, write
        self.options = trainer.task.snapshot_options(trainer.dataset)
        epochs = trainer.config.train.epochs
        self.every = trainer.config.train.sample_every or max(1, -(-epochs // MAX_GRIDS))

    @property
    def active(self) -> bool:
        return self.run_dir is not None and self.options is not None

    def write(self, epoch: int, last: bool) -> None:
        if not self.active or not (last or epoch % self.every == 0):
            return
        from dljax.viz import save_grid

        options = dict(self.options)
        n, cols = options.pop("n"), options.pop("cols")
        images = sample(self.trainer, n, key=self.trainer.built.sample_key, **options)
        if not self.writes:
            return
        save_grid(images, self.run_dir.samples / f"epoch_{epoch:03d}.png", cols=cols)

    def finish(self) -> None:
        if not self.active or not self.writes:
            return
        from dljax.viz import save_gif

        frames = sorted(self.run_dir.samples.glob("epoch_*.png"))
        save_gif(frames, self.run_dir.samples / "training.gif")


def write_final(trainer, run_dir: RunDir, history: list[dict], summary: dict, weights=None) -> None:
    """`weights`: (params, rest) readable by this process (see `DataParallel.gather`);
    default the trainer's own."""
    from dljax.viz import plot_learning_curves

    params, rest = weights or (inference_params(trainer.state), trainer.state.rest)
    run_dir.write_summary(summary)
    plot_learning_curves(history, run_dir.plots)
    save_params(
        run_dir.params,
        params,
        rest,
        metadata={"model": trainer.config.model_name, "dataset": trainer.config.data.name},
    )
