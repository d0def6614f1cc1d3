"""The `dljax` command: list, train, eval, data.

User-facing text is Indonesian. Bad input fails fast with exit code 2 and never leaves a
half-written run directory: everything is validated and the dataset is loaded before the
run directory is created.
"""

from __future__ import annotations

import argparse
import math
import os
import signal
import sys
from pathlib import Path

from dljax.errors import DljaxError, RunFailed, from_os_error

MAX_SAMPLE_LENGTH = 100_000  # characters per `dljax sample` call
MAX_SAMPLE_N = 4096  # images per `dljax sample` call

# argparse's own strings, in Indonesian (argparse looks them up through its gettext `_`).
_ARGPARSE_ID = {
    "usage: ": "penggunaan: ",
    "positional arguments": "argumen posisi",
    "options": "opsi",
    "show this help message and exit": "tampilkan bantuan ini lalu keluar",
    "%(prog)s: error: %(message)s\n": "%(prog)s: galat: %(message)s\n",
    "the following arguments are required: %s": "argumen berikut wajib diisi: %s",
    "unrecognized arguments: %s": "argumen tidak dikenal: %s",
    "invalid choice: %(value)r (choose from %(choices)s)": (
        "pilihan tidak dikenal: %(value)r (pilih dari %(choices)s)"
    ),
    "argument %(argument_name)s: %(message)s": "argumen %(argument_name)s: %(message)s",
    "expected one argument": "butuh satu nilai",
    "expected at least one argument": "butuh paling sedikit satu nilai",
    "invalid %(type)s value: %(value)r": "nilai %(type)s tidak valid: %(value)r",
    "ambiguous option: %(option)s could match %(matches)s": (
        "opsi ambigu: %(option)s bisa berarti %(matches)s"
    ),
}


def _install_argparse_translation() -> None:
    original = argparse._  # gettext.gettext

    def translate(message: str) -> str:
        return _ARGPARSE_ID.get(message, original(message))

    argparse._ = translate


class _Parser(argparse.ArgumentParser):
    def __init__(self, *args, **kwargs):
        kwargs.setdefault("formatter_class", argparse.RawDescriptionHelpFormatter)
        super().__init__(*args, **kwargs)


def build_parser() -> argparse.ArgumentParser:
    _install_argparse_translation()
    parser = _Parser(
        prog="dljax",
        description="Deep Learning dengan JAX 101: latih setiap model kursus dari baris perintah.",
        epilog="Contoh:\n  dljax list\n  dljax train mlp\n  dljax train cnn --epochs 10\n"
        "  dljax eval runs/mlp-digits\n"
        "  dljax train gan\n  dljax sample runs/gan-digits --out grid.png",
    )
    sub = parser.add_subparsers(dest="command", metavar="PERINTAH", required=True)

    sub.add_parser(
        "list",
        help="daftar model, dataset dan preset",
        description="Daftar model, dataset dan preset yang tersedia.",
    )

    t = sub.add_parser(
        "train",
        help="latih sebuah model",
        description="Latih MODEL dan tulis "
        "direktori run (config, metrik, plot, checkpoint, bobot).",
    )
    t.add_argument("model", metavar="MODEL", help="nama model (lihat `dljax list`)")
    t.add_argument("--dataset", metavar="NAMA", help="dataset (bawaan: digits)")
    t.add_argument("--epochs", type=int, metavar="N", help="jumlah epoch")
    t.add_argument("--batch-size", type=int, metavar="N", help="ukuran batch")
    t.add_argument("--lr", type=float, metavar="X", help="learning rate")
    t.add_argument("--seed", type=int, metavar="N", help="seed acak (hasil dapat diulang)")
    t.add_argument(
        "--preset",
        default=None,
        metavar="NAMA",
        help="tiny (uji cepat), default (bawaan), atau full",
    )
    t.add_argument(
        "--set",
        action="append",
        default=[],
        metavar="KUNCI=NILAI",
        help="ubah konfigurasi, mis. --set model.hidden=512,256 (boleh berulang)",
    )
    t.add_argument(
        "--data-dir",
        metavar="DIR",
        help="folder berisi berkas dataset yang sudah ada (untuk house_prices: "
        "berkas CSV, mis. ../shared/data/house_sales.csv)",
    )
    t.add_argument("--text", metavar="PATH", help="berkas teks UTF-8 untuk model bahasa")
    t.add_argument("--out", metavar="DIR", help="direktori run (bawaan: runs/MODEL-DATASET)")
    t.add_argument(
        "--resume",
        action="store_true",
        help="lanjutkan run yang terhenti dari checkpoint terakhirnya, dengan konfigurasi run "
        "itu sendiri (hanya --epochs yang boleh ditambah)",
    )
    t.add_argument("--quiet", action="store_true", help="tanpa progress bar")
    t.add_argument(
        "--distributed",
        action="store_true",
        help="gabung ke pelatihan multi-proses/multi-host yang dideteksi JAX (SLURM srun, "
        "Open MPI, Cloud TPU); tanpa opsi ini dljax bergabung bila JAX_COORDINATOR_ADDRESS, "
        "JAX_NUM_PROCESSES dan JAX_PROCESS_ID diset",
    )

    e = sub.add_parser(
        "eval",
        help="evaluasi ulang sebuah run",
        description="Muat ulang run dari checkpoint terakhirnya dan cetak metrik ujinya.",
    )
    e.add_argument("run_dir", metavar="RUN_DIR", help="direktori run, mis. runs/mlp-digits")

    s = sub.add_parser(
        "sample",
        help="bangkitkan sampel dari run generatif atau model bahasa",
        description="Muat sebuah run dan bangkitkan sampel dalam satu panggilan terkompilasi: "
        "grid gambar PNG untuk model gambar generatif (gan, dcgan, cgan, vae, autoencoder, "
        "ddpm, ddpm_cond; model difusi juga menerima --sampler/--steps/--eta/--guidance), "
        "atau teks setelah --prompt untuk model bahasa (char_lstm, gpt), karakter demi karakter "
        "dengan state LSTM atau cache kunci/nilai GPT yang dibawa maju (waktu linear terhadap "
        "panjang).",
    )
    s.add_argument("run_dir", metavar="RUN_DIR", help="direktori run, mis. runs/char_lstm-text")
    s.add_argument("--prompt", default="Aku", help="teks awal (bawaan: Aku)")
    s.add_argument("--length", type=int, default=500, metavar="N", help="jumlah karakter baru")
    s.add_argument(
        "--temperature",
        type=float,
        default=1.0,
        metavar="T",
        help="suhu sampling; 0 = selalu karakter paling mungkin",
    )
    s.add_argument(
        "--top-k",
        type=int,
        default=0,
        metavar="K",
        help="ambil hanya dari K karakter teratas (0 = semua)",
    )
    s.add_argument("--seed", type=int, default=0, metavar="N", help="seed acak")
    s.add_argument("--n", type=int, default=64, metavar="N", help="model gambar: jumlah sampel")
    s.add_argument(
        "--label",
        type=int,
        metavar="K",
        help="model bersyarat (cgan): kelas yang dibangkitkan (bawaan: satu baris per kelas)",
    )
    s.add_argument(
        "--out",
        metavar="PNG",
        help="model gambar: berkas grid (bawaan: NAMA_RUN-sampel.png di folder ini)",
    )
    # sampler options: only tasks that list them take them (model difusi: ddpm, ddpm_cond)
    s.add_argument(
        "--sampler",
        choices=("ddim", "ddpm"),
        help="model difusi: ddim (S langkah) atau ddpm (T langkah) (bawaan: pilihan run)",
    )
    s.add_argument(
        "--steps", type=int, metavar="S", help="model difusi: jumlah langkah DDIM, mis. 20"
    )
    s.add_argument(
        "--eta",
        type=float,
        metavar="ETA",
        help="model difusi: derau DDIM; 0 = deterministik, 1 = variansi posterior DDPM",
    )
    s.add_argument(
        "--guidance",
        type=float,
        metavar="W",
        help="model difusi bersyarat: skala classifier-free guidance w, mis. 3",
    )
    s.add_argument(
        "--trajectory",
        action="store_true",
        help="model difusi: tulis juga GIF x_t sepanjang proses balik (NAMA.gif)",
    )

    d = sub.add_parser(
        "data",
        help="kelola dataset (daftar, unduh, periksa, lokasi)",
        description="Kelola dataset: list (daftar dan status cache), download NAMA, "
        "verify NAMA (periksa checksum), path NAMA (di mana berkasnya disimpan).",
    )
    d.add_argument(
        "action",
        choices=("list", "download", "verify", "path"),
        metavar="AKSI",
        help="list, download, verify, atau path",
    )
    d.add_argument("name", nargs="?", metavar="NAMA", help="nama dataset, mis. mnist")
    d.add_argument("--data-dir", metavar="DIR", help="folder data (bawaan: $DLJAX_DATA)")
    return parser


# ------------------------------------------------------------------------------ list
def cmd_list() -> int:
    from dljax.config import PRESETS
    from dljax.data import DATASETS
    from dljax.models import MODELS

    print("Model:")
    for spec in MODELS.values():
        print(f"  {spec.name:<16} {spec.description}")
    print("Dataset:")
    for entry in DATASETS.values():
        print(f"  {entry.name:<16} {entry.description}")
    print("Preset:")
    notes = {
        "tiny": "sangat kecil, untuk uji cepat",
        "default": "bawaan",
        "full": "lebih lama, hasil terbaik",
    }
    for name in PRESETS:
        print(f"  {name:<16} {notes.get(name, '')}")
    return 0


# ------------------------------------------------------------------------------ train
def _absolute(path: str | None) -> str | None:
    return None if path is None else str(Path(path).expanduser().resolve())


def _overrides(args) -> dict[str, str]:
    from dljax.config import parse_set_args

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


def _default_out(model: str, dataset: str, resume: bool) -> Path:
    """`runs/MODEL-DATASET`, or the next free `-2`, `-3`...; with resume, the latest one."""
    base = Path("runs") / f"{model}-{dataset}"
    candidates = [base] + [base.with_name(f"{base.name}-{i}") for i in range(2, 1000)]
    existing = [p for p in candidates if p.exists()]
    if resume:
        if not existing:
            raise DljaxError(
                f"Tidak ada run {base} untuk dilanjutkan. Mulai baru tanpa --resume, "
                "atau berikan --out DIR dari run yang terhenti."
            )
        return existing[-1]
    return next(p for p in candidates if not p.exists())


class Terminated(KeyboardInterrupt):
    """SIGTERM (what a cluster scheduler sends), handled like Ctrl+C."""


def _on_sigterm(signum, frame):
    raise Terminated()


def cmd_train(args) -> int:
    from dljax.config import build_config
    from dljax.formatting import format_int
    from dljax.train import RunDir, train
    from dljax.train.parallel import initialize_distributed
    from dljax.train.reload import resume_config

    initialize_distributed(auto=args.distributed)  # before any JAX computation
    overrides = _overrides(args)
    config = build_config(args.model, args.preset or "default", overrides)  # names and keys
    if args.text is not None and config.data.name != "text":
        raise DljaxError(
            f"--text {args.text} hanya dipakai oleh dataset 'text' (model bahasa), bukan "
            f"{config.data.name!r}. Hilangkan --text, atau pakai --dataset text."
        )
    out = Path(args.out) if args.out else _default_out(args.model, config.data.name, args.resume)
    if args.resume:
        config = resume_config(RunDir(out), args.model, overrides, args.preset)
    else:
        RunDir(out).check_new()
    config.validate()

    def banner(trainer, run_dir):
        import jax

        processes = trainer.parallel.num_processes
        where = f"{trainer.parallel.num_devices} perangkat"
        if processes > 1:
            where += f" pada {processes} proses, ini proses {jax.process_index()}"
        if trainer.parallel.mode != "data":
            where += f", paralel: {trainer.parallel.mode}"
        print(
            f"Melatih {config.model_name} pada {config.data.name} "
            f"({format_int(trainer.num_params)} parameter, "
            f"{where}, jalur data: {trainer.pipeline}). "
            f"Hasil: {out}",
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
    from dljax.formatting import format_float

    parts = task.headline(metrics)
    if "wall_time_s" in metrics:
        parts.append(f"waktu latih {format_float(metrics['wall_time_s'], 1)} dtk")
    print(f"{title}: " + ", ".join(parts))


# ------------------------------------------------------------------------------ eval
def _load(path: str, *, need_data: bool = True):
    from dljax.train import RunDir
    from dljax.train.reload import load_run

    run_dir = RunDir(path)
    if not run_dir.path.is_dir():
        raise DljaxError(f"Direktori run {run_dir.path} tidak ada. Lihat folder runs/.")
    return run_dir, load_run(run_dir, need_data=need_data)


def _check_sample_args(args) -> None:
    from dljax.config import MAX_SEED

    checks = [
        (1 <= args.n <= MAX_SAMPLE_N, f"--n={args.n} harus dalam 1..{MAX_SAMPLE_N} (mis. --n 64)."),
        (
            1 <= args.length <= MAX_SAMPLE_LENGTH,
            f"--length={args.length} harus dalam 1..{MAX_SAMPLE_LENGTH} (mis. --length 500).",
        ),
        (
            math.isfinite(args.temperature) and 0 <= args.temperature <= 100,
            f"--temperature={args.temperature} harus bilangan berhingga dalam 0..100 "
            "(0 = selalu karakter paling mungkin, mis. --temperature 0.8).",
        ),
        (args.top_k >= 0, f"--top-k={args.top_k} harus >= 0 (0 = semua karakter)."),
        (
            0 <= args.seed <= MAX_SEED,
            f"--seed={args.seed} harus dalam 0..{MAX_SEED} (mis. --seed 0).",
        ),
    ]
    for ok, message in checks:
        if not ok:
            raise DljaxError(message)


def cmd_eval(args) -> int:
    run_dir, trainer = _load(args.run_dir)
    metrics = trainer.evaluate()
    metrics.update(trainer.task.derived(metrics))
    _print_headline(f"Evaluasi {run_dir.path}", trainer.task, metrics)
    for key, value in metrics.items():
        print(f"  {key}: {value:.6f}")
    return 0


# ------------------------------------------------------------------------------ sample
def cmd_sample(args) -> int:
    import numpy as np

    from dljax.train.sampling import sample_text

    _check_sample_args(args)
    run_dir, trainer = _load(args.run_dir, need_data=False)
    kind = trainer.task.sample_kind
    sampler_options = trainer.task.sample_options(
        {
            "sampler": args.sampler,
            "steps": args.steps,
            "eta": args.eta,
            "guidance": args.guidance,
            "trajectory": args.trajectory,
        }
    )
    if kind == "tokens":
        text = sample_text(
            trainer,
            args.prompt,
            args.length,
            temperature=args.temperature,
            top_k=args.top_k,
            seed=args.seed,
        )
        print(args.prompt + text)
        return 0
    if kind != "image":
        raise DljaxError(
            f"Run {run_dir.path} melatih {trainer.config.model_name!r} (tugas "
            f"{trainer.task.name}), yang tidak membangkitkan sampel. `dljax sample` butuh run "
            "model generatif (gan, dcgan, cgan, vae, autoencoder) atau model bahasa "
            "(char_lstm, gpt)."
        )
    from dljax.viz import save_grid

    options = trainer.task.sample_request(trainer.dataset, args.n, args.label)
    images = trainer.sample(args.n, seed=args.seed, **options, **sampler_options)
    out = Path(args.out) if args.out else Path(f"{run_dir.path.name}-sampel.png")
    cols = trainer.task.grid_cols(trainer.dataset, args.n, args.label)
    if sampler_options.get("trajectory"):  # (S + 1, n, H, W, C): x_T ... x_0
        gif = _save_trajectory(images, out.with_suffix(".gif"), cols)
        print(f"Lintasan {len(images) - 1} langkah (x_T sampai x_0) ditulis ke {gif}")
        images = images[-1]
    save_grid(images, out, cols=cols)
    print(f"{len(images)} sampel ({np.shape(images)[1]}x{np.shape(images)[2]}) ditulis ke {out}")
    return 0


def _save_trajectory(frames, path: Path, cols: int) -> Path:
    """A GIF of sample grids over the reverse process, frames (S + 1, n, H, W, C)."""
    import tempfile

    from dljax.viz import save_gif, save_grid

    with tempfile.TemporaryDirectory() as tmp:
        pngs = [save_grid(f, Path(tmp) / f"{i:04d}.png", cols=cols) for i, f in enumerate(frames)]
        save_gif(pngs, path, duration_ms=80)
    return path


# ------------------------------------------------------------------------------ data
def cmd_data(args) -> int:
    from dljax.data.commands import run_data_command

    return run_data_command(args.action, args.name, args.data_dir)


def _safe_streams() -> None:
    """Never crash on printing Indonesian text or a sample under a non-UTF-8 locale."""
    for stream in (sys.stdout, sys.stderr):
        encoding = (getattr(stream, "encoding", "") or "").lower().replace("-", "")
        if encoding != "utf8" and hasattr(stream, "reconfigure"):
            stream.reconfigure(errors="backslashreplace")


def main(argv: list[str] | None = None) -> int:
    """Run a command; every failure is one Indonesian line on stderr and an exit code:
    2 for bad input, 1 for a failure during the run. `DLJAX_DEBUG=1` shows the traceback."""
    _safe_streams()
    parser = build_parser()
    args = parser.parse_args(argv)
    if args.command == "train" and _supervise_wanted(args):
        return _supervise(sys.argv[1:] if argv is None else list(argv))
    code = _run(args)
    if code and _distributed():
        # Multi-process: a failed process leaves at once, so that its peers see it go (their
        # collectives fail) instead of everyone waiting for everyone at shutdown.
        sys.stdout.flush()
        sys.stderr.flush()
        os._exit(code)
    return code


def _supervise_wanted(args) -> bool:
    from dljax.multihost import WORKER_ENV, distributed_wanted

    return distributed_wanted(args.distributed) and not os.environ.get(WORKER_ENV)


def _supervise(argv: list[str]) -> int:
    """Multi-process `dljax train`: run the training in a child process and watch it.

    When a peer dies, JAX's distributed service ends the survivors with a C++ abort (after
    `DLJAX_HEARTBEAT_TIMEOUT` seconds) that no Python code can catch; this parent, which
    never starts JAX, turns that into an Indonesian message and exit code 1. Ctrl+C and
    SIGTERM are passed on to the child.
    """
    import subprocess

    from dljax.multihost import WORKER_ENV

    env = dict(os.environ, **{WORKER_ENV: "1"})
    child = subprocess.Popen([sys.executable, "-m", "dljax.cli", *argv], env=env)
    passed = {s: signal.signal(s, lambda n, f: child.send_signal(n)) for s in _FORWARDED}
    try:
        code = child.wait()
    finally:
        for s, handler in passed.items():
            signal.signal(s, handler)
    if code >= 0:
        return code
    if -code in _FORWARDED:
        return 128 - code
    print(
        f"dljax: galat: Proses pelatihan ini dihentikan (sinyal {-code}) oleh layanan "
        "terdistribusi JAX: proses lain mati atau tidak mengirim heartbeat. Semua proses "
        "berhenti. Periksa log proses yang mati, lalu jalankan ulang semua proses dengan "
        "--resume.",
        file=sys.stderr,
    )
    return 1


_FORWARDED = (signal.SIGINT, signal.SIGTERM)


def _distributed() -> bool:
    import jax

    return jax.distributed.is_initialized()


def _run(args) -> int:
    commands = {
        "list": lambda a: cmd_list(),
        "train": cmd_train,
        "eval": cmd_eval,
        "data": cmd_data,
        "sample": cmd_sample,
    }
    debug = os.environ.get("DLJAX_DEBUG", "") not in ("", "0")
    try:
        return commands[args.command](args)
    except BrokenPipeError:  # output piped into e.g. `head`, which closed early
        sys.stdout = open(os.devnull, "w")  # noqa: SIM115 - silence the final flush
        return 0
    except KeyboardInterrupt:
        print("\nDihentikan.", file=sys.stderr)
        return 130
    except Exception as err:
        if debug:
            if not _distributed():
                raise
            import traceback

            traceback.print_exc()
        error = _as_dljax_error(err)
        print(f"dljax: galat: {error}", file=sys.stderr)
        return error.exit_code


def _as_dljax_error(err: Exception) -> DljaxError:
    """The one mapping of every failure to an Indonesian `DljaxError`."""
    if isinstance(err, DljaxError):
        return err
    if isinstance(err, OSError) and err.errno is not None:
        return from_os_error(err)
    if _distributed() and type(err).__name__ == "JaxRuntimeError":
        from dljax.errors import PeerLost
        from dljax.train.parallel import peer_lost_message

        return PeerLost(peer_lost_message(err))
    if isinstance(err, MemoryError):
        return RunFailed("Memori habis. Kecilkan --batch-size atau ukuran model, lalu ulangi.")
    return RunFailed(
        f"Galat tak terduga ({type(err).__name__}: {str(err)[:300]}). Ini kemungkinan bug "
        "dljax: jalankan ulang dengan DLJAX_DEBUG=1 untuk melihat detailnya dan laporkan."
    )


if __name__ == "__main__":
    sys.exit(main())
