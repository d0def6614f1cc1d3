"""Downloads from a local HTTP server on 127.0.0.1: mirrors, checksums, retries, the
verified cache, the offline message and safe tar reading."""

from __future__ import annotations

import socket
import time

import numpy as np
import pytest

from dljax.config import DataConfig
from dljax.data import cifar10, mnist
from dljax.data.download import (
    DownloadError,
    RemoteDataset,
    RemoteFile,
    UnsafeArchiveError,
    cache_root,
    download_file,
    fetch,
    read_tar_files,
    safe_extract,
    verify,
)
from dljax.data.formats import DataFormatError
from dljax.data.registry import load_dataset
from dljax.errors import DljaxError

FAST = {"backoff": 0.0, "progress": False}


def leftovers(directory):
    return sorted(p.name for p in directory.glob("*")) if directory.exists() else []


def test_cache_root_follows_env(cache, monkeypatch):
    assert cache_root() == cache
    monkeypatch.delenv("DLJAX_DATA")
    assert str(cache_root()).endswith(".cache/dljax")


def test_good_download(server, tmp_path, build):
    body = b"hello dljax" * 1000
    server.files["/a/file.bin"] = body
    remote = RemoteFile("file.bin", build.md5(body), (server.url + "a/",))
    path = download_file(remote, tmp_path, **FAST)
    assert path.read_bytes() == body
    assert leftovers(tmp_path) == ["file.bin"]
    # A verified cache is used as is: no second request.
    download_file(remote, tmp_path, **FAST)
    assert server.log == ["/a/file.bin"]


def test_checksum_mismatch_leaves_nothing(server, tmp_path, build):
    server.files["/a/file.bin"] = b"tampered"
    remote = RemoteFile("file.bin", build.md5(b"original"), (server.url + "a/",))
    with pytest.raises(DownloadError, match="checksum MD5"):
        download_file(remote, tmp_path, retries=1, **FAST)
    assert leftovers(tmp_path) == []
    assert len(server.log) == 2  # retried once, then gave up


def test_dropped_connection_is_retried_without_partial_file(server, tmp_path, build):
    body = bytes(range(256)) * 400
    server.files["/a/big.bin"] = body
    server.plan["/a/big.bin"] = ["drop"]
    remote = RemoteFile("big.bin", build.md5(body), (server.url + "a/",))
    path = download_file(remote, tmp_path, **FAST)
    assert path.read_bytes() == body
    assert server.log == ["/a/big.bin", "/a/big.bin"]
    assert leftovers(tmp_path) == ["big.bin"]


def test_connection_that_always_drops_leaves_no_partial_file(server, tmp_path, build):
    body = b"x" * 50_000
    server.files["/a/big.bin"] = body
    server.plan["/a/big.bin"] = ["drop", "drop", "drop"]
    remote = RemoteFile("big.bin", build.md5(body), (server.url + "a/",))
    with pytest.raises(DownloadError, match="koneksi terputus"):
        download_file(remote, tmp_path, retries=2, **FAST)
    assert leftovers(tmp_path) == []


def test_404_on_first_mirror_falls_back_to_second(server, tmp_path, build):
    server.files["/second/f.gz"] = b"payload"
    remote = RemoteFile(
        "f.gz", build.md5(b"payload"), (server.url + "first/", server.url + "second/")
    )
    assert download_file(remote, tmp_path, **FAST).read_bytes() == b"payload"
    assert server.log == ["/first/f.gz", "/second/f.gz"]  # no retry after a 404


def test_corrupted_or_truncated_cache_is_fetched_again(server, tmp_path, build):
    body = b"0123456789" * 100
    server.files["/a/f"] = body
    remote = RemoteFile("f", build.md5(body), (server.url + "a/",))
    (tmp_path / "f").write_bytes(body[:-10])  # truncated
    assert download_file(remote, tmp_path, **FAST).read_bytes() == body
    (tmp_path / "f").write_bytes(b"X" + body[1:])  # one corrupted byte
    assert download_file(remote, tmp_path, **FAST).read_bytes() == body
    assert len(server.log) == 2


def test_no_server_gives_the_indonesian_offline_message(cache, closed_port_url, build):
    files = (
        RemoteFile("a.gz", build.md5(b"a"), (closed_port_url, closed_port_url + "m/")),
        RemoteFile("b.gz", build.md5(b"b"), (closed_port_url,)),
    )
    t0 = time.perf_counter()
    with pytest.raises(DownloadError) as info:
        fetch(RemoteDataset("toy", files), **FAST)
    assert time.perf_counter() - t0 < 5.0
    message = str(info.value)
    assert "tidak ada koneksi internet" in message
    assert "dljax data path toy" in message
    assert "--dataset digits" in message and "--data-dir" in message
    assert "a.gz" in message and "b.gz" in message and str(cache / "toy") in message
    assert info.value.exit_code == 2
    assert leftovers(cache / "toy") == []


def test_train_dataset_offline_fails_fast_with_exit_code_2(cache, closed_port_url, monkeypatch):
    """What `dljax train mlp --dataset fashion_mnist` does without network: the loader."""
    unreachable = RemoteDataset(
        "fashion_mnist",
        tuple(RemoteFile(f.name, f.md5, (closed_port_url,)) for f in mnist.FASHION_REMOTE.files),
    )
    monkeypatch.setattr(mnist, "FASHION_REMOTE", unreachable)
    t0 = time.perf_counter()
    with pytest.raises(DljaxError, match="tidak ada koneksi internet") as info:
        load_dataset(DataConfig(name="fashion_mnist"))
    assert time.perf_counter() - t0 < 5.0
    assert info.value.exit_code == 2
    assert "train-images-idx3-ubyte.gz" in str(info.value)


def test_tarball_with_dotdot_entries_is_refused(server, cache, tmp_path, build):
    archive = build.targz_bytes({"ok.txt": b"fine", "../evil.txt": b"owned"})
    server.files["/x/evil.tar.gz"] = archive
    remote = RemoteDataset(
        "evil", (RemoteFile("evil.tar.gz", build.md5(archive), (server.url + "x/",)),)
    )
    path = fetch(remote, **FAST)["evil.tar.gz"]
    dest = tmp_path / "out"
    with pytest.raises(UnsafeArchiveError, match=r"'\.\./evil\.txt'"):
        safe_extract(path, dest)
    with pytest.raises(UnsafeArchiveError):
        read_tar_files(path, ["ok.txt"])
    assert not (tmp_path / "evil.txt").exists() and not dest.exists()


@pytest.mark.parametrize(
    "members, links, reason",
    [
        ({"/etc/abs.txt": b"x"}, None, "absolut"),
        ({"a/../../b.txt": b"x"}, None, r"'\.\.'"),
        ({"ok.txt": b"x"}, {"link": "/etc/passwd"}, "tautan"),
    ],
)
def test_unsafe_members_are_refused(tmp_path, build, members, links, reason):
    path = tmp_path / "a.tar.gz"
    path.write_bytes(build.targz_bytes(members, symlinks=links))
    with pytest.raises(UnsafeArchiveError, match=reason):
        safe_extract(path, tmp_path / "out")
    assert not (tmp_path / "out").exists()


def test_safe_extract_and_read_of_a_good_archive(tmp_path, build):
    path = tmp_path / "good.tar.gz"
    path.write_bytes(build.targz_bytes({"d/one.bin": b"1", "d/two.bin": b"22"}))
    files = safe_extract(path, tmp_path / "out")
    assert sorted(p.read_bytes() for p in files) == [b"1", b"22"]
    assert read_tar_files(path, ["two.bin"]) == {"two.bin": b"22"}
    with pytest.raises(DataFormatError, match="tidak berisi three.bin"):
        read_tar_files(path, ["three.bin"])
    (tmp_path / "cut.tar.gz").write_bytes(path.read_bytes()[:40])
    with pytest.raises(DataFormatError, match="rusak atau terpotong"):
        read_tar_files(tmp_path / "cut.tar.gz", ["one.bin"])


def tiny_mnist_files(build, n_train=6, n_test=4):
    rng = np.random.default_rng(0)
    arrays = {
        "train-images-idx3-ubyte.gz": rng.integers(0, 256, (n_train, 28, 28), dtype=np.uint8),
        "train-labels-idx1-ubyte.gz": rng.integers(0, 10, n_train).astype(np.uint8),
        "t10k-images-idx3-ubyte.gz": rng.integers(0, 256, (n_test, 28, 28), dtype=np.uint8),
        "t10k-labels-idx1-ubyte.gz": rng.integers(0, 10, n_test).astype(np.uint8),
    }
    return arrays, {k: build.gz(build.idx_bytes(v)) for k, v in arrays.items()}


def test_mnist_end_to_end_through_server_cache_and_data_dir(
    server, cache, tmp_path, build, monkeypatch
):
    arrays, blobs = tiny_mnist_files(build)
    for name, blob in blobs.items():
        server.files["/mnist/" + name] = blob
    remote = RemoteDataset(
        "mnist",
        tuple(RemoteFile(n, build.md5(b), (server.url + "mnist/",)) for n, b in blobs.items()),
    )
    monkeypatch.setattr(mnist, "MNIST_REMOTE", remote)
    monkeypatch.setattr(mnist, "TRAIN_SIZE", 6)
    monkeypatch.setattr(mnist, "TEST_SIZE", 4)
    ds = load_dataset(DataConfig(name="mnist"))
    assert ds.train.arrays["input"].shape == (6, 28, 28, 1)
    assert ds.train.arrays["label"].dtype == np.int32
    np.testing.assert_array_equal(ds.test.arrays["label"], arrays["t10k-labels-idx1-ubyte.gz"])
    assert set(verify(remote).values()) == {"ok"}
    # A second load reads the verified cache, no new request.
    n_requests = len(server.log)
    load_dataset(DataConfig(name="mnist"))
    assert len(server.log) == n_requests
    # --data-dir with the user's own files: gz files (verified) ...
    own = tmp_path / "own"
    own.mkdir()
    for name, blob in blobs.items():
        (own / name).write_bytes(blob)
    ds2 = load_dataset(DataConfig(name="mnist", data_dir=str(own)))
    np.testing.assert_array_equal(ds2.train.arrays["input"], ds.train.arrays["input"])
    # ... a corrupt one is an error naming the file, and is not replaced.
    (own / "t10k-labels-idx1-ubyte.gz").write_bytes(b"junk")
    with pytest.raises(DljaxError, match="t10k-labels-idx1-ubyte.gz rusak"):
        load_dataset(DataConfig(name="mnist", data_dir=str(own)))
    assert (own / "t10k-labels-idx1-ubyte.gz").read_bytes() == b"junk"
    # ... and uncompressed IDX files are accepted too.
    plain = tmp_path / "plain"
    plain.mkdir()
    for name, array in arrays.items():
        (plain / name.removesuffix(".gz")).write_bytes(build.idx_bytes(array))
    ds3 = load_dataset(DataConfig(name="mnist", data_dir=str(plain)))
    np.testing.assert_array_equal(ds3.test.arrays["input"], ds.test.arrays["input"])


def test_cifar10_end_to_end_from_archive_and_bin_folder(
    server, cache, tmp_path, build, monkeypatch
):
    rng = np.random.default_rng(3)
    names = cifar10.TRAIN_FILES + cifar10.TEST_FILES
    images = {n: rng.integers(0, 256, (3, 32, 32, 3), dtype=np.uint8) for n in names}
    labels = {n: rng.integers(0, 10, 3) for n in names}
    members = {f"cifar-10-batches-bin/{n}": build.cifar_bytes(images[n], labels[n]) for n in names}
    members["cifar-10-batches-bin/batches.meta.txt"] = b"airplane\n"
    archive = build.targz_bytes(members)
    server.files["/c/" + cifar10.ARCHIVE] = archive
    remote = RemoteDataset(
        "cifar10", (RemoteFile(cifar10.ARCHIVE, build.md5(archive), (server.url + "c/",)),)
    )
    monkeypatch.setattr(cifar10, "REMOTE", remote)
    monkeypatch.setattr(cifar10, "RECORDS_PER_FILE", 3)
    ds = load_dataset(DataConfig(name="cifar10"))
    x, y = ds.train.arrays["input"], ds.train.arrays["label"]
    assert x.shape == (15, 32, 32, 3) and x.dtype == np.float32 and y.dtype == np.int32
    np.testing.assert_allclose(x[3:6], images["data_batch_2.bin"] / 255.0, rtol=1e-6)
    np.testing.assert_array_equal(ds.test.arrays["label"], labels["test_batch.bin"])
    assert y.min() >= 0 and y.max() <= 9
    # Records in a folder of .bin files (--data-dir).
    folder = tmp_path / "mine" / "cifar-10-batches-bin"
    safe_extract(cache / "cifar10" / cifar10.ARCHIVE, tmp_path / "mine")
    assert folder.is_dir()
    ds2 = load_dataset(DataConfig(name="cifar10", data_dir=str(tmp_path / "mine")))
    np.testing.assert_array_equal(ds2.train.arrays["input"], x)
    # A truncated record file in that folder is refused.
    (folder / "data_batch_5.bin").write_bytes((folder / "data_batch_5.bin").read_bytes()[:-7])
    with pytest.raises(DataFormatError, match="kelipatan"):
        load_dataset(DataConfig(name="cifar10", data_dir=str(tmp_path / "mine")))


def test_archive_with_truncated_member_count_is_refused(build):
    blobs = {
        n: build.cifar_bytes(np.zeros((2, 32, 32, 3), np.uint8), np.zeros(2))
        for n in cifar10.TRAIN_FILES + cifar10.TEST_FILES
    }
    with pytest.raises(DataFormatError, match="seharusnya 10000"):
        cifar10.load_from_blobs(blobs, 10_000)


def _online() -> bool:
    try:
        socket.create_connection(("ossci-datasets.s3.amazonaws.com", 443), timeout=3).close()
        return True
    except OSError:
        return False


@pytest.mark.network
def test_real_mnist_label_file_download(tmp_path):
    if not _online():
        pytest.skip("Tidak ada akses internet: unduhan MNIST sungguhan tidak diuji.")
    remote = next(f for f in mnist.MNIST_REMOTE.files if f.name == "t10k-labels-idx1-ubyte.gz")
    path = download_file(remote, tmp_path, progress=False)
    from dljax.data.formats import read_idx

    labels = read_idx(path)
    assert labels.shape == (10_000,) and labels.max() == 9
