"""Multi-process `dljax train`: the training runs in a child process that this parent watches.

When a peer dies, JAX's distributed service ends the survivors with a C++ abort (after
`DLJAX_HEARTBEAT_TIMEOUT` seconds) that no Python code can catch; this parent, which never
imports JAX, turns that into an Indonesian message and exit code 1. Ctrl+C and SIGTERM are
passed on to the child.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys

from dljax.multihost import WORKER_ENV, distributed_wanted

FORWARDED = (signal.SIGINT, signal.SIGTERM)


def supervise_wanted(distributed_flag: bool) -> bool:
    """True in the parent of a multi-process `dljax train` (not in its training child)."""
    return distributed_wanted(distributed_flag) and not os.environ.get(WORKER_ENV)


def supervise(argv: list[str]) -> int:
    """Run `dljax ARGV` in a child process and return its exit code (see the module doc)."""
    env = dict(os.environ, **{WORKER_ENV: "1"})
    child = subprocess.Popen([sys.executable, "-m", "dljax.cli", *argv], env=env)
    passed = {s: signal.signal(s, lambda n, f: child.send_signal(n)) for s in FORWARDED}
    try:
        code = child.wait()
    finally:
        for s, handler in passed.items():
            signal.signal(s, handler)
    if code >= 0:
        return code
    if -code in FORWARDED:
        return 128 - code
    print(
        f"dljax: galat: Proses pelatihan ini dihentikan (sinyal {-code}) oleh layanan "
        "terdistribusi JAX: proses lain mati atau tidak mengirim heartbeat. Semua proses "
        "berhenti. Periksa log proses yang mati, lalu jalankan ulang semua proses dengan "
        "--resume.",
        file=sys.stderr,
    )
    return 1
