"""Chapter 6's diffusion models on digits (8x8): quality against sampling steps, and time.

1. `ddpm` and `ddpm_cond` are trained exactly as `dljax train MODEL` would (default preset,
   seed 0); their end-of-run numbers (`Task.final_metrics`: FD on the reference classifier's
   features for 1000 samples of the default sampler, DDIM S = 50, against the test set; the
   floor, the Gaussian baseline; for `ddpm_cond` the label accuracy at its default guidance)
   are the acceptance numbers of issue 11: ddpm fd <= 0.5 * fd_baseline, ddpm_cond
   label_accuracy >= 0.95, each training <= 10 minutes.
   Issue 20's stricter targets (`meets_quality_targets`) add the second feature space
   (`fd_mlp`, with its own floor and baseline) and, for `ddpm_cond`, the per-class recall.
2. The steps table (a small reproduction of the DDIM paper's table 1): the unconditional
   model's FD for DDIM (eta = 0) with S in {5, 10, 20, 50, 100} and DDPM with all T steps,
   `TABLE_SAMPLES` samples each (fewer than the 1000 of step 1: DDPM's 1000 network calls per
   image dominate this script), with the sampling seconds (compilation timed apart: the
   task's `sample`, as `Trainer.sample` calls it, compiled ahead of time).
3. The scan-compiled DDIM sampler (one `lax.scan`, one dispatch) against the tutorials' way:
   a Python loop calling a jitted one-step denoiser S = 50 times; same model, same images.
4. Classifier-free guidance: the conditional model's label accuracy, per-class recall and FD
   (both spaces) for w in {0, 1, 3, 5}.

    python benchmarks/diffusion_quality.py [--allow-load] [--out PATH]

Takes about an hour on 2 CPU cores. The run directories go to `$DLJAX_BENCH_RUNS` (default
/tmp/dljax-diffusion-bench). Writes `benchmarks/results/diffusion_quality.json` (`--out`)
after every measurement; every row records its own load average at start and end.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import sys
import time
from pathlib import Path

import jax
import jax.numpy as jnp
import numpy as np
from flax import nnx

sys.path.insert(0, str(Path(__file__).parent))
from measure import RESULTS, Session, add_arguments, median_time, quiet_start, row_load  # noqa: E402

from dljax import diffusion  # noqa: E402
from dljax.quality import ReferenceClassifier, quality_report, second_space  # noqa: E402
from dljax.recipes import build_config  # noqa: E402
from dljax.runs import train  # noqa: E402

OUT = RESULTS / "diffusion_quality.json"
TITLE = "Mutu dan waktu model difusi pada digits"
DESCRIPTION = (
    "FD, precision/recall dan akurasi label sampel `ddpm` dan `ddpm_cond` (8×8) yang dilatih "
    "dengan preset default, terhadap jumlah langkah sampling DDIM/DDPM dan skala guidance, "
    "beserta waktu sampling dan sampler `lax.scan` dibandingkan dengan loop Python."
)
RUNS = Path(os.environ.get("DLJAX_BENCH_RUNS", "/tmp/dljax-diffusion-bench"))
KEYS = (
    *("fd", "fd_floor", "fd_baseline", "precision", "recall", "label_accuracy"),
    *("recall_class_min", "recall_class_mean"),
    *("fd_mlp", "fd_mlp_floor", "fd_mlp_baseline", "precision_mlp", "recall_mlp"),
)


def quality_targets(model: str, row: dict) -> bool | None:
    """Issue 20's targets: in the reference space FD <= 5 x floor and recall >= 0.7, in the
    second space FD <= 0.5 x its Gaussian baseline (ddpm); label accuracy >= 95 % and
    recall >= 0.6 within every class (ddpm_cond); training <= 3 minutes."""
    if "fd" not in row:
        return None
    ok = row["train_seconds"] <= 180 and row["recall"] >= 0.7
    if model == "ddpm":
        ok &= row["fd"] <= 5 * row["fd_floor"]
    else:
        ok &= row["label_accuracy"] >= 0.95 and row.get("recall_class_min", 0) >= 0.6
    if "fd_mlp" in row:
        ok &= row["fd_mlp"] <= 0.5 * row["fd_mlp_baseline"]
    return bool(ok)


TABLE_SAMPLES = 500
DDIM_STEPS = (5, 10, 20, 50, 100)
LOOP_SAMPLES, LOOP_STEPS, REPEATS = 256, 50, 3


class Output:
    """The JSON being filled in, written (stamped by the session) after every measurement."""

    def __init__(self, session: Session, path: Path, data: dict):
        self.session, self.path, self.data = session, path, data

    def write(self) -> None:
        d = self.data
        rows = [*d["runs"].values(), *d["steps_table"], *d["guidance"]]
        if "scan_vs_python_loop" in d:
            rows.append(d["scan_vs_python_loop"])
        self.session.write(self.path, d, rows=rows)


def timed_sample(trainer, n: int, seed: int = 0, **options):
    """(images, compile seconds, run seconds) of what `trainer.sample(n, seed=seed,
    **options)` computes: the task's `sample` on the evaluation model under `jax.jit`
    (integer and string options static, floats and arrays traced), compiled ahead of time
    so that compilation and sampling are timed apart."""
    static = {k: v for k, v in options.items() if isinstance(v, int | str | bool | None)}
    dynamic = {k: v for k, v in options.items() if k not in static}
    graphdef, state = nnx.split(trainer.model())
    task = trainer.task

    @jax.jit
    def run(state, key, dynamic):
        return task.sample(nnx.merge(graphdef, state), key, n, **static, **dynamic)

    key = jax.random.key(seed)
    t0 = time.perf_counter()
    compiled = run.lower(state, key, dynamic).compile()
    t1 = time.perf_counter()
    out = jax.block_until_ready(compiled(state, key, dynamic))
    t2 = time.perf_counter()
    return np.asarray(out), t1 - t0, t2 - t1


def loop_versus_scan(trainer) -> dict:
    """DDIM (eta 0, S = 50) on the same noise: one scan vs 50 calls of a jitted step."""
    start = quiet_start()
    model = trainer.model()
    graphdef, params, rest = nnx.split(model, nnx.Param, ...)
    schedule = trainer.task.schedule
    x_T = jax.random.normal(jax.random.key(0), (LOOP_SAMPLES, *model.image_shape))

    def eps_fn_of(params):
        m = nnx.merge(graphdef, params, rest, copy=True)
        return lambda x, t: m(x, t)

    @jax.jit
    def scan_sampler(params, x_T):
        return diffusion.ddim_sample(eps_fn_of(params), schedule, x_T, steps=LOOP_STEPS)

    ts = diffusion.ddim_timesteps(schedule.num_steps, LOOP_STEPS)
    ab = np.concatenate([np.asarray(schedule.alpha_bars), [1.0]])

    @jax.jit
    def one_step(params, x, t, ab_t, ab_prev):  # the tutorials' jitted denoiser step
        eps = eps_fn_of(params)(x, jnp.full((x.shape[0],), t, jnp.int32))
        x0 = (x - jnp.sqrt(1 - ab_t) * eps) / jnp.sqrt(ab_t)
        return jnp.sqrt(ab_prev) * x0 + jnp.sqrt(1 - ab_prev) * eps

    def loop_sampler(params, x):
        for t, t_prev in zip(ts, [*ts[1:], -1], strict=True):
            x = one_step(params, x, int(t), np.float32(ab[t]), np.float32(ab[t_prev]))
        return x

    out = {}
    for name, fn in (("scan", scan_sampler), ("python_loop", loop_sampler)):
        result = []

        def run(fn=fn, result=result):
            result[:] = [jax.block_until_ready(fn(params, x_T))]

        seconds, _ = median_time(run, REPEATS)  # the warm-up call compiles
        out[name] = (seconds, np.asarray(result[0]))
    diff = float(np.max(np.abs(out["scan"][1] - out["python_loop"][1])))
    return {
        "samples": LOOP_SAMPLES,
        "steps": LOOP_STEPS,
        "repeats": REPEATS,
        "scan_seconds": round(out["scan"][0], 3),
        "python_loop_seconds": round(out["python_loop"][0], 3),
        "loop_over_scan": round(out["python_loop"][0] / out["scan"][0], 3),
        "max_abs_difference": diff,
        **row_load(start),
    }


def train_model(model: str, output: Output, trainers: dict) -> None:
    start = quiet_start()
    config = build_config(model)
    out = RUNS / model
    shutil.rmtree(out, ignore_errors=True)
    t0 = time.perf_counter()
    result = train(config, out, progress=False)
    s = result.summary
    row = {k: s[k] for k in KEYS if k in s}
    row.update(
        {k: v for k, v in s.items() if k.startswith("test_") and k != "test_count"},
        train_seconds=round(s["wall_time_s"], 1),
        seconds_with_quality=round(time.perf_counter() - t0, 1),
        epochs=s["epochs"],
        steps=s["epochs"] * result.trainer.steps_per_epoch,
        num_params=s["num_params"],
    )
    ok = row["train_seconds"] <= 600
    if model == "ddpm":
        ok &= row["fd"] <= 0.5 * row["fd_baseline"]
    else:
        ok &= row["label_accuracy"] >= 0.95
    row["meets_targets"] = bool(ok)
    row["meets_quality_targets"] = quality_targets(model, row)
    row.update(row_load(start))
    output.data["runs"][model] = row
    trainers[model] = result.trainer
    print(model, json.dumps(row), flush=True)
    output.write()


def measure_row(trainer, reference, output: Output, sampler: str, steps: int) -> None:
    start = quiet_start()
    images, compile_s, run_s = timed_sample(
        trainer, TABLE_SAMPLES, sampler=sampler, steps=steps, eta=np.float32(0.0)
    )
    report = quality_report(reference, images, trainer.dataset)
    row = {
        "sampler": sampler,
        "steps": steps,
        "samples": TABLE_SAMPLES,
        **{k: float(v) for k, v in report.items()},
        "sample_seconds": round(run_s, 2),
        "compile_seconds": round(compile_s, 2),
        **row_load(start),
    }
    output.data["steps_table"].append(row)
    print(json.dumps(row), flush=True)
    output.write()


def guidance_row(trainer, reference, output: Output, w: float) -> None:
    start = quiet_start()
    labels = jnp.asarray(np.arange(TABLE_SAMPLES) % 10, jnp.int32)
    images, _, run_s = timed_sample(
        trainer, TABLE_SAMPLES, labels=labels, guidance=np.float32(w), steps=50
    )
    report = quality_report(
        reference,
        images,
        trainer.dataset,
        labels=np.asarray(labels),
        second=second_space(trainer.dataset),
    )
    row = {"guidance": w, "samples": TABLE_SAMPLES, "sampler": "ddim", "steps": 50}
    row.update({k: float(v) for k, v in report.items()}, sample_seconds=round(run_s, 2))
    row.update(row_load(start))
    output.data["guidance"].append(row)
    print(json.dumps(row), flush=True)
    output.write()


def parser() -> argparse.ArgumentParser:
    return add_arguments(argparse.ArgumentParser(description=__doc__.splitlines()[0]), OUT)


def main() -> None:
    args = parser().parse_args()
    session = Session.start("diffusion_quality", allow_load=args.allow_load)
    reference = ReferenceClassifier.load_or_train("digits")
    data = {
        "title": TITLE,
        "description": DESCRIPTION,
        "dataset": "digits",
        "image_size": 8,
        "reference_accuracy": reference.accuracy,
        "runs": {},
        "steps_table": [],
        "guidance": [],
    }
    output = Output(session, args.out, data)
    trainers: dict = {}
    train_model("ddpm", output, trainers)
    data["scan_vs_python_loop"] = loop_versus_scan(trainers["ddpm"])
    print(json.dumps(data["scan_vs_python_loop"]), flush=True)
    output.write()
    for steps in DDIM_STEPS:
        measure_row(trainers["ddpm"], reference, output, "ddim", steps)
    train_model("ddpm_cond", output, trainers)
    measure_row(trainers["ddpm"], reference, output, "ddpm", 1000)
    for w in (0.0, 1.0, 3.0, 5.0):
        guidance_row(trainers["ddpm_cond"], reference, output, w)


if __name__ == "__main__":
    main()
