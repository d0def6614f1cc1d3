"""Helpers shared by the lessons: the two execution modes and the cells many lessons need.

- Modes: `DLJAX_FAST=1` (set by the lesson tests) makes `FAST` true and `budget(full, fast)`
  pick the small value, so that a lesson runs in seconds (a smoke run with untrained
  models); learners and the site run the full version.
- `show_images`: a grid of images sized for the page (at most `PAGE_WIDTH` inches wide).
- `print_epochs`: a `Trainer.fit` hook that prints one line per epoch.
- `build_trainer` and `train_with_snapshots`: the generative chapters' trainers, and a fit
  that keeps samples of the same latents after chosen epochs.
- `reference_classifier`, `quality`, `print_quality`, `print_fd_scale`: sample-quality numbers
  on the reference classifier's features (the real reference in full mode, a 2-epoch one in
  FAST mode).
- `print_key_numbers`: the last cell of every lesson, its key numbers under the mode's name.

Everything printed is Indonesian, with Indonesian numbers (`dljax.formatting`).
"""

from __future__ import annotations

import dataclasses
import functools
import os
from collections.abc import Iterable, Mapping
from typing import Any

import matplotlib.pyplot as plt
import numpy as np

from dljax.data.shared import find_shared_file
from dljax.formatting import format_float, format_int, format_percent
from dljax.quality import ReferenceClassifier, quality_report, reference_config
from dljax.recipes import build_config
from dljax.train import Hook, Trainer, TrainResult
from dljax.viz import tile_images

__all__ = [
    "FAST",
    "FAST_DIFFUSION",
    "FAST_OVERRIDES",
    "FAST_REFERENCE_EPOCHS",
    "PAGE_WIDTH",
    "budget",
    "build_trainer",
    "find_shared_file",
    "mode_name",
    "print_epochs",
    "print_fd_scale",
    "print_key_numbers",
    "print_quality",
    "quality",
    "quality_summary",
    "reference_classifier",
    "show_images",
    "snapshot_epochs",
    "train_with_snapshots",
]

FAST = os.environ.get("DLJAX_FAST", "") not in ("", "0")
PAGE_WIDTH = 10.0  # inches: the widest figure whose 10-point labels stay readable on the site
FAST_OVERRIDES = {"data.batch_size": 256}  # build_trainer in FAST mode: few steps per epoch
# FAST mode of the diffusion lessons: one short epoch of a short process (T = 100), so that
# even DDPM's T sampling steps run in seconds
FAST_DIFFUSION = {"train.epochs": 1, "data.batch_size": 128, "model.timesteps": 100}
FAST_REFERENCE_EPOCHS = 2  # the reference classifier of FAST mode trains this long only


# ----------------------------------------------------------------------------- modes
def budget(full: Any, fast: Any) -> Any:
    """`fast` when DLJAX_FAST is set, `full` otherwise (epochs, samples, steps...)."""
    return fast if FAST else full


def mode_name() -> str:
    """The mode this process runs a lesson in, as the lesson prints it."""
    return "mode cepat, DLJAX_FAST=1" if FAST else "mode penuh"


# ----------------------------------------------------------------------------- figures
def show_images(
    images,
    cols: int = 16,
    title: str = "",
    *,
    ax=None,
    row_labels: Iterable[str] | None = None,
    scale: int | None = None,
):
    """Show images (N, H, W[, C]) in [0, 1] as one tiled picture and return its axes.

    Small images are enlarged (`scale`, default: to about 32 pixels a side). Without `ax` a
    new figure is made, at most `PAGE_WIDTH` inches wide. `row_labels` name the grid's rows
    (one label per row, e.g. "angka 3"), written left of the picture.
    """
    images = np.asarray(images, np.float32)
    if images.ndim == 3:
        images = images[..., None]
    n, h, _, c = images.shape
    rows = max(1, -(-n // cols))
    scale = scale or max(1, 32 // h)
    labels = list(row_labels) if row_labels is not None else []
    if ax is None:
        width = min(PAGE_WIDTH, cols * 0.6 + (0.9 if labels else 0.0))
        cell = (width - (0.9 if labels else 0.0)) / cols
        _, ax = plt.subplots(figsize=(width, rows * cell * 1.05 + (0.45 if title else 0.1)))
    canvas = tile_images(images, cols=cols, scale=scale)
    if c == 1:
        ax.imshow(canvas[..., 0], cmap="gray", vmin=0, vmax=255)
    else:
        ax.imshow(canvas)
    if title:
        ax.set_title(title)
    if labels:  # rows as y tick labels: laid out with the figure, never cut off
        centers = [(k * (h + 1) + 1 + h / 2) * scale - 0.5 for k in range(len(labels))]
        ax.set_xticks([])
        ax.set_yticks(centers, labels)
        ax.tick_params(length=0)
        for spine in ax.spines.values():
            spine.set_visible(False)
    else:
        ax.axis("off")
    return ax


# ----------------------------------------------------------------------------- training
_METRICS = {  # record key (without train_/test_) -> (Indonesian label, formatter)
    "loss": ("loss", lambda v: format_float(v, 3)),
    "accuracy": ("akurasi", format_percent),
    "perplexity": ("perplexity", lambda v: format_float(v, 2)),
    "mse": ("MSE", lambda v: format_float(v, 4)),
    "neg_elbo": ("-ELBO", lambda v: format_float(v, 2)),
    "kl": ("KL", lambda v: format_float(v, 2)),
    "d_loss": ("loss D", lambda v: format_float(v, 3)),
    "g_loss": ("loss G", lambda v: format_float(v, 3)),
    "psnr": ("PSNR", lambda v: f"{format_float(v, 1)} dB"),
}
_SPLITS = {"train": "latih", "test": "uji"}
DEFAULT_EPOCH_KEYS = ("train_loss", "test_loss", "test_accuracy", "test_perplexity")


def describe_metric(key: str, value: float) -> str:
    """One record entry as the lessons print it: `test_accuracy` 0.978 -> "akurasi uji 97,8 %"."""
    split, _, metric = key.partition("_")
    if split not in _SPLITS:
        split, metric = "", key
    label, fmt = _METRICS.get(metric, (metric, lambda v: format_float(v, 3)))
    return f"{label}{' ' + _SPLITS[split] if split else ''} {fmt(value)}"


class EpochPrinter(Hook):
    """Prints one line per epoch (see `print_epochs`)."""

    def __init__(self, keys: tuple[str, ...], lines: int | None):
        self.keys, self.lines = keys, lines
        self.total, self.every = 0, 1

    def on_fit_start(self, trainer, start_epoch: int) -> None:
        self.total = trainer.config.train.epochs
        self.every = max(1, self.total // self.lines) if self.lines else 1

    def on_epoch_end(self, trainer, record: dict) -> None:
        epoch = record["epoch"]
        if epoch not in (1, self.total) and epoch % self.every:
            return
        parts = [describe_metric(k, record[k]) for k in self.keys if k in record]
        width = len(str(self.total))
        print(
            f"epoch {epoch:>{width}}/{self.total}: {', '.join(parts)} "
            f"({format_float(record['time_s'], 1)} dtk)"
        )


def print_epochs(*keys: str, lines: int | None = None) -> EpochPrinter:
    """A `Trainer.fit` hook that prints one line per epoch: the record's `keys` (default:
    the losses, test accuracy and perplexity the run has) and the seconds so far, e.g.
    `epoch 3/30: loss latih 0,412, loss uji 0,398, akurasi uji 88,1 % (4,2 dtk)`.

    `lines` prints only about that many lines: the first and last epochs and every
    `epochs // lines`-th. Use it as `trainer.fit([print_epochs()])`.
    """
    return EpochPrinter(tuple(keys) or DEFAULT_EPOCH_KEYS, lines)


def build_trainer(
    model: str,
    overrides: Mapping[str, Any] | None = None,
    *,
    dataset=None,
    preset: str | None = None,
    fast: Mapping[str, Any] | None = None,
) -> Trainer:
    """A `Trainer` for the recipe `model` as the generative lessons build it: preset
    `default` (`tiny` in FAST mode) unless `preset` is given, `train.seed` 0, no quality
    numbers at the end of `fit` (the lesson measures them itself), then `overrides` (dotted
    keys, as `--set`); in FAST mode the `fast` overrides last (default `FAST_OVERRIDES`).
    `dataset` is handed to the `Trainer` (default: loaded from the config)."""
    merged = {"train.seed": 0, "train.quality": False, **(overrides or {})}
    if FAST:
        merged.update(FAST_OVERRIDES if fast is None else fast)
    config = build_config(model, preset or budget("default", "tiny"), dict(merged))
    return Trainer(config, dataset=dataset)


def snapshot_epochs(total: int, count: int = 6) -> list[int]:
    """About `count` epochs from 1 to `total`, evenly spaced (1 and `total` included)."""
    return sorted({1, *np.linspace(1, total, count).round().astype(int).tolist()})


class _Snapshots(Hook):
    def __init__(self, epochs: set[int], n: int, draw: int, seed: int):
        self.epochs, self.n, self.draw, self.seed = epochs, n, draw, seed
        self.samples: dict[int, np.ndarray] = {}

    def on_epoch_end(self, trainer, record: dict) -> None:
        if record["epoch"] in self.epochs:
            self.samples[record["epoch"]] = trainer.sample(self.draw, seed=self.seed)[: self.n]


def train_with_snapshots(
    trainer: Trainer,
    *,
    at: int | Iterable[int] = 6,
    n: int = 16,
    draw: int | None = None,
    seed: int = 123,
    hooks: Iterable = (),
) -> tuple[TrainResult, dict[int, np.ndarray]]:
    """Fit `trainer` and keep `n` samples of the same latents (`seed`) after the epochs `at`
    (a collection of epochs, or a count: `snapshot_epochs(epochs, at)`).

    Each snapshot draws `draw` samples (default `n`) and keeps the first `n`: draw as many as
    the lesson samples later, so that sampling compiles once. Returns the fit's result and
    `{epoch: samples (n, H, W, C)}` in epoch order. `hooks` follow the fit too.
    """
    total = trainer.config.train.epochs
    epochs = set(snapshot_epochs(total, at) if isinstance(at, int) else at)
    keep = _Snapshots(epochs, n, draw or n, seed)
    result = trainer.fit([*hooks, keep])
    return result, dict(sorted(keep.samples.items()))


# ----------------------------------------------------------------------------- quality
@functools.cache
def _reference(dataset: str) -> ReferenceClassifier:
    """The reference classifier of this mode, loaded (or trained) once per process."""
    if not FAST:
        return ReferenceClassifier.load_or_train(dataset, progress=True)
    config = reference_config(dataset)
    train = dataclasses.replace(config.train, epochs=FAST_REFERENCE_EPOCHS)
    config = dataclasses.replace(config, train=train)
    return ReferenceClassifier.load_or_train(dataset, config=config)


def reference_classifier(dataset: str = "digits") -> ReferenceClassifier:
    """The reference classifier of `dataset` (the feature space of FD, precision and recall),
    with its test accuracy printed: in full mode the real one (`reference_config`, trained
    once and cached on disk); in FAST mode the same network trained for
    `FAST_REFERENCE_EPOCHS` epochs only (cached too), whose numbers are rough."""
    ref = _reference(dataset)
    note = (
        f" (mode cepat: dilatih {FAST_REFERENCE_EPOCHS} epoch saja, angka kualitasnya kasar)"
        if FAST
        else ""
    )
    print(f"classifier referensi ({dataset}): akurasi uji {format_percent(ref.accuracy)}{note}")
    return ref


def quality(
    samples, dataset, *, labels=None, name: str | None = None, reference=None, width: int = 24
) -> dict[str, float]:
    """The quality numbers of `samples` (N, H, W, C) in [0, 1] against `dataset`'s test set
    (`dljax.quality.quality_report`: fd, fd_floor, fd_baseline, precision, recall and, with
    the requested `labels`, label_accuracy), on the features of `reference` (default: this
    mode's reference classifier of `dataset.info.name`). With `name`, also prints them on
    one line (`print_quality`)."""
    ref = reference if reference is not None else _reference(dataset.info.name)
    q = quality_report(ref, samples, dataset, labels=None if labels is None else np.asarray(labels))
    if name is not None:
        print_quality(name, q, width=width)
    return q


def print_quality(name: str, q: Mapping[str, float], *, width: int = 24) -> None:
    """One line: `name: FD 12,34 | precision 81,0 % | recall 64,2 % [| akurasi label ...]`
    [| recall per kelas terendah ...] (the lowest recall within one class, when labels were
    given)."""
    text = (
        f"{name:>{width}}: FD {format_float(q['fd'], 2):>6} | precision "
        f"{format_percent(q['precision']):>7} | recall {format_percent(q['recall']):>7}"
    )
    if "label_accuracy" in q:
        text += f" | akurasi label {format_percent(q['label_accuracy'])}"
    if "recall_class_min" in q:
        text += f" | recall per kelas terendah {format_percent(q['recall_class_min'])}"
    print(text)


def quality_summary(q: Mapping[str, float]) -> str:
    """The numbers of one `quality` report as a short text, for `print_key_numbers`:
    `FD 12,35; precision 80,0 %; recall 64,2 %[; akurasi label 91,0 %]` (and the lowest
    per-class recall, when labels were given)."""
    parts = [
        f"FD {format_float(q['fd'], 2)}",
        f"precision {format_percent(q['precision'])}",
        f"recall {format_percent(q['recall'])}",
    ]
    if "label_accuracy" in q:
        parts.append(f"akurasi label {format_percent(q['label_accuracy'])}")
    if "recall_class_min" in q:
        parts.append(f"recall per kelas terendah {format_percent(q['recall_class_min'])}")
    return "; ".join(parts)


def print_fd_scale(q: Mapping[str, float]) -> None:
    """The two FDs that give a score its scale: the floor (train vs test images) and the
    Gaussian baseline (see `quality_report`)."""
    print(
        f"batas bawah FD (data latih terhadap data uji): {format_float(q['fd_floor'], 2)}; "
        f"baseline Gaussian: {format_float(q['fd_baseline'], 2)}"
    )


# ----------------------------------------------------------------------------- summary
def _shown(value: Any) -> str:
    if isinstance(value, str):
        return value
    if isinstance(value, bool | np.bool_):
        return "ya" if value else "tidak"
    if isinstance(value, int | np.integer):
        return format_int(int(value))
    return format_float(float(value), 3)


def print_key_numbers(numbers: Mapping[str, Any]) -> None:
    """The last cell of a lesson: its key numbers, one per line, under a line that names the
    mode that produced them (in full mode: the numbers the site shows). Values are shown as
    given when they are text (format them with `dljax.formatting`); integers and floats are
    formatted here (`85.002`, `0,123`), booleans as ya/tidak."""
    print(f"Angka kunci eksekusi ini ({mode_name()}):")
    if FAST:
        print("  (mode cepat: anggaran kecil, pelatihan singkat; angka versi penuh berbeda)")
    width = max((len(k) for k in numbers), default=0)
    for key, value in numbers.items():
        print(f"  {key:<{width}}  {_shown(value)}")
