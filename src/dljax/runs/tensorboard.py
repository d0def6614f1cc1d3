"""TensorBoard logs of a run: a `Trainer.fit` hook that writes `RUN_DIR/tensorboard/`.

`tensorboard --logdir runs` then shows every run side by side (the run's folder name is
its name in TensorBoard). Written with tensorboardX (no TensorFlow), by the main process
only, and flushed after every epoch so that a running TensorBoard follows the run live.

- Scalars per epoch, with the epoch as the step (runs with other batch sizes line up):
  `train_loss` -> `loss/train`, `test_accuracy` -> `accuracy/test`, `lr` (`lr/PART` for
  several optimizers) and `time_s`;
- at the end, what hooks added to the summary (the quality numbers of generative runs:
  `quality/fd`, `quality/recall`, ...), at the last epoch;
- the sample grid of generative runs, each epoch the `Recorder` wrote one (`samples`): the
  PNG it saved is read back, so the grid is sampled once.

Resuming from epoch E (0 when no checkpoint was written yet) opens the writer with
`purge_step=E + 1`: TensorBoard hides the events of the earlier sessions from epoch E + 1 on
(they are written again), so every epoch appears once. The config is logged as text once.
"""

from __future__ import annotations

import json
import time
from numbers import Real
from pathlib import Path

import numpy as np
from PIL import Image
from tensorboardX import SummaryWriter

from dljax.errors import from_os_error
from dljax.runs.run_dir import RunDir

SKIPPED = frozenset({"epoch", "step"})  # the x axis, not a curve


def scalar_tag(key: str) -> str:
    """The TensorBoard tag of a record key: `train_loss` -> `loss/train`, `lr_generator`
    -> `lr/generator`, `time_s` -> `time_s`."""
    for prefix in ("train_", "test_"):
        if key.startswith(prefix):
            return f"{key[len(prefix) :]}/{prefix[:-1]}"
    if key.startswith("lr_"):
        return f"lr/{key[3:]}"
    return key


def _number(value) -> bool:
    return isinstance(value, Real) and not isinstance(value, bool) and np.isfinite(value)


class TensorBoardHook:
    """Writes the run's TensorBoard events (see the module docstring); `recorder` is the
    run's `Recorder`, whose sample grids are logged as images."""

    def __init__(self, run_dir: RunDir, recorder=None):
        self.run_dir, self.recorder = run_dir, recorder
        self.writer: SummaryWriter | None = None

    def on_fit_start(self, trainer, start_epoch: int) -> None:
        folder = self.run_dir.tensorboard
        earlier = folder.is_dir() and any(folder.iterdir())  # a resumed run's older sessions
        purge = start_epoch + 1 if earlier else None  # hide what they logged after the restart
        try:
            self.writer = SummaryWriter(
                str(self.run_dir.tensorboard),
                purge_step=purge,
                # files are read in name order; the name holds whole seconds only, so a
                # session resumed within the same second must still sort (and open) anew
                filename_suffix=f".{time.time_ns():020d}",
            )
        except OSError as err:
            raise from_os_error(err, "--out", during_run=True) from None
        if not earlier:
            text = json.dumps(trainer.config.to_dict(), indent=2, ensure_ascii=False)
            self.writer.add_text("config", "    " + text.replace("\n", "\n    "), 0)

    def on_epoch_end(self, trainer, record: dict) -> None:
        epoch = record["epoch"]
        for key, value in record.items():
            if key not in SKIPPED and _number(value):
                self.writer.add_scalar(scalar_tag(key), float(value), epoch)
        grid = getattr(self.recorder, "last_grid", None)
        if grid is not None and grid[0] == epoch:
            self.writer.add_image("samples", _read_png(grid[1]), epoch, dataformats="HWC")
        self.writer.flush()

    def on_fit_end(self, trainer, summary: dict) -> None:
        base = set(trainer.summary([]))  # what the engine itself summarizes
        epoch = summary.get("epochs", 0)
        for key, value in summary.items():
            if key not in base and not key.startswith(("train_", "test_")) and _number(value):
                self.writer.add_scalar(f"quality/{key}", float(value), epoch)
        self.writer.flush()

    def close(self) -> None:
        if self.writer is not None:
            self.writer.close()
            self.writer = None


def _read_png(path: Path) -> np.ndarray:
    """A grid PNG as uint8 (H, W, 3)."""
    with Image.open(path) as img:
        return np.asarray(img.convert("RGB"))
