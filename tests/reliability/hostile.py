"""Helpers for the hostile-user suite: the `dljax` command in real subprocesses."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

TRACEBACK = "Traceback"


def run_cli(args, cwd: Path, env: dict | None = None, timeout: float = 300):
    """`python -m dljax ARGS` in `cwd`; returns the CompletedProcess (text)."""
    full_env = {**os.environ, "JAX_PLATFORMS": "cpu", **(env or {})}
    full_env.pop("DLJAX_DEBUG", None)
    return subprocess.run(
        [sys.executable, "-m", "dljax", *map(str, args)],
        cwd=cwd,
        env=full_env,
        capture_output=True,
        text=True,
        encoding="utf-8",
        errors="replace",
        timeout=timeout,
    )


def start_cli(args, cwd: Path, env: dict | None = None) -> subprocess.Popen:
    full_env = {**os.environ, "JAX_PLATFORMS": "cpu", **(env or {})}
    return subprocess.Popen(
        [sys.executable, "-m", "dljax", *map(str, args)],
        cwd=cwd,
        env=full_env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        encoding="utf-8",
        errors="replace",
    )


def assert_refused(proc, code: int, *words: str) -> None:
    """Exit `code`, an Indonesian `dljax: galat:` line naming `words`, and no traceback."""
    err = proc.stderr
    assert proc.returncode == code, (proc.returncode, err[-2000:])
    assert TRACEBACK not in err, err[-3000:]
    assert "dljax: galat:" in err, err[-2000:]
    for word in words:
        assert word in err, (word, err[-2000:])


def assert_ok(proc) -> None:
    assert proc.returncode == 0, proc.stderr[-3000:]
    assert TRACEBACK not in proc.stderr
