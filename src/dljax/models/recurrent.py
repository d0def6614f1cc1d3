"""Recurrent layers: RNN, LSTM and GRU cells, multi-layer networks over time with `lax.scan`,
a sequence classifier and a character-level language model with linear-time sampling.

The cells follow the equations that PyTorch documents for `nn.RNN`, `nn.LSTM` and `nn.GRU`,
with the same gate order, so weights map one to one: our `ih.kernel` (D, G*H) is PyTorch's
`weight_ih_l0` (G*H, D) transposed, `ih.bias` is `bias_ih_l0`, likewise `hh` for `*_hh_l0`.

    RNN:  h' = tanh(x W_ih + b_ih + h W_hh + b_hh)
    LSTM: i, f, g, o = split(x W_ih + b_ih + h W_hh + b_hh)     (gate order i, f, g, o)
          c' = sigmoid(f) * c + sigmoid(i) * tanh(g);  h' = sigmoid(o) * tanh(c')
    GRU:  r, z, n: r = sigmoid(x W_ir + b_ir + h W_hr + b_hr), z likewise,
          n = tanh(x W_in + b_in + r * (h W_hn + b_hn));  h' = (1 - z) * n + z * h

The input projection `x W_ih + b_ih` of all time steps is one matmul before the scan; only
the recurrent part runs step by step.
"""

from __future__ import annotations

from dataclasses import dataclass

import jax
import jax.numpy as jnp
from flax import nnx

from dljax.config import check_fields
from dljax.errors import DljaxError
from dljax.models import decoding

CELLS = ("rnn", "lstm", "gru")
GATES = {"rnn": 1, "lstm": 4, "gru": 3}


class Cell(nnx.Module):
    """One recurrent cell; `kind` is "rnn", "lstm" or "gru".

    The carry is `h` (B, H) for RNN and GRU and `(h, c)` for LSTM.
    """

    def __init__(self, kind: str, in_features: int, hidden: int, *, rngs: nnx.Rngs):
        if kind not in CELLS:
            raise DljaxError(f"model.cell={kind!r} tidak dikenal; pilih: {', '.join(CELLS)}.")
        self.kind, self.hidden = kind, hidden
        gates = GATES[kind] * hidden
        # PyTorch's default init: U(-1/sqrt(H), 1/sqrt(H)) for every weight and bias.
        init = nnx.initializers.uniform(2 / hidden**0.5)

        def shifted(key, shape, dtype=jnp.float32):
            return init(key, shape, dtype) - 1 / hidden**0.5

        self.ih = nnx.Linear(in_features, gates, kernel_init=shifted, bias_init=shifted, rngs=rngs)
        self.hh = nnx.Linear(hidden, gates, kernel_init=shifted, bias_init=shifted, rngs=rngs)

    def initial_carry(self, batch: int):
        h = jnp.zeros((batch, self.hidden), jnp.float32)
        return (h, h) if self.kind == "lstm" else h

    def project_inputs(self, x: jax.Array) -> jax.Array:
        """x W_ih + b_ih for every step at once: (..., D) -> (..., G*H)."""
        return self.ih(x)

    def step(self, carry, xw: jax.Array):
        """One time step from the projected input xw (B, G*H); returns (carry, h)."""
        h = carry[0] if self.kind == "lstm" else carry
        hw = self.hh(h)  # (B, G*H)
        if self.kind == "rnn":
            h = jnp.tanh(xw + hw)
            return h, h
        if self.kind == "lstm":
            i, f, g, o = jnp.split(xw + hw, 4, axis=-1)
            c = jax.nn.sigmoid(f) * carry[1] + jax.nn.sigmoid(i) * jnp.tanh(g)
            h = jax.nn.sigmoid(o) * jnp.tanh(c)
            return (h, c), h
        xr, xz, xn = jnp.split(xw, 3, axis=-1)
        hr, hz, hn = jnp.split(hw, 3, axis=-1)
        r = jax.nn.sigmoid(xr + hr)
        z = jax.nn.sigmoid(xz + hz)
        n = jnp.tanh(xn + r * hn)
        h = (1 - z) * n + z * h
        return h, h

    def __call__(self, carry, x: jax.Array):
        """One step from a raw input x (B, D); returns (carry, h)."""
        return self.step(carry, self.project_inputs(x))


class Recurrent(nnx.Module):
    """`num_layers` stacked cells run over time with `lax.scan`.

    Input (B, T, D); returns all hidden states of the last layer (B, T, H) and the final
    carry of every layer (a list). `initial_carry` (a list, one per layer) is optional.
    """

    def __init__(
        self, kind: str, in_features: int, hidden: int, num_layers: int = 1, *, rngs: nnx.Rngs
    ):
        sizes = [in_features] + [hidden] * num_layers
        self.cells = nnx.List([Cell(kind, a, hidden, rngs=rngs) for a in sizes[:-1]])

    def initial_carry(self, batch: int) -> list:
        return [cell.initial_carry(batch) for cell in self.cells]

    def __call__(self, x: jax.Array, initial_carry: list | None = None):
        carries = initial_carry or self.initial_carry(x.shape[0])
        finals = []
        for cell, carry in zip(self.cells, carries, strict=True):
            xw = jnp.swapaxes(cell.project_inputs(x), 0, 1)  # (T, B, G*H)
            carry, hs = jax.lax.scan(cell.step, carry, xw)  # hs: (T, B, H)
            x = jnp.swapaxes(hs, 0, 1)  # (B, T, H)
            finals.append(carry)
        return x, finals

    def step(self, carries: list, x: jax.Array):
        """One time step through all layers: x (B, D) -> (carries, h (B, H))."""
        new = []
        for cell, carry in zip(self.cells, carries, strict=True):
            carry, x = cell(carry, x)
            new.append(carry)
        return new, x


# ------------------------------------------------------------------------ sequence classifier
@dataclass(frozen=True)
class SequenceConfig:
    hidden: int = 64
    num_layers: int = 1

    def validate(self) -> None:
        check_fields(self, at_least={"hidden": 1, "num_layers": 1})


class SequenceClassifier(nnx.Module):
    """A recurrent network whose last hidden state is classified: (B, T, D) -> (B, K);
    with `per_step`, every hidden state is: (B, T, D) -> (B, T, K) (e.g. `echo`)."""

    def __init__(
        self,
        kind: str,
        in_features: int,
        hidden: int,
        num_classes: int,
        num_layers: int = 1,
        *,
        per_step: bool = False,
        rngs: nnx.Rngs,
    ):
        self.rnn = Recurrent(kind, in_features, hidden, num_layers, rngs=rngs)
        self.head = nnx.Linear(hidden, num_classes, rngs=rngs)
        self.per_step = per_step

    def __call__(self, x: jax.Array, *, rngs: nnx.Rngs | None = None) -> jax.Array:
        hs, _ = self.rnn(x)  # (B, T, H)
        return self.head(hs if self.per_step else hs[:, -1])  # (B, T, K) or (B, K)


def build_classifier(kind: str):
    def build(config: SequenceConfig, info, rngs: nnx.Rngs) -> SequenceClassifier:
        return SequenceClassifier(
            kind,
            info.input_shape[-1],
            config.hidden,
            info.num_classes,
            config.num_layers,
            per_step=len(info.label_shape) == 1,
            rngs=rngs,
        )

    return build


# ------------------------------------------------------------------- character language model
@dataclass(frozen=True)
class CharLMConfig:
    embed: int = 64
    hidden: int = 256
    num_layers: int = 1

    def validate(self) -> None:
        check_fields(self, at_least={"embed": 1, "hidden": 1, "num_layers": 1})


class CharLM(nnx.Module):
    """Embedding -> recurrent layers -> projection: tokens (B, T) -> logits (B, T, V)."""

    def __init__(
        self,
        vocab_size: int,
        embed: int,
        hidden: int,
        num_layers: int = 1,
        kind: str = "lstm",
        *,
        rngs: nnx.Rngs,
    ):
        self.embed = nnx.Embed(vocab_size, embed, rngs=rngs)
        self.rnn = Recurrent(kind, embed, hidden, num_layers, rngs=rngs)
        self.head = nnx.Linear(hidden, vocab_size, rngs=rngs)

    def __call__(
        self, tokens: jax.Array, *, rngs: nnx.Rngs | None = None, initial_carry: list | None = None
    ):
        hs, _ = self.rnn(self.embed(tokens), initial_carry)  # (B, T, H)
        return self.head(hs)  # (B, T, V)

    def prefill(self, tokens: jax.Array):
        """Run a prompt (B, T); returns (carries, logits of the next token (B, V))."""
        hs, carries = self.rnn(self.embed(tokens))
        return carries, self.head(hs[:, -1])

    def step(self, carries: list, token: jax.Array, pos=None):
        """One token (B,) -> (carries, logits (B, V)); the state carries the whole past
        (`pos` is not needed: the recurrence knows where it is)."""
        carries, h = self.rnn.step(carries, self.embed(token))
        return carries, self.head(h)

    def generate(self, prompt, length: int, key, *, temperature=1.0, top_k: int = 0):
        """(B, length) token ids after `prompt` (B, T), carrying the recurrent state forward:
        the prompt runs once, then each new token is one cell step
        (`dljax.models.decoding.generate`)."""
        return decoding.generate(self, prompt, length, key, temperature=temperature, top_k=top_k)


def build_char_lm(config: CharLMConfig, info, rngs: nnx.Rngs) -> CharLM:
    return CharLM(info.num_classes, config.embed, config.hidden, config.num_layers, rngs=rngs)
