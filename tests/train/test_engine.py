import signal

import jax
import jax.numpy as jnp
import numpy as np
import pytest
from flax import nnx

from dljax.data import ArraySource, Dataset
from dljax.errors import TrainingDiverged
from dljax.recipes import MODELS
from dljax.runs import RunDir, train
from dljax.runs.checkpoint import Checkpointer
from dljax.train import Trainer
from dljax.train.export import load_into


def leaves(tree):
    return [np.asarray(x) for x in jax.tree.leaves(tree)]


@pytest.mark.parametrize(
    ("model", "pipeline"), [("mlp", "device"), ("cnn", "device"), ("mlp", "grain")]
)
def test_smoke_loss_decreases_without_recompiling(
    tiny, digits, model, pipeline, trace_log, assert_smoke
):
    config = tiny(model, train__epochs=3, data__pipeline=pipeline)
    trainer = Trainer(config, dataset=digits)
    result = trainer.fit([trace_log])
    assert_smoke(result, trace_log, min_accuracy=0.25)  # chance is 0.1
    assert trainer.pipeline == pipeline


def test_cnn_dispatches_step_by_step_on_cpu_and_scan_matches(tiny, digits):
    auto = Trainer(tiny("cnn"), dataset=digits)
    assert auto.dispatch == "step"
    scan = Trainer(tiny("cnn", train__dispatch="scan"), dataset=digits)
    a = auto.fit(progress=False)
    b = scan.fit(progress=False)
    for ra, rb in zip(a.history, b.history, strict=True):
        np.testing.assert_allclose(ra["train_loss"], rb["train_loss"], rtol=1e-5)


def test_same_seed_gives_identical_params(tiny, digits, assert_same_state):
    a = train(tiny("mlp"), dataset=digits, progress=False)
    b = train(tiny("mlp"), dataset=digits, progress=False)
    c = train(tiny("mlp", train__seed=1), dataset=digits, progress=False)
    assert_same_state(a.state.params, b.state.params)
    assert not np.array_equal(leaves(a.state.params)[0], leaves(c.state.params)[0])


def test_checkpoint_round_trip_restores_state_and_outputs(
    tiny, digits, tmp_path, assert_same_state
):
    config = tiny("cnn")
    result = train(config, tmp_path / "run", dataset=digits, progress=False)
    fresh = Trainer(config, dataset=digits)
    ckpt = Checkpointer(RunDir(tmp_path / "run").checkpoints)
    restored, meta = ckpt.restore(fresh.state)
    ckpt.close()
    assert meta["epoch"] == config.train.epochs
    assert_same_state(restored, result.state)
    fresh.state = restored
    np.testing.assert_allclose(
        fresh.evaluate()["test_loss"], result.history[-1]["test_loss"], rtol=0
    )


def test_checkpoints_are_spaced_to_about_max_per_run(tiny, digits, tmp_path, monkeypatch):
    """`train.checkpoint_every=0` (the default) spaces the Orbax saves (about a second each
    on 2 cores) to about MAX_CHECKPOINTS per run, and the last epoch is always saved."""
    from dljax.runs import recorder

    assert recorder.checkpoint_interval(0, 120) == 120 // recorder.MAX_CHECKPOINTS
    assert recorder.checkpoint_interval(0, 7) == 1 and recorder.checkpoint_interval(3, 120) == 3
    monkeypatch.setattr(recorder, "MAX_CHECKPOINTS", 3)
    saved = []
    monkeypatch.setattr(Checkpointer, "save", lambda self, state, meta: saved.append(meta["epoch"]))
    config = tiny("mlp", train__epochs=7, train__checkpoint_every=0)
    train(config, tmp_path / "run", dataset=digits, progress=False)
    assert saved == [2, 4, 6, 7]


@pytest.mark.parametrize("signum", [signal.SIGINT, signal.SIGTERM])
def test_signal_during_checkpoint_save_waits_for_the_save(signum, tmp_path):
    def interrupt(signum_, frame):
        raise KeyboardInterrupt

    # our own handler for the signal raised: the inherited one may be anything (an xdist
    # worker, an earlier test)
    previous = signal.signal(signum, interrupt)
    ckpt = Checkpointer(tmp_path / "ckpt")
    state = {"w": jnp.arange(4.0)}
    real_save = ckpt.manager.save

    def save_then_signal(*args, **kwargs):
        signal.raise_signal(signum)  # arrives while Orbax is writing
        return real_save(*args, **kwargs)

    ckpt.manager.save = save_then_signal
    try:
        with pytest.raises(KeyboardInterrupt):
            ckpt.save(state, {"epoch": 1, "step": 7})
        assert signal.getsignal(signum) is interrupt  # handler put back
    finally:
        signal.signal(signum, previous)
    ckpt.manager.save = real_save
    restored, meta = ckpt.restore(state)
    ckpt.close()
    assert meta["step"] == 7
    np.testing.assert_array_equal(restored["w"], state["w"])


def test_killed_run_resumes_to_identical_params(tiny, digits, tmp_path, assert_same_state):
    config = tiny("mlp", train__epochs=4)
    straight = train(config, tmp_path / "a", dataset=digits, progress=False)

    class Killed(Exception):
        pass

    def die(epoch, record):
        if epoch == 2:
            raise Killed

    with pytest.raises(Killed):
        train(config, tmp_path / "b", dataset=digits, progress=False, on_epoch_end=die)
    assert len(RunDir(tmp_path / "b").read_history()) == 2
    resumed = train(config, tmp_path / "b", dataset=digits, progress=False, resume=True)
    assert_same_state(resumed.state, straight.state)
    assert [r["epoch"] for r in resumed.history] == [1, 2, 3, 4]
    assert resumed.history[-1]["test_loss"] == straight.history[-1]["test_loss"]


def test_run_directory_contents(tiny, digits, tmp_path):
    result = train(tiny("mlp"), tmp_path / "run", dataset=digits, progress=False)
    run = RunDir(tmp_path / "run")
    summary = run.read_summary()
    assert {"test_accuracy", "test_loss", "train_loss", "num_params"} <= set(summary)
    assert summary["test_accuracy"] == result.history[-1]["test_accuracy"]
    assert len(run.read_history()) == 2
    assert (run.plots / "loss.png").stat().st_size > 1000
    assert (run.plots / "accuracy.png").exists()
    assert run.read_config()["model_name"] == "mlp"


def test_safetensors_export_reloads_identical_outputs(tiny, digits, tmp_path):
    config = tiny("cnn")
    result = train(config, tmp_path / "run", dataset=digits, progress=False)
    trainer = Trainer(config, dataset=digits)
    model = nnx.merge(trainer.fns.eval_graphdef, result.state.params, result.state.rest)
    fresh = MODELS["cnn"].build_model(config, digits.info, nnx.Rngs(123))
    fresh.eval()
    load_into(fresh, RunDir(tmp_path / "run").params)
    x = jnp.asarray(digits.test.arrays["input"][:16])
    np.testing.assert_array_equal(model(x), fresh(x))


def test_nan_loss_stops_with_step_in_message(tiny, digits):
    bad = digits.train.arrays | {"input": np.full_like(digits.train.arrays["input"], np.nan)}
    dataset = Dataset(digits.info, ArraySource(bad), digits.test)
    with pytest.raises(TrainingDiverged) as err:
        train(tiny("mlp"), dataset=dataset, progress=False)
    assert err.value.step == 1
    assert "langkah 1" in str(err.value) and "learning rate" in str(err.value)


@pytest.mark.parametrize("dispatch", ["scan", "step"])
def test_an_epoch_reads_the_device_once_and_evaluates_behind_the_steps(
    tiny, digits, monkeypatch, dispatch
):
    """The host fetches the epoch's training sums and the test metrics in one `device_get`,
    and the evaluation is dispatched before it: nothing waits between training and testing.
    The record equals a separate evaluation of the same state."""
    import dljax.train.loop as loop

    config = tiny("mlp", train__epochs=2, train__dispatch=dispatch)
    trainer = Trainer(config, dataset=digits)
    fetched, real_get = [], jax.device_get

    def counting_get(tree):
        fetched.append({k: type(v).__name__ for k, v in tree[1].items()})
        return real_get(tree)

    monkeypatch.setattr(loop.jax, "device_get", counting_get)
    result = trainer.fit(progress=False)
    monkeypatch.undo()
    assert len(fetched) == 2  # one fetch per epoch, training sums and test sums together
    assert all(kinds and set(kinds.values()) == {"ArrayImpl"} for kinds in fetched)
    again = trainer.evaluate()
    assert result.history[-1]["test_loss"] == pytest.approx(again["test_loss"], rel=1e-6)
    assert result.history[-1]["test_accuracy"] == pytest.approx(again["test_accuracy"])
