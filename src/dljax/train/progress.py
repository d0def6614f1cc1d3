"""The progress bar of a training run (tqdm), as a hook of `Trainer.fit`.

The host reads the on-device metric sums once per dispatch chunk to show the running means:
the only time it waits on the device inside an epoch.
"""

from __future__ import annotations

import jax
from tqdm import tqdm

from dljax.train.accumulate import means

_SHORT_NAMES = {
    "train_loss": "loss",
    "train_accuracy": "akurasi",
    "test_accuracy": "akurasi_uji",
    "train_d_loss": "loss_D",
    "train_g_loss": "loss_G",
}


def short(record: dict) -> dict[str, str]:
    """Progress-bar fields: training loss/accuracy, and test accuracy once known."""
    return {name: f"{record[k]:.4f}" for k, name in _SHORT_NAMES.items() if k in record}


class ProgressBar:
    """`steps` langkah with the running loss; the epoch and test accuracy after each epoch."""

    def __init__(self):
        self.bar = None

    def on_fit_start(self, trainer, start_epoch: int) -> None:
        self.bar = tqdm(
            total=trainer.total_steps,
            initial=start_epoch * trainer.steps_per_epoch,
            desc=f"{trainer.config.model_name}/{trainer.config.data.name}",
            unit=" langkah",
            dynamic_ncols=True,
        )

    def on_chunk(self, trainer, steps: int, acc) -> None:
        self.bar.update(steps)
        self.bar.set_postfix(short(means(jax.device_get(acc))), refresh=False)

    def on_epoch_end(self, trainer, record: dict) -> None:
        epochs = trainer.config.train.epochs
        self.bar.set_postfix({"epoch": f"{record['epoch']}/{epochs}", **short(record)})

    def close(self) -> None:
        if self.bar is not None:
            self.bar.close()
            self.bar = None
