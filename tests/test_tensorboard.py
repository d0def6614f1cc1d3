"""TensorBoard logs of a run (`dljax.runs.tensorboard`), read back with TensorBoard's own
reader (`EventAccumulator`, what `tensorboard --logdir` shows)."""

from __future__ import annotations

import json

import numpy as np
import pytest
from PIL import Image
from tensorboard.backend.event_processing.event_accumulator import EventAccumulator

from dljax.cli import main
from dljax.recipes import build_config
from dljax.runs import RunDir, train
from dljax.runs.tensorboard import scalar_tag


def read_events(run: RunDir) -> EventAccumulator:
    events = EventAccumulator(str(run.tensorboard), size_guidance={"scalars": 0, "images": 0})
    events.Reload()
    return events


def steps(events: EventAccumulator, tag: str) -> list[int]:
    return [e.step for e in events.Scalars(tag)]


def mlp(**overrides):
    return build_config("mlp", "tiny", {"train.steps_per_dispatch": 4, **overrides})


def test_scalar_tags():
    assert scalar_tag("train_loss") == "loss/train"
    assert scalar_tag("test_accuracy") == "accuracy/test"
    assert scalar_tag("lr") == "lr"
    assert scalar_tag("lr_generator") == "lr/generator"
    assert scalar_tag("time_s") == "time_s"


def test_every_epoch_metric_is_logged(tmp_path):
    run = RunDir(tmp_path / "run")
    train(mlp(**{"train.epochs": 3}), run.path, progress=False)
    events = read_events(run)
    history = run.read_history()
    expected = {"loss/train", "accuracy/train", "loss/test", "accuracy/test", "lr", "time_s"}
    assert expected <= set(events.Tags()["scalars"])
    for key, tag in (("train_loss", "loss/train"), ("test_accuracy", "accuracy/test")):
        logged = events.Scalars(tag)
        assert [e.step for e in logged] == [1, 2, 3]  # the epoch is the step
        np.testing.assert_allclose([e.value for e in logged], [r[key] for r in history], 1e-6)
    assert events.Tags()["images"] == []  # a classifier has no sample grids
    (text,) = events.Tensors("config/text_summary")
    config = json.loads(text.tensor_proto.string_val[0].decode())
    assert config["model_name"] == "mlp"


class StopDuringEpoch:
    """A hook that interrupts the run inside epoch `epoch` (1-based), like Ctrl+C."""

    def __init__(self, epoch: int, error=KeyboardInterrupt):
        self.epoch, self.error, self.seen = epoch, error, 0

    def on_epoch_end(self, trainer, record):
        self.seen = record["epoch"]

    def on_chunk(self, trainer, steps, acc):
        if self.seen == self.epoch - 1:
            raise self.error()


def test_resumed_run_logs_each_epoch_once(tmp_path):
    """Interrupted in epoch 4 with the last checkpoint at epoch 2: epoch 3 was logged by
    the first session and is trained and logged again; TensorBoard shows it once."""
    run = RunDir(tmp_path / "run")
    config = mlp(**{"train.epochs": 4, "train.checkpoint_every": 2})
    with pytest.raises(KeyboardInterrupt):
        train(config, run.path, progress=False, hooks=[StopDuringEpoch(4)])
    assert steps(read_events(run), "loss/train") == [1, 2, 3]  # 3 is past the checkpoint
    train(config, run.path, resume=True, progress=False)
    assert len(list(run.tensorboard.iterdir())) == 2  # one event file per session
    events = read_events(run)
    for tag in ("loss/train", "accuracy/test", "lr"):
        assert steps(events, tag) == [1, 2, 3, 4], tag
    logged = [e.value for e in events.Scalars("loss/test")]
    np.testing.assert_allclose(logged, [r["test_loss"] for r in run.read_history()], 1e-6)


def test_tensorboard_false_writes_no_folder(tmp_path, monkeypatch, capsys):
    monkeypatch.chdir(tmp_path)
    argv = ["train", "mlp", "--preset", "tiny", "--quiet", "--epochs", "1", "--out", "run"]
    assert main([*argv, "--set", "train.tensorboard=false"]) == 0
    assert (tmp_path / "run" / "metrics.json").is_file()
    assert not (tmp_path / "run" / "tensorboard").exists()
    assert main([*argv[:-1], "run-tb"]) == 0  # the default writes one
    assert any((tmp_path / "run-tb" / "tensorboard").iterdir())


def test_failed_run_leaves_no_tensorboard_folder(tmp_path):
    out = tmp_path / "run"
    with pytest.raises(RuntimeError):
        train(mlp(), out, progress=False, hooks=[StopDuringEpoch(1, RuntimeError)])
    assert not out.exists()  # no checkpoint yet: the whole run is removed


class AddQuality:
    """Stands in for `QualityHook`: adds end-of-run numbers to the summary."""

    def on_fit_end(self, trainer, summary):
        summary.update(fd=1.5, recall=0.25)


def test_generative_run_logs_sample_grids_and_final_numbers(tmp_path):
    run = RunDir(tmp_path / "run")
    config = build_config("gan", "tiny", {"train.epochs": 3, "train.sample_every": 2})
    train(config, run.path, progress=False, hooks=[AddQuality()])
    events = read_events(run)
    grids = events.Images("samples")
    assert [e.step for e in grids] == [2, 3]  # every 2 epochs, and the last one
    png = Image.open(run.samples / "epoch_003.png")
    assert (grids[-1].width, grids[-1].height) == png.size  # the Recorder's grid, reused
    assert {"d_loss/train", "g_loss/train", "lr/generator"} <= set(events.Tags()["scalars"])
    for tag, value in (("quality/fd", 1.5), ("quality/recall", 0.25)):
        (event,) = events.Scalars(tag)
        assert (event.step, event.value) == (3, value)
    assert "quality/num_params" not in events.Tags()["scalars"]  # engine summary: not logged


def test_resumed_run_without_checkpoint_starts_its_logs_again(tmp_path):
    """Interrupted before any checkpoint: the resumed run trains from epoch 0 again, and
    TensorBoard shows the new session's epochs once (and the config once)."""
    run = RunDir(tmp_path / "run")
    config = mlp(**{"train.epochs": 3, "train.checkpoint_every": 5})
    with pytest.raises(KeyboardInterrupt):
        train(config, run.path, progress=False, hooks=[StopDuringEpoch(3)])
    assert steps(read_events(run), "loss/train") == [1, 2]
    train(config, run.path, resume=True, progress=False)
    events = read_events(run)
    assert steps(events, "loss/train") == [1, 2, 3]
    assert len(events.Tensors("config/text_summary")) == 1
