"""Downloads with mirrors, checksums and a verified cache; safe reading of tar archives.

Pooch does the mechanics it is good at: the HTTP download with a progress bar
(`pooch.HTTPDownloader`, requests + tqdm) and the file hashes (`pooch.file_hash`). Written
here, because pooch lacks them: trying several mirrors, telling a host that cannot be
reached (fail fast, try the next mirror) from a connection that drops mid-file (retry),
the `.part` file with its atomic rename, verification of the cache on every load, the
Indonesian offline message, and tar reading that refuses unsafe members.

The cache lives in `$DLJAX_DATA` (default `~/.cache/dljax`), one folder per dataset.
"""

from __future__ import annotations

import os
import sys
import tarfile
import time
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path, PurePosixPath

from dljax.data.formats import DataFormatError
from dljax.errors import DljaxError, from_os_error

CONNECT_TIMEOUT_S = 5.0  # short: offline machines must fail within seconds
READ_TIMEOUT_S = 60.0
RETRIES = 2  # extra attempts per mirror after a dropped connection or a bad checksum
BACKOFF_S = 0.5


class DownloadError(DljaxError):
    """A dataset could not be downloaded or its files are not usable."""


class UnsafeArchiveError(DataFormatError):
    """A tar archive contains an absolute path, a `..` component, a link or a device."""


@dataclass(frozen=True)
class RemoteFile:
    """One published file: its name, its published MD5 and the base URLs that serve it."""

    name: str
    md5: str
    mirrors: tuple[str, ...]  # base URLs, each ending with "/"

    def urls(self) -> list[str]:
        return [m + self.name for m in self.mirrors]


@dataclass(frozen=True)
class RemoteDataset:
    """The files a downloadable dataset needs."""

    name: str
    files: tuple[RemoteFile, ...]


def cache_root() -> Path:
    """`$DLJAX_DATA`, or `~/.cache/dljax` when unset."""
    env = os.environ.get("DLJAX_DATA")
    root = Path(env).expanduser() if env else Path("~/.cache/dljax").expanduser()
    if root.exists() and not root.is_dir():
        where = f"DLJAX_DATA={env}" if env else str(root)
        raise DljaxError(
            f"{where} menunjuk ke sebuah berkas, bukan folder. Arahkan DLJAX_DATA ke folder "
            "(mis. export DLJAX_DATA=~/data/dljax) atau hapus variabel itu."
        )
    return root


def make_dir(directory: Path) -> None:
    """`mkdir -p`, with Indonesian errors that name DLJAX_DATA when it is set."""
    try:
        directory.mkdir(parents=True, exist_ok=True)
    except OSError as err:
        what = "DLJAX_DATA" if os.environ.get("DLJAX_DATA") else "folder data"
        raise from_os_error(err, what) from None


def dataset_dir(name: str, data_dir: str | Path | None = None) -> Path:
    """Where the files of dataset `name` are read from: `data_dir`, or the cache folder."""
    return Path(data_dir).expanduser() if data_dir else cache_root() / name


def file_md5(path: str | Path) -> str:
    import pooch  # imported when used: it loads tqdm.auto, which warns inside a notebook

    return pooch.file_hash(str(path), alg="md5")


def file_status(path: Path, md5: str) -> str:
    """ "ok", "missing" or "corrupt" (present, but its MD5 is not the published one)."""
    if not path.is_file():
        return "missing"
    return "ok" if file_md5(path) == md5.lower() else "corrupt"


def verify(dataset: RemoteDataset, data_dir: str | Path | None = None) -> dict[str, str]:
    """The status of every file of `dataset` (see `file_status`)."""
    directory = dataset_dir(dataset.name, data_dir)
    return {f.name: file_status(directory / f.name, f.md5) for f in dataset.files}


def _default_progress() -> bool:
    return sys.stderr.isatty()


def _unreachable(error: Exception) -> bool:
    """True when the host could not be reached at all (no point retrying the same URL)."""
    import requests

    if isinstance(error, requests.exceptions.ConnectTimeout):
        return True
    if isinstance(error, requests.exceptions.ConnectionError):
        text = repr(error)
        return any(
            s in text
            for s in ("NameResolution", "Failed to resolve", "Connection refused", "NewConnection")
        )
    return False


def download_file(
    remote: RemoteFile,
    directory: str | Path,
    *,
    retries: int = RETRIES,
    progress: bool | None = None,
    connect_timeout: float = CONNECT_TIMEOUT_S,
    read_timeout: float = READ_TIMEOUT_S,
    backoff: float = BACKOFF_S,
) -> Path:
    """Return `directory/remote.name`, verified; download it first when missing or corrupt.

    Each mirror is tried in turn. A download goes to `NAME.part`, is checked against the
    published MD5 and only then renamed atomically to `NAME`; on any failure the `.part`
    file is removed, so the cache never holds a partial or unverified file. A dropped
    connection or a checksum mismatch is retried `retries` times; a host that cannot be
    reached or answers with an HTTP error moves on to the next mirror at once.
    """
    import requests

    directory = Path(directory)
    dest = directory / remote.name
    status = file_status(dest, remote.md5)
    if status == "ok":
        return dest
    make_dir(directory)
    if status == "corrupt":
        print(
            f"Berkas {dest} rusak (checksum tidak cocok); diunduh ulang.",
            file=sys.stderr,
        )
        dest.unlink()
    progress = _default_progress() if progress is None else progress
    import pooch  # imported when used (see file_md5)

    downloader = pooch.HTTPDownloader(
        progressbar=progress, chunk_size=1 << 16, timeout=(connect_timeout, read_timeout)
    )
    part = directory / (remote.name + ".part")
    failures: list[tuple[str, str, Exception]] = []  # (url, kind, error)
    for url in remote.urls():
        for attempt in range(retries + 1):
            try:
                if progress:
                    print(f"Mengunduh {url}", file=sys.stderr)
                downloader(url, str(part), None)
                got = file_md5(part)
                if got != remote.md5.lower():
                    raise DownloadError(
                        f"checksum MD5 {got} tidak cocok dengan {remote.md5} yang diterbitkan"
                    )
                os.replace(part, dest)  # atomic on the same file system
                return dest
            except (requests.exceptions.RequestException, DownloadError, OSError) as e:
                part.unlink(missing_ok=True)
                if isinstance(e, requests.exceptions.HTTPError):
                    failures.append((url, "http", e))
                    break
                if _unreachable(e):
                    failures.append((url, "unreachable", e))
                    break
                kind = "checksum" if isinstance(e, DownloadError) else "dropped"
                failures.append((url, kind, e))
                if attempt < retries:
                    time.sleep(backoff * (attempt + 1))
            finally:
                part.unlink(missing_ok=True)
    raise _failure_error(remote, dest, failures)


def manual_instructions(dataset: RemoteDataset, files: list[RemoteFile], directory: Path) -> str:
    """Which files to put where, and the offline alternatives (Indonesian)."""
    lines = [
        f"Unduh berkas berikut (misalnya di komputer lain) dan letakkan di {directory} "
        f"(lihat `dljax data path {dataset.name}`):"
    ]
    lines += [f"  - {f.name} (MD5 {f.md5}) dari {f.urls()[0]}" for f in files]
    lines.append("Atau tunjuk folder yang sudah berisi berkas itu dengan --data-dir FOLDER.")
    lines.append("Untuk berlatih tanpa internet, pakai --dataset digits (tersedia tanpa unduhan).")
    return "\n".join(lines)


def _failure_error(remote: RemoteFile, dest: Path, failures) -> DownloadError:
    if failures and all(kind == "unreachable" for _, kind, _ in failures):
        error = DownloadError(
            f"tidak ada koneksi internet atau server diblokir "
            f"({', '.join(url for url, _, _ in failures)} tidak terjangkau)"
        )
        error.offline = True
        return error
    details = "; ".join(f"{url}: {_describe(kind, e)}" for url, kind, e in failures)
    error = DownloadError(f"gagal dari semua mirror ({details})")
    error.offline = False
    return error


def _describe(kind: str, error: Exception) -> str:
    if kind == "http":
        response = getattr(error, "response", None)
        code = getattr(response, "status_code", "?")
        return f"HTTP {code}"
    if kind == "unreachable":
        return "server tidak terjangkau"
    if kind == "checksum":
        return str(error)
    return f"koneksi terputus ({type(error).__name__})"


def fetch(
    dataset: RemoteDataset,
    data_dir: str | Path | None = None,
    *,
    progress: bool | None = None,
    **kwargs,
) -> dict[str, Path]:
    """The verified files of `dataset`, downloading into the cache what is missing.

    With `data_dir`, the files are the user's own: they are verified but never downloaded
    or replaced; a missing or corrupt file is an error that says which one.
    """
    if data_dir:
        directory = dataset_dir(dataset.name, data_dir)
        paths = {}
        for f in dataset.files:
            path = directory / f.name
            status = file_status(path, f.md5)
            if status != "ok":
                what = "tidak ada" if status == "missing" else "rusak (checksum MD5 tidak cocok)"
                raise DownloadError(
                    f"--data-dir {str(data_dir)!r}: berkas {f.name} {what}. Folder itu harus "
                    f"berisi {', '.join(x.name for x in dataset.files)} (MD5 sesuai terbitan "
                    f"resmi). Unduh dari {f.urls()[0]}, atau hilangkan --data-dir agar dljax "
                    "mengunduhnya sendiri."
                )
            paths[f.name] = path
        return paths
    directory = dataset_dir(dataset.name)
    paths = {}
    for f in dataset.files:
        try:
            paths[f.name] = download_file(f, directory, progress=progress, **kwargs)
        except DownloadError as e:
            todo = [g for g in dataset.files if g.name not in paths]
            raise DownloadError(
                f"Tidak dapat mengunduh dataset {dataset.name!r}: berkas {f.name}: {e}.\n"
                + manual_instructions(dataset, todo, directory)
            ) from None
    return paths


# ----------------------------------------------------------------------------- tar archives
def check_member(member: tarfile.TarInfo, archive: str | Path) -> None:
    """Refuse absolute paths, `..` components, links and special files."""
    name = member.name
    parts = PurePosixPath(name.replace("\\", "/")).parts
    reason = None
    if name.startswith(("/", "\\")) or (len(name) > 1 and name[1] == ":"):
        reason = "jalur absolut"
    elif ".." in parts:
        reason = "komponen '..' (keluar dari folder tujuan)"
    elif member.issym() or member.islnk():
        reason = "tautan (symlink/hardlink)"
    elif not (member.isfile() or member.isdir()):
        reason = "berkas khusus (device/FIFO)"
    if reason:
        raise UnsafeArchiveError(
            f"Arsip {str(archive)!r} ditolak: anggota {name!r} berisi {reason}. Arsip yang "
            "aman hanya berisi berkas dan folder biasa dengan jalur relatif. Hapus arsip itu "
            "dan unduh ulang dari sumber resmi."
        )


def _open_tar(archive: str | Path) -> tarfile.TarFile:
    try:
        return tarfile.open(archive, "r:*")
    except (tarfile.TarError, EOFError, OSError) as e:
        raise DataFormatError(f"Arsip {str(archive)!r} rusak atau terpotong: {e}.") from None


def read_tar_files(archive: str | Path, names: Iterable[str]) -> dict[str, bytes]:
    """Read the regular files whose base names are in `names` from a tar archive.

    Every member is checked (`check_member`) before anything is read; nothing is written to
    disk. Raises `DataFormatError` when the archive is broken or a wanted file is absent.
    """
    wanted = set(names)
    out: dict[str, bytes] = {}
    with _open_tar(archive) as tar:
        try:
            members = tar.getmembers()
            for m in members:
                check_member(m, archive)
            for m in members:
                base = PurePosixPath(m.name).name
                if m.isfile() and base in wanted:
                    out[base] = tar.extractfile(m).read()
        except (tarfile.TarError, EOFError, OSError) as e:
            raise DataFormatError(f"Arsip {str(archive)!r} rusak atau terpotong: {e}.") from None
    missing = sorted(wanted - set(out))
    if missing:
        raise DataFormatError(f"Arsip {str(archive)!r} tidak berisi {', '.join(missing)}.")
    return out


def safe_extract(archive: str | Path, dest: str | Path) -> list[Path]:
    """Extract a tar archive into `dest` after checking every member; returns the files.

    The whole archive is refused (nothing is extracted) when one member is unsafe; the
    extraction itself also runs under tarfile's "data" filter as a second line of defence.
    """
    dest = Path(dest)
    with _open_tar(archive) as tar:
        try:
            members = tar.getmembers()
        except (tarfile.TarError, EOFError, OSError) as e:
            raise DataFormatError(f"Arsip {str(archive)!r} rusak atau terpotong: {e}.") from None
        for m in members:
            check_member(m, archive)
        make_dir(dest)
        tar.extractall(dest, members=members, filter="data")
    return [dest / m.name for m in members if m.isfile()]
