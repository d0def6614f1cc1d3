"""Text generation from a trained character-level language model.

The prompt runs through the network once; each new character is one recurrent step that
carries the state forward inside `lax.scan` (linear in the length), compiled once per
(prompt length, length, top-k); any temperature reuses it.
"""

from __future__ import annotations

from functools import partial

import jax
import numpy as np
from flax import nnx

from dljax.errors import DljaxError
from dljax.models.recurrent import generate


@partial(jax.jit, static_argnums=(0, 4, 7))
def _generate(graphdef, params, rest, prompt, length, key, temperature, top_k):
    model = nnx.merge(graphdef, params, rest, copy=True)
    return generate(model, prompt, length, key, temperature=temperature, top_k=top_k)


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
    if length < 1:
        raise DljaxError(f"--length={length} harus >= 1.")
    if temperature < 0:
        raise DljaxError(f"--temperature={temperature} harus >= 0 (0 = selalu paling mungkin).")
    if top_k < 0:
        raise DljaxError(f"--top-k={top_k} harus >= 0 (0 = semua karakter).")
    if len(prompt_ids) == 0:
        raise DljaxError('--prompt tidak boleh kosong, mis. --prompt "Aku".')
    state = trainer.state
    out = _generate(
        trainer.fns.eval_graphdef,
        state.params,
        state.rest,
        np.asarray(prompt_ids, np.int32)[None],
        length,
        jax.random.key(seed),
        float(temperature),
        int(top_k),
    )
    return np.asarray(out[0])


def sample_text(trainer, prompt: str, length: int, **kwargs) -> str:
    """Generated text (without the prompt) from a run whose dataset has a `vocab`."""
    vocab = getattr(trainer.dataset, "vocab", None)
    if vocab is None:
        raise DljaxError(
            f"Run ini melatih {trainer.config.model_name!r} pada {trainer.config.data.name!r}, "
            "bukan model bahasa; `dljax sample` butuh run char_lstm."
        )
    ids = sample_tokens(trainer, vocab.encode(prompt), length, **kwargs)
    return vocab.decode(ids)
