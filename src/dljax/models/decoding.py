"""Autoregressive decoding, one loop for every language model (the LSTM and the GPT).

A model that decodes implements two methods:

- `prefill(prompt (B, T)) -> (state, logits (B, V))`: run the prompt once; `state` is what
  carries the past forward (an LSTM's cells, a GPT's key/value cache);
- `step(state, token (B,), pos) -> (state, logits (B, V))`: one new token at position `pos`.

`generate` then samples each new token from the previous logits inside one `lax.scan`, with
its own key from `jax.random.split`: the cost is linear in the number of new tokens, never a
re-run of the whole prefix per token.
"""

from __future__ import annotations

import jax
import jax.numpy as jnp


def sample_logits(key: jax.Array, logits: jax.Array, temperature, top_k: int) -> jax.Array:
    """Draw token ids (B,) from logits (B, V); temperature 0 is greedy (argmax)."""
    if top_k > 0:
        kth = jnp.sort(logits, axis=-1)[:, -top_k][:, None]  # (B, 1)
        logits = jnp.where(logits < kth, -jnp.inf, logits)
    # `temperature` may be traced (one compilation for every temperature): both are cheap
    greedy = jnp.argmax(logits, axis=-1)
    sampled = jax.random.categorical(key, logits / jnp.maximum(temperature, 1e-6), axis=-1)
    return jnp.where(temperature <= 0, greedy, sampled)


def generate(
    model, prompt: jax.Array, length: int, key: jax.Array, *, temperature=1.0, top_k: int = 0
) -> jax.Array:
    """`length` token ids (B, length) sampled after `prompt` (B, T) by `model`'s
    `prefill`/`step`. Jit with `length` and `top_k` static; `temperature` may be traced."""
    state, logits = model.prefill(prompt)

    def body(carry, inputs):
        state, logits = carry
        step_key, pos = inputs
        token = sample_logits(step_key, logits, temperature, top_k)  # (B,)
        state, logits = model.step(state, token, pos)
        return (state, logits), token

    positions = prompt.shape[1] + jnp.arange(length)  # the position of each sampled token
    _, tokens = jax.lax.scan(body, (state, logits), (jax.random.split(key, length), positions))
    return jnp.swapaxes(tokens, 0, 1)  # (B, length)
