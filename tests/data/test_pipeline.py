"""Pipelines over the data sources: vectorized batching, determinism, resumable position,
worker processes, and the registry's batch-key conventions."""

from __future__ import annotations

import json

import numpy as np
import pytest

from dljax.config import DataConfig
from dljax.data import ArraySource, as_arrays
from dljax.data.pipeline import EpochBatches, epoch_seed, grain_batches
from dljax.data.registry import DATASETS, load_dataset


class CountingSource(ArraySource):
    """Counts how often the pipeline reads from the source."""

    calls = 0

    def __getitem__(self, index):
        CountingSource.calls += 1
        return super().__getitem__(index)


def make_source(n=100):
    return ArraySource(
        {
            "input": np.arange(n * 3, dtype=np.float32).reshape(n, 3),
            "label": np.arange(n, dtype=np.int32),
        }
    )


def test_one_gather_per_batch_not_per_record():
    src = CountingSource(make_source(64).arrays)
    CountingSource.calls = 0
    batches = list(grain_batches(src, 16, seed=0, epoch=0))
    assert len(batches) == 4 and CountingSource.calls == 4


def test_grain_batches_one_gather_per_batch_deterministic_and_sharded():
    src = CountingSource(make_source(64).arrays)
    CountingSource.calls = 0
    a = [b["label"] for b in grain_batches(src, 16, seed=2, epoch=0)]
    assert len(a) == 4 and CountingSource.calls == 4
    flat = np.concatenate(a)
    assert sorted(flat.tolist()) == list(range(64))
    expected = np.random.default_rng(epoch_seed(2, 0)).permutation(64)
    np.testing.assert_array_equal(flat, expected)  # the documented permutation
    b = np.concatenate([b["label"] for b in grain_batches(src, 16, seed=2, epoch=1)])
    assert not np.array_equal(flat, b)
    tail = list(grain_batches(src, 24, seed=2, epoch=0, drop_remainder=False))
    assert [len(t["label"]) for t in tail] == [24, 24, 16]
    shards = [
        np.concatenate(
            [
                b["label"]
                for b in grain_batches(src, 16, seed=2, epoch=0, shard_index=h, shard_count=2)
            ]
        )
        for h in (0, 1)
    ]
    np.testing.assert_array_equal(shards[0], flat.reshape(4, 16)[:, :8].ravel())
    np.testing.assert_array_equal(shards[1], flat.reshape(4, 16)[:, 8:].ravel())


def test_epoch_is_a_permutation_and_deterministic():
    src = make_source(100)
    a = np.concatenate([b["label"] for b in grain_batches(src, 10, seed=5, epoch=2)])
    b = np.concatenate([b["label"] for b in grain_batches(src, 10, seed=5, epoch=2)])
    c = np.concatenate([b["label"] for b in grain_batches(src, 10, seed=5, epoch=3)])
    np.testing.assert_array_equal(a, b)
    assert sorted(a.tolist()) == list(range(100)) and not np.array_equal(a, c)


def test_epoch_batches_iterator_resumes_exactly():
    src = make_source(50)

    def aug(batch, rng):  # a vectorized random transform
        return {**batch, "input": batch["input"] + rng.normal(size=batch["input"].shape)}

    full = list(EpochBatches(src, 8, seed=1, num_epochs=3, transform=aug))
    assert len(full) == 3 * 6
    it = EpochBatches(src, 8, seed=1, num_epochs=3, transform=aug)
    for _ in range(8):  # into the second epoch
        next(it)
    state = json.loads(json.dumps(it.get_state()))  # survives a JSON round trip
    assert state["epoch"] == 1
    resumed = EpochBatches(src, 8, seed=1, num_epochs=3, transform=aug)
    resumed.set_state(state)
    rest = list(resumed)
    assert len(rest) == len(full) - 8
    for x, y in zip(rest, full[8:], strict=True):
        np.testing.assert_array_equal(x["label"], y["label"])
        np.testing.assert_array_equal(x["input"], y["input"])
    # epoch e of EpochBatches is grain_batches(epoch=e) without the transform
    plain = list(EpochBatches(src, 8, seed=1, num_epochs=2))
    ref = list(grain_batches(src, 8, seed=1, epoch=1))
    for x, y in zip(plain[6:], ref, strict=True):
        np.testing.assert_array_equal(x["label"], y["label"])


def test_worker_processes_give_the_same_batches_and_resume():
    src = make_source(96)
    ref = [b["label"] for b in grain_batches(src, 16, seed=3, epoch=0)]
    it = iter(grain_batches(src, 16, seed=3, epoch=0, num_workers=1))
    head = [next(it)["label"] for _ in range(2)]
    state = it.get_state()
    del it
    it2 = iter(grain_batches(src, 16, seed=3, epoch=0, num_workers=1))
    it2.set_state(state)
    rest = [b["label"] for b in it2]
    assert len(head) + len(rest) == len(ref) == 6
    for x, y in zip(head + rest, ref, strict=True):
        np.testing.assert_array_equal(x, y)


# the offline datasets dljax itself provides (`folder` reads the user's own --data-dir)
OFFLINE = [n for n, e in DATASETS.items() if e.offline and n not in ("digits", "folder")]


@pytest.mark.parametrize("name", OFFLINE)
def test_registered_offline_datasets_follow_conventions(name):
    ds = load_dataset(DataConfig(name=name))
    assert ds.info.name == name and ds.info.kind in ("image", "sequence", "table", "text")
    for split in (ds.train, ds.test):
        arrays = as_arrays(split)  # in memory: feeds the on-device fast path
        assert arrays is split.arrays
        assert len(split) > 0
        if ds.info.kind == "text":
            assert set(arrays) == {"tokens"} and arrays["tokens"].dtype == np.int32
            assert arrays["tokens"].shape[1:] == (ds.info.input_shape[0] + 1,)
            assert arrays["tokens"].max() < ds.info.num_classes
        elif "target" in arrays:
            assert set(arrays) == {"input", "target"}
            assert arrays["input"].dtype == np.float32 and arrays["target"].dtype == np.float32
            assert arrays["input"].shape[1:] == ds.info.input_shape
        else:
            assert set(arrays) == {"input", "label"}
            assert arrays["input"].dtype == np.float32 and arrays["label"].dtype == np.int32
            assert arrays["input"].shape[1:] == ds.info.input_shape
            assert 0 <= arrays["label"].min() and arrays["label"].max() < ds.info.num_classes
            assert len(ds.info.class_names) == ds.info.num_classes
    batch = next(iter(grain_batches(ds.train, 4, seed=0, epoch=0)))
    assert all(len(v) == 4 for v in batch.values())


def test_registry_has_the_issue_datasets():
    expected = {"mnist", "fashion_mnist", "cifar10", "spiral", "temporal_order", "echo"}
    expected |= {"tones", "house_prices", "text"}
    assert expected <= set(DATASETS)
    assert not DATASETS["mnist"].offline and not DATASETS["cifar10"].offline
    assert all(DATASETS[n].offline for n in expected - {"mnist", "fashion_mnist", "cifar10"})
