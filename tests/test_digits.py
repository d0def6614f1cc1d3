import numpy as np

from dljax.data import as_arrays, load_dataset
from dljax.data.pipeline import grain_batches


def test_fixed_stratified_split(digits):
    train, test = as_arrays(digits.train), as_arrays(digits.test)
    assert len(digits.train) == 1437 and len(digits.test) == 360
    assert train["input"].shape == (1437, 8, 8, 1) and train["input"].dtype == np.float32
    assert train["label"].dtype == np.int32
    assert 0.0 <= train["input"].min() and train["input"].max() <= 1.0
    # stratified: each class is ~20% test (class sizes are 174..183)
    for k in range(10):
        n_test = int((test["label"] == k).sum())
        n_all = n_test + int((train["label"] == k).sum())
        assert abs(n_test / n_all - 0.2) < 0.01


def test_split_is_fixed_across_loads(digits):
    again = load_dataset(type("Cfg", (), {"name": "digits"})())
    np.testing.assert_array_equal(as_arrays(again.test)["input"], as_arrays(digits.test)["input"])


def test_grain_batches_are_deterministic_and_cover_the_epoch(digits):
    def epoch(seed, e):
        return [b["label"] for b in grain_batches(digits.train, 100, seed=seed, epoch=e)]

    a, b, c = epoch(0, 0), epoch(0, 0), epoch(0, 1)
    assert len(a) == 14 and all(x.shape == (100,) for x in a)
    assert all((x == y).all() for x, y in zip(a, b, strict=True))
    assert not all((x == y).all() for x, y in zip(a, c, strict=True))
    # 14 full batches cover 1400 distinct records
    idx = [b for b in grain_batches(digits.train, 100, seed=0, epoch=0)]
    assert sum(len(x["label"]) for x in idx) == 1400
