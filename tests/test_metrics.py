"""Quality metrics: Fréchet distance, k-NN precision/recall, the reference classifier."""

import json

import numpy as np
import pytest
import scipy.linalg

from dljax.errors import DljaxError
from dljax.quality import (
    ReferenceClassifier,
    frechet_distance,
    gaussian_stats,
    knn_precision_recall,
    quality_report,
    report,
)
from dljax.quality import reference as metrics
from dljax.recipes import build_config


def random_spd(rng, d, scale=1.0):
    a = rng.standard_normal((d, d + 3))
    return scale * (a @ a.T) / d  # (d, d), full rank


def fd_scipy(mu1, cov1, mu2, cov2):
    """The textbook formula with scipy's general matrix square root."""
    covmean = scipy.linalg.sqrtm(cov1 @ cov2).real
    diff = mu1 - mu2
    return float(diff @ diff + np.trace(cov1) + np.trace(cov2) - 2 * np.trace(covmean))


# ----------------------------------------------------------------------------- Fréchet distance


@pytest.mark.parametrize("d", [1, 5, 32])
def test_frechet_matches_scipy_sqrtm(d):
    rng = np.random.default_rng(d)
    mu1, mu2 = rng.standard_normal(d), rng.standard_normal(d)
    cov1, cov2 = random_spd(rng, d), random_spd(rng, d, scale=2.0)
    expected = fd_scipy(mu1, cov1, mu2, cov2)
    assert expected > 0.1
    np.testing.assert_allclose(frechet_distance(mu1, cov1, mu2, cov2), expected, rtol=1e-7)


def test_frechet_one_dimensional_hand_value():
    # N(1, 4) vs N(-2, 9): (1 + 2)^2 + 4 + 9 - 2 * sqrt(36) = 9 + 13 - 12 = 10
    assert frechet_distance([1.0], [[4.0]], [-2.0], [[9.0]]) == pytest.approx(10.0, abs=1e-12)


def test_frechet_diagonal_hand_value():
    mu1, mu2 = np.array([0.0, 1.0, 2.0]), np.array([1.0, 1.0, 0.0])
    s1, s2 = np.array([1.0, 4.0, 0.25]), np.array([9.0, 1.0, 0.25])
    # sum over dims of (m1 - m2)^2 + (sqrt(s1) - sqrt(s2))^2
    expected = (1 + 0 + 4) + (2 - 0) ** 2 * 1 + (2 - 1) ** 2 + 0
    assert expected == 10
    got = frechet_distance(mu1, np.diag(s1), mu2, np.diag(s2))
    assert got == pytest.approx(float(np.sum((mu1 - mu2) ** 2 + (np.sqrt(s1) - np.sqrt(s2)) ** 2)))
    assert got == pytest.approx(expected, abs=1e-12)


def test_frechet_of_a_distribution_with_itself_is_zero_and_symmetric():
    rng = np.random.default_rng(0)
    x = rng.standard_normal((500, 16)) @ rng.standard_normal((16, 16))
    y = rng.standard_normal((400, 16)) * 2 + 1
    sx, sy = gaussian_stats(x), gaussian_stats(y)
    assert frechet_distance(*sx, *sx) == pytest.approx(0.0, abs=1e-8 * np.trace(sx[1]))
    forward, backward = frechet_distance(*sx, *sy), frechet_distance(*sy, *sx)
    assert forward > 1.0
    assert forward == pytest.approx(backward, rel=1e-10)


def test_frechet_near_singular_covariances_are_finite_and_non_negative():
    rng = np.random.default_rng(1)
    basis = rng.standard_normal((3, 40))
    x = rng.standard_normal((200, 3)) @ basis  # rank 3 in 40 dimensions
    mu, cov = gaussian_stats(x)
    cov2 = cov + 1e-12 * np.eye(40)
    for args in [(mu, cov, mu, cov), (mu, cov, mu, cov2), (mu, cov2, mu, cov)]:
        value = frechet_distance(*args)
        assert np.isfinite(value) and value >= 0.0
        assert value < 1e-6 * np.trace(cov)
    # a general sqrtm of the singular product is complex/unstable; eigh stays exact:
    other = gaussian_stats(rng.standard_normal((200, 3)) @ basis * 1.5)
    assert frechet_distance(mu, cov, *other) == pytest.approx(
        frechet_distance(*other, mu, cov), rel=1e-6
    )


def test_gaussian_stats_matches_numpy():
    x = np.random.default_rng(2).standard_normal((50, 4))
    mu, cov = gaussian_stats(x)
    np.testing.assert_allclose(mu, x.mean(0))
    centred = x - x.mean(0)
    np.testing.assert_allclose(cov, centred.T @ centred / 49)
    assert mu.dtype == np.float64 and cov.shape == (4, 4)


def test_frechet_rejects_mismatched_shapes():
    with pytest.raises(DljaxError, match="dimensi fitur berbeda"):
        frechet_distance(np.zeros(2), np.eye(2), np.zeros(3), np.eye(3))
    with pytest.raises(DljaxError, match="gaussian_stats"):
        gaussian_stats(np.zeros((1, 3)))


# ----------------------------------------------------------------------------- precision/recall


def clusters(rng, centres, per_cluster, spread=0.1):
    centres = np.asarray(centres, np.float64)
    points = centres[:, None, :] + spread * rng.standard_normal(
        (len(centres), per_cluster, centres.shape[1])
    )
    return points.reshape(-1, centres.shape[1])


def test_precision_recall_identical_sets():
    x = np.random.default_rng(3).standard_normal((100, 8))
    assert knn_precision_recall(x, x.copy(), k=3) == (1.0, 1.0)


def test_precision_recall_far_disjoint_clusters():
    rng = np.random.default_rng(4)
    real = clusters(rng, [[0.0, 0.0], [0.0, 5.0]], 50)
    fake = clusters(rng, [[100.0, 0.0], [100.0, 5.0]], 50)
    assert knn_precision_recall(real, fake, k=3) == (0.0, 0.0)


def test_precision_recall_fake_covers_half_the_modes():
    rng = np.random.default_rng(5)
    angles = np.arange(6) * np.pi / 3
    modes = 10.0 * np.stack([np.cos(angles), np.sin(angles)], axis=1)  # six separated modes
    real = clusters(rng, modes, 100)
    fake = clusters(rng, modes[:3], 200)  # all mass on three of the six modes
    precision, recall = knn_precision_recall(real, fake, k=3)
    assert precision > 0.9  # fake points lie on real modes (tails may leave the balls)
    assert recall == pytest.approx(0.5, abs=0.05)  # half the real modes are covered


def test_precision_recall_k_counts_neighbours_excluding_self():
    # real 1-D points 0, 1, 3 have 1-NN radii 1, 1, 2 (their own 0 distance is skipped):
    # fake 4.5 lies in the ball of 3 (|4.5 - 3| = 1.5 <= 2); 5.5 and -3.5 lie in none.
    # fake 4.5, 5.5, -3.5 have radii 1, 1, 8: the ball of -3.5 holds every real point.
    real = np.array([[0.0], [1.0], [3.0]])
    fake = np.array([[4.5], [5.5], [-3.5]])
    assert knn_precision_recall(real, fake, k=1) == (pytest.approx(1 / 3), 1.0)
    # with k=2 the radii of real are 3, 2, 3: 5.5 (2.5 from 3) joins; -3.5 stays out
    assert knn_precision_recall(real, fake, k=2)[0] == pytest.approx(2 / 3)


def test_precision_recall_rejects_bad_k():
    x = np.zeros((3, 2))
    with pytest.raises(DljaxError, match="k=3"):
        knn_precision_recall(x, x, k=3)


# ----------------------------------------------------------------------------- reference classifier


@pytest.fixture(scope="session")
def tiny_reference(tmp_path_factory):
    """A tiny reference CNN on digits trained into a temporary cache (once per session)."""
    config = build_config(
        "cnn",
        "tiny",
        {
            "train.epochs": 4,
            "train.lr": 3e-3,
            "model.channels": (8,),
            "model.hidden": 32,
            "train.checkpoint_every": 4,  # one checkpoint: Orbax saves cost more than training
            "train.keep_checkpoints": 1,
        },
    )
    cache = tmp_path_factory.mktemp("reference-cache")
    before = metrics.training_runs
    ref = ReferenceClassifier.load_or_train("digits", cache_dir=cache, config=config)
    assert metrics.training_runs == before + 1
    return ref, cache, config


def test_reference_cache_is_reused(tiny_reference):
    ref, cache, config = tiny_reference
    info_file = ref.path / "reference.json"
    assert ref.path.parent == cache
    assert ref.path.name == f"digits-{metrics.config_hash(config)}"
    assert sorted(p.name for p in ref.path.iterdir()) == ["params.safetensors", "reference.json"]
    assert not [p for p in cache.iterdir() if p.name.startswith(".")]  # no temporary left
    mtime, runs = info_file.stat().st_mtime_ns, metrics.training_runs

    again = ReferenceClassifier.load_or_train("digits", cache_dir=cache, config=config)
    assert metrics.training_runs == runs  # loaded, not retrained
    assert info_file.stat().st_mtime_ns == mtime
    assert again.accuracy == ref.accuracy == json.loads(info_file.read_text())["test_accuracy"]
    images = np.random.default_rng(0).uniform(size=(5, 8, 8, 1)).astype(np.float32)
    np.testing.assert_array_equal(again.features(images), ref.features(images))


def test_reference_cache_write_loses_a_race_cleanly(tiny_reference, tmp_path, monkeypatch):
    """Another process publishes the same cache while this one trains: its files are kept."""
    import shutil
    import types

    ref, _, config = tiny_reference
    path = tmp_path / ref.path.name

    def fake_fit(config, params_file, progress=False):  # training; meanwhile the winner publishes
        shutil.copytree(ref.path, path)
        shutil.copy(ref.path / "params.safetensors", params_file)
        summary = {"test_accuracy": -1.0, "test_loss": -1.0}
        return summary, types.SimpleNamespace(input_shape=(8, 8, 1), num_classes=10)

    monkeypatch.setattr(metrics, "fit_reference", fake_fit)
    loaded = ReferenceClassifier.load_or_train("digits", cache_dir=tmp_path, config=config)
    assert loaded.path == path
    assert loaded.accuracy == ref.accuracy  # the winner's files, not the loser's
    assert [p.name for p in tmp_path.iterdir()] == [path.name]  # no temporary folder left


def test_reference_features_shape_and_resizing(tiny_reference, digits):
    ref, _, _ = tiny_reference
    assert ref.input_shape == (8, 8, 1)
    images = digits.test.arrays["input"][:300]  # more than one feature batch
    feats = ref.features(images)
    assert feats.shape == (300, 32) and feats.dtype == np.float32
    assert np.all(feats >= 0)  # after ReLU
    # batching and padding do not change a row
    np.testing.assert_allclose(ref.features(images[:7]), feats[:7], rtol=1e-5, atol=1e-6)
    # 16x16 images are resized to the classifier's 8x8 inside features/predict
    big = np.repeat(np.repeat(images[:20], 2, axis=1), 2, axis=2)  # (20, 16, 16, 1)
    assert ref.features(big).shape == (20, 32)
    agree = np.mean(ref.predict(big) == ref.predict(images[:20]))
    assert agree >= 0.8


def test_reference_rejects_wrong_inputs(tiny_reference):
    ref, _, _ = tiny_reference
    with pytest.raises(DljaxError, match=r"\(x \+ 1\) / 2"):
        ref.features(-np.ones((2, 8, 8, 1), np.float32))
    with pytest.raises(DljaxError, match="butuh"):
        ref.features(np.zeros((2, 8, 8, 3), np.float32))


def test_label_accuracy_of_test_set_equals_classifier_accuracy(tiny_reference, digits):
    ref, _, _ = tiny_reference
    test = digits.test.arrays
    assert 0.5 < ref.accuracy < 1.0  # tiny: trained, but far from perfect
    report = quality_report(ref, test["input"], digits, labels=test["label"])
    assert report["label_accuracy"] == pytest.approx(ref.accuracy, abs=1e-9)
    # the test set against itself: FD 0, precision and recall 1
    assert report["fd"] == pytest.approx(0.0, abs=1e-6)
    assert report["precision"] == 1.0 and report["recall"] == 1.0


def test_quality_report_floor_below_baseline_and_cached(tiny_reference, digits):
    ref, _, _ = tiny_reference
    rng = np.random.default_rng(0)
    train_x = digits.train.arrays["input"]
    samples = train_x[rng.choice(len(train_x), 360, replace=False)]
    report = quality_report(ref, samples, digits, seed=0)
    assert set(report) == {"fd", "fd_floor", "fd_baseline", "precision", "recall"}
    assert 0 < report["fd_floor"] < report["fd_baseline"]
    assert report["fd"] < report["fd_baseline"]  # real training images beat the Gaussian
    noise = rng.uniform(size=(360, 8, 8, 1)).astype(np.float32)
    worse = quality_report(ref, noise, digits, seed=0)
    assert worse["fd"] > report["fd"] and worse["precision"] < report["precision"]
    # floor and baseline are deterministic per seed and cached on the reference
    assert worse["fd_floor"] == report["fd_floor"]
    assert worse["fd_baseline"] == report["fd_baseline"]
    cached = len(ref._stats_cache)
    other_seed = quality_report(ref, samples, digits, seed=1)
    assert len(ref._stats_cache) == cached + 1
    assert other_seed["fd_baseline"] != report["fd_baseline"]
    assert other_seed["fd"] == report["fd"]


def test_gaussian_pixel_baseline_matches_training_moments(digits):
    train_x = digits.train.arrays["input"]
    a = report._gaussian_pixel_samples(train_x, 20000, seed=0)
    b = report._gaussian_pixel_samples(train_x, 20000, seed=0)
    np.testing.assert_array_equal(a, b)
    assert a.shape == (20000, 8, 8, 1) and a.min() >= 0.0 and a.max() <= 1.0
    # before clipping the draws have the training mean; clipping moves it only a little
    np.testing.assert_allclose(a.mean(0), train_x.mean(0), atol=0.06)


def test_reference_config_is_fixed():
    config = metrics.reference_config("digits")
    assert config.model_name == "cnn" and config.data.name == "digits"
    assert config.train.seed == 0
    assert metrics.config_hash(config) == metrics.config_hash(metrics.reference_config("digits"))
    assert metrics.config_hash(config) != metrics.config_hash(build_config("cnn"))
    with pytest.raises(DljaxError, match="dataset"):
        ReferenceClassifier.load_or_train("mnist", config=config)


def test_resized_runs_are_scored_in_their_own_resolution(tiny_reference, digits):
    """Real images at 16x16 score near the floor against the 16x16 dataset, while against the
    native 8x8 test set the resize round trip alone would cost them a large FD."""
    from dljax.data.registry import resize_dataset

    ref, _, _ = tiny_reference
    big = resize_dataset(digits, 16)
    real_16 = big.train.arrays["input"][:500]
    same = quality_report(ref, real_16, big)
    native = quality_report(ref, real_16, digits)
    assert same["fd"] < 0.25 * same["fd_baseline"]
    assert same["fd"] < 0.5 * native["fd"]
    assert same["recall"] > native["recall"]


# ----------------------------------------------------------------------------- second space
def test_second_space_fd_is_zero_for_identical_sets_and_beats_chance(digits):
    from dljax.quality import MLPFeatures, frechet_distance, gaussian_stats

    space = MLPFeatures.fit(digits)
    assert space.accuracy > 0.9  # a real classifier, not a random projection
    test = digits.test.arrays["input"]
    feats = space.features(test)
    assert feats.shape == (len(test), 128) and np.all(feats >= 0)  # ReLU: nonlinear
    stats = gaussian_stats(feats)
    assert frechet_distance(*stats, *stats) == 0.0
    # 16x16 images are resized to the space's 8x8 input, like the reference classifier
    big = np.repeat(np.repeat(test[:10], 2, axis=1), 2, axis=2)
    assert space.features(big).shape == (10, 128)


def test_second_space_fd_of_a_shifted_gaussian_has_its_hand_value():
    """With identity weights and inputs kept positive, the features are the pixels, so the FD
    of N(m, I) against N(m + d, I) is |d|^2 (here 4 * 0.25 = 1)."""
    from dljax.quality import MLPFeatures, frechet_distance, gaussian_stats

    space = MLPFeatures(np.eye(4), np.zeros(4), (2, 2, 1), accuracy=1.0)
    rng = np.random.default_rng(0)
    a = 10.0 + rng.standard_normal((200_000, 2, 2, 1))
    b = a + 0.5
    fd = frechet_distance(*gaussian_stats(space.features(a)), *gaussian_stats(space.features(b)))
    np.testing.assert_allclose(fd, 1.0, rtol=1e-6)


def test_per_class_recall_of_a_collapsed_class_is_zero():
    """Class 0's fakes are one point repeated (radius 0: covers no real example); class 1's
    fakes are the real examples themselves (recall 1)."""
    from dljax.quality import per_class_recall

    rng = np.random.default_rng(0)
    real = rng.standard_normal((40, 3))
    labels = np.repeat([0, 1], 20)
    fake = np.concatenate([np.full((20, 3), 5.0), real[20:]])
    by_class = per_class_recall(real, labels, fake, labels, k=3)
    assert by_class == {0: 0.0, 1: 1.0}


def test_quality_report_includes_the_second_space_and_per_class_recall(tiny_reference, digits):
    from dljax.quality import quality_report, second_space

    ref, _, _ = tiny_reference
    images = digits.test.arrays["input"]
    labels = digits.test.arrays["label"]
    report = quality_report(ref, images, digits, labels=labels, second=second_space(digits))
    assert report["fd_mlp"] < report["fd_mlp_baseline"]  # real images beat the Gaussian
    assert report["fd_mlp_floor"] > 0 and report["fd_mlp"] < 1e-6  # the test set itself
    assert report["recall_class_min"] == 1.0  # every class covers itself
    assert report["recall_mlp"] == 1.0 and report["recall"] == 1.0


def test_precision_recall_use_every_class_when_samples_are_ordered_by_label(tiny_reference, digits):
    """Samples ordered by their label (a grid of one row per class): the N_test samples that
    precision and recall compare with the test set are drawn from all of them, not the first
    rows only, so the test set itself, repeated and sorted by label, keeps a high recall."""
    from dljax.quality.report import pr_subset

    test = digits.test.arrays
    order = np.argsort(np.concatenate([test["label"]] * 2), kind="stable")
    samples = np.concatenate([test["input"]] * 2)[order]
    labels = np.concatenate([test["label"]] * 2)[order]
    ref, _, _ = tiny_reference
    report = quality_report(ref, samples, digits, labels=labels)
    assert report["recall"] > 0.9  # the first N_test alone would hold about half the classes
    first_half = set(labels[: len(test["label"])].tolist())
    assert len(first_half) <= 6
    subset = pr_subset(len(samples), len(test["label"]), seed=0)
    assert len(set(labels[subset].tolist())) == 10 and len(np.unique(subset)) == len(subset)
    np.testing.assert_array_equal(pr_subset(5, 9, seed=0), np.arange(5))
