"""Class probabilities from a trained classifier: `predict_proba(trainer, images)`.

The weights that evaluate (EMA when kept) run in evaluation mode (no dropout, batch-norm
running statistics) on fixed-size padded batches, so any number of images reuses one
compilation. `top_k` turns the probabilities into ranked (class, probability) pairs.
"""

from __future__ import annotations

from functools import partial

import jax
import numpy as np
from flax import nnx

from dljax.errors import DljaxError
from dljax.train.state import inference_params

PREDICT_BATCH = 64  # images per compiled call (the last batch is padded)


@partial(jax.jit, static_argnums=0)
def _probabilities(graphdef, params, rest, x):
    model = nnx.merge(graphdef, params, rest, copy=True)
    return jax.nn.softmax(model(x), axis=-1)  # (B, K)


def predict_proba(trainer, images, *, batch: int = PREDICT_BATCH) -> np.ndarray:
    """Softmax probabilities float32 (N, K) of `images` (N, *input_shape), preprocessed as
    the run's training data were (images: float32 in [0, 1]), for a classification run."""
    if trainer.task.name != "classification":
        raise DljaxError(
            f"Prediksi kelas butuh run classifier, bukan tugas {trainer.task.name!r} "
            f"(model {trainer.config.model_name!r})."
        )
    x = np.asarray(images, np.float32)
    shape = tuple(trainer.dataset.info.input_shape)
    if x.ndim != len(shape) + 1 or x.shape[1:] != shape:
        raise DljaxError(
            f"Masukan berbentuk {x.shape}; run ini butuh (N, {', '.join(map(str, shape))})."
        )
    n = len(x)
    padded = np.zeros((max(1, -(-n // batch)) * batch, *shape), np.float32)  # (N', *shape)
    padded[:n] = x
    params, rest = inference_params(trainer.state), trainer.state.rest
    graphdef = trainer.fns.eval_graphdef
    outs = [
        _probabilities(graphdef, params, rest, padded[i : i + batch])
        for i in range(0, len(padded), batch)
    ]
    return np.concatenate(jax.device_get(outs), axis=0)[:n].astype(np.float32)  # (N, K)


def top_k(probs: np.ndarray, k: int) -> tuple[np.ndarray, np.ndarray]:
    """The `k` most probable classes of each row of `probs` (N, K), most probable first:
    (indices (N, k) int, probabilities (N, k)); ties keep the lower class index first."""
    k = min(int(k), probs.shape[-1])
    order = np.argsort(-probs, axis=-1, kind="stable")[:, :k]  # (N, k)
    return order, np.take_along_axis(probs, order, axis=-1)
