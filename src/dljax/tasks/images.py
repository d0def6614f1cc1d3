"""What every image generator shares (autoencoders, GANs, diffusion), on images in [0, 1].

`ImageGenerativeTask`: the sample grid written after each epoch (the same latents every
time), the CLI's sample request (`dljax sample --n N [--label K]`) and the request of the
quality numbers computed once after training (`dljax.quality`); `ClassConditional` for the
models that take class labels; `to_signed`/`to_unit` between [0, 1] images and the [-1, 1]
range that tanh generators and diffusion work in.
"""

from __future__ import annotations

import math

import jax
import jax.numpy as jnp
import numpy as np

from dljax.errors import DljaxError
from dljax.formatting import format_float
from dljax.tasks.base import Task

CONDITIONAL_MODELS = "cgan, ddpm_cond"  # named in the messages about --label


def to_signed(x: jax.Array) -> jax.Array:
    """Images in [0, 1] -> [-1, 1]."""
    return 2.0 * x - 1.0


def to_unit(x: jax.Array) -> jax.Array:
    """Images in [-1, 1] -> [0, 1]."""
    return jnp.clip((x + 1.0) / 2.0, 0.0, 1.0)


class ImageGenerativeTask(Task):
    sample_kind = "image"
    quality = True  # generates new images: FD, precision and recall after training

    def check_dataset(self, dataset) -> str | None:
        if dataset.info.kind != "image":
            return f"butuh dataset gambar, bukan {dataset.info.kind!r}"
        return None

    def snapshot_options(self, dataset) -> dict:
        return {"n": 64, "cols": 8, **self.sample_request(dataset, 64, None)}

    def sample_request(self, dataset, n: int, label: int | None) -> dict:
        """Options of `sample` for `dljax sample --n N [--label K]` (and the quality
        samples, `label` None); only conditional models take a label."""
        if label is not None:
            raise DljaxError(
                f"--label hanya untuk model bersyarat ({CONDITIONAL_MODELS}); run ini tidak "
                "bersyarat. Hapus --label, atau latih `dljax train cgan`."
            )
        return {}

    def grid_cols(self, dataset, n: int, label: int | None) -> int:
        """Columns of the grid that shows `n` samples (a square by default)."""
        return max(1, min(n, math.ceil(math.sqrt(n))))

    def headline(self, summary: dict) -> list[str]:
        parts = []
        if "fd" in summary:
            fd, floor, base = (
                format_float(summary[k], 2) for k in ("fd", "fd_floor", "fd_baseline")
            )
            parts.append(f"FD {fd} (batas bawah {floor}, baseline Gaussian {base})")
        if "label_accuracy" in summary:
            parts.append(f"akurasi label {format_float(100 * summary['label_accuracy'], 1)} %")
        return parts


class ClassConditional:
    """Mixin for an image task whose model takes class labels (cgan, ddpm_cond): needs a
    labelled dataset; samples ask for one label or the classes in turn; grids show one
    class per column."""

    def check_dataset(self, dataset) -> str | None:
        if dataset.info.num_classes < 2:
            return "butuh dataset gambar berlabel kelas"
        return super().check_dataset(dataset)

    def sample_request(self, dataset, n: int, label: int | None) -> dict:
        """`label` for every sample, or the classes in turn (column c of a K-column grid
        shows class c)."""
        k = dataset.info.num_classes
        if label is None:
            return {"labels": jnp.asarray(np.arange(n) % k, jnp.int32)}
        if not 0 <= label < k:
            raise DljaxError(f"--label={label} harus dalam 0..{k - 1} (kelas dataset ini).")
        return {"labels": jnp.full((n,), label, jnp.int32)}

    def grid_cols(self, dataset, n: int, label: int | None) -> int:
        return dataset.info.num_classes if label is None else super().grid_cols(dataset, n, label)

    def snapshot_options(self, dataset) -> dict:
        """Eight rows of every class, one class per column."""
        n = 8 * dataset.info.num_classes
        return {"n": n, "cols": dataset.info.num_classes, **self.sample_request(dataset, n, None)}
