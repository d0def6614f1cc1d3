"""`folder`: the user's own images, one sub-folder per class (torchvision's `ImageFolder`).

`--data-dir PATH` holds one sub-folder per class (`PATH/kucing/1.jpg`, deeper folders too),
or `train/` and `test/` with the same class sub-folders. Classes: the sorted sub-folder names.

- Files: PNG, JPEG, BMP, GIF (first frame) by extension; other files are ignored and counted,
  hidden names (`.DS_Store`, `._x.jpg`) silently. Folder links are followed, each real
  folder once (a set of visited real paths), so `a/link -> ..` cannot loop.
- Pixels: transparency is composited on WHITE (as viewers show it), premultiplied (no dark
  fringe); 16-bit grey is scaled by 1/65535; EXIF orientation is applied. `data.channels=0`
  gives 1 when most images are grey (palette images count as colour), else 3.
- Geometry: the whole image is squashed to S x S (nothing cropped; Keras' default).
  `data.image_size=0`: the larger side of the most common (width, height), at most
  `MAX_AUTO_SIZE`. Big images shrink while decoding (JPEG: `Image.draft`; others: integer
  box `Image.reduce`) to about 2 S, then `transforms.resize_images` (antialiased bilinear).
  Above `MAX_PIXELS` an image is refused (a non-JPEG takes <= 4 bytes/pixel to decode).
- Values: float32 (N, S, S, C) in [0, 1], multiples of 1/255 (the cache stores uint8).
- Split: without `test/`, stratified and seeded (sklearn, `SPLIT_SEED`): 20 % test, at
  least one image per class. Cache: `$DLJAX_DATA/folders/` (never inside PATH), keyed on
  file names, sizes, mtimes and settings, written atomically; a failed load writes nothing.

`load_image` preprocesses one file exactly as training does (the loader itself uses it).
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import math
import os
import sys
import tempfile
import warnings
from collections import Counter
from pathlib import Path

import numpy as np
from PIL import Image

from dljax.data.base import ArraySource, Dataset, DatasetInfo
from dljax.data.download import cache_root, make_dir
from dljax.data.transforms import resize_images
from dljax.errors import DljaxError, from_os_error
from dljax.formatting import format_int

EXTENSIONS = frozenset({".png", ".jpg", ".jpeg", ".bmp", ".gif"})
FORMATS = ("PNG", "JPEG", "BMP", "GIF")  # Pillow decoders (a phone JPEG may open as MPO)
MAX_AUTO_SIZE = 64  # cap of the automatic image size (data.image_size=0)
MAX_PIXELS = 200_000_000  # larger images are refused (Pillow alone stops at ~179 MP)
TEST_FRACTION = 0.2
SPLIT_SEED = 0
CACHE_VERSION = 1
CACHE_KEYS = ("train_x", "train_y", "test_x", "test_y", "classes", "skipped")
GREY_MODES = frozenset({"1", "L", "LA", "La", "I", "I;16", "I;16L", "I;16B", "I;16N", "F"})
LUMA = np.array([0.299, 0.587, 0.114], np.float32)  # ITU-R 601-2, as Pillow's convert("L")
# EXIF orientation -> Image.Transpose value (the table of ImageOps.exif_transpose)
ORIENT = dict(zip(range(2, 9), (0, 3, 1, 5, 4, 6, 2), strict=True))
PIL_ERRORS = (OSError, ValueError, SyntaxError, EOFError, IndexError, Image.DecompressionBombError)
DESCRIPTION = "Gambar sendiri dari --data-dir: satu sub-folder per kelas (atau train/ dan test/)"


class BadImage(Exception):
    """`BadImage(path, reason)`: an image file that cannot be used (reason in Indonesian)."""


def notice(message: str) -> None:
    print(f"dljax: catatan: {message}", file=sys.stderr)


# ----------------------------------------------------------------------------- decoding
@contextlib.contextmanager
def _open(path: Path):
    """`Image.open` under our pixel cap instead of Pillow's; every failure is `BadImage`."""
    old, Image.MAX_IMAGE_PIXELS = Image.MAX_IMAGE_PIXELS, MAX_PIXELS  # Pillow fails at 2x
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", Image.DecompressionBombWarning)
            with Image.open(path, formats=FORMATS) as img:
                if (mp := img.width * img.height / 1e6) > MAX_PIXELS / 1e6:
                    size = f"{format_int(img.width)} x {format_int(img.height)} piksel"
                    limit = f"melebihi batas {format_int(MAX_PIXELS // 10**6)} MP"
                    raise BadImage(path, f"berukuran {size} ({format_int(round(mp))} MP), {limit}")
                yield img
    except FileNotFoundError:
        raise BadImage(path, "berkas tidak ditemukan") from None
    except PermissionError:
        raise BadImage(path, "tidak ada izin membacanya") from None
    except Image.UnidentifiedImageError:
        raise BadImage(path, "bukan gambar PNG/JPEG/BMP/GIF yang dikenali") from None
    except PIL_ERRORS as e:
        raise BadImage(path, f"rusak atau terpotong ({type(e).__name__}: {e})") from None
    finally:
        Image.MAX_IMAGE_PIXELS = old


def probe(path: Path) -> tuple[int, int, str]:
    """(width, height, mode) from the file's header, without decoding the pixels."""
    with _open(path) as img:
        return img.width, img.height, img.mode


def _working_mode(img: Image.Image) -> tuple[Image.Image, float]:
    """`img` decoded as L, La, RGB, RGBa (premultiplied alpha) or I, and its white level."""
    if img.mode.startswith("I"):
        return img.convert("I"), 65535.0
    if img.mode in ("P", "PA"):
        img = img.convert("RGBA" if img.has_transparency_data else "RGB")
    target = {"1": "L", "LA": "La", "RGBA": "RGBa", "L": "L", "La": "La", "RGBa": "RGBa"}
    target = target.get(img.mode, "RGB")  # RGB, CMYK, YCbCr, ... -> RGB
    return (img if target == img.mode else img.convert(target)), 255.0


def decode(path: str | Path, size: int, channels: int) -> np.ndarray:
    """One image file -> uint8 (size, size, channels); raises `BadImage`."""
    with _open(path) as img:
        img.draft(img.mode, (2 * size, 2 * size))  # JPEG: decode at 1/2, 1/4 or 1/8 scale
        orientation = img.getexif().get(0x0112, 1)
        img, white = _working_mode(img)  # decodes the pixels
        factors = (max(1, img.width // (2 * size)), max(1, img.height // (2 * size)))
        if factors != (1, 1):
            img = img.reduce(factors)  # integer box filter, down to >= ~2 S per side
        if orientation in ORIENT:
            img = img.transpose(Image.Transpose(ORIENT[orientation]))
        x = np.asarray(img, dtype=np.float32) / white  # (h, w) or (h, w, bands)
    x = x.reshape(x.shape[0], x.shape[1], -1)  # (h, w, B)
    if x.shape[-1] in (2, 4):  # premultiplied alpha: composite on white
        x = x[..., :-1] + (1.0 - x[..., -1:])  # (h, w, B - 1)
    if channels == 1 and x.shape[-1] == 3:
        x = x @ LUMA[:, None]  # (h, w, 1)
    elif channels == 3 and x.shape[-1] == 1:
        x = np.repeat(x, 3, axis=-1)  # (h, w, 3)
    y = resize_images(x[None], size)[0]  # (S, S, C)
    return np.rint(np.clip(y, 0.0, 1.0) * 255.0).astype(np.uint8)


def load_image(path: str | Path, size: int, channels: int) -> np.ndarray:
    """Preprocess one image file exactly as the `folder` dataset does for training:
    float32 (size, size, channels) in [0, 1]. Errors are `DljaxError` naming the file."""
    if size < 1 or channels not in (1, 3):
        raise DljaxError(f"load_image: size={size} harus >= 1 dan channels={channels} 1 atau 3.")
    try:
        return decode(path, size, channels).astype(np.float32) / 255.0
    except BadImage as e:
        raise DljaxError(f"Gambar {str(path)!r} tidak dapat dipakai: {e.args[1]}.") from None


# ----------------------------------------------------------------------------- scanning
def _entries(folder: Path) -> tuple[list[Path], list[Path]]:
    """Sorted non-hidden (sub-folders, files) of `folder`; links to folders count as folders."""
    with os.scandir(folder) as it:
        entries = sorted((e for e in it if not e.name.startswith(".")), key=lambda e: e.name)
    dirs = [Path(e.path) for e in entries if e.is_dir()]
    return dirs, [Path(e.path) for e in entries if not e.is_dir()]


def _raise(err: OSError):
    raise err


def _walk(class_dir: Path, visited: set[str], ignored: list[Path]) -> list[Path]:
    """The image files under `class_dir`, sorted; a real folder in `visited` is not entered
    (again), which stops link loops. Non-image files are appended to `ignored`."""
    images = []
    for top, dirs, files in os.walk(class_dir, followlinks=True, onerror=_raise):
        real = {d: os.path.realpath(os.path.join(top, d)) for d in dirs}
        dirs[:] = [d for d in sorted(dirs) if d[0] != "." and real[d] not in visited]
        visited.update(real[d] for d in dirs)  # os.walk descends only into the kept `dirs`
        for name in sorted(f for f in files if f[0] != "."):
            path = Path(top, name)
            (images if path.suffix.lower() in EXTENSIONS else ignored).append(path)
    return images


def scan(root: Path) -> tuple[list[str], list[tuple[str, Path, int]], list[Path]]:
    """Class names, the images as (split, path, label), split "all" (no train/ and test/)
    or "train"/"test", and the ignored files."""
    dirs, ignored = _entries(root)
    names = {d.name: d for d in dirs}
    splits = {"all": dirs}
    if "train" in names or "test" in names:
        have, lack = ("train", "test") if "train" in names else ("test", "train")
        if lack not in names:
            raise DljaxError(
                f"--data-dir {str(root)!r} berisi {have}/ tetapi tidak ada {lack}/. Buat {lack}/ "
                "dengan sub-folder kelas yang sama, atau letakkan sub-folder kelas langsung di "
                "folder itu (dljax membaginya 80/20 sendiri)."
            )
        if extra := sorted(set(names) - {"train", "test"}):
            notice(f"folder selain train/ dan test/ diabaikan: {', '.join(extra)}")
        splits = {}
        for split in ("train", "test"):
            splits[split], files = _entries(names[split])
            ignored += files
    classes, *test = [[d.name for d in ds] for ds in splits.values()]
    if test and test[0] != classes:
        differ = ", ".join(sorted(set(classes) ^ set(test[0])))
        raise DljaxError(
            f"--data-dir {str(root)!r}: train/ dan test/ harus berisi sub-folder kelas yang "
            f"sama, tetapi {differ} hanya ada di salah satunya. Samakan nama sub-foldernya."
        )
    visited = {os.path.realpath(p) for p in [root, *dirs, *sum(splits.values(), [])]}
    items = []
    for split, ds in splits.items():
        items += [(split, p, k) for k, d in enumerate(ds) for p in _walk(d, visited, ignored)]
    return classes, items, ignored


def _check_counts(root: Path, classes: list[str], splits: np.ndarray, labels: np.ndarray):
    """At least 2 classes and 2 images per class (1 per split with train/ and test/)."""
    if len(classes) < 2:
        found = f"hanya kelas {classes[0]!r}" if classes else "tidak ada sub-folder kelas"
        raise DljaxError(
            f"--data-dir {str(root)!r}: {found}. Butuh minimal 2 sub-folder kelas berisi "
            f"gambar, mis. {root / 'kucing' / '1.jpg'} dan {root / 'anjing' / '1.jpg'}."
        )
    for split, need in (("all", 2), ("train", 1), ("test", 1)):
        per = "(1 latih, 1 uji)" if split == "all" else f"di {split}/"
        counts = np.bincount(labels[splits == split], minlength=len(classes))  # (K,)
        if split in splits and (counts < need).any():
            k = int(np.argmax(counts < need))
            where = root / classes[k] if split == "all" else root / split / classes[k]
            raise DljaxError(
                f"Kelas {classes[k]!r} hanya berisi {counts[k]} gambar (folder {where}); setiap "
                f"kelas butuh minimal {need} gambar {per}. Tambah gambar atau hapus kelas itu."
            )


# ----------------------------------------------------------------------------- settings
def resolve_settings(config, headers: list[tuple[int, int, str]]) -> tuple[int, int]:
    """(size, channels): the configured ones, or the automatic choices (module docstring)."""
    size, channels = config.image_size, config.channels
    if not size:
        (w, h), _ = Counter((w, h) for w, h, _ in headers).most_common(1)[0]
        size = min(max(w, h), MAX_AUTO_SIZE)
        if max(w, h) > MAX_AUTO_SIZE:
            common = f"ukuran tersering {format_int(w)} x {format_int(h)} piksel"
            notice(f"{common} diperkecil ke {size} x {size} (ubah: --set data.image_size=N)")
    if not channels:
        grey = sum(mode in GREY_MODES for _, _, mode in headers)
        channels = 1 if 2 * grey > len(headers) else 3
    return size, channels


def split_indices(labels: np.ndarray, num_classes: int) -> tuple[np.ndarray, np.ndarray]:
    """Sorted (train, test) indices of a stratified, seeded 80/20 split with at least one
    test image per class (every class needs >= 2 images)."""
    from sklearn.model_selection import train_test_split

    n_test = max(num_classes, math.ceil(TEST_FRACTION * len(labels)))
    train, test = train_test_split(
        np.arange(len(labels)), test_size=n_test, stratify=labels, random_state=SPLIT_SEED
    )
    missing = np.setdiff1d(np.arange(num_classes), labels[test])  # rounding left them out
    moved = np.array([train[labels[train] == k][0] for k in missing], dtype=train.dtype)
    return np.setdiff1d(train, moved), np.union1d(test, moved)


# ----------------------------------------------------------------------------- cache
def _cache_file(root: Path, config, items, cache_dir: Path) -> Path:
    """`cache_dir/SETTINGS-FILES.npz`: hashes of the settings, and of every image's split,
    label, path, size and mtime (a changed, added or removed image gives a new name)."""
    settings = [CACHE_VERSION, os.path.realpath(root), config.image_size, config.channels]
    prefix = hashlib.sha256(json.dumps([*settings, config.skip_bad]).encode()).hexdigest()
    listing = [[s, k, os.path.relpath(p, root), *_stat(p)] for s, p, k in items]
    digest = hashlib.sha256(json.dumps(listing).encode()).hexdigest()
    return cache_dir / f"{prefix[:16]}-{digest[:24]}.npz"


def _stat(path: Path) -> tuple[int, int]:
    with contextlib.suppress(OSError):  # a broken link gives (-1, -1); decoding reports it
        st = path.stat()
        return st.st_size, st.st_mtime_ns
    return -1, -1


def _read_cache(path: Path) -> dict[str, np.ndarray] | None:
    """The cached arrays, or None when absent or damaged (then they are rebuilt)."""
    try:
        with np.load(path, allow_pickle=False) as f:
            arrays = {k: f[k] for k in f.files}
    except Exception:  # missing, truncated or foreign: any error means "rebuild"
        return None
    return arrays if set(arrays) == set(CACHE_KEYS) else None


def _write_cache(path: Path, arrays: dict[str, np.ndarray]) -> None:
    """Atomic write (temp file + rename); older files of the same folder and settings go.
    A cache that cannot be written is only a notice: the data are loaded anyway."""
    tmp = None
    try:
        make_dir(path.parent)
        with tempfile.NamedTemporaryFile(dir=path.parent, suffix=".tmp", delete=False) as f:
            tmp = Path(f.name)
            np.savez(f, **arrays)
        os.replace(tmp, path)
        for old in path.parent.glob(path.name.split("-")[0] + "-*.npz"):
            if old != path:
                old.unlink(missing_ok=True)
    except (OSError, DljaxError) as e:
        notice(f"cache {path.parent} tidak dapat ditulis ({e}); gambar dibaca ulang lain kali")
    finally:
        if tmp is not None:
            tmp.unlink(missing_ok=True)


# ----------------------------------------------------------------------------- loading
def _root(config) -> Path:
    """`config.data_dir` as an existing folder."""
    root = Path(config.data_dir).expanduser() if config.data_dir else None
    if root is None or not root.is_dir():
        given = "tidak diberikan" if root is None else f"{str(config.data_dir)!r}"
        what = "" if root is None else " bukan folder" if root.exists() else " tidak ditemukan"
        raise DljaxError(
            f"--data-dir {given}{what}. --dataset folder butuh --data-dir FOLDER berisi satu "
            "sub-folder gambar per kelas (mis. gambar/kucing/1.jpg, gambar/anjing/1.jpg)."
        )
    return root


def _decode_all(items, config) -> tuple[np.ndarray, list[int], list[BadImage]]:
    """Every image as uint8 (N', S, S, C), the indices of the kept items and the bad ones;
    raises on bad images unless `config.skip_bad`."""
    headers, ok, bad, images, kept = [], [], [], [], []
    for i, (_, path, _) in enumerate(items):
        try:
            headers.append(probe(path))
            ok.append(i)
        except BadImage as e:
            bad.append(e)
    size, channels = resolve_settings(config, headers or [(1, 1, "L")])
    for i in ok:
        try:
            images.append(decode(items[i][1], size, channels))  # (S, S, C)
            kept.append(i)
        except BadImage as e:
            bad.append(e)
    if bad and not config.skip_bad:
        more = f" (dan {format_int(len(bad) - 1)} gambar lain)" if len(bad) > 1 else ""
        raise DljaxError(
            f"Gambar {str(bad[0].args[0])!r} tidak dapat dipakai: {bad[0].args[1]}{more}. Hapus "
            "atau ganti berkas itu, atau lewati gambar rusak dengan --set data.skip_bad=true."
        )
    x = np.stack(images) if images else np.zeros((0, size, size, channels), np.uint8)
    return x, kept, bad


def _build(root: Path, config, classes, items) -> dict[str, np.ndarray]:
    """Decode and split: the arrays that the cache stores (`CACHE_KEYS`)."""
    x, kept, bad = _decode_all(items, config)  # (N, S, S, C) uint8
    splits = np.array([items[i][0] for i in kept], dtype=str)  # (N,)
    labels = np.array([items[i][2] for i in kept], np.int32)  # (N,)
    _check_counts(root, classes, splits, labels)
    if "all" in splits:
        train, test = split_indices(labels, len(classes))
    else:
        train, test = np.flatnonzero(splits == "train"), np.flatnonzero(splits == "test")
    skipped = np.array([os.path.relpath(e.args[0], root) for e in bad], dtype=str)
    values = (x[train], labels[train], x[test], labels[test], np.array(classes, dtype=str))
    return dict(zip(CACHE_KEYS, (*values, skipped), strict=True))


def load(config, *, cache_dir: str | Path | None = None) -> Dataset:
    """The `folder` dataset of `config.data_dir` (see the module docstring).

    `config` is a `DataConfig` (`data_dir`, `image_size`, `channels`, `skip_bad`);
    `cache_dir` defaults to `$DLJAX_DATA/folders`.
    """
    root = _root(config)
    try:
        classes, items, ignored = scan(root)
    except OSError as err:
        raise from_os_error(err, "--data-dir") from None
    others = [p for p in ignored if p.suffix.lower() not in EXTENSIONS]
    if ignored:  # non-image files, and images beside the class folders
        example = os.path.relpath(ignored[0], root)
        what = "bukan gambar" + ("" if ignored == others else " atau di luar folder kelas")
        notice(f"{format_int(len(ignored))} berkas {what} diabaikan (mis. {example})")
    splits = np.array([s for s, _, _ in items], dtype=str)  # (N,)
    _check_counts(root, classes, splits, np.array([k for _, _, k in items], np.int64))
    cache_dir = Path(cache_dir) if cache_dir else cache_root() / "folders"
    path = _cache_file(root, config, items, cache_dir)
    arrays = _read_cache(path)
    if arrays is None:
        arrays = _build(root, config, classes, items)
        real_root = os.path.realpath(root)
        if os.path.commonpath([os.path.realpath(cache_dir), real_root]) != real_root:
            _write_cache(path, arrays)  # never inside the user's folder
    if n_bad := len(arrays["skipped"]):
        example = arrays["skipped"][0]
        notice(f"{format_int(n_bad)} gambar rusak dilewati (data.skip_bad=true), mis. {example}")
    shape = tuple(int(d) for d in arrays["train_x"].shape[1:])  # (S, S, C)
    names = tuple(str(c) for c in arrays["classes"])
    info = DatasetInfo("folder", DESCRIPTION, "image", shape, len(names), names)

    def source(split: str) -> ArraySource:
        x = arrays[f"{split}_x"].astype(np.float32) / 255.0  # (N, S, S, C)
        return ArraySource({"input": x, "label": arrays[f"{split}_y"].astype(np.int32)})

    return Dataset(info=info, train=source("train"), test=source("test"))
