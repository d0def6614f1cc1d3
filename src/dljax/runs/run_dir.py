"""The run directory: what a training run leaves behind, and the one place that writes it.

config.json         the full Config (with --resume --epochs N, the new epoch count)
status.json         running | finished | failed | interrupted, and the history of resumes
data.json           the dataset's fingerprint (shapes, classes; for text: the vocabulary and
                    the SHA-256 of the corpus), so the run reloads without its source files
metrics.jsonl       one JSON object per epoch
metrics.json        final summary (test_accuracy, test_loss, ...); only in a finished run
plots/              PNG learning curves
samples/            generative runs: epoch_NNN.png sample grids and training.gif
checkpoints/        Orbax checkpoints (for --resume and `dljax eval`)
params.safetensors  exported weights
tensorboard/        TensorBoard event files (unless train.tensorboard=false): `tensorboard
                    --logdir runs` shows every run side by side
.lock               the lock of the process that trains in the directory

Rules (also in the README):

- One writer: the training process holds an exclusive `fcntl.flock` on `.lock` for as long as
  it runs (in multi-process training, process 0 only). The OS releases it when the process
  dies, even by `kill -9`; a second `dljax train` on the same directory is refused (exit 2).
- Nothing is half-written: JSON files are written to a temporary name and renamed over the
  old one; `metrics.jsonl` is appended one line per epoch, and a torn last line (a power cut
  mid-write) is ignored on reading and cut off by the next append. `status.json` says whether
  the run finished; a run that failed before its first checkpoint is removed again, so the
  same `--out` can be used for the retry.
- `--resume` continues with the run's own config.json: only `--epochs` may change (grow), and
  the change is recorded in status.json; any other flag that differs is refused with the list
  of differences. With no checkpoint yet, the run starts again from epoch 0 (and says so).
- Every text file is read and written as UTF-8, whatever the locale.
"""

from __future__ import annotations

import contextlib
import fcntl
import json
import os
import shutil
import time
from pathlib import Path

from dljax.errors import DljaxError, from_os_error

STATES = ("running", "finished", "failed", "interrupted")


def write_text_atomic(path: Path, text: str) -> None:
    """Write `text` (UTF-8) to `path` through a temporary file renamed over it."""
    tmp = path.with_name(f".{path.name}.tmp-{os.getpid()}")
    try:
        with open(tmp, "w", encoding="utf-8") as f:
            f.write(text)
            f.flush()
            os.fsync(f.fileno())
        os.replace(tmp, path)
    except BaseException:
        with contextlib.suppress(OSError):
            tmp.unlink()
        raise


def _dumps(obj) -> str:
    return json.dumps(obj, indent=2, ensure_ascii=False) + "\n"


class RunDir:
    def __init__(self, path: Path | str):
        self.path = Path(path)
        self.config = self.path / "config.json"
        self.status = self.path / "status.json"
        self.data = self.path / "data.json"
        self.metrics_log = self.path / "metrics.jsonl"
        self.summary = self.path / "metrics.json"
        self.plots = self.path / "plots"
        self.samples = self.path / "samples"
        self.checkpoints = self.path / "checkpoints"
        self.params = self.path / "params.safetensors"
        self.tensorboard = self.path / "tensorboard"
        self.lock_file = self.path / ".lock"
        self._lock_fd: int | None = None

    # ---------------------------------------------------------------- creating and locking
    def check_new(self) -> None:
        """Refuse a `--out` that cannot hold a new run (a file, or a folder with files)."""
        if self.path.exists() and not self.path.is_dir():
            raise DljaxError(
                f"--out {self.path} adalah sebuah berkas, bukan folder. Pilih --out lain "
                "(folder baru atau kosong)."
            )
        if self.path.is_dir() and any(self.path.iterdir()):
            if self.is_run():
                state = self.read_status().get("state", "tidak diketahui")
                raise DljaxError(
                    f"--out {self.path} sudah berisi run (status: {state}). Pakai --resume "
                    "untuk melanjutkannya, atau pilih --out lain."
                )
            raise DljaxError(
                f"--out {self.path} sudah berisi berkas lain. Pilih --out lain (folder baru "
                "atau kosong)."
            )

    def check_resumable(self) -> None:
        if self.path.exists() and not self.path.is_dir():
            raise DljaxError(f"--out {self.path} adalah sebuah berkas, bukan direktori run.")
        if not self.is_run():
            raise DljaxError(
                f"--resume: {self.path} bukan direktori run (tidak ada config.json). "
                "Berikan --out dari run yang terhenti, atau mulai baru tanpa --resume."
            )

    def create(self) -> bool:
        """Create the directory (and its parents); True when it did not exist before."""
        existed = self.path.is_dir()
        try:
            self.path.mkdir(parents=True, exist_ok=True)
            self.plots.mkdir(exist_ok=True)
        except OSError as err:
            raise from_os_error(err, "--out") from None
        return not existed

    def lock(self) -> None:
        """Take the directory's exclusive lock, or refuse (exit 2) when another process has it."""
        try:
            fd = os.open(self.lock_file, os.O_RDWR | os.O_CREAT, 0o644)
        except OSError as err:
            raise from_os_error(err, "--out") from None
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except OSError:
            holder = os.pread(fd, 32, 0).decode("utf-8", "replace").strip() or "?"
            os.close(fd)
            raise DljaxError(
                f"Direktori run {self.path} sedang dipakai oleh proses lain (pid {holder}). "
                "Tunggu sampai proses itu selesai, atau pilih --out lain."
            ) from None
        os.ftruncate(fd, 0)
        os.pwrite(fd, f"{os.getpid()}\n".encode(), 0)
        self._lock_fd = fd

    def unlock(self) -> None:
        if self._lock_fd is not None:
            os.close(self._lock_fd)  # closing the descriptor releases the flock
            self._lock_fd = None

    def discard(self, created: bool) -> None:
        """Remove what a run wrote (used when it failed before its first checkpoint)."""
        names = ("config.json", "status.json", "data.json", "metrics.jsonl", "metrics.json")
        for name in names:
            with contextlib.suppress(OSError):
                (self.path / name).unlink()
        for folder in (self.plots, self.samples, self.checkpoints, self.tensorboard):
            shutil.rmtree(folder, ignore_errors=True)
        with contextlib.suppress(OSError):
            self.lock_file.unlink()
        if created:
            with contextlib.suppress(OSError):
                self.path.rmdir()

    # ---------------------------------------------------------------- config and status
    def is_run(self) -> bool:
        return self.config.is_file()

    def write_config(self, config_dict: dict) -> None:
        write_text_atomic(self.config, _dumps(config_dict))

    def read_config(self) -> dict:
        """config.json as a dict; a damaged file is a `DljaxError` that says what to do."""
        try:
            raw = json.loads(self.config.read_text(encoding="utf-8"))
        except FileNotFoundError:
            raise DljaxError(
                f"{self.path} bukan direktori run dljax (tidak ada config.json). Berikan "
                "direktori yang dibuat oleh `dljax train`, mis. runs/mlp-digits."
            ) from None
        except (ValueError, UnicodeDecodeError) as err:
            raise self.damaged(f"bukan JSON yang valid ({err})") from None
        if not isinstance(raw, dict):
            raise self.damaged(f"berisi {type(raw).__name__}, bukan objek JSON")
        return raw

    def damaged(self, why: str) -> DljaxError:
        return DljaxError(
            f"{self.config} rusak: {why}. Kembalikan config.json aslinya (mis. dari cadangan) "
            "atau latih ulang ke --out lain."
        )

    def read_status(self) -> dict:
        try:
            raw = json.loads(self.status.read_text(encoding="utf-8"))
        except (OSError, ValueError):
            return {}
        return raw if isinstance(raw, dict) else {}

    def write_status(self, state: str, **info) -> None:
        """Set the run's state, keeping the earlier fields (e.g. the resume history)."""
        assert state in STATES, state
        status = self.read_status()
        status.update(info, state=state, updated=time.strftime("%Y-%m-%dT%H:%M:%S"))
        write_text_atomic(self.status, _dumps(status))

    def record_resume(self, event: dict) -> None:
        status = self.read_status()
        status.setdefault("resumes", []).append(
            {"time": time.strftime("%Y-%m-%dT%H:%M:%S"), **event}
        )
        write_text_atomic(self.status, _dumps(status))

    def write_data(self, fingerprint: dict) -> None:
        write_text_atomic(self.data, _dumps(fingerprint))

    def read_data(self) -> dict | None:
        """data.json, or None for runs written before it existed."""
        if not self.data.is_file():
            return None
        try:
            raw = json.loads(self.data.read_text(encoding="utf-8"))
        except (OSError, ValueError) as err:
            raise DljaxError(
                f"{self.data} rusak ({err}). Kembalikan berkas aslinya atau latih ulang."
            ) from None
        if not isinstance(raw, dict):
            raise DljaxError(f"{self.data} rusak (bukan objek JSON). Latih ulang run ini.")
        return raw

    # ---------------------------------------------------------------- history
    def read_history(self) -> list[dict]:
        """The per-epoch records; a torn (partly written) last line is left out."""
        if not self.metrics_log.exists():
            return []
        records = []
        for line in self.metrics_log.read_text(encoding="utf-8").splitlines():
            try:
                record = json.loads(line) if line.strip() else None
            except ValueError:
                continue  # torn line: the power went out while it was written
            if isinstance(record, dict) and isinstance(record.get("epoch"), int):
                records.append(record)
        return records

    def write_history(self, records: list[dict]) -> None:
        text = "".join(json.dumps(r, ensure_ascii=False) + "\n" for r in records)
        write_text_atomic(self.metrics_log, text)

    def append_history(self, record: dict) -> None:
        """Append one record; a torn last line left by a crash is cut off first."""
        line = (json.dumps(record, ensure_ascii=False) + "\n").encode("utf-8")
        with open(self.metrics_log, "ab+") as f:
            size = f.seek(0, os.SEEK_END)
            if size:
                f.seek(max(0, size - 1))
                if f.read(1) != b"\n":
                    f.seek(0)
                    data = f.read()
                    f.truncate(data.rfind(b"\n") + 1)
                    f.seek(0, os.SEEK_END)
            f.write(line)
            f.flush()
            os.fsync(f.fileno())

    def write_summary(self, summary: dict) -> None:
        write_text_atomic(self.summary, _dumps(summary))

    def read_summary(self) -> dict:
        return json.loads(self.summary.read_text(encoding="utf-8"))
