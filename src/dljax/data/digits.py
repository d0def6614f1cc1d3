"""`digits`: the 8x8 handwritten digits bundled with scikit-learn (UCI), embedded and offline.

1,797 grey images of 8x8 pixels (values 0..16, scaled here to [0, 1]) with labels 0..9.
The split is fixed: a stratified 80/20 split with `random_state=0`, giving 1,437 training
and 360 test images with the same class proportions.
"""

from __future__ import annotations

import numpy as np

from dljax.data.base import ArraySource, Dataset, DatasetInfo

NUM_TEST = 360
SPLIT_SEED = 0

INFO = DatasetInfo(
    name="digits",
    description="Angka tulisan tangan 8x8 dari scikit-learn (1.797 gambar)",
    kind="image",
    input_shape=(8, 8, 1),
    num_classes=10,
    class_names=tuple(str(i) for i in range(10)),
)


def load_digits_arrays() -> tuple[np.ndarray, np.ndarray]:
    """All 1,797 images as float32 (N, 8, 8, 1) in [0, 1] and labels as int32 (N,)."""
    from sklearn.datasets import load_digits

    bunch = load_digits()
    images = (bunch.images.astype(np.float32) / 16.0)[..., None]
    labels = bunch.target.astype(np.int32)
    return images, labels


def load(config=None) -> Dataset:
    """The fixed stratified train/test split of `digits`."""
    from sklearn.model_selection import train_test_split

    images, labels = load_digits_arrays()
    idx_train, idx_test = train_test_split(
        np.arange(len(labels)), test_size=NUM_TEST, stratify=labels, random_state=SPLIT_SEED
    )
    return Dataset(
        info=INFO,
        train=ArraySource({"input": images[idx_train], "label": labels[idx_train]}),
        test=ArraySource({"input": images[idx_test], "label": labels[idx_test]}),
    )
