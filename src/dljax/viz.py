"""Plots: learning curves and image grids. The only module that uses matplotlib."""

from __future__ import annotations

import tempfile
from pathlib import Path

import matplotlib.pyplot as plt
import numpy as np
from matplotlib.figure import Figure

LABELS = {
    "loss": "loss",
    "accuracy": "akurasi",
    "mse": "MSE",
    "psnr": "PSNR (dB)",
    "psnr_noisy": "PSNR masukan berderau (dB)",
}
SPLITS = ("train_", "test_")


def plot_learning_curves(history: list[dict], out_dir: Path) -> list[Path]:
    """One PNG per metric (train vs test over epochs; a metric only evaluated, such as an
    autoencoder's MSE and PSNR, gets its test curve alone); returns the written paths.

    Figures are built without pyplot, so this works headless and never changes a notebook's
    matplotlib backend.
    """
    from matplotlib.ticker import MaxNLocator

    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    epochs = [r["epoch"] for r in history]
    names = sorted({k.split("_", 1)[1] for r in history for k in r if k.startswith(SPLITS)})
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


def tile_images(images: np.ndarray, cols: int = 8, pad: int = 1, scale: int = 1) -> np.ndarray:
    """(N, H, W[, C]) images in [0, 1] -> one uint8 (rows*(H+pad)+pad, ..., C) canvas.

    Vectorized (no loop over images); `scale` enlarges each pixel (nearest neighbour) so that
    8x8 digits stay readable.
    """
    images = np.asarray(images, np.float32)
    if images.ndim == 3:
        images = images[..., None]
    n, h, w, c = images.shape
    rows = max(1, -(-n // cols))
    full = np.ones((rows * cols, h, w, c), np.float32)  # white cells after the last image
    full[:n] = np.clip(images, 0.0, 1.0)
    full = np.pad(full, ((0, 0), (pad, 0), (pad, 0), (0, 0)), constant_values=1.0)
    grid = full.reshape(rows, cols, h + pad, w + pad, c).transpose(0, 2, 1, 3, 4)
    grid = grid.reshape(rows * (h + pad), cols * (w + pad), c)
    grid = np.pad(grid, ((0, pad), (0, pad), (0, 0)), constant_values=1.0)
    if scale > 1:
        grid = grid.repeat(scale, axis=0).repeat(scale, axis=1)
    return (grid * 255 + 0.5).astype(np.uint8)


def _pil(canvas: np.ndarray):
    from PIL import Image

    return Image.fromarray(canvas[..., 0] if canvas.shape[-1] == 1 else canvas)


def save_grid(images: np.ndarray, path, cols: int = 8, scale: int | None = None) -> Path:
    """Write (N, H, W, C) images in [0, 1] as one PNG grid; small images are enlarged."""
    scale = scale or max(1, 64 // max(images.shape[1], 1))
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    _pil(tile_images(images, cols=cols, scale=scale)).save(path)
    return path


def save_gif(frames: list, path, duration_ms: int = 120, max_frames: int = 100) -> Path | None:
    """An animated GIF from PNG paths (e.g. the per-epoch sample grids), at most
    `max_frames` of them evenly spaced (the last frame always included)."""
    from PIL import Image

    if not frames:
        return None
    keep = np.unique(np.linspace(0, len(frames) - 1, min(len(frames), max_frames)).astype(int))
    opened = [Image.open(frames[i]) for i in keep]
    grey = all(img.mode in ("1", "L", "LA") for img in opened)  # colour grids stay colour
    images = [img.convert("L" if grey else "RGB") for img in opened]
    path = Path(path)
    images[0].save(path, save_all=True, append_images=images[1:], duration=duration_ms, loop=0)
    return path


def save_trajectory_gif(frames, path, cols: int = 8) -> Path:
    """A GIF of sample grids over a sampling process, frames (S + 1, n, H, W, C)."""
    with tempfile.TemporaryDirectory() as tmp:
        pngs = [save_grid(f, Path(tmp) / f"{i:04d}.png", cols=cols) for i, f in enumerate(frames)]
        save_gif(pngs, path, duration_ms=80)
    return Path(path)
