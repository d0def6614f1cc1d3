"""A second feature space for sample quality, built independently of the reference classifier.

A score in one feature space can mislead: a classifier that is 99,7 % accurate rewards
samples that are easy to label and forgives samples that all look alike. So the quality
numbers are also computed in a space dljax did not build: the hidden layer of a small
scikit-learn `MLPClassifier` (one ReLU layer, fixed seed) trained on the dataset's training
images at their stored resolution. It is nonlinear (a linear projection such as PCA would
make a moment-matched Gaussian look optimal by construction) and shares no code, weights or
architecture with the reference CNN.

`MLPFeatures.fit(dataset)` trains it in a few seconds; `features(images)` resizes images of
another size to the training size (antialiased, as the reference does) and returns
relu(x W + b) (N, hidden).
"""

from __future__ import annotations

import warnings

import numpy as np

from dljax.data import as_arrays
from dljax.data.transforms import resize_images
from dljax.errors import DljaxError

HIDDEN = 128
SEED = 0


class MLPFeatures:
    """The hidden layer of a scikit-learn MLP classifier trained on a dataset's images."""

    def __init__(self, weights: np.ndarray, bias: np.ndarray, input_shape, accuracy: float):
        self.weights, self.bias = weights, bias  # (P, HIDDEN), (HIDDEN,)
        self.input_shape = tuple(input_shape)  # (H, W, C)
        self.accuracy = accuracy  # on the test split

    @classmethod
    def fit(cls, dataset, *, hidden: int = HIDDEN, seed: int = SEED) -> MLPFeatures:
        from sklearn.exceptions import ConvergenceWarning
        from sklearn.neural_network import MLPClassifier

        train, test = as_arrays(dataset.train), as_arrays(dataset.test)
        x = np.asarray(train["input"], np.float32)
        if x.ndim != 4:
            raise DljaxError(
                f"MLPFeatures butuh gambar (N, tinggi, lebar, kanal), bukan {x.shape}."
            )
        clf = MLPClassifier((hidden,), max_iter=300, random_state=seed, early_stopping=False)
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", ConvergenceWarning)
            clf.fit(x.reshape(len(x), -1), train["label"])
        x_test = np.asarray(test["input"], np.float32)
        accuracy = float(clf.score(x_test.reshape(len(x_test), -1), test["label"]))
        return cls(clf.coefs_[0], clf.intercepts_[0], x.shape[1:], accuracy)

    def features(self, images) -> np.ndarray:
        """Hidden-layer features (N, hidden) of images (N, H, W, C) in [0, 1]."""
        x = np.asarray(images, np.float32)
        h, w, c = self.input_shape
        if x.ndim != 4 or x.shape[3] != c:
            raise DljaxError(f"Gambar berbentuk {x.shape}; butuh (N, tinggi, lebar, {c}).")
        if x.shape[1:3] != (h, w):
            if h != w:
                raise DljaxError(f"MLPFeatures: gambar {h}x{w} tidak persegi.")
            x = resize_images(x, h)
        return np.maximum(x.reshape(len(x), -1) @ self.weights + self.bias, 0.0)
