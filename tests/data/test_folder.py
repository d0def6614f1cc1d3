"""The `folder` dataset: the user's own images, one sub-folder per class."""

from __future__ import annotations

import os
import struct
import subprocess
import sys
import zlib
from pathlib import Path

import numpy as np
import pytest
from PIL import Image, ImageOps

from dljax.config import DataConfig
from dljax.data import folder
from dljax.data.transforms import resize_images
from dljax.errors import DljaxError

COLOURS = {"kucing": (255, 0, 0), "anjing": (0, 0, 255), "burung": (0, 255, 0)}
STEP = 1 / 255 + 1e-6  # the outputs are multiples of 1/255


# ----------------------------------------------------------------------------- helpers
def save(path: Path, image: Image.Image, **kwargs) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    image.save(path, **kwargs)
    return path


def save_bytes(path: Path, data: bytes) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(data)
    return path


def solid(root: Path, counts: dict[str, int], size=(8, 8), ext=".png") -> Path:
    """`root/CLASS/i.png` filled with the class colour, `counts[CLASS]` of them."""
    for name, n in counts.items():
        for i in range(n):
            save(root / name / f"{i}{ext}", Image.new("RGB", size, COLOURS[name]))
    return root


def grey_levels(root: Path, counts: dict[str, int]) -> dict[int, str]:
    """Grey images whose single level identifies each one; returns {level: class}."""
    owner, level = {}, 10
    for name, n in counts.items():
        for i in range(n):
            save(root / name / f"{i:02d}.png", Image.new("L", (4, 4), level))
            owner[level] = name
            level += 10
    return owner


def load(root: Path, cache_dir: Path | None = None, **settings):
    config = DataConfig(name="folder", data_dir=str(root), **settings)
    return folder.load(config, cache_dir=cache_dir or root.parent / "cache")


def png_header(width: int, height: int) -> bytes:
    """A PNG that claims `width` x `height` grey pixels but carries no pixel data."""

    def chunk(kind: bytes, data: bytes) -> bytes:
        body = kind + data
        return struct.pack(">I", len(data)) + body + struct.pack(">I", zlib.crc32(body))

    ihdr = struct.pack(">IIBBBBB", width, height, 8, 0, 0, 0, 0)
    idat = chunk(b"IDAT", zlib.compress(b""))
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", ihdr) + idat + chunk(b"IEND", b"")


def files_under(path: Path) -> list[str]:
    return sorted(str(p.relative_to(path)) for p in path.rglob("*")) if path.exists() else []


# ----------------------------------------------------------------------------- layout
def test_flat_folder_classes_labels_and_values(tmp_path):
    root = solid(tmp_path / "img", {"kucing": 10, "anjing": 10, "burung": 10})
    ds = load(root)
    assert ds.info.name == "folder" and ds.info.kind == "image"
    assert ds.info.class_names == ("anjing", "burung", "kucing")  # sorted folder names
    assert ds.info.num_classes == 3 and ds.info.input_shape == (8, 8, 3)
    for split, n in (("train", 24), ("test", 6)):
        arrays = getattr(ds, split).arrays
        x, y = arrays["input"], arrays["label"]
        assert x.shape == (n, 8, 8, 3) and x.dtype == np.float32
        assert y.shape == (n,) and y.dtype == np.int32
        assert np.bincount(y, minlength=3).tolist() == [n // 3] * 3  # stratified 80/20
        expected = np.array([COLOURS[ds.info.class_names[k]] for k in y]) / 255.0  # (n, 3)
        np.testing.assert_allclose(x, np.broadcast_to(expected[:, None, None], x.shape))


def test_split_is_stratified_deterministic_and_partitions(tmp_path):
    counts = {"kucing": 12, "anjing": 2, "burung": 3}
    owner = grey_levels(tmp_path / "img", counts)
    ds = load(tmp_path / "img", cache_dir=tmp_path / "c1")
    again = load(tmp_path / "img", cache_dir=tmp_path / "c2")  # decoded afresh
    for split in ("train", "test"):
        for key in ("input", "label"):
            a, b = getattr(ds, split).arrays[key], getattr(again, split).arrays[key]
            np.testing.assert_array_equal(a, b)
    assert ds.info.input_shape == (4, 4, 1)  # grey images -> 1 channel
    levels = {
        s: np.rint(getattr(ds, s).arrays["input"][:, 0, 0, 0] * 255).astype(int).tolist()
        for s in ("train", "test")
    }
    assert sorted(levels["train"] + levels["test"]) == sorted(owner)  # each image once
    # ceil(20 % of 17) = 4, plus one for each class that the rounding left out of test
    assert 4 <= len(levels["test"]) <= 4 + 3
    for s in ("train", "test"):  # labels match the folder each image came from
        names = [ds.info.class_names[k] for k in getattr(ds, s).arrays["label"]]
        assert names == [owner[v] for v in levels[s]]
    test_classes = {owner[v] for v in levels["test"]}
    train_classes = {owner[v] for v in levels["train"]}
    assert test_classes == train_classes == set(counts)  # >= 1 per class in both


def test_split_indices_guarantees_one_test_image_per_class():
    labels = np.array([0] * 100 + [1] * 2 + [2] * 2)
    train, test = folder.split_indices(labels, 3)
    assert set(labels[test]) == {0, 1, 2} and set(labels[train]) == {0, 1, 2}
    assert len(np.intersect1d(train, test)) == 0 and len(train) + len(test) == 104
    assert np.all(np.diff(train) > 0) and np.all(np.diff(test) > 0)
    np.testing.assert_array_equal(folder.split_indices(labels, 3)[1], test)


def test_train_test_layout_and_load_image_agree(tmp_path, capsys):
    root = tmp_path / "img"
    solid(root / "train", {"kucing": 3, "anjing": 2})
    gradient = np.tile(np.linspace(0, 255, 12, dtype=np.uint8), (9, 1))  # (9, 12)
    for i, name in enumerate(["anjing", "kucing", "kucing"]):
        save(root / "test" / name / f"{i}.png", Image.fromarray(np.roll(gradient, i, axis=1)))
    save(root / "val" / "kucing" / "0.png", Image.new("RGB", (8, 8)))
    ds = load(root, image_size=6, channels=3)
    assert "folder selain train/ dan test/ diabaikan: val" in capsys.readouterr().err
    assert ds.info.class_names == ("anjing", "kucing")
    assert ds.train.arrays["label"].tolist() == [0, 0, 1, 1, 1]  # file order, no re-split
    assert ds.test.arrays["label"].tolist() == [0, 1, 1]
    test_files = sorted((root / "test").rglob("*.png"))
    for row, path in zip(ds.test.arrays["input"], test_files, strict=True):
        np.testing.assert_array_equal(row, folder.load_image(path, 6, 3))


def test_missing_or_mismatched_splits(tmp_path):
    solid(tmp_path / "a" / "train", {"kucing": 2, "anjing": 2})
    with pytest.raises(DljaxError, match="berisi train/ tetapi tidak ada test/"):
        load(tmp_path / "a")
    solid(tmp_path / "b" / "train", {"kucing": 2, "anjing": 2})
    solid(tmp_path / "b" / "test", {"kucing": 2, "burung": 2})
    with pytest.raises(DljaxError, match="harus berisi sub-folder kelas yang sama.*anjing, burung"):
        load(tmp_path / "b")
    solid(tmp_path / "c" / "train", {"kucing": 2, "anjing": 2})
    solid(tmp_path / "c" / "test", {"kucing": 2})
    (tmp_path / "c" / "test" / "anjing").mkdir()
    with pytest.raises(DljaxError, match=r"Kelas 'anjing' hanya berisi 0 gambar.*di test/"):
        load(tmp_path / "c")
    assert files_under(tmp_path / "cache") == []


def test_data_dir_errors(tmp_path):
    with pytest.raises(DljaxError, match="--data-dir tidak diberikan.*--dataset folder butuh"):
        folder.load(DataConfig(name="folder"), cache_dir=tmp_path / "cache")
    with pytest.raises(DljaxError, match="tidak ditemukan"):
        load(tmp_path / "nowhere")
    (tmp_path / "file.png").write_bytes(b"x")
    with pytest.raises(DljaxError, match="file.png' bukan folder"):
        load(tmp_path / "file.png")


def test_empty_one_class_and_too_few_images(tmp_path, capsys):
    (tmp_path / "empty").mkdir()
    with pytest.raises(DljaxError, match="tidak ada sub-folder kelas. Butuh minimal 2"):
        load(tmp_path / "empty")
    save(tmp_path / "loose" / "1.png", Image.new("RGB", (4, 4)))
    with pytest.raises(DljaxError, match="tidak ada sub-folder kelas"):
        load(tmp_path / "loose")
    assert "1 berkas bukan gambar atau di luar folder kelas diabaikan (mis. 1.png)" in (
        capsys.readouterr().err
    )
    solid(tmp_path / "one", {"kucing": 5})
    with pytest.raises(DljaxError, match="hanya kelas 'kucing'"):
        load(tmp_path / "one")
    solid(tmp_path / "few", {"kucing": 5, "anjing": 1})
    with pytest.raises(DljaxError, match=r"Kelas 'anjing' hanya berisi 1 gambar .*few/anjing"):
        load(tmp_path / "few")
    assert files_under(tmp_path / "cache") == []  # nothing written by a failed load


def test_non_image_and_hidden_files(tmp_path, capsys):
    root = solid(tmp_path / "img", {"kucing": 2, "anjing": 2})
    (root / "anjing" / "catatan.txt").write_text("bukan gambar")
    (root / "kucing" / "Thumbs.db").write_bytes(b"\0" * 10)
    (root / "kucing" / "desktop.ini").write_text("[x]")
    (root / "kucing" / ".DS_Store").write_bytes(b"\0" * 10)  # hidden: not counted
    (root / "kucing" / "._0.png").write_bytes(b"AppleDouble")  # hidden: never opened
    save(root / ".hidden" / "0.png", Image.new("RGB", (8, 8)))  # hidden folder: no class
    save(root / "kucing" / ".thumbs" / "0.png", Image.new("RGB", (8, 8)))
    save(root / "kucing" / "lagi" / "2.PNG", Image.new("RGB", (8, 8), COLOURS["kucing"]))
    save(root / "anjing" / "3.JPEG", Image.new("RGB", (8, 8), COLOURS["anjing"]))
    ds = load(root)
    err = capsys.readouterr().err
    assert "dljax: catatan: 3 berkas bukan gambar diabaikan (mis. anjing/catatan.txt)" in err
    assert ds.info.class_names == ("anjing", "kucing")
    labels = np.concatenate([ds.train.arrays["label"], ds.test.arrays["label"]])
    assert np.bincount(labels).tolist() == [3, 3]  # nested and upper-case files are read


def test_symlink_loops_terminate_and_links_are_followed(tmp_path):
    root = solid(tmp_path / "img", {"kucing": 2, "anjing": 2})
    outside = solid(tmp_path / "outside", {"burung": 3}) / "burung"
    try:
        os.symlink("..", root / "kucing" / "naik")  # -> the data folder itself
        os.symlink(".", root / "kucing" / "diri")  # -> itself
        os.symlink("../kucing", root / "anjing" / "tetangga")  # -> another class
        os.symlink(outside, root / "burung")  # a class folder that is a link
    except (OSError, NotImplementedError):
        pytest.skip("symbolic links are not available here")
    ds = load(root)
    assert ds.info.class_names == ("anjing", "burung", "kucing")
    labels = np.concatenate([ds.train.arrays["label"], ds.test.arrays["label"]])
    assert np.bincount(labels).tolist() == [2, 3, 2]  # no image counted twice


# ----------------------------------------------------------------------------- pixels
def test_modes_are_converted(tmp_path):
    def one(name, image, channels, **kwargs):
        return folder.load_image(save(tmp_path / name, image, **kwargs), 4, channels)[0, 0]

    np.testing.assert_allclose(one("t.png", Image.new("RGBA", (4, 4), (9, 9, 9, 0)), 3), 1.0)
    half = one("h.png", Image.new("RGBA", (4, 4), (255, 0, 0, 128)), 3)  # on white
    np.testing.assert_allclose(half, [1.0, 1 - 128 / 255, 1 - 128 / 255], atol=STEP)
    np.testing.assert_allclose(one("la.png", Image.new("LA", (4, 4), (0, 0)), 1), [1.0])
    palette = Image.new("P", (4, 4), 0)
    palette.putpalette([255, 0, 0, 0, 255, 0] + [0] * 762)
    np.testing.assert_allclose(one("p.png", palette, 3, transparency=0), 1.0)
    np.testing.assert_allclose(one("p.gif", palette, 3), [1.0, 0.0, 0.0])  # opaque palette
    cmyk = one("c.jpg", Image.new("CMYK", (4, 4), (0, 255, 255, 0)), 3)  # CMYK red
    np.testing.assert_allclose(cmyk, [1.0, 0.0, 0.0], atol=0.05)
    deep = np.array([[0, 32768], [65535, 65535]], np.uint16)
    i16 = folder.load_image(save(tmp_path / "d.png", Image.fromarray(deep)), 2, 1)[..., 0]
    np.testing.assert_allclose(i16, deep / 65535, atol=STEP)
    np.testing.assert_allclose(one("b.bmp", Image.new("1", (4, 4), 1), 1), [1.0])
    frames = [Image.new("RGB", (4, 4), c) for c in ((255, 0, 0), (0, 255, 0))]
    gif = one("a.gif", frames[0], 3, save_all=True, append_images=frames[1:])
    np.testing.assert_allclose(gif, [1.0, 0.0, 0.0])  # the first frame
    green = one("g.png", Image.new("RGB", (4, 4), (0, 255, 0)), 1)
    np.testing.assert_allclose(green, [0.587], atol=STEP)  # ITU-R 601-2 luma
    np.testing.assert_allclose(one("l.png", Image.new("L", (4, 4), 51), 3), [0.2] * 3)


def test_exif_orientation_is_applied(tmp_path):
    pixels = np.arange(6 * 4 * 3, dtype=np.uint8).reshape(4, 6, 3) * 3  # (4, 6, 3)
    image = Image.fromarray(pixels)
    exif = Image.Exif()
    exif[0x0112] = 6  # "rotate 90 degrees clockwise to display"
    save(tmp_path / "rot.png", image, exif=exif)
    upright = ImageOps.exif_transpose(Image.open(tmp_path / "rot.png"))
    assert upright.size == (4, 6)
    save(tmp_path / "upright.png", upright)
    np.testing.assert_array_equal(
        folder.load_image(tmp_path / "rot.png", 6, 3),
        folder.load_image(tmp_path / "upright.png", 6, 3),
    )


def test_squashed_not_cropped_and_matches_resize_images(tmp_path):
    pixels = np.full((20, 40), 255, np.uint8)  # (H, W): white, left quarter black
    pixels[:, :10] = 0
    path = save(tmp_path / "wide.png", Image.fromarray(pixels))
    x = folder.load_image(path, 16, 1)  # (16, 16, 1)
    assert x.shape == (16, 16, 1) and x.dtype == np.float32
    assert x[:, 0].max() < 0.05 and x[:, 6:].min() > 0.95  # a centre crop would be all white
    expected = resize_images(pixels[None, :, :, None] / 255.0, 16)[0]
    np.testing.assert_allclose(x, expected, atol=0.5 / 255 + 1e-6)  # rounded to 1/255


def test_auto_size_and_channels(tmp_path, capsys):
    root = tmp_path / "img"
    for i in range(3):
        save(root / "kucing" / f"{i}.png", Image.new("L", (10, 6), 200))
    save(root / "anjing" / "0.png", Image.new("RGB", (16, 16), (0, 0, 255)))
    save(root / "anjing" / "1.png", Image.new("L", (10, 6), 20))
    ds = load(root)
    assert ds.info.input_shape == (10, 10, 1)  # larger side of the most common size; grey
    assert "diperkecil" not in capsys.readouterr().err
    big = tmp_path / "big"
    for name, colour in (("kucing", (255, 0, 0)), ("anjing", (0, 0, 255))):
        for i in range(2):
            save(big / name / f"{i}.png", Image.new("RGB", (100, 80), colour))
    save(big / "anjing" / "2.png", Image.new("L", (8, 8), 255))
    ds = load(big)
    assert ds.info.input_shape == (folder.MAX_AUTO_SIZE, folder.MAX_AUTO_SIZE, 3)
    assert "ukuran tersering 100 x 80 piksel diperkecil ke 64 x 64" in capsys.readouterr().err
    np.testing.assert_allclose(ds.train.arrays["input"].max(axis=(1, 2)).max(axis=-1), 1.0)


@pytest.fixture(scope="module")
def huge(tmp_path_factory):
    """A 50-megapixel (8000 x 6250) grey JPEG and PNG, cheap because they are flat."""
    folder_ = tmp_path_factory.mktemp("huge")
    image = Image.new("L", (8000, 6250), 128)
    return save(folder_ / "50mp.jpg", image, quality=50), save(folder_ / "50mp.png", image)


def test_50_megapixel_images_shrink_while_decoding(huge, monkeypatch):
    seen = []
    working = folder._working_mode

    def spy(img):
        seen.append(img.size)  # the size the decoder produces
        return working(img)

    monkeypatch.setattr(folder, "_working_mode", spy)
    jpeg, png = huge
    for path in (jpeg, png):
        x = folder.load_image(path, 32, 3)
        assert x.shape == (32, 32, 3)
        np.testing.assert_allclose(x, 128 / 255, atol=2 / 255)
    assert seen[0] == (1000, 782)  # JPEG decoded at 1/8 scale by Image.draft
    assert seen[1] == (8000, 6250)  # PNG decoded whole, then box-reduced


def test_50_megapixel_jpeg_peak_memory_is_small(huge):
    code = (
        "import resource, sys\n"
        "from dljax.data.folder import load_image\n"
        "before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss\n"
        "load_image(sys.argv[1], 64, 3)\n"
        "print(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss - before)\n"
    )
    out = subprocess.run(
        [sys.executable, "-c", code, str(huge[0])], capture_output=True, text=True, check=True
    )
    grown_mb = int(out.stdout) / 1024  # ru_maxrss is in KiB on Linux
    assert grown_mb < 20, f"peak memory grew by {grown_mb:.0f} MiB (a full decode is ~50 MiB)"


def test_pixel_cap(tmp_path):
    limit = Image.MAX_IMAGE_PIXELS
    above_pillow = save_bytes(tmp_path / "182mp.png", png_header(14000, 13000))
    assert folder.probe(above_pillow) == (14000, 13000, "L")  # Pillow alone refuses 182 MP
    assert Image.MAX_IMAGE_PIXELS == limit  # restored
    root = solid(tmp_path / "img", {"kucing": 3, "anjing": 2})
    save_bytes(root / "kucing" / "raksasa.png", png_header(20000, 12000))
    with pytest.raises(DljaxError, match=r"raksasa.png.*20\.000 x 12\.000 piksel \(240 MP\)"):
        load(root)
    with pytest.raises(DljaxError, match="melebihi batas 200 MP"):
        folder.load_image(root / "kucing" / "raksasa.png", 8, 3)
    assert files_under(tmp_path / "cache") == []
    ds = load(root, skip_bad=True)
    assert len(ds.train) + len(ds.test) == 5


# ----------------------------------------------------------------------------- bad files
def test_bad_images_fail_or_are_skipped(tmp_path, capsys):
    root = solid(tmp_path / "img", {"kucing": 3, "anjing": 3})
    noise = np.random.default_rng(0).integers(0, 256, (32, 32, 3), dtype=np.uint8)
    whole = save(tmp_path / "noise.png", Image.fromarray(noise)).read_bytes()
    save_bytes(root / "anjing" / "terpotong.png", whole[: len(whole) // 2])
    save_bytes(root / "kucing" / "palsu.jpg", b"ini bukan jpeg")
    save_bytes(root / "kucing" / "kosong.png", b"")
    with pytest.raises(DljaxError) as info:
        load(root)
    message = str(info.value)
    assert "kosong.png" in message and "bukan gambar PNG/JPEG/BMP/GIF" in message  # 1st
    assert "(dan 2 gambar lain)" in message and "--set data.skip_bad=true" in message
    assert files_under(tmp_path / "cache") == []  # nothing half written
    ds = load(root, skip_bad=True)
    assert "3 gambar rusak dilewati (data.skip_bad=true)" in capsys.readouterr().err
    labels = np.concatenate([ds.train.arrays["label"], ds.test.arrays["label"]])
    assert np.bincount(labels).tolist() == [3, 3]
    with pytest.raises(DljaxError, match="terpotong.png.*rusak atau terpotong"):
        folder.load_image(root / "anjing" / "terpotong.png", 8, 3)
    few = solid(tmp_path / "few", {"kucing": 2, "anjing": 1})
    save_bytes(few / "anjing" / "rusak.png", b"\x89PNG broken")
    with pytest.raises(DljaxError, match="Kelas 'anjing' hanya berisi 1 gambar"):
        load(few, skip_bad=True)


def test_load_image_errors(tmp_path):
    with pytest.raises(DljaxError, match="tidak.png.*berkas tidak ditemukan"):
        folder.load_image(tmp_path / "tidak.png", 8, 3)
    with pytest.raises(DljaxError, match="channels=2"):
        folder.load_image(tmp_path / "tidak.png", 8, 2)


# ----------------------------------------------------------------------------- cache
def test_cache_is_reused_and_invalidated(tmp_path, monkeypatch):
    root = solid(tmp_path / "img", {"kucing": 3, "anjing": 3})
    before = files_under(root)
    cache = tmp_path / "cache"
    first = load(root, cache)
    assert [p.suffix for p in cache.iterdir()] == [".npz"]  # one file, no temp file left
    assert files_under(root) == before  # nothing written into the image folder

    def refuse(*args):
        raise AssertionError("decoded although cached")

    with monkeypatch.context() as m:
        m.setattr(folder, "decode", refuse)
        second = load(root, cache)
    np.testing.assert_array_equal(second.train.arrays["input"], first.train.arrays["input"])
    np.testing.assert_array_equal(second.test.arrays["label"], first.test.arrays["label"])
    assert second.info == first.info
    changed = save(root / "kucing" / "0.png", Image.new("RGB", (8, 8), (0, 255, 0)))
    os.utime(changed, ns=(1, 1))  # a different mtime even on coarse clocks
    third = load(root, cache)
    assert len(list(cache.iterdir())) == 1  # the stale file was replaced
    greens = (third.train.arrays["input"][:, 0, 0] == [0, 1, 0]).all(axis=-1).sum()
    greens += (third.test.arrays["input"][:, 0, 0] == [0, 1, 0]).all(axis=-1).sum()
    assert greens == 1
    load(root, cache, image_size=4)
    assert len(list(cache.iterdir())) == 2  # other settings, another file
    for path in cache.iterdir():
        path.write_bytes(b"damaged")
    assert load(root, cache).info == first.info  # a damaged cache is rebuilt


def test_cache_location(tmp_path, cache):
    root = solid(tmp_path / "img", {"kucing": 2, "anjing": 2})
    folder.load(DataConfig(name="folder", data_dir=str(root)))
    assert len(list((cache / "folders").glob("*.npz"))) == 1  # $DLJAX_DATA/folders
    before = files_under(root)
    load(root, cache_dir=root / "anjing" / "cache")  # inside the image folder: not used
    assert files_under(root) == before
