"""Export and reload model weights as `safetensors` (framework-neutral, no pickle)."""

from __future__ import annotations

from pathlib import Path

import jax
import numpy as np
from flax import nnx
from flax.traverse_util import flatten_dict, unflatten_dict
from safetensors.numpy import load_file, save_file


def model_tensors(*states: nnx.State) -> dict[str, np.ndarray]:
    """Model variables as `{"layers.0.kernel": array, ...}` (params and e.g. batch stats)."""
    tensors: dict[str, np.ndarray] = {}
    for state in states:
        flat = flatten_dict(nnx.to_pure_dict(state))
        tensors.update(
            {".".join(map(str, k)): np.asarray(jax.device_get(v)) for k, v in flat.items()}
        )
    return tensors


def save_params(path: Path, *states: nnx.State, metadata: dict[str, str] | None = None) -> None:
    save_file(model_tensors(*states), str(path), metadata=metadata)


def load_into(model: nnx.Module, path: Path) -> nnx.Module:
    """Load a `params.safetensors` file into a freshly built model of the same config."""
    tensors = load_file(str(path))
    state = nnx.state(model)
    pure = nnx.restore_int_paths(unflatten_dict(tensors, sep="."))
    nnx.replace_by_pure_dict(state, pure)
    nnx.update(model, state)
    return model
