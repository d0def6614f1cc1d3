"""Checkpoints with Orbax: the whole TrainState plus JSON metadata (epoch, data position).

The state is stored as a flat dict keyed by readable paths ("params.layers.0.kernel.value"),
and restored into the structure of a freshly built template state.

Failures become Indonesian errors here: a checkpoint that cannot be written (full disk) is a
`RunFailed`; a newest checkpoint that cannot be read (truncated by a crash) is skipped for the
next older one, and the caller is told which steps were skipped. Opened `read_only`, the
manager never creates the folder (so `dljax eval` leaves the run directory as it was).

Ctrl+C or SIGTERM during a save is held until the save is complete: an interrupted save
leaves Orbax's writer threads running into interpreter shutdown, where they crash.
"""

from __future__ import annotations

import contextlib
import shutil
import signal
import threading
from pathlib import Path

import jax
import orbax.checkpoint as ocp

from dljax.errors import DljaxError, RunFailed, from_os_error


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


@contextlib.contextmanager
def interrupts_held():
    """Run the block with SIGINT/SIGTERM recorded instead of acted on, then act on the
    first one received with the handler that was in place before."""
    if threading.current_thread() is not threading.main_thread():
        yield
        return
    received: list[int] = []
    held = (signal.SIGINT, signal.SIGTERM)
    previous = {s: signal.signal(s, lambda signum, frame: received.append(signum)) for s in held}
    try:
        yield
    finally:
        for signum, handler in previous.items():
            signal.signal(signum, handler)
        if received:
            signum = received[0]
            handler = previous[signum]
            if callable(handler):
                handler(signum, None)
            elif handler == signal.SIG_DFL:
                signal.raise_signal(signum)


class Checkpointer:
    def __init__(self, directory: Path, keep: int = 2, *, read_only: bool = False):
        self.directory = Path(directory).absolute()
        self.skipped: list[int] = []  # unreadable steps passed over by the last `restore`
        self.manager = None
        if read_only and not self.directory.is_dir():
            return  # nothing saved yet; do not create the folder
        options = ocp.CheckpointManagerOptions(
            max_to_keep=keep,
            create=not read_only,
            cleanup_tmp_directories=not read_only,  # a save cut short by kill -9
            enable_async_checkpointing=False,
        )
        try:
            self.manager = ocp.CheckpointManager(self.directory, options=options)
        except OSError as err:
            raise from_os_error(err, during_run=not read_only) from None

    def save(self, state, meta: dict) -> None:
        args = ocp.args.Composite(
            state=ocp.args.StandardSave(flatten(state)), meta=ocp.args.JsonSave(meta)
        )
        try:
            with interrupts_held():
                self.manager.save(int(meta["step"]), args=args, force=True)
                self.manager.wait_until_finished()
        except OSError as err:
            raise from_os_error(err, during_run=True) from None
        except Exception as err:  # Orbax/TensorStore report write failures in their own types
            raise RunFailed(
                f"Checkpoint epoch {meta.get('epoch')} gagal ditulis ke {self.directory} "
                f"({type(err).__name__}: {err}). Periksa ruang disk dan izin folder, lalu "
                "lanjutkan dengan --resume dari checkpoint sebelumnya."
            ) from None

    def steps(self) -> list[int]:
        return [] if self.manager is None else sorted(self.manager.all_steps())

    def latest_step(self) -> int | None:
        steps = self.steps()
        return steps[-1] if steps else None

    def _restore_step(self, template, step: int):
        abstract = jax.tree.map(ocp.utils.to_shape_dtype_struct, flatten(template))
        args = ocp.args.Composite(
            state=ocp.args.StandardRestore(abstract), meta=ocp.args.JsonRestore()
        )
        restored = self.manager.restore(step, args=args)
        meta = dict(restored.meta)
        if not isinstance(meta.get("epoch"), int):
            raise ValueError(f"metadata tanpa epoch: {meta}")
        return unflatten(template, dict(restored.state)), meta

    def restore(self, template, step: int | None = None):
        """Restore (state, meta) from `step` (default: the newest readable one) into
        `template`'s structure. Unreadable newer steps are listed in `self.skipped`."""
        steps = self.steps() if step is None else [step]
        self.skipped = []
        errors = []
        for candidate in reversed(steps):
            try:
                return self._restore_step(template, candidate)
            except Exception as err:  # a truncated or foreign checkpoint
                self.skipped.append(candidate)
                errors.append(f"langkah {candidate}: {type(err).__name__}: {str(err)[:200]}")
        if not steps:
            raise DljaxError(f"Tidak ada checkpoint di {self.directory}.")
        raise RunFailed(
            f"Tidak ada checkpoint yang bisa dibaca di {self.directory} ("
            + "; ".join(errors)
            + "). Checkpoint rusak atau dibuat dengan konfigurasi lain; latih ulang ke --out lain."
        )

    def set_aside(self, steps: list[int], where: Path) -> list[Path]:
        """Move unreadable steps out of the way (kept, not deleted) so new saves can use
        their numbers; returns where they went."""
        moved = []
        for step in steps:
            source = self.directory / str(step)
            if source.exists():
                where.mkdir(parents=True, exist_ok=True)
                target = where / str(step)
                if target.exists():
                    shutil.rmtree(target)
                shutil.move(str(source), str(target))
                moved.append(target)
        if self.manager is not None:
            self.manager.reload()
        return moved

    def close(self) -> None:
        if self.manager is not None:
            self.manager.close()
