"""Transformer parts: scaled dot-product attention, rotary positions, multi-head attention
with a key/value-cache decoding step, and the pre-LayerNorm block (used by `gpt` and `vit`).

Layout follows `jax.nn.dot_product_attention`: queries, keys and values are (B, T, H, Dh)
(batch, time, heads, head size), masks are booleans broadcastable to (B, H, Tq, Tk) where
True means "may attend".

    attention(q, k, v) = softmax(q k^T / sqrt(Dh) + mask) v

`attention` writes that formula out with `einsum`; `fused_attention` is the same computation
through `jax.nn.dot_product_attention` (what the models use by default). A block is pre-LN:

    x = x + Dropout(Attention(LayerNorm(x)));  x = x + Dropout(FeedForward(LayerNorm(x)))
"""

from __future__ import annotations

import math

import jax
import jax.numpy as jnp
from flax import nnx

from dljax.errors import DljaxError

INIT = nnx.initializers.normal(0.02)  # GPT-2 / nanoGPT initialization


# ------------------------------------------------------------------------------- attention
def attention_weights(q: jax.Array, k: jax.Array, mask: jax.Array | None = None) -> jax.Array:
    """softmax(q k^T / sqrt(Dh)) with masked entries removed: (B, H, Tq, Tk).

    q (B, Tq, H, Dh), k (B, Tk, H, Dh); mask boolean, broadcastable to (B, H, Tq, Tk).
    """
    scores = jnp.einsum("bqhd,bkhd->bhqk", q, k) * (q.shape[-1] ** -0.5)  # (B, H, Tq, Tk)
    if mask is not None:
        scores = jnp.where(mask, scores, jnp.finfo(scores.dtype).min)
    return jax.nn.softmax(scores, axis=-1)


def attention(q: jax.Array, k: jax.Array, v: jax.Array, mask: jax.Array | None = None):
    """Scaled dot-product attention written plainly: (B, Tq, H, Dh)."""
    weights = attention_weights(q, k, mask)  # (B, H, Tq, Tk)
    return jnp.einsum("bhqk,bkhd->bqhd", weights, v)  # (B, Tq, H, Dh)


def fused_attention(q: jax.Array, k: jax.Array, v: jax.Array, mask: jax.Array | None = None):
    """The same as `attention`, through `jax.nn.dot_product_attention`: (B, Tq, H, Dh)."""
    return jax.nn.dot_product_attention(q, k, v, mask=mask)


def causal_mask(length: int) -> jax.Array:
    """(1, 1, T, T) booleans: position t may attend to positions <= t."""
    return jnp.tril(jnp.ones((length, length), bool))[None, None]


def rotary(x: jax.Array, positions: jax.Array, base: float = 10000.0) -> jax.Array:
    """Rotary position encoding (Su et al. 2021) of x (B, T, H, Dh) at `positions` (T,).

    Pairs (x_i, x_{i + Dh/2}) are rotated by the angle position * base^(-2i/Dh), so that
    q·k depends on the positions only through their difference.
    """
    half = x.shape[-1] // 2
    freqs = base ** (-jnp.arange(half, dtype=jnp.float32) / half)  # (Dh/2,)
    angles = positions.astype(jnp.float32)[:, None] * freqs[None, :]  # (T, Dh/2)
    cos = jnp.cos(angles)[None, :, None, :]  # (1, T, 1, Dh/2)
    sin = jnp.sin(angles)[None, :, None, :]
    x1, x2 = x[..., :half], x[..., half:]
    return jnp.concatenate([x1 * cos - x2 * sin, x1 * sin + x2 * cos], axis=-1)


class MultiHeadAttention(nnx.Module):
    """Multi-head self-attention: x (B, T, D) -> (B, T, D), heads of size D / heads."""

    def __init__(
        self,
        dim: int,
        heads: int,
        *,
        dropout: float = 0.0,
        rope: bool = False,
        fused: bool = True,
        out_scale: float = 1.0,
        rngs: nnx.Rngs,
    ):
        self.heads, self.rope, self.fused = heads, rope, fused
        self.qkv = nnx.Linear(dim, 3 * dim, kernel_init=INIT, rngs=rngs)
        self.out = nnx.Linear(
            dim, dim, kernel_init=nnx.initializers.normal(0.02 * out_scale), rngs=rngs
        )
        self.dropout = nnx.Dropout(dropout)

    def project(self, x: jax.Array, positions: jax.Array | None):
        """Queries, keys and values (B, T, H, Dh) each; rotated when `rope`."""
        b, t, d = x.shape
        q, k, v = jnp.split(self.qkv(x).reshape(b, t, 3 * self.heads, d // self.heads), 3, axis=2)
        if self.rope:
            q, k = rotary(q, positions), rotary(k, positions)
        return q, k, v

    def attend(self, q, k, v, mask):
        return (fused_attention if self.fused else attention)(q, k, v, mask)  # (B, Tq, H, Dh)

    def __call__(self, x, *, mask=None, positions=None, rngs=None):
        """Returns the output (B, T, D) and the keys and values (B, T, H, Dh) for a cache."""
        b, t, d = x.shape
        q, k, v = self.project(x, positions)
        y = self.attend(q, k, v, mask).reshape(b, t, d)  # (B, T, D)
        return self.dropout(self.out(y), rngs=rngs), (k, v)

    def weights(self, x, *, mask=None, positions=None) -> jax.Array:
        """The attention weights (B, H, T, T) of input x (B, T, D)."""
        q, k, _ = self.project(x, positions)
        return attention_weights(q, k, mask)

    def decode(self, x, cache, pos):
        """One new token x (B, 1, D) at absolute position `pos` (scalar int).

        `cache` is (k, v), each (B, W, H, Dh): a ring buffer, slot pos % W holds the token at
        position pos; the new key and value are written there, then the query attends over
        every filled slot (all of them once pos >= W - 1: the last W tokens).
        """
        b, _, d = x.shape
        q, k, v = self.project(x, jnp.reshape(pos, (1,)))  # (B, 1, H, Dh)
        window = cache[0].shape[1]
        slot = pos % window
        ck = jax.lax.dynamic_update_slice(cache[0], k, (0, slot, 0, 0))  # (B, W, H, Dh)
        cv = jax.lax.dynamic_update_slice(cache[1], v, (0, slot, 0, 0))
        mask = (jnp.arange(window) <= pos)[None, None, None, :]  # (1, 1, 1, W)
        y = self.attend(q, ck, cv, mask).reshape(b, 1, d)
        return self.out(y), (ck, cv)


class FeedForward(nnx.Module):
    """Linear -> GELU -> Linear -> Dropout: (B, T, D) -> (B, T, D)."""

    def __init__(self, dim: int, hidden: int, *, dropout=0.0, out_scale=1.0, rngs: nnx.Rngs):
        self.fc = nnx.Linear(dim, hidden, kernel_init=INIT, rngs=rngs)
        self.proj = nnx.Linear(
            hidden, dim, kernel_init=nnx.initializers.normal(0.02 * out_scale), rngs=rngs
        )
        self.dropout = nnx.Dropout(dropout)

    def __call__(self, x, *, rngs=None):
        return self.dropout(self.proj(nnx.gelu(self.fc(x))), rngs=rngs)


class Block(nnx.Module):
    """A pre-LayerNorm transformer block: attention and MLP, each with a residual."""

    def __init__(
        self,
        dim: int,
        heads: int,
        mlp_hidden: int,
        *,
        dropout: float = 0.0,
        rope: bool = False,
        fused: bool = True,
        depth: int = 1,
        rngs: nnx.Rngs,
    ):
        scale = 1 / math.sqrt(2 * depth)  # GPT-2: residual projections scaled by depth
        self.ln1 = nnx.LayerNorm(dim, rngs=rngs)
        self.attn = MultiHeadAttention(
            dim, heads, dropout=dropout, rope=rope, fused=fused, out_scale=scale, rngs=rngs
        )
        self.ln2 = nnx.LayerNorm(dim, rngs=rngs)
        self.mlp = FeedForward(dim, mlp_hidden, dropout=dropout, out_scale=scale, rngs=rngs)

    def __call__(self, x, *, mask=None, positions=None, rngs=None):
        """x (B, T, D) -> (B, T, D), and this block's keys and values."""
        y, kv = self.attn(self.ln1(x), mask=mask, positions=positions, rngs=rngs)
        x = x + y
        return x + self.mlp(self.ln2(x), rngs=rngs), kv

    def decode(self, x, cache, pos):
        y, cache = self.attn.decode(self.ln1(x), cache, pos)
        x = x + y
        return x + self.mlp(self.ln2(x)), cache


def check_heads(dim: int, heads: int, positions: str) -> None:
    if dim < 1 or heads < 1 or dim % heads:
        raise DljaxError(
            f"model.dim={dim} harus habis dibagi model.heads={heads} (mis. dim=128, heads=4)."
        )
    if positions == "rope" and (dim // heads) % 2:
        raise DljaxError(
            f"Posisi rotary butuh ukuran head genap, tetapi dim/heads = {dim // heads}. "
            "Ubah model.dim atau model.heads, atau pakai --set model.positions=learned."
        )
