"""Transformer benchmarks, measured in one run. Writes `benchmarks/results/transformer.json`.

    python benchmarks/transformer.py [--repeats 5] [--budget-s 300] [--parts throughput ...]
        [--allow-load] [--out PATH]

1. GPT training throughput (tokens/s): the dljax engine vs a hand-written JAX loop (nnx.split,
   one jitted `lax.scan` over the steps) vs a PyTorch nanoGPT-style twin (CPU eager, the `bench`
   extra). Same configuration: 4 blocks, width 128, 4 heads, learned positions, tied
   embedding, no dropout, context 128, batch 32, Adam, a 96-character vocabulary.
2. Generating 500 characters after a 10-character prompt with the key/value cache
   (`GPT.generate`) vs re-running the (cropped) prefix for every token
   (`generate_by_rerunning`, nanoGPT's way), both one jitted `lax.scan`; the default `gpt`
   model (rotary positions, context 128). Target: >= 20x.
3. GPT vs `char_lstm` on Chairil Anwar's poems (`chairilanwar.txt` from shared/data, else the
   embedded corpus), 90/10 split, about the same number of parameters, each within a budget
   of CPU seconds (`--budget-s`, process time of all threads): one epoch is timed, then a fresh
   run trains as many epochs as fit. Held-out loss (nats/char) next to the unigram baseline.

4. Variants and ablations of the throughput model's step (attention implementations, rotary
   positions; the step without attention, LayerNorm or GELU).
5. An op-level profile of the engine's throughput step: `jax.profiler` traces one chunk
   while XLA:CPU records every executed HLO instruction (in a child process with
   `--xla_cpu_enable_xprof_traceme`); instructions are classed from the compiled HLO (dense
   matmuls, attention matmuls, reductions, layout copies, elementwise) with their share of
   the CPU time and, for matmuls, GFLOP per CPU second.

Warm-up is excluded and every timing is the median of `--repeats`; the throughput part times
engine, hand loop and twin in turn (`measure.interleaved_rates`). Each part is a row that
records its own load average at start and end; parts not measured now are kept from the
existing file (`--out`), so parts may run as separate jobs. The PyTorch twin takes a
`device` ("cpu" here; `benchmarks/gpu.py` runs it on CUDA).
"""

from __future__ import annotations

import argparse
import json
import os
import re
import subprocess
import sys
import tempfile
import time
from collections import Counter
from pathlib import Path

import jax
import jax.numpy as jnp
import numpy as np
import optax
from flax import nnx

sys.path.insert(0, str(Path(__file__).parent))
from measure import (  # noqa: E402
    RESULTS,
    Session,
    add_arguments,
    interleaved_rates,
    kept_rows,
    median_rate,
    quiet_start,
    row_load,
)
from recurrent_quality import unigram_loss  # noqa: E402

from dljax.data.base import ArraySource, DatasetInfo  # noqa: E402
from dljax.data.text import (  # noqa: E402
    TextDataset,
    Vocabulary,
    char_dataset,
    embedded_corpus,
    read_text_file,
)
from dljax.lesson import find_shared_file  # noqa: E402
from dljax.models import gpt  # noqa: E402
from dljax.recipes import build_config  # noqa: E402
from dljax.train import Trainer  # noqa: E402
from dljax.train.accumulate import init_acc  # noqa: E402

OUT = RESULTS / "transformer.json"
TITLE = "Transformer: GPT tingkat karakter"
DESCRIPTION = (
    "Token latih per detik GPT kecil (mesin dljax dibandingkan dengan loop JAX tulisan tangan dan "
    "kembaran nanoGPT di PyTorch), kecepatan membangkitkan teks dengan cache kunci/nilai "
    "dibandingkan dengan menjalankan ulang seluruh prefiks, loss uji GPT dibandingkan dengan "
    "char_lstm pada anggaran detik CPU yang sama, dan varian serta ablasi langkah latih; rasio "
    "diukur dalam run yang sama."
)
VOCAB, SEQ, BATCH, STEPS = 96, 128, 32, 20
WIDTH, DEPTH, HEADS = 128, 4, 4
THROUGHPUT = {
    "model.dim": str(WIDTH),
    "model.depth": str(DEPTH),
    "model.heads": str(HEADS),
    "model.positions": "learned",
    "model.dropout": "0",
}


def count_params(model) -> int:
    return int(sum(x.size for x in jax.tree.leaves(nnx.state(model, nnx.Param))))


def synthetic_tokens(n: int, seed: int = 0) -> np.ndarray:
    return np.random.default_rng(seed).integers(0, VOCAB, (n, SEQ + 1)).astype(np.int32)


# ------------------------------------------------------------------------------ throughput
def dljax_trainer() -> Trainer:
    """The engine on the throughput configuration: one epoch is `STEPS` steps."""
    info = DatasetInfo("text", "synthetic", "text", (SEQ,), VOCAB)
    vocab = Vocabulary([chr(32 + i) for i in range(VOCAB)])
    data = TextDataset(
        info,
        ArraySource({"tokens": synthetic_tokens(STEPS * BATCH)}),
        ArraySource({"tokens": synthetic_tokens(BATCH, 1)}),
        vocab,
        SEQ,
    )
    overrides = {
        **THROUGHPUT,
        "data.seq_len": str(SEQ),
        "data.batch_size": str(BATCH),
        "train.epochs": "1",
        "train.optimizer": "adam",
        "train.schedule": "constant",
        "train.steps_per_dispatch": str(STEPS),
    }
    return Trainer(build_config("gpt", overrides=overrides), dataset=data)


def dljax_run():
    """`run()`: one epoch of the engine (`fit` reads the epoch's metrics: it blocks)."""
    trainer = dljax_trainer()
    return lambda: trainer.fit(progress=False)


def jax_loop_run():
    """`run()`: one epoch of the hand-written loop (one jitted `lax.scan`)."""
    net = gpt.GPT(VOCAB, SEQ, WIDTH, DEPTH, HEADS, positions="learned", rngs=nnx.Rngs(0))
    graphdef, params = nnx.split(net, nnx.Param)
    tx = optax.adam(1e-3)
    tokens = jnp.asarray(synthetic_tokens(STEPS * BATCH))

    def loss_fn(params, batch):
        logits = nnx.merge(graphdef, params)(batch[:, :-1])  # (B, T, V)
        return optax.softmax_cross_entropy_with_integer_labels(logits, batch[:, 1:]).mean()

    @jax.jit
    def epoch(params, opt_state, key):
        perm = jax.random.permutation(key, STEPS * BATCH).reshape(STEPS, BATCH)

        def body(carry, idx):
            params, opt_state = carry
            loss, grads = jax.value_and_grad(loss_fn)(params, tokens[idx])
            updates, opt_state = tx.update(grads, opt_state, params)
            return (optax.apply_updates(params, updates), opt_state), loss

        (params, opt_state), losses = jax.lax.scan(body, (params, opt_state), perm)
        return params, opt_state, losses.mean()

    state = [params, tx.init(params)]

    def run():
        state[0], state[1], loss = epoch(*state, jax.random.key(0))
        loss.block_until_ready()

    return run


def torch_gpt():
    """nanoGPT's model.py, reduced to what this configuration uses (written anew)."""
    import torch
    import torch.nn.functional as F
    from torch import nn

    class Attention(nn.Module):
        def __init__(self):
            super().__init__()
            self.qkv = nn.Linear(WIDTH, 3 * WIDTH)
            self.out = nn.Linear(WIDTH, WIDTH)

        def forward(self, x):
            b, t, d = x.shape
            q, k, v = self.qkv(x).split(d, dim=2)  # (B, T, D) each
            q, k, v = (z.view(b, t, HEADS, d // HEADS).transpose(1, 2) for z in (q, k, v))
            y = F.scaled_dot_product_attention(q, k, v, is_causal=True)  # (B, H, T, Dh)
            return self.out(y.transpose(1, 2).contiguous().view(b, t, d))

    class Block(nn.Module):
        def __init__(self):
            super().__init__()
            self.ln1, self.attn = nn.LayerNorm(WIDTH), Attention()
            self.ln2 = nn.LayerNorm(WIDTH)
            self.mlp = nn.Sequential(
                nn.Linear(WIDTH, 4 * WIDTH),
                nn.GELU(approximate="tanh"),
                nn.Linear(4 * WIDTH, WIDTH),
            )

        def forward(self, x):
            x = x + self.attn(self.ln1(x))
            return x + self.mlp(self.ln2(x))

    class GPT(nn.Module):
        def __init__(self):
            super().__init__()
            self.tok = nn.Embedding(VOCAB, WIDTH)
            self.pos = nn.Embedding(SEQ, WIDTH)
            self.blocks = nn.Sequential(*[Block() for _ in range(DEPTH)])
            self.ln_f = nn.LayerNorm(WIDTH)

        def forward(self, idx):
            x = self.tok(idx) + self.pos(torch.arange(idx.shape[1], device=idx.device))
            return self.ln_f(self.blocks(x)) @ self.tok.weight.T  # tied output projection

    return GPT()


def torch_run(device: str = "cpu"):
    """(`run()`: one epoch of the nanoGPT twin on `device`, eager; {version, params}), or
    None without PyTorch."""
    try:
        import torch
    except ImportError:
        return None
    torch.set_num_threads(os.cpu_count() or 1)
    torch.manual_seed(0)
    net = torch_gpt().to(device)
    opt = torch.optim.Adam(net.parameters(), lr=1e-3)
    tokens = torch.from_numpy(synthetic_tokens(STEPS * BATCH)).long().to(device)
    cuda = torch.device(device).type == "cuda"

    def run():
        perm = torch.randperm(len(tokens), device=device)
        for i in range(STEPS):
            batch = tokens[perm[i * BATCH : (i + 1) * BATCH]]
            logits = net(batch[:, :-1])
            loss = torch.nn.functional.cross_entropy(
                logits.reshape(-1, VOCAB), batch[:, 1:].reshape(-1)
            )
            opt.zero_grad(set_to_none=True)
            loss.backward()
            opt.step()
        if cuda:  # CUDA runs asynchronously: wait for the queued kernels
            torch.cuda.synchronize(device)

    return run, {"version": torch.__version__, "params": sum(p.numel() for p in net.parameters())}


def bench_torch(repeats: int, device: str = "cpu"):
    """Tokens/s (and every repeat's rate, the version and the parameter count) of the nanoGPT
    twin on `device` (eager), or None without PyTorch."""
    twin = torch_run(device)
    if twin is None:
        return None
    rate, runs = median_rate(twin[0], STEPS * BATCH * SEQ, repeats)
    return {"tokens_per_s": rate, "runs": runs, **twin[1]}


def throughput_row(repeats: int, min_seconds: float = 20.0) -> dict:
    """Engine, hand loop and PyTorch twin timed in turn (`measure.interleaved_rates`)."""
    runs = {"dljax": dljax_run(), "jax_loop": jax_loop_run()}
    twin = torch_run()
    if twin is not None:
        runs["torch"] = twin[0]
    timed = interleaved_rates(runs, STEPS * BATCH * SEQ, repeats, min_seconds=min_seconds)
    (rate, runs), (loop_rate, loop_runs) = timed["dljax"], timed["jax_loop"]
    torch_row = None
    if twin is not None:
        torch_row = {"tokens_per_s": timed["torch"][0], "runs": timed["torch"][1], **twin[1]}
    params = count_params(
        gpt.GPT(VOCAB, SEQ, WIDTH, DEPTH, HEADS, positions="learned", rngs=nnx.Rngs(0))
    )
    row = {
        "config": {"vocab": VOCAB, "seq_len": SEQ, "batch": BATCH, "width": WIDTH, "depth": DEPTH},
        "params": params,
        "steps_per_repeat": STEPS,
        "dljax": {"tokens_per_s": rate, "runs": runs},
        "jax_loop": {"tokens_per_s": loop_rate, "runs": loop_runs},
        "torch": torch_row,
        "timed_in_turn": True,
        "dljax_vs_jax_loop": rate / loop_rate,
    }
    if row["torch"]:
        row["dljax_vs_torch"] = rate / row["torch"]["tokens_per_s"]
    print("throughput", {k: v for k, v in row.items() if k not in ("dljax", "jax_loop", "torch")})
    return row


# ------------------------------------------------------------------------------ variants
def _hand_step_rate(make_model, repeats: int, patches=()) -> float:
    """Tokens/s of the hand-written loop (as `jax_loop_run`) for a model variant, with
    `patches` ((object, attribute, replacement), ...) applied while it is traced."""
    saved = [(obj, name, getattr(obj, name)) for obj, name, _ in patches]
    try:
        for obj, name, new in patches:
            setattr(obj, name, new)
        net = make_model()
        graphdef, params = nnx.split(net, nnx.Param)
        tx = optax.adam(1e-3)
        tokens = jnp.asarray(synthetic_tokens(STEPS * BATCH)).reshape(STEPS, BATCH, SEQ + 1)

        def loss_fn(params, batch):
            logits = nnx.merge(graphdef, params)(batch[:, :-1])  # (B, T, V)
            return optax.softmax_cross_entropy_with_integer_labels(logits, batch[:, 1:]).mean()

        @jax.jit
        def epoch(params, opt_state):
            def body(carry, batch):
                params, opt_state = carry
                grads = jax.grad(loss_fn)(params, batch)
                updates, opt_state = tx.update(grads, opt_state, params)
                return (optax.apply_updates(params, updates), opt_state), None

            return jax.lax.scan(body, (params, opt_state), tokens)[0]

        flops = epoch.lower(params, tx.init(params)).compile().cost_analysis()
        flops = (flops[0] if isinstance(flops, list) else flops).get("flops", 0.0)
        state = [params, tx.init(params)]

        def run():
            state[:] = jax.block_until_ready(epoch(*state))

        rate, _ = median_rate(run, STEPS * BATCH * SEQ, repeats)
        return rate, flops / (STEPS * BATCH * SEQ)
    finally:
        for obj, name, old in saved:
            setattr(obj, name, old)


def variants_row(repeats: int) -> dict:
    """What each choice gives on this CPU, and where the step's time goes (ablations: the
    same step with one kind of op replaced by the identity; the difference is its cost)."""
    from dljax.models import attention as attn

    def gpt_model(**kw):
        return lambda: gpt.GPT(
            VOCAB, SEQ, WIDTH, DEPTH, HEADS, positions="learned", rngs=nnx.Rngs(0), **kw
        )

    def causal(q, k, v, mask=None):  # the mask as is_causal (training windows only)
        if mask is not None and mask.shape[-2] == mask.shape[-1]:
            return jax.nn.dot_product_attention(q, k, v, is_causal=True)
        return jax.nn.dot_product_attention(q, k, v, mask=mask)

    variants = {
        "fused: jax.nn.dot_product_attention(mask)": (gpt_model(), ()),
        "plain einsum attention": (gpt_model(fused=False), ()),
        "dot_product_attention(is_causal=True)": (
            gpt_model(),
            ((attn, "fused_attention", causal),),
        ),
        "dot_product_attention(implementation='xla')": (
            gpt_model(),
            (
                (
                    attn,
                    "fused_attention",
                    lambda q, k, v, mask=None: jax.nn.dot_product_attention(
                        q, k, v, mask=mask, implementation="xla"
                    ),
                ),
            ),
        ),
        "rotary positions (rope)": (
            lambda: gpt.GPT(VOCAB, SEQ, WIDTH, DEPTH, HEADS, positions="rope", rngs=nnx.Rngs(0)),
            (),
        ),
    }
    ablations = {
        "without the attention core (softmax(qk)v -> v)": (
            (attn, "fused_attention", lambda q, k, v, mask=None: v),
        ),
        "without LayerNorm": ((nnx.LayerNorm, "__call__", lambda self, x: x),),
        "without GELU": ((nnx, "gelu", lambda x: x),),
    }
    rows = {}
    for name, (make, patches) in variants.items():
        rate, flops = _hand_step_rate(make, repeats, patches)
        rows[name] = {"tokens_per_s": rate, "gflops_per_s": rate * flops / 1e9}
        print("variant", name, round(rate), flush=True)
    base = rows["fused: jax.nn.dot_product_attention(mask)"]["tokens_per_s"]
    costs = {}
    for name, patches in ablations.items():
        rate, _ = _hand_step_rate(gpt_model(), repeats, patches)
        costs[name] = {"tokens_per_s": rate, "share_of_step": 1.0 - base / rate}
        print("ablation", name, round(rate), flush=True)
    torch_row = bench_torch(repeats)
    return {
        "variants": rows,
        "ablations": costs,
        "torch_tokens_per_s": torch_row and torch_row["tokens_per_s"],
        "best_vs_torch": torch_row
        and max(r["tokens_per_s"] for r in rows.values()) / torch_row["tokens_per_s"],
    }


# ------------------------------------------------------------------------------ generation
def generation_row(repeats: int, length: int = 500, contexts=(128, 256)) -> dict:
    """The default `gpt` (context 128) and the same model with a 256-token context: the cache
    costs the same per token at any context, re-running the prefix grows with it."""
    config = build_config("gpt")
    rows = []
    for context in contexts:
        info = DatasetInfo("text", "synthetic", "text", (context,), VOCAB)
        model = gpt.build_gpt(config.model, info, nnx.Rngs(0))
        model.eval()
        graphdef, state = nnx.split(model)
        prompt = jnp.arange(10, dtype=jnp.int32)[None] % VOCAB  # (1, 10)

        def make(fn, graphdef=graphdef, state=state, prompt=prompt):
            @jax.jit
            def run(state, key):
                return fn(nnx.merge(graphdef, state), prompt, length, key, temperature=1.0)

            return lambda: run(state, jax.random.key(0)).block_until_ready()

        cached, _ = median_rate(make(gpt.GPT.generate), length, repeats)
        rerun, _ = median_rate(make(gpt.generate_by_rerunning), length, repeats)
        rows.append(
            {
                "context": context,
                "kv_cache_chars_per_s": cached,
                "rerun_prefix_chars_per_s": rerun,
                "speedup": cached / rerun,
            }
        )
        print("generation", rows[-1])
    return {
        "length": length,
        "prompt": 10,
        "model": f"gpt default (dim {config.model.dim}, depth {config.model.depth})",
        "default_context": config.data.seq_len,
        "speedup": rows[0]["speedup"],
        "by_context": rows,
    }


# --------------------------------------------------------------------------------- quality
QUALITY_STRIDE = 2  # a window every 2 characters: every character is still predicted
QUALITY = {
    "gpt": {"model.dim": "96", "model.depth": "3", "model.heads": "4", "data.seq_len": "64"},
    "char_lstm": {},
}


def budget_run(model: str, data, budget_s: float) -> dict:
    """Train `model` for as many epochs as fit in `budget_s` seconds of CPU time (all threads
    of this process, `time.process_time`): on a shared machine, wall time measures the load of
    the other jobs, CPU time the work each model was given."""
    base = {**QUALITY[model], "data.seq_len": "64"}
    probe = Trainer(build_config(model, overrides={**base, "train.epochs": "1"}), dataset=data)
    c0 = time.process_time()
    probe.fit(progress=False)
    epoch_cpu_s = time.process_time() - c0  # includes compilation: a slight underestimate
    epochs = max(1, int(budget_s // epoch_cpu_s))
    trainer = Trainer(build_config(model, overrides={**base, "train.epochs": str(epochs)}), data)
    t0, c0 = time.perf_counter(), time.process_time()
    result = trainer.fit(progress=False)
    return {
        "params": count_params(trainer.model()),
        "overrides": base,
        "epochs": epochs,
        "train_time_s": time.perf_counter() - t0,
        "train_cpu_time_s": time.process_time() - c0,
        "test_loss_nats_per_char": result.summary["test_loss"],
        "history": [
            {k: r[k] for k in ("epoch", "train_loss", "test_loss", "time_s")}
            for r in result.history
        ],
    }


def quality_row(budget_s: float) -> dict:
    path = find_shared_file("chairilanwar.txt")
    text = read_text_file(path) if path else embedded_corpus()
    data = char_dataset(text, seq_len=64, name="text", stride=QUALITY_STRIDE)
    tokens = data.vocab.encode(text)
    split = len(tokens) - int(len(tokens) * 0.1)
    row = {
        "text": path.name if path else "embedded corpus",
        "characters": len(text),
        "vocab": data.vocab.size,
        "budget_cpu_s": budget_s,
        "window_stride": QUALITY_STRIDE,
        "unigram_loss_nats_per_char": unigram_loss(tokens[:split], tokens[split:], data.vocab.size),
    }
    for model in ("gpt", "char_lstm"):
        row[model] = budget_run(model, data, budget_s)
        print(model, {k: v for k, v in row[model].items() if k != "history"})
    return row


# ------------------------------------------------------------------------------ op profile
# Where the engine's GPT step spends its time, op by op: one chunk of STEPS steps is traced
# with `jax.profiler` while XLA:CPU records every executed HLO instruction (a child process
# started with PROFILE_FLAGS, so the flags never touch the other parts), and each
# instruction is classed from the compiled HLO text.
PROFILE_FLAGS = "--xla_cpu_enable_xprof_traceme=true --xla_dump_hlo_as_text"
LAYOUT_OPS = {
    "parameter", "constant", "bitcast", "copy", "transpose", "concatenate", "slice",
    "dynamic-slice", "reshape", "broadcast", "pad", "tuple", "get-tuple-element",
}  # fmt: skip
CONTROL_OPS = {"while", "call", "conditional", "tuple", "get-tuple-element", "parameter"}
OP_CLASSES = {
    "dense": "perkalian matriks padat (proyeksi QKV, keluaran, MLP, kepala)",
    "attention": "perkalian matriks atensi per head (q·k, bobot·v)",
    "reduction": "reduksi (softmax, LayerNorm, loss)",
    "layout": "salinan tata letak (transpose, concatenate, copy)",
    "elementwise": "elementwise lain (optimizer, GELU, mask, residual)",
}
_INSTRUCTION = re.compile(r"^\s*(?:ROOT )?%([\w.\-]+) = (\S+) ([\w\-]+)\(", re.M)
_COMPUTATION = re.compile(r"^(?:ENTRY )?%?([\w.\-]+) \([^\n]*\{\n(.*?)\n\}", re.M | re.S)


def _dot_class(shape: str) -> str:
    """A dot with a 4-D (batch, head, ., .) result is attention; a 2-D one is dense."""
    dims = re.match(r"\w+\[([\d,]*)\]", shape)
    rank = len(dims.group(1).split(",")) if dims and dims.group(1) else 0
    return "attention" if rank >= 3 else "dense"


def op_classes(hlo_text: str) -> dict[str, str]:
    """{instruction name: class in OP_CLASSES} for every instruction of an HLO module's text
    (after optimizations) that runs as a step of its own: a fusion is classed by what it
    calls (a dot, else a reduce, else only data movement, else elementwise arithmetic)."""
    bodies = dict(_COMPUTATION.findall(hlo_text))
    calls = dict(re.findall(r"%([\w.\-]+) = [^\n]*?calls=%?([\w.\-]+)", hlo_text))
    fused = set(calls.values())  # computations inside a fusion never run as steps
    steps = [i for c, body in bodies.items() if c not in fused for i in _INSTRUCTION.findall(body)]
    out = {}
    for name, shape, op in steps:
        if op in CONTROL_OPS:
            continue
        if op == "dot":
            out[name] = _dot_class(shape)
            continue
        inner = _INSTRUCTION.findall(bodies.get(calls.get(name, ""), "")) if op == "fusion" else []
        ops = {o for _, _, o in inner} or {op}
        dots = [sh for _, sh, o in inner if o == "dot"]
        if dots:
            out[name] = "attention" if "attention" in map(_dot_class, dots) else "dense"
        elif "reduce" in ops:
            out[name] = "reduction"
        elif ops <= LAYOUT_OPS:
            out[name] = "layout"
        else:
            out[name] = "elementwise"
    return out


def op_profile(events, classes: dict[str, str], steps: int, flops: dict[str, float]) -> dict:
    """Per class: share of the op time, CPU milliseconds per step and (for the matmul classes,
    `flops` per step) GFLOP per CPU second. `events`: (instruction name, duration in ns) of
    every executed instruction, on every thread; names not in `classes` are not ops."""
    per_class, per_op = Counter(), Counter()
    for name, ns in events:
        if name in classes:
            per_class[classes[name]] += ns
            per_op[name] += ns
    total = sum(per_class.values())
    if not total:
        raise RuntimeError("the trace has no HLO instruction of the module")
    rows = {}
    for cls in OP_CLASSES:
        ms = per_class[cls] / 1e6 / steps
        row = {"share": per_class[cls] / total, "cpu_ms_per_step": ms, "what": OP_CLASSES[cls]}
        if cls in flops and ms > 0:
            row["gflop_per_cpu_s"] = flops[cls] / (ms * 1e-3) / 1e9
        rows[cls] = row
    top = [
        {"op": name, "class": classes[name], "share": ns / total}
        for name, ns in per_op.most_common(8)
    ]
    return {"cpu_ms_per_step": total / 1e6 / steps, "classes": rows, "top_ops": top}


def step_flops() -> dict[str, float]:
    """Matmul FLOPs of one training step (forward + backward = 3x forward) of the throughput
    GPT: dense layers (QKV, output, MLP, tied head) and attention (q.k and weights.v over
    the whole (T, T) square; the causal mask skips no work)."""
    tokens = BATCH * SEQ
    dense = 2 * 3 * tokens * (DEPTH * 12 * WIDTH**2 + WIDTH * VOCAB)
    attention = 2 * 3 * tokens * DEPTH * 2 * SEQ * WIDTH
    return {"dense": float(dense), "attention": float(attention)}


def profile_child(out: Path) -> None:
    """Run in the child process (PROFILE_FLAGS set): trace one chunk, write the profile."""
    from jax._src.profiler import ProfileData

    trainer = dljax_trainer()
    chunk = trainer.fns.device_chunk(STEPS)
    data, n = trainer.feed.data, trainer.feed.n
    perm = trainer.fns.permutation(trainer.feed.data_key, 0, n)
    state = trainer.state

    def run(state):
        acc = init_acc(trainer.task.metrics)
        state, acc = chunk(state, acc, data, perm, np.int32(0), BATCH)
        return jax.block_until_ready(state)

    state = run(run(state))  # compiled and warm
    trace = out.parent / "trace"
    with jax.profiler.trace(str(trace)):
        t0 = time.perf_counter()
        run(state)
        wall = time.perf_counter() - t0
    events = [
        (ev.name, ev.duration_ns)
        for xplane in sorted(trace.rglob("*.xplane.pb"))
        for plane in ProfileData.from_file(str(xplane)).planes
        for line in plane.lines
        if line.name != "python"
        for ev in line.events
    ]
    hlo = [p for p in (out.parent / "hlo").glob("*jit_chunk*after_optimizations.txt")]
    classes = op_classes(max(hlo, key=lambda p: p.stat().st_size).read_text())
    row = op_profile(events, classes, STEPS, step_flops())
    row["traced_wall_s"] = wall
    out.write_text(json.dumps(row))


def profile_row() -> dict:
    """The op-level profile of the engine's GPT step, from a child process."""
    with tempfile.TemporaryDirectory() as tmp:
        out = Path(tmp) / "profile.json"
        flags = f"{PROFILE_FLAGS} --xla_dump_to={tmp}/hlo --xla_dump_hlo_module_re=.*chunk.*"
        env = {**os.environ, "XLA_FLAGS": f"{os.environ.get('XLA_FLAGS', '')} {flags}".strip()}
        subprocess.run(
            [sys.executable, __file__, "--op-profile-child", str(out)], env=env, check=True
        )
        row = json.loads(out.read_text())
    row["config"] = {"seq_len": SEQ, "batch": BATCH, "width": WIDTH, "depth": DEPTH}
    row["flops_per_step"] = step_flops()
    print("profile", {k: round(v["share"], 3) for k, v in row["classes"].items()})
    return row


PARTS = ("throughput", "generation", "quality", "variants", "profile")


def parser() -> argparse.ArgumentParser:
    p = add_arguments(argparse.ArgumentParser(description=__doc__.splitlines()[0]), OUT)
    p.add_argument("--repeats", type=int, default=5)
    p.add_argument("--budget-s", type=float, default=300.0)
    p.add_argument(
        "--parts", nargs="+", choices=PARTS, default=list(PARTS), help="rows to (re)measure"
    )
    p.add_argument("--op-profile-child", type=Path, help=argparse.SUPPRESS)
    return p


def main() -> None:
    args = parser().parse_args()
    if args.op_profile_child:  # the child process of the "profile" part
        profile_child(args.op_profile_child)
        return
    session = Session.start("transformer", allow_load=args.allow_load)
    # rows not measured now are kept from the existing file (parts may run as separate jobs)
    rows = kept_rows(args.out, None, drop=args.parts, names=PARTS)
    for part in args.parts:
        start = quiet_start()
        if part == "throughput":
            rows[part] = throughput_row(args.repeats)
        elif part == "generation":
            rows[part] = generation_row(args.repeats)
        elif part == "variants":
            rows[part] = variants_row(args.repeats)
        elif part == "profile":
            rows[part] = profile_row()
        else:
            rows[part] = quality_row(args.budget_s)
        rows[part].update(row_load(start))
    rows = {part: rows[part] for part in PARTS if part in rows}  # the usual order
    data = {"title": TITLE, "description": DESCRIPTION, **rows}
    session.write(args.out, data, rows=rows.values())


if __name__ == "__main__":
    main()
