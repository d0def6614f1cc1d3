"""Checkpoints with Orbax: the whole TrainState plus JSON metadata (epoch, data position).

The state is stored as a flat dict keyed by readable paths ("params.layers.0.kernel.value"),
and restored into the structure of a freshly built template state.
"""

from __future__ import annotations

from pathlib import Path

import jax
import orbax.checkpoint as ocp


def _key_name(entry) -> str:
    for attr in ("key", "idx", "name"):
        if hasattr(entry, attr):
            return str(getattr(entry, attr))
    return str(entry)


def flatten(tree) -> dict[str, jax.Array]:
    leaves, _ = jax.tree_util.tree_flatten_with_path(tree)
    return {".".join(_key_name(e) for e in path): leaf for path, leaf in leaves}


def unflatten(template, flat: dict[str, jax.Array]):
    keys = list(flatten(template))
    treedef = jax.tree.structure(template)
    return jax.tree.unflatten(treedef, [flat[k] for k in keys])


class Checkpointer:
    def __init__(self, directory: Path, keep: int = 2):
        options = ocp.CheckpointManagerOptions(
            max_to_keep=keep, create=True, enable_async_checkpointing=False
        )
        self.manager = ocp.CheckpointManager(Path(directory).absolute(), options=options)

    def save(self, state, meta: dict) -> None:
        args = ocp.args.Composite(
            state=ocp.args.StandardSave(flatten(state)), meta=ocp.args.JsonSave(meta)
        )
        self.manager.save(int(meta["step"]), args=args)
        self.manager.wait_until_finished()

    def latest_step(self) -> int | None:
        return self.manager.latest_step()

    def restore(self, template, step: int | None = None):
        """Restore (state, meta) from `step` (default: latest) into `template`'s structure."""
        step = self.latest_step() if step is None else step
        abstract = jax.tree.map(ocp.utils.to_shape_dtype_struct, flatten(template))
        args = ocp.args.Composite(
            state=ocp.args.StandardRestore(abstract), meta=ocp.args.JsonRestore()
        )
        restored = self.manager.restore(step, args=args)
        return unflatten(template, dict(restored.state)), dict(restored.meta)

    def close(self) -> None:
        self.manager.close()
