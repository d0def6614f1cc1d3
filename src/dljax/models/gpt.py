"""A character-level GPT (decoder-only transformer) with key/value-cache generation.

The GPT ties its output projection to the token embedding (logits = h E^T), uses rotary
(default) or learned position encodings, and generates with a fixed-size key/value cache
(`dljax.models.decoding`): the prompt runs once, then each new token is one step inside
`lax.scan` that attends over the cached keys and values of the last `max_len` tokens.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass

import jax
import jax.numpy as jnp
from flax import nnx

from dljax.config import check_fields
from dljax.errors import DljaxError
from dljax.models import decoding
from dljax.models.attention import INIT, Block, causal_mask, check_heads

POSITIONS = ("rope", "learned")


@dataclass(frozen=True)
class GPTConfig:
    dim: int = 128
    depth: int = 4
    heads: int = 4
    mlp_ratio: int = 4
    dropout: float = 0.1
    positions: str = "rope"  # "rope" (rotary) or "learned" (a table of max_len vectors)
    fused: bool = True  # jax.nn.dot_product_attention; False: the plain einsum version

    def validate(self) -> None:
        check_fields(
            self,
            choices={"positions": POSITIONS},
            at_least={"depth": 1, "mlp_ratio": 1},
            fractions=("dropout",),
        )
        check_heads(self.dim, self.heads, self.positions)


class GPT(nnx.Module):
    """A decoder-only transformer: tokens (B, T) -> next-token logits (B, T, V).

    `max_len` is the longest context: the training window (`data.seq_len`) and the size of
    the key/value cache during generation.
    """

    def __init__(
        self,
        vocab_size: int,
        max_len: int,
        dim: int = 128,
        depth: int = 4,
        heads: int = 4,
        *,
        mlp_ratio: int = 4,
        dropout: float = 0.0,
        positions: str = "rope",
        fused: bool = True,
        rngs: nnx.Rngs,
    ):
        check_heads(dim, heads, positions)
        self.max_len, self.positions = max_len, positions
        self.tok = nnx.Embed(vocab_size, dim, embedding_init=INIT, rngs=rngs)
        self.pos = (
            nnx.Param(INIT(rngs.params(), (max_len, dim))) if positions == "learned" else None
        )
        self.dropout = nnx.Dropout(dropout)
        self.blocks = nnx.List(
            [
                Block(
                    dim,
                    heads,
                    mlp_ratio * dim,
                    dropout=dropout,
                    rope=positions == "rope",
                    fused=fused,
                    depth=depth,
                    rngs=rngs,
                )
                for _ in range(depth)
            ]
        )
        self.ln_f = nnx.LayerNorm(dim, rngs=rngs)

    def _embed(self, tokens, positions):
        x = self.tok(tokens)  # (B, T, D)
        if self.pos is not None:
            x = x + self.pos[...][positions][None]  # (1, T, D)
        return x

    def _check_length(self, t: int) -> None:
        if t > self.max_len:
            raise DljaxError(
                f"Urutan {t} token lebih panjang dari konteks model ({self.max_len} = "
                "data.seq_len saat pelatihan). Potong masukan atau latih dengan seq_len lebih "
                "besar."
            )

    def hidden(self, tokens, *, rngs=None):
        """Final hidden states (B, T, D) and every layer's keys and values."""
        t = tokens.shape[1]
        self._check_length(t)
        positions = jnp.arange(t)
        x = self.dropout(self._embed(tokens, positions), rngs=rngs)
        mask = causal_mask(t)  # (1, 1, T, T)
        cache = []
        for block in self.blocks:
            x, kv = block(x, mask=mask, positions=positions, rngs=rngs)
            cache.append(kv)
        return self.ln_f(x), cache

    def __call__(self, tokens: jax.Array, *, rngs: nnx.Rngs | None = None) -> jax.Array:
        h, _ = self.hidden(tokens, rngs=rngs)
        return self.tok.attend(h)  # (B, T, V): tied to the token embedding

    def attention_maps(self, tokens: jax.Array) -> jax.Array:
        """Causal attention weights of every layer, (L, B, H, T, T), in evaluation mode."""
        t = tokens.shape[1]
        self._check_length(t)
        positions, mask = jnp.arange(t), causal_mask(t)
        x, maps = self._embed(tokens, positions), []
        for block in self.blocks:
            maps.append(block.attn.weights(block.ln1(x), mask=mask, positions=positions))
            x, _ = block(x, mask=mask, positions=positions)
        return jnp.stack(maps)

    # --------------------------------------------------------------- key/value-cache decoding
    def prefill(self, prompt: jax.Array):
        """Run a prompt (B, T <= max_len) once: (cache, logits of the next token (B, V)).

        The cache holds, per layer, keys and values (B, max_len, H, Dh); slots >= T are empty.
        """
        b, t = prompt.shape
        h, kvs = self.hidden(prompt)
        cache = []
        for k, v in kvs:
            pad = ((0, 0), (0, self.max_len - t), (0, 0), (0, 0))
            cache.append((jnp.pad(k, pad), jnp.pad(v, pad)))  # (B, max_len, H, Dh)
        return cache, self.tok.attend(h[:, -1])  # (B, V)

    def step(self, cache, token: jax.Array, pos: jax.Array):
        """One token (B,) at position `pos`: (cache, logits of the next token (B, V))."""
        x = self._embed(token[:, None], jnp.reshape(pos, (1,)))  # (B, 1, D)
        new = []
        for block, layer_cache in zip(self.blocks, cache, strict=True):
            x, layer_cache = block.decode(x, layer_cache, pos)
            new.append(layer_cache)
        return new, self.tok.attend(self.ln_f(x)[:, 0])

    def generate(self, prompt, length: int, key, *, temperature=1.0, top_k: int = 0):
        """(B, length) token ids sampled after `prompt` (B, T) with the key/value cache.

        The prompt (its last `max_len` tokens) runs once; then each new token is one
        decoding step that attends over the cache (`dljax.models.decoding.generate`). Up to
        `max_len` tokens in total the logits equal those of the full forward pass; beyond
        that the cache is a ring buffer of the last `max_len` tokens (sliding-window
        attention, which rotary positions support; learned positions cannot go beyond
        `max_len`).
        """
        prompt = prompt[:, -self.max_len :]  # (B, T)
        t = prompt.shape[1]
        if self.positions == "learned" and t + length - 1 > self.max_len:
            raise DljaxError(
                f"Posisi learned hanya sampai {self.max_len} token, tetapi prompt ({t}) + "
                f"panjang ({length}) melebihinya. Kurangi --length atau latih dengan "
                "--set model.positions=rope."
            )
        return decoding.generate(self, prompt, length, key, temperature=temperature, top_k=top_k)


def generate_by_rerunning(model: GPT, prompt, length: int, key, *, temperature=1.0, top_k=0):
    """The slow reference (nanoGPT's way): re-run the whole (cropped) prefix for every token.

    Same keys as `GPT.generate`. A fixed-size buffer keeps shapes static; each step runs the full
    forward pass over the last `max_len` tokens. Cost O(length * max_len) per layer.
    """
    b, t = prompt.shape
    total = t + length
    buffer = jnp.zeros((b, total), prompt.dtype).at[:, :t].set(prompt)  # (B, T + length)
    w = min(model.max_len, total)

    def body(buffer, inputs):
        step_key, pos = inputs  # pos: where the new token goes
        start = jnp.maximum(pos - w, 0)
        window = jax.lax.dynamic_slice(buffer, (0, start), (b, w))  # (B, w)
        logits = model(window)  # (B, w, V)
        last = jax.lax.dynamic_index_in_dim(logits, pos - start - 1, axis=1, keepdims=False)
        token = decoding.sample_logits(step_key, last, temperature, top_k)  # (B,)
        return jax.lax.dynamic_update_slice(buffer, token[:, None], (0, pos)), token

    positions = t + jnp.arange(length)
    _, tokens = jax.lax.scan(body, buffer, (jax.random.split(key, length), positions))
    return jnp.swapaxes(tokens, 0, 1)


def build_gpt(config: GPTConfig, info, rngs: nnx.Rngs) -> GPT:
    return GPT(info.num_classes, info.input_shape[0], **asdict(config), rngs=rngs)
