"""Parallelism through JAX's own machinery: a device mesh, sharded batches, sharded state.

The mesh has one axis, `"data"`, over every device of every process. Every batch is split
along its first axis over it; XLA inserts the collectives. Two layouts of the train state:

- `"data"`: parameters and optimizer state are replicated on every device (the gradient
  all-reduce is the only communication);
- `"fsdp"`: every array of the state (parameters, optimizer moments, EMA weights, batch-norm
  statistics) is split over the devices along its largest axis that the device count divides
  (`NamedSharding` annotations only); XLA gathers the parameters where a layer needs them and
  reduce-scatters the gradients. Each device then holds about 1/N of the state.

Several processes (hosts): `initialize_distributed()` joins `jax.distributed` before any JAX
computation. It reads `JAX_COORDINATOR_ADDRESS`, `JAX_NUM_PROCESSES` and `JAX_PROCESS_ID`; or,
with `auto=True` (`dljax train --distributed`, or `DLJAX_DISTRIBUTED=1`), it lets JAX detect
the cluster (SLURM, Open MPI, Cloud TPU). `DLJAX_HEARTBEAT_TIMEOUT` and `DLJAX_INIT_TIMEOUT`
(seconds) shorten how long a process waits for a dead or missing peer. Each process then
feeds its own slice of every global batch (`put`), or the same full array (`put_global`).
"""

from __future__ import annotations

import os
from dataclasses import dataclass, replace

import jax
import numpy as np
from jax.sharding import Mesh, NamedSharding, PartitionSpec

from dljax.errors import DljaxError, PeerLost
from dljax.multihost import ENV_VARS, distributed_wanted

DATA_AXIS = "data"
MODES = ("data", "fsdp")
HEARTBEAT_TIMEOUT_S = 100  # JAX's defaults; DLJAX_HEARTBEAT_TIMEOUT / DLJAX_INIT_TIMEOUT
INIT_TIMEOUT_S = 300


def _env_int(name: str, default: int, minimum: int = 1) -> int:
    raw = os.environ.get(name, "").strip()
    if not raw:
        return default
    try:
        value = int(raw)
    except ValueError:
        value = minimum - 1
    if value < minimum:
        raise DljaxError(
            f"{name}={raw!r} harus bilangan bulat >= {minimum} (detik), mis. {name}={default}."
        )
    return value


def initialize_distributed(auto: bool = False) -> bool:
    """Join `jax.distributed` when asked (environment or `auto`); return whether joined.

    Must run before any JAX computation. Explicit: `JAX_COORDINATOR_ADDRESS` (host:port of
    process 0), `JAX_NUM_PROCESSES`, `JAX_PROCESS_ID`. `auto`: no arguments, JAX detects the
    cluster (SLURM `srun`, Open MPI, Cloud TPU).
    """
    if jax.distributed.is_initialized():
        return True
    if not distributed_wanted(auto):
        return False
    timeouts = {
        "initialization_timeout": _env_int("DLJAX_INIT_TIMEOUT", INIT_TIMEOUT_S),
        "heartbeat_timeout_seconds": _env_int("DLJAX_HEARTBEAT_TIMEOUT", HEARTBEAT_TIMEOUT_S),
    }
    address = os.environ.get("JAX_COORDINATOR_ADDRESS")
    if address:
        missing = [v for v in ENV_VARS[1:] if not os.environ.get(v, "").strip().isdigit()]
        if missing:
            raise DljaxError(
                f"JAX_COORDINATOR_ADDRESS={address} diset, tetapi {' dan '.join(missing)} "
                "tidak diset atau bukan bilangan bulat. Set ketiganya di setiap proses, mis. "
                "JAX_NUM_PROCESSES=2 dan JAX_PROCESS_ID=0 (proses pertama) / 1 (kedua)."
            )
        kwargs = {
            "coordinator_address": address,
            "num_processes": int(os.environ["JAX_NUM_PROCESSES"]),
            "process_id": int(os.environ["JAX_PROCESS_ID"]),
        }
    else:
        kwargs = {}
    try:
        jax.distributed.initialize(**kwargs, **timeouts)
    except Exception as err:  # no coordinator, bad ids, or no cluster to detect
        raise DljaxError(
            f"Gagal bergabung ke pelatihan terdistribusi ({type(err).__name__}: "
            f"{str(err)[:300]}). Periksa JAX_COORDINATOR_ADDRESS (host:port proses 0, bisa "
            "dijangkau semua proses), JAX_NUM_PROCESSES dan JAX_PROCESS_ID (0..N-1, unik), "
            "atau jalankan di dalam job SLURM (srun) bila memakai --distributed."
        ) from None
    return True


def peer_lost(err: BaseException) -> PeerLost | None:
    """The Indonesian `PeerLost` for a JAX runtime error of a multi-process run (a collective
    failed because a process went away), or None for a single process."""
    if jax.process_count() == 1 or type(err).__name__ != "JaxRuntimeError":
        return None
    return PeerLost(
        f"Pelatihan terdistribusi terputus: proses lain berhenti atau tidak bisa dihubungi "
        f"(proses ini {jax.process_index()} dari {jax.process_count()}; "
        f"{type(err).__name__}: {str(err)[:160]}). Semua proses dihentikan. Periksa log "
        "proses yang mati, lalu jalankan ulang semua proses dengan --resume."
    )


def largest_divisible_axis(shape: tuple[int, ...], n: int) -> int | None:
    """The largest axis of `shape` that `n` divides (the first among equals), or None."""
    best = None
    for axis, size in enumerate(shape):
        if size % n == 0 and size >= n and (best is None or size > shape[best]):
            best = axis
    return best


@dataclass(frozen=True)
class DataParallel:
    mesh: Mesh
    mode: str = "data"

    @classmethod
    def create(cls, devices=None, mode: str = "data") -> DataParallel:
        if mode not in MODES:
            raise DljaxError(
                f"train.parallel={mode!r} tidak dikenal; pilih: {', '.join(MODES)} "
                "(mis. --set train.parallel=fsdp)."
            )
        devices = jax.devices() if devices is None else devices
        return cls(Mesh(np.asarray(devices), (DATA_AXIS,)), mode)

    def with_mode(self, mode: str) -> DataParallel:
        if mode not in MODES:
            DataParallel.create(self.devices, mode)  # raises the Indonesian error
        return self if mode == self.mode else replace(self, mode=mode)

    @property
    def devices(self) -> list:
        return list(self.mesh.devices.flat)

    @property
    def num_devices(self) -> int:
        return self.mesh.size

    @property
    def num_processes(self) -> int:
        return len({d.process_index for d in self.devices})

    @property
    def replicated(self) -> NamedSharding:
        return NamedSharding(self.mesh, PartitionSpec())

    def batch_sharding(self, leading_axes: int = 0) -> NamedSharding:
        """Shard axis `leading_axes` (0 for a batch, 1 for a stack of batches) over devices."""
        return NamedSharding(self.mesh, PartitionSpec(*([None] * leading_axes), DATA_AXIS))

    def leaf_sharding(self, x) -> NamedSharding:
        """Where one state array lives: replicated ("data"), or split over the devices along
        its largest axis that the device count divides ("fsdp"; small/odd arrays replicate)."""
        shape = tuple(getattr(x, "shape", ()))
        axis = largest_divisible_axis(shape, self.num_devices) if self.mode == "fsdp" else None
        if axis is None:
            return self.replicated
        spec = [None] * len(shape)
        spec[axis] = DATA_AXIS
        return NamedSharding(self.mesh, PartitionSpec(*spec))

    def state_sharding(self, tree):
        """A pytree of `NamedSharding`s for a train state (or any part of it)."""
        return jax.tree.map(self.leaf_sharding, tree)

    def place_state(self, state):
        """Put a host/ single-device train state on the mesh. The step counter and the PRNG
        key stay replicated; everything else follows `leaf_sharding`."""
        placed = state._replace(
            params=self.put_global(state.params, self.state_sharding(state.params)),
            rest=self.put_global(state.rest, self.state_sharding(state.rest)),
            opt_state=self.put_global(state.opt_state, self.state_sharding(state.opt_state)),
            extra=self.put_global(state.extra, self.state_sharding(state.extra)),
        )
        return placed._replace(
            step=self.put_global(state.step, self.replicated),
            rng=self.put_global(state.rng, self.replicated),
        )

    def constrain_state(self, state):
        """Inside a jitted step: keep the new state in the layout of the old one (fsdp)."""
        if self.mode == "data":
            return state
        return state._replace(
            params=_constrain(state.params, self),
            rest=_constrain(state.rest, self),
            opt_state=_constrain(state.opt_state, self),
            extra=_constrain(state.extra, self),
        )

    def check_batch_size(self, batch_size: int) -> None:
        if batch_size % self.num_devices:
            raise DljaxError(
                f"data.batch_size={batch_size} harus habis dibagi jumlah perangkat "
                f"({self.num_devices}); mis. --batch-size {self.num_devices * 32}."
            )

    def put(self, tree, sharding):
        """Place host arrays on the mesh. With several processes each passes its own part:
        for a batch, its slice of the global batch (its devices' rows, in mesh order)."""
        if jax.process_count() == 1:
            return jax.device_put(tree, sharding)
        if isinstance(sharding, NamedSharding):
            return jax.tree.map(lambda x: jax.make_array_from_process_local_data(sharding, x), tree)
        return jax.tree.map(jax.make_array_from_process_local_data, sharding, tree)

    def put_global(self, tree, sharding):
        """Place arrays that every process holds in full (the same values) on the mesh;
        `sharding` is one `NamedSharding` or a matching pytree of them."""
        if jax.process_count() == 1:
            return jax.device_put(tree, sharding)

        def one(s, x):
            x = np.asarray(x)
            return jax.make_array_from_process_local_data(s, x, x.shape)

        if isinstance(sharding, NamedSharding):
            return jax.tree.map(lambda x: one(sharding, x), tree)
        return jax.tree.map(one, sharding, tree)

    def gather(self, tree):
        """A replicated copy that every process can read (a collective: all processes call)."""
        if self.mode == "data" and jax.process_count() == 1:
            return tree
        return jax.jit(lambda t: t, out_shardings=self.replicated)(tree)

    def bytes_per_device(self, tree) -> dict[str, int]:
        """Bytes of `tree` that each device holds, by device id (for the lesson/benchmark)."""
        out: dict[str, int] = {}
        for leaf in jax.tree.leaves(tree):
            for shard in leaf.addressable_shards:
                key = str(shard.device.id)
                out[key] = out.get(key, 0) + shard.data.nbytes
        return out


def _constrain(tree, parallel: DataParallel):
    return jax.tree.map(
        lambda x: jax.lax.with_sharding_constraint(x, parallel.leaf_sharding(x)), tree
    )
