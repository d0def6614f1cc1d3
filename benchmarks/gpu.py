"""The GPU benchmark in one command: every model family's training steps per second in float32
and in bfloat16, against PyTorch on CUDA where a twin exists, and the GPT and DDPM sampling
speed, in about 8 minutes. Writes `benchmarks/results/gpu.json`.

    make bench-gpu                  # = python benchmarks/gpu.py
    python benchmarks/gpu.py [--models mlp gpt ...] [--repeats 5] [--budget-s 420]
        [--no-torch] [--tiny] [--allow-cpu] [--allow-load] [--out PATH]

It needs an accelerator (`pip install -e '.[cuda]'`, and PyTorch with CUDA for the torch
column): where JAX sees only the CPU it says so and exits with code 2 without writing anything
(`--allow-cpu` runs anyway; it is for the tests).

- engine: `Trainer.fit` for one epoch of synthetic batches in the configurations of
  `engine_overhead.py` (`ROWS`: the same model overrides, input shapes and batch sizes), with
  at least `MIN_STEPS` steps per repeat (one `lax.scan`; a repeat of a few steps would time
  the epoch's bookkeeping, not the GPU), once in float32 and once with
  `train.dtype=bfloat16` (mixed precision: bfloat16 compute, float32 parameters);
- torch: the PyTorch twins of `engine_overhead.py` (mlp, cnn, resnet, lstm, gan, gpt) on
  CUDA in float32, eager, the same shapes and batch (their own steps per repeat); null with
  `torch_note` saying why where there is no twin, no PyTorch or no CUDA;
- sampling, with untrained weights (the speed does not depend on them): the default `gpt`
  (rotary positions, context 128) generating `GPT_LENGTH` tokens of one sequence after a
  10-token prompt with its key/value cache, and the default `ddpm` (8x8) sampling `DDPM_N`
  images with its default sampler, both through `Trainer.sample` (one compiled call).

Medians of `--repeats` after a warm-up (compilation excluded). Sampling is measured first;
then the models in `dljax list` order, and once `--budget-s` seconds (7 minutes) have passed
since the start no further model is started: those are listed in `skipped`. The file is
written after every model, so a run stopped from outside keeps what it measured.
`--tiny` (the tests' schema check, not a measurement): the tiny preset on top of those
configurations, batch 8, 2 steps, 1 repeat, no PyTorch.
"""

from __future__ import annotations

import argparse
import sys
import time
import traceback
from contextlib import contextmanager
from pathlib import Path

import jax
import numpy as np

sys.path.insert(0, str(Path(__file__).parent))
import engine_overhead as eo  # noqa: E402
import train_throughput as tt  # noqa: E402
import transformer as tf_bench  # noqa: E402
from measure import RESULTS, Session, add_arguments, median_rate  # noqa: E402

from dljax.config import PRESETS  # noqa: E402
from dljax.data import Dataset  # noqa: E402
from dljax.overrides import apply_overrides  # noqa: E402
from dljax.recipes import MODELS, build_config  # noqa: E402
from dljax.train import Trainer  # noqa: E402

OUT = RESULTS / "gpu.json"
TITLE = "Kecepatan di GPU: semua keluarga model, float32, bfloat16 dan PyTorch CUDA"
DESCRIPTION = (
    "Langkah latih per detik setiap model `dljax list` (konfigurasi `engine_overhead.py`, data "
    "sintetis) dalam float32 dan dengan `train.dtype=bfloat16`, dibandingkan dengan kembaran "
    "PyTorch di CUDA (float32, eager) bila ada, serta kecepatan sampling GPT (token per detik, "
    "cache kunci/nilai) dan DDPM (gambar per detik); median beberapa ulangan setelah pemanasan."
)
ACCELERATORS = ("gpu", "cuda", "rocm", "tpu")
CPU_MESSAGE = (
    "dljax: benchmarks/gpu.py butuh GPU/akselerator; JAX di sini hanya melihat CPU "
    "(jax.default_backend() = {backend!r}). Jalankan di mesin GPU (pip install -e '.[cuda]', "
    "lalu make bench-gpu). --allow-cpu hanya untuk pengujian: angkanya bukan angka GPU."
)
DTYPES = ("float32", "bfloat16")
TORCH_TWINS = ("mlp", "cnn", "resnet", "lstm", "gan", "gpt")  # engine_overhead.bench_torch
MIN_STEPS = 50
BUDGET_S = 7 * 60.0
GPT_LENGTH, GPT_PROMPT, DDPM_N = 500, 10, 256
TINY = {"batch": 8, "steps": 2, "gpt_length": 20, "ddpm_n": 4}


def parser() -> argparse.ArgumentParser:
    p = add_arguments(argparse.ArgumentParser(description=__doc__.splitlines()[0]), OUT)
    p.add_argument("--models", nargs="+", default=list(MODELS), choices=list(MODELS))
    p.add_argument("--repeats", type=int, default=None, help="default 5 (1 with --tiny)")
    p.add_argument(
        "--budget-s",
        type=float,
        default=BUDGET_S,
        help=f"start no further model after this many seconds (default {BUDGET_S:.0f})",
    )
    p.add_argument("--no-torch", action="store_true", help="skip the PyTorch twins")
    p.add_argument(
        "--tiny", action="store_true", help="tiny preset, 2 steps, 1 repeat (for the tests)"
    )
    p.add_argument(
        "--allow-cpu", action="store_true", help="run on the CPU too (for the tests only)"
    )
    return p


def attempt(what: str, measure):
    """(`measure()`, None), or (None, the error) when it raises: one failing measurement must
    not end a run of several minutes (the traceback goes to stderr)."""
    try:
        return measure(), None
    except Exception as err:
        print(f"{what}: gagal", file=sys.stderr)
        traceback.print_exc()
        return None, f"{type(err).__name__}: {err}"


# ---------------------------------------------------------------------------------- engine
def engine_config(row: str, dtype: str, tiny: bool):
    """`engine_overhead.config_of(row)` in `dtype` with (batch, steps per repeat); with
    `tiny`, the tiny preset of the model applied on top, batch and steps `TINY`."""
    model, _, _, batch, steps = eo.ROWS[row]
    config = eo.config_of(row)
    if tiny:
        batch, steps = TINY["batch"], TINY["steps"]
        config = apply_overrides(
            config, {**PRESETS["tiny"], **MODELS[model].presets.get("tiny", {})}
        )
    else:
        steps = max(steps, MIN_STEPS)
    extra = {
        "train.epochs": 1,
        "data.batch_size": batch,
        "train.steps_per_dispatch": steps,
        "train.dtype": dtype,
    }
    return apply_overrides(config, extra), batch, steps


def bench_engine(row: str, dtype: str, tiny: bool, repeats: int) -> dict:
    """Steps/s of `Trainer.fit` (one epoch of `steps` synthetic batches) in `dtype`."""
    _, _, (kind, shape, classes), _, _ = eo.ROWS[row]
    config, batch, steps = engine_config(row, dtype, tiny)
    if kind == "text":  # windows of the configuration's context (the tiny preset shortens it)
        shape = (config.data.seq_len,)
    train = eo.dataset(kind, shape, classes, steps * batch)
    test = eo.dataset(kind, shape, classes, batch, seed=1).test  # one batch
    trainer = Trainer(config, dataset=Dataset(train.info, train.train, test))
    rate, runs = median_rate(trainer.fit, steps, repeats)
    return {
        "steps_per_s": rate,
        "runs": runs,
        "batch": batch,
        "steps_per_repeat": steps,
        "input_shape": list(shape),
    }


# ----------------------------------------------------------------------------------- torch
def torch_missing() -> str | None:
    """Why the PyTorch CUDA column cannot be measured here, or None."""
    try:
        import torch
    except ImportError:
        return "PyTorch tidak terpasang (pip install -e '.[bench]' dengan build CUDA)"
    if not torch.cuda.is_available():
        return f"PyTorch {torch.__version__} tidak melihat GPU CUDA"
    return None


@contextmanager
def torch_default_cuda(module):
    """Tensors created without a device go to CUDA, and `module.median_rate` waits for the
    queued kernels after every run: a twin written for the CPU (`engine_overhead`'s LSTM),
    timed on the GPU."""
    import torch

    rate = module.median_rate

    def synced(run, units, repeats):
        def run_synced():
            run()
            torch.cuda.synchronize()

        return rate(run_synced, units, repeats)

    torch.set_default_device("cuda")
    module.median_rate = synced
    try:
        yield
    finally:
        module.median_rate = rate
        torch.set_default_device("cpu")


def bench_torch(row: str, repeats: int) -> float:
    """Steps/s of the PyTorch twin of `row` on CUDA (float32, eager), as
    `engine_overhead.bench_torch` runs them on the CPU."""
    import torch

    torch.manual_seed(0)
    if row in ("mlp", "cnn", "gan", "resnet"):
        (rate, _), _ = tt.bench_torch("resnet20" if row == "resnet" else row, repeats, "cuda")
        return rate
    if row == "gpt":  # tokens/s of (batch 32) x (context 128) windows
        return tf_bench.bench_torch(repeats, "cuda")["tokens_per_s"] / (
            tf_bench.BATCH * tf_bench.SEQ
        )
    with torch_default_cuda(eo):
        return eo.bench_torch(row, repeats)["steps_per_s"]


# -------------------------------------------------------------------------------- sampling
def bench_gpt_sampling(tiny: bool, repeats: int) -> dict:
    """Tokens/s of one sequence of the `gpt` (default or tiny preset) after a prompt."""
    config = build_config("gpt", "tiny" if tiny else "default")
    length = TINY["gpt_length"] if tiny else GPT_LENGTH
    vocab = eo.ROWS["gpt"][2][2]
    data = eo.dataset("text", (config.data.seq_len,), vocab, config.data.batch_size)
    trainer = Trainer(config, dataset=data)
    prompt = np.arange(GPT_PROMPT, dtype=np.int32) % vocab

    def run():
        trainer.sample(1, prompt=prompt, length=length, temperature=np.float32(1.0), top_k=0)

    rate, runs = median_rate(run, length, repeats)
    return {
        "tokens_per_s": rate,
        "runs": runs,
        "length": length,
        "prompt": GPT_PROMPT,
        "context": config.data.seq_len,
        "positions": config.model.positions,
    }


def bench_ddpm_sampling(tiny: bool, repeats: int) -> dict:
    """Images/s of the `ddpm` (default or tiny preset) sampling `n` images in one call."""
    config = build_config("ddpm", "tiny" if tiny else "default")
    n = TINY["ddpm_n"] if tiny else DDPM_N
    _, _, (kind, shape, classes), _, _ = eo.ROWS["ddpm"]
    trainer = Trainer(config, dataset=eo.dataset(kind, shape, classes, config.data.batch_size))
    rate, runs = median_rate(lambda: trainer.sample(n), n, repeats)
    steps = config.model.timesteps if config.model.sampler == "ddpm" else config.model.sample_steps
    return {
        "images_per_s": rate,
        "runs": runs,
        "images": n,
        "image_shape": list(shape),
        "sampler": config.model.sampler,
        "steps": steps,
    }


# ------------------------------------------------------------------------------------ main
def model_row(name: str, args, repeats: int, torch_note: str | None) -> dict:
    model, overrides, _, _, _ = eo.ROWS[name]
    row: dict = {"model": model, "overrides": "preset tiny" if args.tiny else overrides}
    for dtype in DTYPES:
        out, error = attempt(
            f"{name} {dtype}", lambda d=dtype: bench_engine(name, d, args.tiny, repeats)
        )
        if out is not None:
            for key in ("batch", "steps_per_repeat", "input_shape"):
                row[key] = out[key]
        row[f"{dtype}_steps_per_s"] = out and out["steps_per_s"]
        row[f"{dtype}_runs"] = out and out["runs"]
        if error:
            row[f"{dtype}_error"] = error
    if row["float32_steps_per_s"] and row["bfloat16_steps_per_s"]:
        row["bfloat16_vs_float32"] = row["bfloat16_steps_per_s"] / row["float32_steps_per_s"]
    note = "tidak ada kembaran PyTorch" if name not in TORCH_TWINS else torch_note
    rate = None
    if note is None:
        rate, error = attempt(f"{name} torch", lambda: bench_torch(name, repeats))
        note = error and f"gagal: {error}"
    row["torch_steps_per_s"], row["torch_note"] = rate, note
    if rate and row["float32_steps_per_s"]:
        row["float32_vs_torch"] = row["float32_steps_per_s"] / rate
    return row


def main() -> None:
    args = parser().parse_args()
    backend = jax.default_backend()
    if backend not in ACCELERATORS and not args.allow_cpu:
        print(CPU_MESSAGE.format(backend=backend), file=sys.stderr)
        raise SystemExit(2)
    session = Session.start("gpu", allow_load=args.allow_load)
    repeats = args.repeats or (1 if args.tiny else 5)
    if args.no_torch:
        torch_note = "tidak diukur (--no-torch)"
    elif args.tiny:
        torch_note = "tidak diukur (--tiny)"
    else:
        torch_note = torch_missing()
    if torch_note:
        print(f"PyTorch: {torch_note}", flush=True)
    data = {
        "title": TITLE,
        "description": DESCRIPTION,
        "backend": backend,
        "devices": [d.device_kind for d in jax.devices()],
        "preset": "tiny" if args.tiny else "default",
        "repeats": repeats,
        "min_steps_per_repeat": TINY["steps"] if args.tiny else MIN_STEPS,
        "budget_s": args.budget_s,
        "sampling": {},
        "models": {},
        "skipped": [],
    }
    sampling = data["sampling"]
    gpt, error = attempt("gpt sampling", lambda: bench_gpt_sampling(args.tiny, repeats))
    sampling["gpt_tokens_per_s"] = gpt and gpt.pop("tokens_per_s")
    sampling["gpt"] = gpt or {"error": error}
    ddpm, error = attempt("ddpm sampling", lambda: bench_ddpm_sampling(args.tiny, repeats))
    sampling["ddpm_images_per_s"] = ddpm and ddpm.pop("images_per_s")
    sampling["ddpm"] = ddpm or {"error": error}
    print("sampling", {k: v for k, v in sampling.items() if k.endswith("_per_s")}, flush=True)
    session.write(args.out, data)
    for name in [m for m in MODELS if m in args.models]:  # the `dljax list` order
        if time.time() - session.started > args.budget_s:
            data["skipped"].append(name)
            continue
        row = model_row(name, args, repeats, torch_note)
        data["models"][name] = row
        shown = {k: round(v, 2) for k, v in row.items() if isinstance(v, float)}
        print(name, shown, flush=True)
        session.write(args.out, data)
    if data["skipped"]:
        print(
            f"Waktu habis (--budget-s {args.budget_s:.0f}): tidak diukur {data['skipped']}",
            file=sys.stderr,
        )
        session.write(args.out, data)


if __name__ == "__main__":
    main()
