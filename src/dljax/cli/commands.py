"""The `dljax` commands. Each parses nothing itself (see `dljax.cli.parser`) and holds no
policy of its own: runs are named, resumed, loaded and sampled by `dljax.runs` and
`dljax.train`; this module turns arguments into those calls and results into Indonesian
lines."""

from __future__ import annotations

import os
import signal
import sys
import traceback
from pathlib import Path

import jax
import numpy as np

from dljax.cli.predict import cmd_predict
from dljax.config import PRESETS
from dljax.data import DATASETS
from dljax.data.commands import run_data_command
from dljax.errors import DljaxError, RunFailed, from_os_error
from dljax.formatting import format_float, format_int
from dljax.overrides import parse_set_args
from dljax.recipes import MODELS, build_config
from dljax.runs import RunDir, default_out, load_run, resume_config, train
from dljax.train.parallel import initialize_distributed, peer_lost
from dljax.train.sampling import check_sample_args, sample_text
from dljax.viz import save_grid, save_trajectory_gif

PRESET_NOTES = {
    "tiny": "sangat kecil, untuk uji cepat",
    "default": "bawaan",
    "full": "lebih lama, hasil terbaik",
}


def cmd_list(args) -> int:
    print("Model:")
    for recipe in MODELS.values():
        print(f"  {recipe.name:<16} {recipe.description}")
    print("Dataset:")
    for entry in DATASETS.values():
        print(f"  {entry.name:<16} {entry.description}")
    print("Preset:")
    for name in PRESETS:
        print(f"  {name:<16} {PRESET_NOTES.get(name, '')}")
    return 0


def _absolute(path: str | None) -> str | None:
    return None if path is None else str(Path(path).expanduser().resolve())


def _overrides(args) -> dict[str, str]:
    flags = {
        "data.name": args.dataset,
        "train.epochs": args.epochs,
        "data.batch_size": args.batch_size,
        "train.lr": args.lr,
        "train.seed": args.seed,
        # stored absolute, so that eval/sample/--resume work from any folder
        "data.data_dir": _absolute(args.data_dir),
        "data.text": _absolute(args.text),
    }
    out = {k: str(v) for k, v in flags.items() if v is not None}
    out.update(parse_set_args(args.set))
    return out


class Terminated(KeyboardInterrupt):
    """SIGTERM (what a cluster scheduler sends), handled like Ctrl+C."""


def _on_sigterm(signum, frame):
    raise Terminated()


def cmd_train(args) -> int:
    initialize_distributed(auto=args.distributed)  # before any JAX computation
    overrides = _overrides(args)
    config = build_config(args.model, args.preset or "default", overrides)  # names and keys
    if args.text is not None and config.data.name != "text":
        raise DljaxError(
            f"--text {args.text} hanya dipakai oleh dataset 'text' (model bahasa), bukan "
            f"{config.data.name!r}. Hilangkan --text, atau pakai --dataset text."
        )
    out = Path(args.out) if args.out else default_out(args.model, config.data.name, args.resume)
    if args.resume:
        config = resume_config(RunDir(out), args.model, overrides, args.preset)
    else:
        RunDir(out).check_new()
    config.validate()

    def banner(trainer, run_dir):
        where = f"{trainer.parallel.num_devices} perangkat"
        if trainer.parallel.num_processes > 1:
            where += f" pada {trainer.parallel.num_processes} proses, ini proses "
            where += str(jax.process_index())
        if trainer.parallel.mode != "data":
            where += f", paralel: {trainer.parallel.mode}"
        print(
            f"Melatih {config.model_name} pada {config.data.name} "
            f"({format_int(trainer.num_params)} parameter, {where}, jalur data: "
            f"{trainer.pipeline}). Hasil: {out}",
            file=sys.stderr,
        )

    previous = signal.signal(signal.SIGTERM, _on_sigterm)
    try:
        result = train(config, out, resume=args.resume, progress=not args.quiet, on_start=banner)
    except KeyboardInterrupt as err:
        what = "Dihentikan (SIGTERM)" if isinstance(err, Terminated) else "Dihentikan"
        print(
            f"\n{what}. Lanjutkan dengan: dljax train {args.model} --out {out} --resume",
            file=sys.stderr,
        )
        return 143 if isinstance(err, Terminated) else 130
    finally:
        signal.signal(signal.SIGTERM, previous)
    _print_headline("Selesai", result.trainer.task, result.summary)
    print(f"Direktori run: {out}")
    return 0


def _print_headline(title: str, task, metrics: dict) -> None:
    parts = task.headline(metrics)
    if "wall_time_s" in metrics:
        parts.append(f"waktu latih {format_float(metrics['wall_time_s'], 1)} dtk")
    print(f"{title}: " + ", ".join(parts))


def cmd_eval(args) -> int:
    trainer = load_run(args.run_dir)
    metrics = trainer.evaluate()
    metrics.update(trainer.task.derived(metrics))
    _print_headline(f"Evaluasi {Path(args.run_dir)}", trainer.task, metrics)
    if names := trainer.dataset.info.class_names:
        print(f"Kelas ({len(names)}): {', '.join(names)}")
    for key, value in metrics.items():
        print(f"  {key}: {value:.6f}")
    return 0


def cmd_sample(args) -> int:
    check_sample_args(
        n=args.n, length=args.length, temperature=args.temperature, top_k=args.top_k,
        seed=args.seed,
    )  # fmt: skip
    trainer = load_run(args.run_dir, need_data=False)
    task = trainer.task
    sampler_options = task.sample_options(
        {
            "sampler": args.sampler,
            "steps": args.steps,
            "eta": args.eta,
            "guidance": args.guidance,
            "trajectory": args.trajectory,
        }
    )
    if task.sample_kind == "tokens":
        text = sample_text(
            trainer, args.prompt, args.length, temperature=args.temperature,
            top_k=args.top_k, seed=args.seed,
        )  # fmt: skip
        print(args.prompt + text)
        return 0
    if task.sample_kind != "image":
        raise DljaxError(
            f"Run {args.run_dir} melatih {trainer.config.model_name!r} (tugas {task.name}), "
            "yang tidak membangkitkan sampel. `dljax sample` butuh run model generatif (gan, "
            "dcgan, cgan, vae, autoencoder, ddpm) atau model bahasa (char_lstm, gpt)."
        )
    options = task.sample_request(trainer.dataset, args.n, args.label)
    images = trainer.sample(args.n, seed=args.seed, **options, **sampler_options)
    out = Path(args.out) if args.out else Path(f"{Path(args.run_dir).name}-sampel.png")
    cols = task.grid_cols(trainer.dataset, args.n, args.label)
    if sampler_options.get("trajectory"):  # (S + 1, n, H, W, C): x_T ... x_0
        gif = save_trajectory_gif(images, out.with_suffix(".gif"), cols=cols)
        print(f"Lintasan {len(images) - 1} langkah (x_T sampai x_0) ditulis ke {gif}")
        images = images[-1]
    save_grid(images, out, cols=cols)
    print(f"{len(images)} sampel ({np.shape(images)[1]}x{np.shape(images)[2]}) ditulis ke {out}")
    return 0


def cmd_data(args) -> int:
    return run_data_command(args.action, args.name, args.data_dir)


COMMANDS = {
    "list": cmd_list,
    "train": cmd_train,
    "eval": cmd_eval,
    "data": cmd_data,
    "sample": cmd_sample,
    "predict": cmd_predict,
}


def run(args) -> int:
    """Run the parsed command; every failure becomes one Indonesian line and an exit code."""
    debug = os.environ.get("DLJAX_DEBUG", "") not in ("", "0")
    try:
        code = COMMANDS[args.command](args)
    except BrokenPipeError:  # output piped into e.g. `head`, which closed early
        sys.stdout = open(os.devnull, "w")  # noqa: SIM115 - silence the final flush
        return 0
    except KeyboardInterrupt:
        print("\nDihentikan.", file=sys.stderr)
        return 130
    except Exception as err:
        if debug and not jax.distributed.is_initialized():
            raise
        if debug:
            traceback.print_exc()
        error = as_dljax_error(err)
        print(f"dljax: galat: {error}", file=sys.stderr)
        code = error.exit_code
    if code and jax.distributed.is_initialized():
        # Multi-process: a failed process leaves at once, so that its peers see it go (their
        # collectives fail) instead of everyone waiting for everyone at shutdown.
        sys.stdout.flush()
        sys.stderr.flush()
        os._exit(code)
    return code


def as_dljax_error(err: Exception) -> DljaxError:
    """The one mapping of every failure to an Indonesian `DljaxError`."""
    if isinstance(err, DljaxError):
        return err
    if isinstance(err, OSError) and err.errno is not None:
        return from_os_error(err)
    lost = peer_lost(err)
    if lost is not None:
        return lost
    if isinstance(err, MemoryError):
        return RunFailed("Memori habis. Kecilkan --batch-size atau ukuran model, lalu ulangi.")
    return RunFailed(
        f"Galat tak terduga ({type(err).__name__}: {str(err)[:300]}). Ini kemungkinan bug "
        "dljax: jalankan ulang dengan DLJAX_DEBUG=1 untuk melihat detailnya dan laporkan."
    )
