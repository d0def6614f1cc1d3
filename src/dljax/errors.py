"""User-facing errors. Their messages are Indonesian and say what to do.

`DljaxError` is a mistake in the user's input (exit code 2); `RunFailed` is a failure during
a run (exit code 1). `from_os_error` is the one place that turns an `OSError` (a read-only
or full disk, a path too long, a file where a folder belongs...) into one of them.
"""

from __future__ import annotations

import errno


class DljaxError(Exception):
    """An error caused by the user's input; the CLI prints it and exits with code 2."""

    exit_code = 2


class RunFailed(DljaxError):
    """A failure while a run was going (disk full, damaged checkpoint); exit code 1."""

    exit_code = 1


class PeerLost(RunFailed):
    """Multi-process training: another process died or became unreachable (exit code 1).
    The CLI exits at once, without waiting for the dead peer at shutdown."""


class TrainingDiverged(DljaxError):
    """The loss became NaN or Inf; the CLI prints it and exits with code 1."""

    exit_code = 1

    def __init__(self, step: int, epoch: int, value: float):
        self.step, self.epoch, self.value = step, epoch, value
        super().__init__(
            f"Loss menjadi {value} pada langkah {step} (epoch {epoch}); pelatihan dihentikan. "
            "Coba turunkan learning rate (mis. --lr 1e-4), aktifkan pemotongan gradien "
            "(--set train.grad_clip=1.0), atau periksa data masukan (nilai NaN/Inf)."
        )


# errno -> (what happened, what to do); {path} is filled in.
_OS_MESSAGES = {
    errno.EROFS: (
        "{path} berada di sistem berkas yang hanya-baca",
        "pilih folder yang bisa ditulis",
    ),
    errno.ENOSPC: ("disk penuh saat menulis {path}", "kosongkan ruang disk atau pilih disk lain"),
    errno.EDQUOT: ("kuota disk habis saat menulis {path}", "kosongkan ruang atau pilih disk lain"),
    errno.ENAMETOOLONG: (
        "jalur {path} terlalu panjang untuk sistem berkas",
        "pakai nama folder yang lebih pendek",
    ),
    errno.EEXIST: ("{path} sudah ada", "pilih jalur lain atau hapus yang lama"),
    errno.ENOTDIR: (
        "sebagian dari jalur {path} adalah berkas, bukan folder",
        "pilih jalur yang semua induknya berupa folder",
    ),
    errno.EISDIR: ("{path} adalah folder, bukan berkas", "berikan jalur ke sebuah berkas"),
    errno.EACCES: ("tidak ada izin untuk menulis/membaca {path}", "pilih folder milikmu"),
    errno.EPERM: ("operasi pada {path} tidak diizinkan", "pilih folder milikmu"),
    errno.ENOENT: ("{path} tidak ditemukan", "periksa jalurnya"),
    errno.EIO: ("galat masukan/keluaran disk pada {path}", "periksa disknya lalu ulangi"),
}

# Errors that come from the user's choice of path (exit 2); the rest happen during a run.
_INPUT_ERRNOS = {
    errno.EROFS,
    errno.ENAMETOOLONG,
    errno.EEXIST,
    errno.ENOTDIR,
    errno.EISDIR,
    errno.EACCES,
    errno.EPERM,
    errno.ENOENT,
}


def from_os_error(err: OSError, what: str | None = None, *, during_run: bool = False) -> DljaxError:
    """An Indonesian `DljaxError` (exit 2) or `RunFailed` (exit 1) for an `OSError`.

    `what` names the argument the path came from (e.g. "--out"); `during_run` makes every
    error a failure of the run (exit 1), e.g. a full disk while saving a checkpoint.
    """
    path = err.filename if err.filename is not None else "(tidak diketahui)"
    shown = f"{what} {path}" if what else str(path)
    happened, fix = _OS_MESSAGES.get(
        err.errno, ("galat sistem berkas pada {path}", "periksa jalur dan disknya")
    )
    detail = f" ({err.strerror})" if err.strerror else ""
    message = f"{happened.format(path=shown)}{detail}; {fix}."
    message = message[0].upper() + message[1:]
    if during_run or err.errno not in _INPUT_ERRNOS:
        return RunFailed(message)
    return DljaxError(message)
