"""Chapter 6's diffusion task on the engine: one tiny conditional run (module scope) checked
for finiteness, compile-once, EMA weights in sampling and export, guidance wiring, resume
equality and the CLI; option checks that need no training. (The EMA update itself is checked
against its formula for every task in tests/train/test_extension_points.py: the same
`StepFunctions.step` runs it here.)"""

import subprocess
import sys

import jax
import jax.numpy as jnp
import numpy as np
import pytest
from flax import nnx
from PIL import Image

from dljax import diffusion
from dljax.errors import DljaxError
from dljax.recipes import build_config
from dljax.runs import train
from dljax.tasks import ConditionalDiffusionTask, DiffusionTask, GANTask
from dljax.train.state import inference_params

EPOCHS = 2


@pytest.fixture(scope="module")
def run(tmp_path_factory, make_trace_log):
    """A tiny ddpm_cond run with a run directory and the jit traces after each epoch."""
    overrides = {"train.epochs": EPOCHS, "data.batch_size": 128}  # 11 steps per epoch
    config = build_config("ddpm_cond", "tiny", overrides)
    out = tmp_path_factory.mktemp("diffusion") / "run"
    log = make_trace_log()
    result = train(config, out, progress=False, hooks=[log])
    return config, out, result, log.by_epoch


def test_tiny_run_is_finite_writes_grids_and_compiles_once(run):
    _, out, result, traces = run
    assert all(np.isfinite(r["train_loss"]) and np.isfinite(r["test_loss"]) for r in result.history)
    assert traces[1] == traces[2]  # no recompilation after the first epoch
    assert traces[1]["device_step"] == 1
    grid = Image.open(out / "samples" / f"epoch_{EPOCHS:03d}.png")
    assert grid.size[0] > grid.size[1]  # 10 columns (one per digit), 8 rows of 8x8 enlarged


def test_sampling_and_export_use_the_ema_weights(run):
    _, out, result, _ = run
    trainer = result.trainer
    state = result.state
    ema, params = state.extra["ema"], state.params
    assert inference_params(state) is ema
    assert not np.allclose(ema["head"]["kernel"][...], params["head"]["kernel"][...])
    labels = jnp.arange(10, dtype=jnp.int32)
    options = {"labels": labels, "steps": 4, "guidance": np.float32(2.0)}
    got = trainer.sample(10, seed=5, **options)

    def with_weights(weights):
        model = nnx.merge(trainer.fns.eval_graphdef, weights, state.rest, copy=True)
        sample = jax.jit(lambda key: trainer.task.sample(model, key, 10, **options))
        return np.asarray(sample(jax.random.key(5)))

    np.testing.assert_allclose(got, with_weights(ema), atol=1e-4)
    assert not np.allclose(got, with_weights(params), atol=1e-3)
    from safetensors.numpy import load_file

    exported = load_file(str(out / "params.safetensors"))
    np.testing.assert_array_equal(exported["head.kernel"], ema["head"]["kernel"][...])


def test_guidance_one_is_conditional_and_zero_unconditional(run):
    _, _, result, _ = run
    model = result.trainer.model()
    task = result.trainer.task
    labels = jnp.array([3, 7, 0, 9], jnp.int32)
    schedule = task.schedule
    key = jax.random.key(0)
    x_T = jax.random.normal(jax.random.split(key)[0], (4, *model.image_shape))

    def reference(conditioning):
        def eps_fn(x, t):
            return model(x, t, conditioning)

        x0 = diffusion.ddim_sample(eps_fn, schedule, x_T, steps=4, clip=True)
        return np.clip((np.asarray(x0) + 1) / 2, 0, 1)

    for w, conditioning in ((1.0, labels), (0.0, None)):
        got = task.sample(model, key, 4, labels=labels, guidance=np.float32(w), steps=4)
        np.testing.assert_allclose(got, reference(conditioning), atol=1e-4)
    # a larger w really changes the samples
    strong = task.sample(model, key, 4, labels=labels, guidance=np.float32(4.0), steps=4)
    assert not np.allclose(strong, reference(labels), atol=1e-3)


def test_resume_gives_identical_state(run, tmp_path):
    config, _, full, _ = run

    def stop_after_one(epoch, record):
        if epoch == 1:
            raise KeyboardInterrupt  # as Ctrl+C after the epoch-1 checkpoint

    with pytest.raises(KeyboardInterrupt):
        train(config, tmp_path / "r", progress=False, on_epoch_end=stop_after_one)
    resumed = train(config, tmp_path / "r", resume=True, progress=False)
    assert [r["epoch"] for r in resumed.history] == [1, 2]
    for a, b in zip(jax.tree.leaves(full.state), jax.tree.leaves(resumed.state), strict=True):
        np.testing.assert_array_equal(a, b)


def test_sampler_options_are_checked_and_refused_by_other_tasks():
    cond = ConditionalDiffusionTask().sample_options(
        {"sampler": "ddpm", "steps": None, "eta": 0.5, "guidance": 3, "trajectory": True}
    )
    assert cond == {"sampler": "ddpm", "eta": 0.5, "guidance": 3.0, "trajectory": True}
    assert isinstance(cond["eta"], np.float32)  # traced, so every eta shares one compile
    with pytest.raises(DljaxError, match=r"--guidance=3\.0 hanya untuk model difusi bersyarat"):
        DiffusionTask().sample_options({"guidance": 3.0})
    with pytest.raises(DljaxError, match=r"--steps=0 harus >= 1"):
        DiffusionTask().sample_options({"steps": 0})
    with pytest.raises(DljaxError, match=r"--eta=-1\.0"):
        DiffusionTask().sample_options({"eta": -1.0})
    with pytest.raises(DljaxError, match=r"Opsi --steps tidak berlaku .*'gan'"):
        GANTask().sample_options({"sampler": None, "steps": 20, "trajectory": False})
    assert GANTask().sample_options({"steps": None, "trajectory": False}) == {}


def test_cli_samples_a_label_with_guidance_and_writes_the_trajectory(run, tmp_path):
    _, out, _, _ = run

    def cli(*args):
        return subprocess.run(
            [sys.executable, "-m", "dljax", "sample", str(out), *args],
            cwd=tmp_path,
            capture_output=True,
            text=True,
            timeout=600,
        )

    done = cli(
        "--sampler", "ddim", "--steps", "5", "--eta", "0", "--guidance", "3", "--label", "7",
        "--n", "8", "--out", "g.png", "--trajectory",
    )  # fmt: skip
    assert done.returncode == 0, done.stderr
    assert Image.open(tmp_path / "g.png").size[0] > 0
    assert "Lintasan 5 langkah" in done.stdout  # x_T and the 5 DDIM steps
    assert Image.open(tmp_path / "g.gif").n_frames > 1  # (GIF drops repeated frames)
