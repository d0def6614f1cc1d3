"""A run back from its directory: the config it was trained with and its latest checkpoint."""

from __future__ import annotations

from dljax.config import Config, apply_overrides, config_from_dict
from dljax.errors import DljaxError
from dljax.models import get_spec
from dljax.train.checkpoint import Checkpointer
from dljax.train.run_dir import RunDir


def saved_config(run_dir: RunDir) -> Config:
    """The `Config` a run directory was created with."""
    if not run_dir.is_run():
        raise DljaxError(
            f"{run_dir.path} bukan direktori run dljax (tidak ada config.json). "
            "Berikan direktori yang dibuat oleh `dljax train`, mis. runs/mlp-digits."
        )
    raw = run_dir.read_config()
    return config_from_dict(raw, get_spec(raw["model_name"]).config_cls)


def resume_config(run_dir: RunDir, model_name: str, overrides: dict) -> Config:
    """The config to continue a run with: the saved one, with the command's overrides."""
    if not run_dir.is_run():
        raise DljaxError(
            f"--resume: {run_dir.path} bukan direktori run (tidak ada config.json). "
            "Berikan --out dari run yang terhenti, atau mulai baru tanpa --resume."
        )
    config = saved_config(run_dir)
    if config.model_name != model_name:
        raise DljaxError(
            f"--resume: run {run_dir.path} melatih model {config.model_name!r}, "
            f"bukan {model_name!r}."
        )
    return apply_overrides(config, overrides)


def load_run(run_dir: RunDir):
    """A `Trainer` of the run with its latest checkpoint restored."""
    from dljax.train.loop import Trainer

    config = saved_config(run_dir)
    trainer = Trainer(config)
    ckpt = Checkpointer(run_dir.checkpoints, config.train.keep_checkpoints)
    try:
        if ckpt.latest_step() is None:
            raise DljaxError(
                f"Tidak ada checkpoint di {run_dir.checkpoints}. Latih dulu dengan "
                f"`dljax train {config.model_name} --out {run_dir.path}`."
            )
        trainer.state, _ = ckpt.restore(trainer.state)
    finally:
        ckpt.close()
    return trainer
