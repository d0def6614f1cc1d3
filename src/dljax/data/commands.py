"""`dljax data list | download NAME | verify NAME | path NAME` (Indonesian output)."""

from __future__ import annotations

from dljax.data import cifar10, mnist
from dljax.data.download import RemoteDataset, dataset_dir, fetch, verify
from dljax.data.registry import DATASETS, get_entry
from dljax.errors import DljaxError

ACTIONS = ("list", "download", "verify", "path")

REMOTE: dict[str, RemoteDataset] = {
    "mnist": mnist.MNIST_REMOTE,
    "fashion_mnist": mnist.FASHION_REMOTE,
    "cifar10": cifar10.REMOTE,
}
# Published split sizes of the downloaded datasets (no need to download them to list them).
REMOTE_SPLITS = {"mnist": (60_000, 10_000), "fashion_mnist": (60_000, 10_000)}
REMOTE_SPLITS["cifar10"] = (50_000, 10_000)

OWN_FILES = ("folder",)  # the user's images (--data-dir): nothing to count or download
STATUS_WORDS = {"ok": "ok", "missing": "belum ada", "corrupt": "RUSAK (checksum tidak cocok)"}


def _fmt(n: int) -> str:
    return f"{n:,}".replace(",", ".")


def _splits(name: str) -> tuple[int, int] | None:
    """(train, test) sizes; None for the user's own images, which have no fixed size."""
    if name in OWN_FILES:
        return None
    if name in REMOTE_SPLITS:
        return REMOTE_SPLITS[name]
    ds = get_entry(name).load(None)
    return len(ds.train), len(ds.test)


def _cached(name: str, data_dir: str | None) -> str:
    statuses = verify(REMOTE[name], data_dir)
    if all(s == "ok" for s in statuses.values()):
        return "tersimpan (cache terverifikasi)"
    if any(s == "corrupt" for s in statuses.values()):
        return "cache rusak (akan diunduh ulang)"
    return "belum diunduh"


def _require_name(action: str, name: str | None) -> str:
    if not name:
        raise DljaxError(
            f"`dljax data {action}` butuh nama dataset, mis. `dljax data {action} mnist`. "
            f"Pilihan: {', '.join(sorted(DATASETS))}."
        )
    get_entry(name)  # raises with the list of valid names
    return name


def run_data_command(action: str, name: str | None = None, data_dir: str | None = None) -> int:
    """Run one `dljax data` action; prints to stdout and returns the exit code."""
    if action not in ACTIONS:
        raise DljaxError(f"Aksi `dljax data {action}` tidak dikenal; pilih: {', '.join(ACTIONS)}.")
    if action == "list":
        return _list(data_dir)
    name = _require_name(action, name)
    remote = REMOTE.get(name)
    if action == "path":
        if remote is None:
            print(f"{name}: dataset bawaan/sintetis, tidak memakai berkas unduhan.")
            return 0
        directory = dataset_dir(name, data_dir)
        print(directory)
        for f in remote.files:
            print(f"  {f.name}  MD5 {f.md5}  ({f.urls()[0]})")
        return 0
    if remote is None:
        print(f"{name}: dataset bawaan/sintetis, tersedia tanpa unduhan (tidak perlu {action}).")
        return 0
    if action == "download":
        paths = fetch(remote, data_dir, progress=None)
        for path in paths.values():
            print(f"ok  {path}")
        print(f"{name}: semua berkas tersedia dan checksum MD5 cocok.")
        return 0
    statuses = verify(remote, data_dir)  # action == "verify"
    directory = dataset_dir(name, data_dir)
    for fname, status in statuses.items():
        print(f"{STATUS_WORDS[status]:<12}  {directory / fname}")
    if all(s == "ok" for s in statuses.values()):
        print(f"{name}: semua berkas lengkap dan checksum MD5 cocok.")
        return 0
    print(f"{name}: ada berkas yang hilang atau rusak. Jalankan `dljax data download {name}`.")
    return 1


def _list(data_dir: str | None) -> int:
    rows = []
    for name, entry in DATASETS.items():
        cached = "tanpa unduhan" if entry.offline else _cached(name, data_dir)
        if (splits := _splits(name)) is None:
            rows.append((name, "-", "--data-dir (80/20 atau train/ dan test/)", cached))
            continue
        n_train, n_test = splits
        rows.append(
            (name, _fmt(n_train + n_test), f"latih {_fmt(n_train)} / uji {_fmt(n_test)}", cached)
        )
    widths = [max(len(r[i]) for r in rows) for i in range(4)]
    header = ("nama", "contoh", "pembagian", "status")
    widths = [max(w, len(h)) for w, h in zip(widths, header, strict=True)]
    line = "  ".join(h.ljust(w) for h, w in zip(header, widths, strict=True))
    print(line)
    for row, entry in zip(rows, DATASETS.values(), strict=True):
        print("  ".join(c.ljust(w) for c, w in zip(row, widths, strict=True)))
        print(f"    {entry.description}")
    return 0
