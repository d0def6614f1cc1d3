"""The on-device metric accumulators: a chunk's stacked sums equal step-by-step sums."""

import jax
import jax.numpy as jnp
import numpy as np
import pytest

from dljax.train.accumulate import accumulate, accumulate_stacked, init_acc, means


def _step_by_step(acc, losses, extra, steps):
    for loss, e, s in zip(losses, extra, steps, strict=True):
        acc = accumulate(acc, {"loss": jnp.float32(loss), "mse": jnp.float32(e)}, jnp.int32(s))
    return jax.device_get(acc)


@pytest.mark.parametrize(
    ("losses", "first_bad"),
    [([0.5, 0.25, 1.0, 2.0], -1), ([0.5, np.nan, np.inf, 2.0], 11), ([np.inf] * 4, 10)],
)
def test_stacked_sums_equal_step_by_step_sums(losses, first_bad):
    extra, steps = [1.0, 2.0, 3.0, 4.0], [10, 11, 12, 13]
    stacked = accumulate_stacked(
        init_acc(("loss", "mse")),
        {"loss": jnp.asarray(losses, jnp.float32), "mse": jnp.asarray(extra, jnp.float32)},
        jnp.int32(steps[0]),
    )
    one_by_one = _step_by_step(init_acc(("loss", "mse")), losses, extra, steps)
    stacked = jax.device_get(stacked)
    assert int(stacked["bad_step"]) == int(one_by_one["bad_step"]) == first_bad
    assert int(stacked["steps"]) == int(one_by_one["steps"]) == 4
    np.testing.assert_allclose(stacked["loss"], one_by_one["loss"])
    assert means(stacked)["train_mse"] == pytest.approx(2.5)


def test_an_earlier_bad_step_is_kept_by_a_later_chunk():
    acc = accumulate_stacked(
        init_acc(("loss",)), {"loss": jnp.asarray([1.0, np.nan])}, jnp.int32(0)
    )
    acc = accumulate_stacked(acc, {"loss": jnp.asarray([np.nan, 1.0])}, jnp.int32(2))
    assert int(acc["bad_step"]) == 1 and int(acc["steps"]) == 4
