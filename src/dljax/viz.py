"""Plots: learning curves and image grids. The only module that uses matplotlib."""

from __future__ import annotations

from pathlib import Path

import matplotlib.pyplot as plt
import numpy as np
from matplotlib.figure import Figure

LABELS = {"loss": "loss", "accuracy": "akurasi"}


def plot_learning_curves(history: list[dict], out_dir: Path) -> list[Path]:
    """One PNG per metric (train vs test over epochs); returns the written paths.

    Figures are built without pyplot, so this works headless and never changes a notebook's
    matplotlib backend.
    """
    from matplotlib.ticker import MaxNLocator

    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    epochs = [r["epoch"] for r in history]
    names = sorted({k[len("train_") :] for r in history for k in r if k.startswith("train_")})
    written = []
    for name in names:
        fig = Figure(figsize=(6, 4))
        ax = fig.subplots()
        for split, label in (("train", "latih"), ("test", "uji")):
            key = f"{split}_{name}"
            values = [r.get(key) for r in history]
            if any(v is not None for v in values):
                ys = [np.nan if v is None else v for v in values]
                ax.plot(epochs, ys, marker="o", markersize=3, label=label)
        ax.set_xlabel("epoch")
        ax.xaxis.set_major_locator(MaxNLocator(integer=True))  # epochs are whole numbers
        ax.set_ylabel(LABELS.get(name, name))
        ax.set_title(f"Kurva belajar: {LABELS.get(name, name)}")
        ax.grid(alpha=0.3)
        ax.legend()
        fig.tight_layout()
        path = out_dir / f"{name}.png"
        fig.savefig(path, dpi=100)
        written.append(path)
    return written


def image_grid(images: np.ndarray, titles: list[str] | None = None, cols: int = 8, path=None):
    """Show (N, H, W[, C]) images in a grid; save to `path` when given, else return the figure."""
    n = len(images)
    rows = max(1, -(-n // cols))
    fig, axes = plt.subplots(rows, cols, figsize=(cols * 1.2, rows * 1.4))
    for i, ax in enumerate(np.atleast_1d(axes).ravel()):
        ax.axis("off")
        if i < n:
            img = images[i]
            if img.ndim == 3 and img.shape[-1] == 1:
                img = img[..., 0]
            ax.imshow(img, cmap="gray" if img.ndim == 2 else None)
            if titles:
                ax.set_title(titles[i], fontsize=8)
    fig.tight_layout()
    if path is not None:
        fig.savefig(path, dpi=100)
        plt.close(fig)
        return path
    return fig
