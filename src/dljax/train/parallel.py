"""Data parallelism through JAX's own machinery: a device mesh and sharded batches.

Parameters and optimizer state are replicated; every batch is split along its first axis
over the mesh axis `"data"`. XLA inserts the gradient all-reduce. Across hosts, call
`initialize_distributed()` first (it reads `JAX_COORDINATOR_ADDRESS`, `JAX_NUM_PROCESSES`
and `JAX_PROCESS_ID`); the mesh then spans every device of every host.
"""

from __future__ import annotations

import os
from dataclasses import dataclass

import jax
import numpy as np
from jax.sharding import Mesh, NamedSharding, PartitionSpec

from dljax.errors import DljaxError

DATA_AXIS = "data"


def initialize_distributed() -> bool:
    """Start `jax.distributed` when its environment is set; return whether it was started."""
    address = os.environ.get("JAX_COORDINATOR_ADDRESS")
    if not address:
        return False
    jax.distributed.initialize(
        coordinator_address=address,
        num_processes=int(os.environ["JAX_NUM_PROCESSES"]),
        process_id=int(os.environ["JAX_PROCESS_ID"]),
    )
    return True


@dataclass(frozen=True)
class DataParallel:
    mesh: Mesh

    @classmethod
    def create(cls, devices=None) -> DataParallel:
        devices = jax.devices() if devices is None else devices
        return cls(Mesh(np.asarray(devices), (DATA_AXIS,)))

    @property
    def num_devices(self) -> int:
        return self.mesh.size

    @property
    def replicated(self) -> NamedSharding:
        return NamedSharding(self.mesh, PartitionSpec())

    def batch_sharding(self, leading_axes: int = 0) -> NamedSharding:
        """Shard axis `leading_axes` (0 for a batch, 1 for a stack of batches) over devices."""
        return NamedSharding(self.mesh, PartitionSpec(*([None] * leading_axes), DATA_AXIS))

    def check_batch_size(self, batch_size: int) -> None:
        if batch_size % self.num_devices:
            raise DljaxError(
                f"data.batch_size={batch_size} harus habis dibagi jumlah perangkat "
                f"({self.num_devices}); mis. --batch-size {self.num_devices * 32}."
            )

    def put(self, tree, sharding: NamedSharding):
        """Place host arrays on the mesh (each host passes its own part when multi-host)."""
        if jax.process_count() == 1:
            return jax.device_put(tree, sharding)
        return jax.tree.map(lambda x: jax.make_array_from_process_local_data(sharding, x), tree)
