"""Parsing of tiny files in the real formats, and malformed files that must be refused."""

from __future__ import annotations

import numpy as np
import pytest

from dljax.data import mnist
from dljax.data.formats import DataFormatError, parse_cifar10, parse_idx, read_idx


def test_idx_header_is_the_published_magic(build):
    labels = build.idx_bytes(np.array([3, 1, 4], np.uint8))
    images = build.idx_bytes(np.zeros((2, 28, 28), np.uint8))
    assert int.from_bytes(labels[:4], "big") == mnist.IDX_LABELS_MAGIC == 2049
    assert int.from_bytes(images[:4], "big") == mnist.IDX_IMAGES_MAGIC == 2051
    assert int.from_bytes(images[4:8], "big") == 2


def test_parse_idx_uint8_and_big_endian_int32(build):
    a = np.arange(24, dtype=np.uint8).reshape(2, 3, 4)
    out = parse_idx(build.idx_bytes(a))
    assert out.dtype == np.uint8 and out.shape == (2, 3, 4)
    np.testing.assert_array_equal(out, a)
    b = np.array([1, -2, 70000], np.int32)
    raw = build.idx_bytes(b)
    assert raw[8:12] == b"\x00\x00\x00\x01"  # big-endian on disk
    out = parse_idx(raw)
    assert out.dtype == np.int32 and out.dtype.isnative
    np.testing.assert_array_equal(out, b)


def test_read_idx_recognises_gzip_by_magic(build, tmp_path):
    a = np.arange(10, dtype=np.uint8)
    (tmp_path / "plain").write_bytes(build.idx_bytes(a))
    (tmp_path / "packed.bin").write_bytes(build.gz(build.idx_bytes(a)))  # no .gz suffix on purpose
    np.testing.assert_array_equal(read_idx(tmp_path / "plain"), a)
    np.testing.assert_array_equal(read_idx(tmp_path / "packed.bin"), a)


@pytest.mark.parametrize(
    "mutate, match",
    [
        (lambda b: b"\x01" + b[1:], "magic number"),  # first byte must be 0
        (lambda b: b[:2] + b"\x07" + b[3:], "magic number"),  # unknown type code
        (lambda b: b[:-1], "terpotong"),  # one pixel missing
        (lambda b: b + b"\x00", "lebih panjang"),
        (lambda b: b[:6], "Header"),  # dims cut off
        (lambda b: b[:3], "terlalu pendek"),
    ],
)
def test_malformed_idx_raises(build, mutate, match):
    good = build.idx_bytes(np.zeros((2, 3, 3), np.uint8))
    with pytest.raises(DataFormatError, match=match):
        parse_idx(mutate(good))


def test_truncated_gzip_raises(build, tmp_path):
    path = tmp_path / "t.gz"
    path.write_bytes(build.gz(build.idx_bytes(np.zeros((50, 28, 28), np.uint8)))[:-20])
    with pytest.raises(DataFormatError, match="gzip"):
        read_idx(path)


def test_mnist_pair_shapes_dtypes_and_range(build, tmp_path):
    rng = np.random.default_rng(0)
    images = rng.integers(0, 256, (5, 28, 28), dtype=np.uint8)
    labels = np.array([0, 9, 3, 3, 7], np.uint8)
    (tmp_path / "i.gz").write_bytes(build.gz(build.idx_bytes(images)))
    (tmp_path / "l.gz").write_bytes(build.gz(build.idx_bytes(labels)))
    x, y = mnist.load_idx_pair(tmp_path / "i.gz", tmp_path / "l.gz", expected=5)
    assert x.shape == (5, 28, 28, 1) and x.dtype == np.float32
    assert y.dtype == np.int32 and y.tolist() == [0, 9, 3, 3, 7]
    np.testing.assert_allclose(x[..., 0], images / 255.0, rtol=1e-6)
    assert 0.0 <= x.min() and x.max() <= 1.0


def test_mnist_pair_rejects_mismatch_and_bad_labels(build, tmp_path):
    (tmp_path / "i").write_bytes(build.idx_bytes(np.zeros((3, 28, 28), np.uint8)))
    (tmp_path / "l2").write_bytes(build.idx_bytes(np.zeros(2, np.uint8)))
    (tmp_path / "l3").write_bytes(build.idx_bytes(np.array([1, 2, 10], np.uint8)))
    (tmp_path / "i32").write_bytes(build.idx_bytes(np.zeros((3, 28, 28), np.int32)))
    with pytest.raises(DataFormatError, match="tidak sama"):
        mnist.load_idx_pair(tmp_path / "i", tmp_path / "l2")
    with pytest.raises(DataFormatError, match="label 10"):
        mnist.load_idx_pair(tmp_path / "i", tmp_path / "l3")
    with pytest.raises(DataFormatError, match="2051"):
        mnist.load_idx_pair(tmp_path / "i32", tmp_path / "l3")
    with pytest.raises(DataFormatError, match="seharusnya 60000"):
        mnist.load_idx_pair(tmp_path / "i", tmp_path / "l3", expected=60000)
    with pytest.raises(DataFormatError, match="2051"):  # images and labels swapped
        mnist.load_idx_pair(tmp_path / "l3", tmp_path / "i")


def test_cifar_records_parse_to_hwc_images(build):
    rng = np.random.default_rng(1)
    images = rng.integers(0, 256, (4, 32, 32, 3), dtype=np.uint8)
    labels = np.array([0, 9, 5, 1])
    raw = build.cifar_bytes(images, labels)
    assert len(raw) == 4 * 3073
    # Hand check of the layout: byte 1 of a record is the red value of pixel (0, 0),
    # byte 1 + 1024 the green one, byte 1 + 2048 the blue one.
    assert raw[0] == 0 and raw[1] == images[0, 0, 0, 0] and raw[1 + 1024] == images[0, 0, 0, 1]
    assert raw[1 + 2048 + 33] == images[0, 1, 1, 2]
    x, y = parse_cifar10(raw)
    assert x.shape == (4, 32, 32, 3) and x.dtype == np.uint8
    assert y.dtype == np.int32 and y.tolist() == [0, 9, 5, 1]
    np.testing.assert_array_equal(x, images)


def test_cifar_wrong_record_length_and_label_raise(build):
    raw = build.cifar_bytes(np.zeros((2, 32, 32, 3), np.uint8), np.array([1, 2]))
    with pytest.raises(DataFormatError, match="kelipatan"):
        parse_cifar10(raw[:-1])
    with pytest.raises(DataFormatError, match="kelipatan"):
        parse_cifar10(b"")
    bad = bytearray(raw)
    bad[3073] = 12
    with pytest.raises(DataFormatError, match="ke-1 bernilai 12"):
        parse_cifar10(bytes(bad))
