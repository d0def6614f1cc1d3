"""Recurrent-model speed: text generation and char-LSTM training, in one run.

1. Text generation, 500 characters after a 3-character prompt, character LSTM with
   embedding 384 and hidden 512 (same weights for both):
   - `dljax`: `CharLM.generate` under `jax.jit`, as `dljax sample` runs it (prompt once, then
     one LSTM step per character inside a compiled `lax.scan`; linear in the length);
   - `prefix_rerun`: the original course's approach: for every new character, run the whole
     prefix through the network again (quadratic). To be fair it is jitted once, on a padded
     fixed-length input, and reads the logits at the last real position.
2. Training throughput of `char_lstm` (default sizes, batch 64, 64 characters): the dljax
   engine vs a PyTorch `nn.Embedding` + `nn.LSTM` + `nn.Linear` twin with Adam (eager, CPU).

Medians over `--repeats` runs after a warm-up. Writes
`benchmarks/results/recurrent_throughput.json`.

    python benchmarks/recurrent_throughput.py [--repeats 5] [--allow-load] [--out PATH]
"""

from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path

import jax
import jax.numpy as jnp
import numpy as np
from flax import nnx

sys.path.insert(0, str(Path(__file__).parent))
from measure import RESULTS, Session, add_arguments, median_time  # noqa: E402

from dljax.data.text import char_dataset, embedded_corpus  # noqa: E402
from dljax.models.recurrent import CharLM  # noqa: E402
from dljax.recipes import build_config  # noqa: E402
from dljax.train import Trainer  # noqa: E402

OUT = RESULTS / "recurrent_throughput.json"
TITLE = "Kecepatan model rekuren"
DESCRIPTION = (
    "Karakter per detik saat membangkitkan 500 karakter dengan LSTM karakter (satu langkah per "
    "karakter dalam `lax.scan`) dibandingkan dengan menjalankan ulang seluruh prefiks untuk setiap "
    "karakter, dan langkah latih per detik `char_lstm` di mesin dljax dibandingkan dengan kembaran "
    "PyTorch eager di CPU."
)
GEN_LENGTH, PROMPT = 500, (1, 2, 3)


def bench_generation(repeats: int) -> dict:
    vocab_size = 64
    model = CharLM(vocab_size, 384, 512, rngs=nnx.Rngs(0))
    model.eval()
    graphdef, params, rest = nnx.split(model, nnx.Param, ...)
    prompt = jnp.array([PROMPT], jnp.int32)
    key = jax.random.key(0)

    @jax.jit
    def generate(params, rest, key, temperature):
        model = nnx.merge(graphdef, params, rest, copy=True)
        return model.generate(prompt, GEN_LENGTH, key, temperature=temperature, top_k=0)

    def linear():
        generate(params, rest, key, jnp.float32(1.0)).block_until_ready()

    total = len(PROMPT) + GEN_LENGTH

    @jax.jit
    def next_token(params, rest, tokens, n, key):
        """Run the whole (padded) prefix, sample from the logits at position n - 1."""
        logits = nnx.merge(graphdef, params, rest, copy=True)(tokens)  # (1, total, V)
        last = jax.lax.dynamic_index_in_dim(logits[0], n - 1, keepdims=False)  # (V,)
        return jax.random.categorical(key, last)

    def quadratic():
        tokens = np.zeros((1, total), np.int32)
        tokens[0, : len(PROMPT)] = PROMPT
        for n in range(len(PROMPT), total):
            tok = next_token(params, rest, jnp.asarray(tokens), n, jax.random.fold_in(key, n))
            tokens[0, n] = int(tok)  # the original fed each sampled character back in Python

    t_linear = median_time(linear, repeats)[0]
    t_quadratic = median_time(quadratic, max(1, repeats // 3))[0]
    return {
        "model": {"embed": 384, "hidden": 512, "vocab": vocab_size},
        "characters": GEN_LENGTH,
        "dljax_chars_per_s": GEN_LENGTH / t_linear,
        "prefix_rerun_chars_per_s": GEN_LENGTH / t_quadratic,
        "speedup": t_quadratic / t_linear,
    }


def bench_training(repeats: int) -> dict:
    data = char_dataset(embedded_corpus(), seq_len=64)
    steps, batch = 50, 64
    overrides = {
        "train.epochs": "1",
        "train.optimizer": "adam",
        "train.schedule": "constant",
        "data.batch_size": str(batch),
        "train.steps_per_dispatch": str(steps),
    }
    config = build_config("char_lstm", overrides=overrides)
    # one "epoch" = `steps` batches: train on a slice of the windows
    from dljax.data import ArraySource, Dataset

    tokens = data.train.arrays["tokens"][: steps * batch]
    small = Dataset(
        data.info, ArraySource({"tokens": tokens}), ArraySource({"tokens": tokens[:64]})
    )
    trainer = Trainer(config, dataset=small)
    t_dljax = median_time(lambda: trainer.fit(progress=False), repeats)[0]

    row = {
        "model": {"embed": config.model.embed, "hidden": config.model.hidden, "seq_len": 64},
        "batch_size": batch,
        "dljax_steps_per_s": steps / t_dljax,
    }
    try:
        import torch
        from torch import nn
    except ImportError:
        return row | {"torch_steps_per_s": None}
    torch.set_num_threads(os.cpu_count() or 1)
    torch.manual_seed(0)
    vocab, emb, hid = data.info.num_classes, config.model.embed, config.model.hidden

    class TorchCharLSTM(nn.Module):
        def __init__(self):
            super().__init__()
            self.embed = nn.Embedding(vocab, emb)
            self.lstm = nn.LSTM(emb, hid, batch_first=True)
            self.head = nn.Linear(hid, vocab)

        def forward(self, x):
            return self.head(self.lstm(self.embed(x))[0])

    net = TorchCharLSTM()
    opt = torch.optim.Adam(net.parameters(), lr=1e-3)
    tt = torch.from_numpy(tokens.astype(np.int64))

    def torch_epoch():
        for i in range(steps):
            b = tt[i * batch : (i + 1) * batch]
            opt.zero_grad(set_to_none=True)
            logits = net(b[:, :-1])
            loss = nn.functional.cross_entropy(logits.reshape(-1, vocab), b[:, 1:].reshape(-1))
            loss.backward()
            opt.step()

    t_torch = median_time(torch_epoch, repeats)[0]
    row["torch_steps_per_s"] = steps / t_torch
    row["dljax_vs_torch"] = t_torch / t_dljax
    row["torch_version"] = torch.__version__
    return row


def parser() -> argparse.ArgumentParser:
    p = add_arguments(argparse.ArgumentParser(description=__doc__.splitlines()[0]), OUT)
    p.add_argument("--repeats", type=int, default=5)
    return p


def main() -> None:
    args = parser().parse_args()
    session = Session.start("recurrent_throughput", allow_load=args.allow_load)
    data = {
        "title": TITLE,
        "description": DESCRIPTION,
        "text_generation": bench_generation(args.repeats),
        "train_char_lstm": bench_training(args.repeats),
    }
    print(data["text_generation"], data["train_char_lstm"], sep="\n")
    session.write(args.out, data)


if __name__ == "__main__":
    main()
