"""Whether `dljax train` joins a multi-process run, read from the environment without
importing JAX (the command-line supervisor decides this before any JAX import)."""

from __future__ import annotations

import os

ENV_VARS = ("JAX_COORDINATOR_ADDRESS", "JAX_NUM_PROCESSES", "JAX_PROCESS_ID")
WORKER_ENV = "DLJAX_DISTRIBUTED_WORKER"  # set by the supervisor for its training child


def distributed_wanted(auto: bool = False) -> bool:
    """True when `JAX_COORDINATOR_ADDRESS` is set, or with `auto` (`--distributed`) or
    `DLJAX_DISTRIBUTED=1` (JAX then detects SLURM, Open MPI or Cloud TPU itself)."""
    if os.environ.get("JAX_COORDINATOR_ADDRESS"):
        return True
    return auto or os.environ.get("DLJAX_DISTRIBUTED", "") not in ("", "0")
