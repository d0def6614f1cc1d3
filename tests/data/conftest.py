"""Fixtures for the data tests: a local HTTP server on 127.0.0.1 and builders of tiny files
in the real formats (IDX, CIFAR-10 binary, gzip, tar.gz), exposed as the `build` fixture."""

from __future__ import annotations

import gzip
import hashlib
import io
import socket
import struct
import tarfile
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from types import SimpleNamespace

import numpy as np
import pytest


class LocalServer:
    """Serves `files[path]`; `plan[path]` is a list of per-request behaviours consumed in
    order: "ok", "404" or "drop" (sends half the body with the full Content-Length, then
    closes the connection). Unknown paths answer 404. `log` records requested paths."""

    def __init__(self):
        self.files: dict[str, bytes] = {}
        self.plan: dict[str, list[str]] = {}
        self.log: list[str] = []
        server = self

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self):  # noqa: N802
                server.log.append(self.path)
                steps = server.plan.get(self.path, [])
                mode = steps.pop(0) if steps else "ok"
                body = server.files.get(self.path)
                if body is None or mode == "404":
                    self.send_error(404)
                    return
                self.send_response(200)
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                if mode == "drop":
                    self.wfile.write(body[: len(body) // 2])
                    self.wfile.flush()
                    self.close_connection = True
                    return
                self.wfile.write(body)

            def log_message(self, *args):
                pass

        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.httpd.server_address[1]}/"
        self.thread = threading.Thread(
            target=self.httpd.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True
        )
        self.thread.start()

    def close(self):
        self.httpd.shutdown()
        self.httpd.server_close()


@pytest.fixture
def server():
    s = LocalServer()
    yield s
    s.close()


@pytest.fixture
def closed_port_url():
    """A URL on 127.0.0.1 where nothing listens (connection refused)."""
    sock = socket.socket()
    sock.bind(("127.0.0.1", 0))
    port = sock.getsockname()[1]
    sock.close()
    return f"http://127.0.0.1:{port}/"


@pytest.fixture
def cache(tmp_path, monkeypatch):
    """An empty `$DLJAX_DATA` cache."""
    root = tmp_path / "cache"
    monkeypatch.setenv("DLJAX_DATA", str(root))
    return root


def md5(data: bytes) -> str:
    return hashlib.md5(data).hexdigest()


def idx_bytes(array: np.ndarray) -> bytes:
    """Encode an array in the IDX format (big-endian, magic 0x0000 | type | ndim)."""
    codes = {np.dtype(np.uint8): 0x08, np.dtype(np.int16): 0x0B, np.dtype(np.int32): 0x0C}
    code = codes[array.dtype]
    header = bytes([0, 0, code, array.ndim]) + struct.pack(f">{array.ndim}I", *array.shape)
    return header + array.astype(array.dtype.newbyteorder(">")).tobytes()


def cifar_bytes(images: np.ndarray, labels: np.ndarray) -> bytes:
    """Encode uint8 images (N, 32, 32, 3) and labels as CIFAR-10 binary records."""
    planes = images.transpose(0, 3, 1, 2).reshape(len(images), -1)  # (N, 3072) R, G, B planes
    return np.concatenate([labels.astype(np.uint8)[:, None], planes], axis=1).tobytes()


def targz_bytes(members: dict[str, bytes], *, symlinks: dict[str, str] | None = None) -> bytes:
    buf = io.BytesIO()
    with tarfile.open(fileobj=buf, mode="w:gz") as tar:
        for name, data in members.items():
            info = tarfile.TarInfo(name)
            info.size = len(data)
            tar.addfile(info, io.BytesIO(data))
        for name, target in (symlinks or {}).items():
            info = tarfile.TarInfo(name)
            info.type = tarfile.SYMTYPE
            info.linkname = target
            tar.addfile(info)
    return buf.getvalue()


def gz(data: bytes) -> bytes:
    return gzip.compress(data, mtime=0)


@pytest.fixture
def build():
    """Builders: md5, idx_bytes, cifar_bytes, targz_bytes, gz."""
    return SimpleNamespace(
        md5=md5, idx_bytes=idx_bytes, cifar_bytes=cifar_bytes, targz_bytes=targz_bytes, gz=gz
    )
