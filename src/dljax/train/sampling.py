"""Sampling from a trained run through its task's `sample` protocol, in one compiled call.

`sample(trainer, n, seed, **options)` merges the weights that sample (EMA when kept) into the
evaluation-mode model and calls `task.sample(model, key, n, **options)` under `jax.jit`:
integer, string and boolean options (lengths, top-k) are static, floats and arrays
(temperature, prompt, labels) are traced, so e.g. every temperature reuses one compilation.
"""

from __future__ import annotations

import math
from functools import partial

import jax
import numpy as np
from flax import nnx

from dljax.config import MAX_SEED
from dljax.errors import DljaxError
from dljax.train.state import inference_params

_STATIC = (int, bool, str, type(None))
MAX_SAMPLE_LENGTH = 100_000  # characters per `dljax sample` call
MAX_SAMPLE_N = 4096  # images per `dljax sample` call


def check_sample_args(*, n=None, length=None, temperature=None, top_k=None, seed=None) -> None:
    """Refuse, in Indonesian (naming the `dljax sample` flag), a sampling argument out of
    range; arguments left None are not checked."""
    checks = [
        (
            n,
            lambda v: 1 <= v <= MAX_SAMPLE_N,
            f"--n={n} harus dalam 1..{MAX_SAMPLE_N} (mis. --n 64).",
        ),
        (
            length,
            lambda v: 1 <= v <= MAX_SAMPLE_LENGTH,
            f"--length={length} harus dalam 1..{MAX_SAMPLE_LENGTH} (mis. --length 500).",
        ),
        (
            temperature,
            lambda v: math.isfinite(v) and 0 <= v <= 100,
            f"--temperature={temperature} harus bilangan berhingga dalam 0..100 "
            "(0 = selalu karakter paling mungkin, mis. --temperature 0.8).",
        ),
        (top_k, lambda v: v >= 0, f"--top-k={top_k} harus >= 0 (0 = semua karakter)."),
        (
            seed,
            lambda v: 0 <= v <= MAX_SEED,
            f"--seed={seed} harus dalam 0..{MAX_SEED} (mis. --seed 0).",
        ),
    ]
    for value, ok, message in checks:
        if value is not None and not ok(value):
            raise DljaxError(message)


@partial(jax.jit, static_argnums=(0, 1, 5, 6))
def _sample(task, graphdef, params, rest, key, n, static, dynamic):
    model = nnx.merge(graphdef, params, rest, copy=True)
    return task.sample(model, key, n, **dict(static), **dynamic)


def sample(trainer, n: int, *, seed: int = 0, key=None, **options) -> np.ndarray:
    """`n` samples of the trainer's task as numpy (images (n, H, W, C) in [0, 1], or token
    ids (n, length)); `key` overrides the key drawn from `seed`."""
    static = tuple(sorted((k, v) for k, v in options.items() if isinstance(v, _STATIC)))
    dynamic = {k: v for k, v in options.items() if not isinstance(v, _STATIC)}
    state = trainer.state
    out = _sample(
        trainer.task,
        trainer.fns.eval_graphdef,
        inference_params(state),
        state.rest,
        jax.random.key(seed) if key is None else key,
        int(n),
        static,
        dynamic,
    )
    return np.asarray(jax.device_get(out))


def sample_tokens(
    trainer,
    prompt_ids: np.ndarray,
    length: int,
    *,
    temperature: float = 1.0,
    top_k: int = 0,
    seed: int = 0,
) -> np.ndarray:
    """`length` token ids (np.int32) sampled after `prompt_ids` (T,) with the trainer's state."""
    check_sample_args(length=length, temperature=temperature, top_k=top_k, seed=seed)
    if len(prompt_ids) == 0:
        raise DljaxError('--prompt tidak boleh kosong, mis. --prompt "Aku".')
    out = sample(
        trainer,
        1,
        seed=seed,
        prompt=np.asarray(prompt_ids, np.int32),
        length=int(length),
        temperature=np.float32(temperature),
        top_k=int(top_k),
    )
    return out[0]


def sample_text(trainer, prompt: str, length: int, **kwargs) -> str:
    """Generated text (without the prompt) from a run whose dataset has a `vocab`."""
    vocab = getattr(trainer.dataset, "vocab", None)
    if vocab is None or trainer.task.sample_kind != "tokens":
        raise DljaxError(
            f"Run ini melatih {trainer.config.model_name!r} pada {trainer.config.data.name!r}, "
            "bukan model bahasa; `dljax sample --prompt` butuh run model bahasa (char_lstm, gpt)."
        )
    ids = sample_tokens(trainer, vocab.encode(prompt), length, **kwargs)
    return vocab.decode(ids)
