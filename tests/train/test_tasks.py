import jax.numpy as jnp
import numpy as np
from flax import nnx

from dljax.tasks import ClassificationTask, cross_entropy


def numpy_cross_entropy(logits, labels):
    z = logits - logits.max(axis=1, keepdims=True)
    log_probs = z - np.log(np.exp(z).sum(axis=1, keepdims=True))
    return -log_probs[np.arange(len(labels)), labels]


def test_cross_entropy_matches_numpy():
    rng = np.random.default_rng(0)
    logits = rng.normal(size=(16, 5)).astype(np.float32) * 4
    labels = rng.integers(0, 5, size=16).astype(np.int32)
    np.testing.assert_allclose(
        cross_entropy(jnp.asarray(logits), jnp.asarray(labels)),
        numpy_cross_entropy(logits.astype(np.float64), labels),
        rtol=1e-5,
        atol=1e-6,
    )


def test_cross_entropy_hand_values():
    # uniform logits over 4 classes -> log(4); a confident right answer -> ~0
    logits = jnp.array([[0.0, 0.0, 0.0, 0.0], [20.0, 0.0, 0.0, 0.0]])
    out = cross_entropy(logits, jnp.array([2, 0]))
    np.testing.assert_allclose(out, [np.log(4.0), 0.0], atol=1e-6)


class Fixed(nnx.Module):
    """Returns given logits, ignoring the input; for testing the task."""

    def __init__(self, logits):
        self.logits = nnx.Variable(jnp.asarray(logits))

    def __call__(self, x, *, rngs=None):
        return self.logits[...]


def test_classification_loss_and_masked_eval_sums():
    logits = np.array([[2.0, 0.0], [0.0, 3.0], [1.0, 0.0]], np.float32)
    labels = np.array([0, 0, 1], np.int32)
    task = ClassificationTask()
    batch = {"input": jnp.zeros((3, 1)), "label": jnp.asarray(labels)}
    loss, aux = task.loss_fn(Fixed(logits), batch, nnx.Rngs(0))
    ref = numpy_cross_entropy(logits.astype(np.float64), labels)
    np.testing.assert_allclose(loss, ref.mean(), rtol=1e-6)
    np.testing.assert_allclose(aux["accuracy"], 1 / 3, rtol=1e-6)
    # the third example is padding: it must not count
    sums = task.eval_fn(Fixed(logits), {**batch, "mask": jnp.array([1.0, 1.0, 0.0])})
    np.testing.assert_allclose(sums["loss"], ref[:2].sum(), rtol=1e-6)
    assert float(sums["accuracy"]) == 1.0 and float(sums["count"]) == 2.0
