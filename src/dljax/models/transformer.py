"""Transformers: scaled dot-product attention, pre-LayerNorm blocks, a character GPT with
key/value-cache generation, and a Vision Transformer.

Layout follows `jax.nn.dot_product_attention`: queries, keys and values are (B, T, H, Dh)
(batch, time, heads, head size), masks are booleans broadcastable to (B, H, Tq, Tk) where
True means "may attend".

    attention(q, k, v) = softmax(q k^T / sqrt(Dh) + mask) v

`attention` writes that formula out with `einsum`; `fused_attention` is the same computation
through `jax.nn.dot_product_attention` (what the models use by default). A block is pre-LN:

    x = x + Dropout(Attention(LayerNorm(x)));  x = x + Dropout(MLP(LayerNorm(x)))

The GPT ties its output projection to the token embedding (logits = h E^T), uses rotary
(default) or learned position encodings, and generates with a fixed-size key/value cache:
the prompt runs once, then each new token is one step inside `lax.scan` that attends over
the cached keys and values of the last `max_len` tokens.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import jax
import jax.numpy as jnp
import numpy as np
from flax import nnx

from dljax.errors import DljaxError
from dljax.models.recurrent import sample_logits

POSITIONS = ("rope", "learned")
POOLS = ("cls", "mean")
_init = nnx.initializers.normal(0.02)  # GPT-2 / nanoGPT initialization


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


class SelfAttention(nnx.Module):
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
        self.qkv = nnx.Linear(dim, 3 * dim, kernel_init=_init, rngs=rngs)
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


class MLP(nnx.Module):
    """Linear -> GELU -> Linear -> Dropout: (B, T, D) -> (B, T, D)."""

    def __init__(self, dim: int, hidden: int, *, dropout=0.0, out_scale=1.0, rngs: nnx.Rngs):
        self.fc = nnx.Linear(dim, hidden, kernel_init=_init, rngs=rngs)
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
        self.attn = SelfAttention(
            dim, heads, dropout=dropout, rope=rope, fused=fused, out_scale=scale, rngs=rngs
        )
        self.ln2 = nnx.LayerNorm(dim, rngs=rngs)
        self.mlp = MLP(dim, mlp_hidden, dropout=dropout, out_scale=scale, rngs=rngs)

    def __call__(self, x, *, mask=None, positions=None, rngs=None):
        """x (B, T, D) -> (B, T, D), and this block's keys and values."""
        y, kv = self.attn(self.ln1(x), mask=mask, positions=positions, rngs=rngs)
        x = x + y
        return x + self.mlp(self.ln2(x), rngs=rngs), kv

    def decode(self, x, cache, pos):
        y, cache = self.attn.decode(self.ln1(x), cache, pos)
        x = x + y
        return x + self.mlp(self.ln2(x)), cache


def _check_heads(dim: int, heads: int, positions: str) -> None:
    if dim < 1 or heads < 1 or dim % heads:
        raise DljaxError(
            f"model.dim={dim} harus habis dibagi model.heads={heads} (mis. dim=128, heads=4)."
        )
    if positions == "rope" and (dim // heads) % 2:
        raise DljaxError(
            f"Posisi rotary butuh ukuran head genap, tetapi dim/heads = {dim // heads}. "
            "Ubah model.dim atau model.heads, atau pakai --set model.positions=learned."
        )


# ---------------------------------------------------------------------------------------- GPT
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
        if self.positions not in POSITIONS:
            raise DljaxError(
                f"model.positions={self.positions!r} tidak dikenal; pilih: {', '.join(POSITIONS)}."
            )
        if self.depth < 1 or self.mlp_ratio < 1:
            raise DljaxError(
                f"model.depth={self.depth} dan model.mlp_ratio={self.mlp_ratio} harus >= 1."
            )
        if not 0.0 <= self.dropout < 1.0:
            raise DljaxError(f"model.dropout={self.dropout} harus di rentang [0, 1).")
        _check_heads(self.dim, self.heads, self.positions)


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
        _check_heads(dim, heads, positions)
        self.max_len, self.positions = max_len, positions
        self.tok = nnx.Embed(vocab_size, dim, embedding_init=_init, rngs=rngs)
        self.pos = (
            nnx.Param(_init(rngs.params(), (max_len, dim))) if positions == "learned" else None
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
        """(B, length) token ids sampled after `prompt` (B, T); see `generate`."""
        return generate(self, prompt, length, key, temperature=temperature, top_k=top_k)


def generate(
    model: GPT,
    prompt: jax.Array,
    length: int,
    key: jax.Array,
    *,
    temperature: float = 1.0,
    top_k: int = 0,
) -> jax.Array:
    """Sample `length` tokens after `prompt` (B, T) with a fixed-size key/value cache.

    The prompt (its last `max_len` tokens) runs once; then each new token is one decoding
    step inside `lax.scan` that attends over the cache, with its own key from
    `jax.random.split`. Up to `max_len` tokens in total, the logits equal those of the full
    forward pass; beyond that the cache is a ring buffer of the last `max_len` tokens
    (sliding-window attention, which rotary positions support; learned positions cannot go
    beyond `max_len`). Jit with `length` and `top_k` static; `temperature` may be traced.
    """
    prompt = prompt[:, -model.max_len :]  # (B, T)
    t = prompt.shape[1]
    if model.positions == "learned" and t + length - 1 > model.max_len:
        raise DljaxError(
            f"Posisi learned hanya sampai {model.max_len} token, tetapi prompt ({t}) + "
            f"panjang ({length}) melebihinya. Kurangi --length atau latih dengan "
            "--set model.positions=rope."
        )
    cache, logits = model.prefill(prompt)

    def body(carry, inputs):
        cache, logits = carry
        step_key, pos = inputs
        token = sample_logits(step_key, logits, temperature, top_k)  # (B,)
        cache, logits = model.step(cache, token, pos)
        return (cache, logits), token

    positions = t + jnp.arange(length)  # the position of each sampled token
    _, tokens = jax.lax.scan(body, (cache, logits), (jax.random.split(key, length), positions))
    return jnp.swapaxes(tokens, 0, 1)  # (B, length)


def generate_by_rerunning(model: GPT, prompt, length: int, key, *, temperature=1.0, top_k=0):
    """The slow reference (nanoGPT's way): re-run the whole (cropped) prefix for every token.

    Same keys as `generate`. A fixed-size buffer keeps shapes static; each step runs the full
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
        token = sample_logits(step_key, last, temperature, top_k)  # (B,)
        return jax.lax.dynamic_update_slice(buffer, token[:, None], (0, pos)), token

    positions = t + jnp.arange(length)
    _, tokens = jax.lax.scan(body, buffer, (jax.random.split(key, length), positions))
    return jnp.swapaxes(tokens, 0, 1)


def build_gpt(config: GPTConfig, info, rngs: nnx.Rngs) -> GPT:
    if info.kind != "text":
        raise DljaxError(
            f"Model gpt butuh dataset teks, bukan {info.name!r}. Pakai --dataset text "
            "(korpus bawaan) atau --text BERKAS."
        )
    return GPT(
        info.num_classes,
        info.input_shape[0],
        config.dim,
        config.depth,
        config.heads,
        mlp_ratio=config.mlp_ratio,
        dropout=config.dropout,
        positions=config.positions,
        fused=config.fused,
        rngs=rngs,
    )


# ---------------------------------------------------------------------------------------- ViT
def patchify(images: jax.Array, patch: int) -> jax.Array:
    """Images (B, H, W, C) -> patches (B, N, P*P*C), N = (H/P)(W/P), row by row."""
    b, h, w, c = images.shape
    x = images.reshape(b, h // patch, patch, w // patch, patch, c)
    x = x.transpose(0, 1, 3, 2, 4, 5)  # (B, H/P, W/P, P, P, C)
    return x.reshape(b, (h // patch) * (w // patch), patch * patch * c)


def unpatchify(patches: jax.Array, patch: int, height: int, width: int) -> jax.Array:
    """The inverse of `patchify`: (B, N, P*P*C) -> (B, H, W, C)."""
    b, _, f = patches.shape
    c = f // (patch * patch)
    x = patches.reshape(b, height // patch, width // patch, patch, patch, c)
    return x.transpose(0, 1, 3, 2, 4, 5).reshape(b, height, width, c)


@dataclass(frozen=True)
class ViTConfig:
    patch: int = 0  # patch side in pixels; 0 = 2 for images up to 16 pixels, else 4
    dim: int = 64
    depth: int = 4
    heads: int = 4
    mlp_ratio: int = 2
    dropout: float = 0.1
    pool: str = "cls"  # "cls" (a learned class token) or "mean" (average of the patches)

    def validate(self) -> None:
        if self.pool not in POOLS:
            raise DljaxError(f"model.pool={self.pool!r} tidak dikenal; pilih: {', '.join(POOLS)}.")
        if self.patch < 0 or self.depth < 1 or self.mlp_ratio < 1:
            raise DljaxError(
                f"model.patch={self.patch} harus >= 0 (0 = otomatis), model.depth={self.depth} "
                f"dan model.mlp_ratio={self.mlp_ratio} harus >= 1."
            )
        if not 0.0 <= self.dropout < 1.0:
            raise DljaxError(f"model.dropout={self.dropout} harus di rentang [0, 1).")
        _check_heads(self.dim, self.heads, "learned")


class ViT(nnx.Module):
    """Vision Transformer (Dosovitskiy et al. 2021): images (B, H, W, C) -> logits (B, K).

    Patches of P x P pixels are flattened and projected to D (the same as a P x P convolution
    with stride P), a class token is prepended (`pool="cls"`), learned position vectors are
    added, then `depth` blocks without a mask; the class token (or the mean of the patch
    tokens) is classified.
    """

    def __init__(
        self,
        image_shape,
        num_classes: int,
        patch: int,
        dim: int = 64,
        depth: int = 4,
        heads: int = 4,
        *,
        mlp_ratio: int = 2,
        dropout: float = 0.0,
        pool: str = "cls",
        rngs: nnx.Rngs,
    ):
        h, w, c = image_shape
        for side, name in ((h, "tinggi"), (w, "lebar")):
            if patch < 1 or side % patch:
                raise DljaxError(
                    f"{name.capitalize()} gambar {side} harus habis dibagi model.patch={patch} "
                    f"(sisa {side % patch if patch >= 1 else '-'}). Pilih patch yang membagi "
                    f"{side}, mis. 2 atau 4."
                )
        _check_heads(dim, heads, "learned")
        self.patch, self.pool, self.image_shape = patch, pool, tuple(image_shape)
        self.num_patches = (h // patch) * (w // patch)
        self.embed = nnx.Linear(patch * patch * c, dim, kernel_init=_init, rngs=rngs)
        self.cls = nnx.Param(jnp.zeros((1, 1, dim))) if pool == "cls" else None
        tokens = self.num_patches + (pool == "cls")
        self.pos = nnx.Param(_init(rngs.params(), (1, tokens, dim)))
        self.dropout = nnx.Dropout(dropout)
        self.blocks = nnx.List(
            [
                Block(dim, heads, mlp_ratio * dim, dropout=dropout, depth=depth, rngs=rngs)
                for _ in range(depth)
            ]
        )
        self.ln = nnx.LayerNorm(dim, rngs=rngs)
        self.head = nnx.Linear(dim, num_classes, rngs=rngs)

    def tokens(self, images: jax.Array) -> jax.Array:
        """Patch tokens with position vectors (and the class token first): (B, S, D)."""
        x = self.embed(patchify(images, self.patch))  # (B, N, D)
        if self.cls is not None:
            cls = jnp.broadcast_to(self.cls[...], (x.shape[0], 1, x.shape[2]))  # (B, 1, D)
            x = jnp.concatenate([cls, x], axis=1)  # (B, N + 1, D)
        return x + self.pos[...]

    def __call__(self, images: jax.Array, *, rngs: nnx.Rngs | None = None) -> jax.Array:
        x = self.dropout(self.tokens(images), rngs=rngs)  # (B, S, D)
        for block in self.blocks:
            x, _ = block(x, rngs=rngs)
        x = self.ln(x)
        pooled = x[:, 0] if self.cls is not None else x.mean(axis=1)  # (B, D)
        return self.head(pooled)  # (B, K)

    def attention_maps(self, images: jax.Array) -> jax.Array:
        """Attention weights of every layer, (L, B, H, S, S), in evaluation mode.

        S = number of patches (+ 1 with the class token, which comes first): row 0 of a map
        is where the class token looks.
        """
        x, maps = self.tokens(images), []
        for block in self.blocks:
            maps.append(block.attn.weights(block.ln1(x)))
            x, _ = block(x)
        return jnp.stack(maps)


def default_patch(image_shape) -> int:
    """2 for images up to 16 pixels on a side (digits: 16 patches), else 4."""
    return 2 if max(image_shape[:2]) <= 16 else 4


def build_vit(config: ViTConfig, info, rngs: nnx.Rngs) -> ViT:
    if len(info.input_shape) != 3:
        raise DljaxError(
            f"Model vit butuh gambar (tinggi, lebar, kanal), tetapi dataset {info.name!r} "
            f"berbentuk {info.input_shape}. Pilih dataset gambar, mis. --dataset digits."
        )
    return ViT(
        info.input_shape,
        info.num_classes,
        config.patch or default_patch(info.input_shape),
        config.dim,
        config.depth,
        config.heads,
        mlp_ratio=config.mlp_ratio,
        dropout=config.dropout,
        pool=config.pool,
        rngs=rngs,
    )


def count_params(model: nnx.Module) -> int:
    """Number of trainable parameters."""
    return int(sum(np.prod(x.shape) for x in jax.tree.leaves(nnx.state(model, nnx.Param))))
