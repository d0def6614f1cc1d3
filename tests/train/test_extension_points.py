"""The engine's extension points, exercised with toy tasks: a task of two phases (two
optimizers over named parts of one model), EMA weights, evaluation randomness, and
registries open for new entries."""

import dataclasses

import jax
import jax.numpy as jnp
import numpy as np
import optax
import pytest
from flax import nnx

from dljax.data import DATASETS, ArraySource, Dataset, DatasetInfo
from dljax.errors import DljaxError
from dljax.recipes import MODELS, Recipe, build_config
from dljax.runs import train
from dljax.tasks import Phase, Task, masked_sums
from dljax.train import Trainer
from dljax.train.state import inference_params
from dljax.train.step import update_part


class Half(nnx.Module):
    """A linear map with batch norm: (B, 4) -> (B, 4)."""

    def __init__(self, rngs):
        self.linear = nnx.Linear(4, 4, use_bias=False, rngs=rngs)  # BN makes a bias moot
        self.norm = nnx.BatchNorm(4, rngs=rngs)

    def __call__(self, x):
        return self.norm(self.linear(x))


class Pair(nnx.Module):
    """Two parts, `first` and `second`, each with its own parameters and statistics."""

    def __init__(self, rngs):
        self.first = Half(rngs)
        self.second = Half(rngs)


@dataclasses.dataclass(frozen=True)
class PairConfig:
    lr_second: float = 0.05


class PairTask(Task):
    """A toy two-player task: `first` fits the target, then `second` fits `first`'s output,
    with its own optimizer settings read from the config (`model.lr_second`, sgd)."""

    name = "toy_pair"
    metrics = ("loss", "loss_first", "loss_second")

    def __init__(self, lr_second: float = 0.05):
        self.lr_second = lr_second

    @classmethod
    def from_config(cls, config):
        return cls(config.model.lr_second)

    @property
    def phases(self):
        second = {"lr": self.lr_second, "optimizer": "sgd"}
        return (
            Phase("first", self.loss_first, nnx.PathContains("first"), metric="loss_first"),
            Phase("second", self.loss_second, nnx.PathContains("second"), second, "loss_second"),
        )

    @staticmethod
    def loss_first(model, batch, rngs=None):
        return jnp.mean((model.first(batch["input"]) - batch["target"]) ** 2), {}

    @staticmethod
    def loss_second(model, batch, rngs=None):
        # runs `first` in training mode too: its batch statistics must not change here
        target = jax.lax.stop_gradient(model.first(batch["input"]))
        return jnp.mean((model.second(batch["input"]) - target) ** 2), {}

    def eval_fn(self, model, batch, rngs):
        err = jnp.mean((model.first(batch["input"]) - batch["target"]) ** 2, axis=1)  # (B,)
        noise = jax.random.normal(rngs.noise(), err.shape)  # a stochastic metric
        return masked_sums({"loss": err, "noisy": err + noise}, batch["mask"])


def toy_dataset(n=64, seed=0):
    rng = np.random.default_rng(seed)
    x = rng.normal(size=(n, 4)).astype(np.float32)
    w = rng.normal(size=(4, 4)).astype(np.float32)
    arrays = {"input": x, "target": (x @ w).astype(np.float32)}
    info = DatasetInfo("toy", "toy", "table", (4,))
    return Dataset(info, ArraySource(arrays), ArraySource({k: v[:16] for k, v in arrays.items()}))


@pytest.fixture
def pair_model():
    recipe = Recipe(
        "toy_pair", "toy", PairConfig, lambda c, info, rngs: Pair(rngs), PairTask, "vector"
    )
    MODELS.register("toy_pair", recipe)
    yield
    MODELS.unregister("toy_pair")


def pair_config(**overrides):
    base = {"train.epochs": 2, "data.batch_size": 16, "train.steps_per_dispatch": 2}
    base.update({"train.optimizer": "adam", "train.lr": 0.01, "train.schedule": "constant"})
    return build_config("toy_pair", "default", {**base, **overrides})


def test_unknown_names_list_the_valid_ones():
    with pytest.raises(DljaxError, match="Pilihan: .*mlp"):
        MODELS["no_such_model"]
    with pytest.raises(DljaxError, match="Pilihan: .*digits"):
        DATASETS["no_such_dataset"]


def test_registries_are_mappings():
    assert "x" not in MODELS and "mlp" in MODELS
    assert MODELS.get("x") is None and MODELS.get("x", 7) == 7
    assert MODELS.get("mlp") is MODELS["mlp"]
    assert "x" not in DATASETS and DATASETS.get("x") is None
    assert list(MODELS) == list(MODELS.keys()) and len(MODELS) == len(list(MODELS.values()))
    with pytest.raises(KeyError):  # an unknown name is also a mapping's KeyError
        MODELS["x"]


def test_two_optimizers_update_their_own_parts_in_turn(pair_model):
    trainer = Trainer(pair_config(), dataset=toy_dataset())
    state0 = trainer.state
    assert set(state0.opt_state) == {"first", "second"}
    batch = {k: jnp.asarray(v[:16]) for k, v in trainer.dataset.train.arrays.items()}
    new, metrics = jax.jit(trainer.fns.step)(state0, batch)

    # reference: first = Adam(0.01) step on loss_first; then second = SGD(0.05, momentum 0.9)
    # on loss_second evaluated with the *updated* first part
    own, others = nnx.split_state(state0.params, nnx.PathContains("first"), ...)

    def ref_loss(first_params):
        params = nnx.merge_state(first_params, others)
        model = nnx.merge(trainer.fns.graphdef, params, state0.rest, copy=True)
        return PairTask.loss_first(model, batch)[0]

    adam = optax.adam(0.01)
    upd, _ = adam.update(jax.grad(ref_loss)(own), adam.init(own), own)
    expected_first = optax.apply_updates(own, upd)
    got_first = nnx.split_state(new.params, nnx.PathContains("first"), ...)[0]
    for a, b in zip(jax.tree.leaves(got_first), jax.tree.leaves(expected_first), strict=True):
        np.testing.assert_allclose(a, b, rtol=1e-5, atol=1e-6)

    # the second part moved by SGD with its own learning rate (not 0.01)
    delta = jax.tree.map(lambda a, b: a - b, new.params["second"], state0.params["second"])
    assert max(float(jnp.abs(x).max()) for x in jax.tree.leaves(delta)) > 0
    assert float(metrics["loss_first"]) > 0 and float(metrics["loss_second"]) >= 0


def test_a_part_step_leaves_the_other_parts_batch_statistics_alone(pair_model):
    trainer = Trainer(pair_config(), dataset=toy_dataset())
    optimizers, state = trainer.built.optimizers, trainer.state
    batch = {k: jnp.asarray(v[:16]) for k, v in trainer.dataset.train.arrays.items()}
    new, _, _ = update_part(
        optimizers, trainer.fns.graphdef, state, "second", lambda m: PairTask.loss_second(m, batch)
    )
    # `first` ran in training mode inside the step, yet its statistics are unchanged
    for a, b in zip(
        jax.tree.leaves(new.rest["first"]), jax.tree.leaves(state.rest["first"]), strict=True
    ):
        np.testing.assert_array_equal(a, b)
    changed = [
        not np.array_equal(a, b)
        for a, b in zip(
            jax.tree.leaves(new.rest["second"]), jax.tree.leaves(state.rest["second"]), strict=True
        )
    ]
    assert any(changed)  # while `second`'s own statistics moved
    np.testing.assert_array_equal(  # and `first`'s parameters and optimizer state too
        jax.tree.leaves(new.params["first"])[0], jax.tree.leaves(state.params["first"])[0]
    )


def test_two_optimizer_run_is_deterministic_resumable_and_compiles_once(
    pair_model, tmp_path, trace_log, assert_same_state
):
    data = toy_dataset()
    full = train(pair_config(**{"train.epochs": 4}), dataset=data, progress=False)
    again = train(pair_config(**{"train.epochs": 4}), dataset=data, progress=False)
    assert_same_state(full.state, again.state)

    # stop after 2 epochs, resume to 4: identical to the uninterrupted run
    train(pair_config(**{"train.epochs": 2}), tmp_path / "run", dataset=data, progress=False)
    resumed = train(
        pair_config(**{"train.epochs": 4}),
        tmp_path / "run",
        resume=True,
        dataset=data,
        progress=False,
        hooks=[trace_log],
    )
    assert_same_state(full.state, resumed.state)
    assert trace_log.compiled_once()  # no recompilation after the first resumed epoch
    assert {"lr_first", "lr_second"} <= set(resumed.history[-1])
    assert resumed.history[-1]["lr_second"] == pytest.approx(0.05)


def test_eval_randomness_is_the_same_on_every_evaluation(pair_model):
    trainer = Trainer(pair_config(), dataset=toy_dataset())
    first, second = trainer.evaluate(), trainer.evaluate()
    assert first["test_noisy"] == second["test_noisy"]
    assert first["test_noisy"] != first["test_loss"]  # the noise is really there


def test_ema_weights_follow_the_formula_and_are_what_evaluates_and_exports(tiny, digits, tmp_path):
    decay = 0.5
    config = tiny("mlp", train__ema_decay=str(decay), train__epochs=1)
    trainer = Trainer(config, dataset=digits)
    state0 = trainer.state
    batch = {k: jnp.asarray(v[:32]) for k, v in digits.train.arrays.items()}
    new, _ = jax.jit(trainer.fns.step)(state0, batch)
    for ema, old, p in zip(
        jax.tree.leaves(new.extra["ema"]),
        jax.tree.leaves(state0.extra["ema"]),
        jax.tree.leaves(new.params),
        strict=True,
    ):
        np.testing.assert_allclose(ema, decay * old + (1 - decay) * p, rtol=1e-6, atol=1e-7)

    result = train(config, tmp_path / "run", dataset=digits, progress=False)
    ema, params = result.state.extra["ema"], result.state.params
    assert inference_params(result.state) is ema
    assert not np.array_equal(jax.tree.leaves(ema)[0], jax.tree.leaves(params)[0])
    model = result.model()
    np.testing.assert_array_equal(
        nnx.state(model, nnx.Param)["layers"][0]["kernel"][...], ema["layers"][0]["kernel"][...]
    )
    from safetensors.numpy import load_file

    exported = load_file(str(tmp_path / "run" / "params.safetensors"))
    np.testing.assert_array_equal(exported["layers.0.kernel"], ema["layers"][0]["kernel"][...])
