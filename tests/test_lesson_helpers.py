"""The lesson helpers (`dljax.lesson`): modes, image grids, per-epoch lines, the generative
lessons' trainers and snapshots, the reference classifier and quality numbers of each mode,
and the key-numbers cell. Training runs use the tiny presets (seconds)."""

import re
import types

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
import pytest  # noqa: E402

from dljax import lesson  # noqa: E402
from dljax.quality import ReferenceClassifier, reference_config  # noqa: E402
from dljax.recipes import build_config  # noqa: E402
from dljax.viz import tile_images  # noqa: E402

INDONESIAN_DECIMAL = re.compile(r"\d,\d")


@pytest.fixture
def fast(monkeypatch):
    """Run the helpers as in FAST mode (DLJAX_FAST=1)."""
    monkeypatch.setattr(lesson, "FAST", True)


@pytest.fixture
def full(monkeypatch):
    """Run the helpers as in full mode (DLJAX_FAST unset)."""
    monkeypatch.setattr(lesson, "FAST", False)


def test_budget_and_mode_name_follow_the_mode(monkeypatch):
    monkeypatch.setattr(lesson, "FAST", True)
    assert lesson.budget(100, 2) == 2 and "cepat" in lesson.mode_name()
    monkeypatch.setattr(lesson, "FAST", False)
    assert lesson.budget(100, 2) == 100 and lesson.mode_name() == "mode penuh"


# ----------------------------------------------------------------------------- show_images
def test_show_images_draws_the_tiled_grid_within_the_page_width():
    images = np.random.default_rng(0).uniform(size=(40, 8, 8, 1)).astype(np.float32)
    ax = lesson.show_images(images, 16, "Contoh")
    fig = ax.figure
    assert fig.get_size_inches()[0] <= lesson.PAGE_WIDTH
    assert ax.get_title() == "Contoh"
    shown = ax.get_images()[0].get_array()
    np.testing.assert_array_equal(shown, tile_images(images, cols=16, scale=4)[..., 0])
    assert shown.shape == (3 * 9 * 4 + 4, 16 * 9 * 4 + 4)  # 3 rows of 8+1 pixels, scaled 4x
    plt.close(fig)


def test_show_images_names_rows_and_keeps_colour():
    rgb = np.random.default_rng(1).uniform(size=(6, 8, 8, 3)).astype(np.float32)
    ax = lesson.show_images(rgb, 3, row_labels=["angka 0", "angka 1"])
    assert ax.get_images()[0].get_array().shape[-1] == 3  # colour, not a gray channel
    ticks = [t.get_text() for t in ax.get_yticklabels()]
    assert ticks == ["angka 0", "angka 1"]
    centers = ax.get_yticks()
    assert centers[1] - centers[0] == pytest.approx(9 * 4)  # one grid row apart
    plt.close(ax.figure)


def test_show_images_draws_into_a_given_axes():
    fig, axes = plt.subplots(1, 2)
    ax = lesson.show_images(np.zeros((4, 8, 8)), 2, "kiri", ax=axes[0])
    assert ax is axes[0] and axes[0].get_images() and not axes[1].get_images()
    plt.close(fig)


# ----------------------------------------------------------------------------- print_epochs
def fake_trainer(epochs: int):
    return types.SimpleNamespace(
        config=types.SimpleNamespace(train=types.SimpleNamespace(epochs=epochs))
    )


def test_describe_metric_in_indonesian():
    assert lesson.describe_metric("test_accuracy", 0.978) == "akurasi uji 97,8 %"
    assert lesson.describe_metric("train_loss", 0.12345) == "loss latih 0,123"
    assert lesson.describe_metric("test_psnr", 21.25) == "PSNR uji 21,2 dB"
    assert lesson.describe_metric("lr", 0.001) == "lr 0,001"


def test_print_epochs_prints_the_chosen_epochs(capsys):
    hook = lesson.print_epochs("train_loss", "test_accuracy", lines=3)
    trainer = fake_trainer(9)
    hook.on_fit_start(trainer, 0)
    for epoch in range(1, 10):
        record = {"epoch": epoch, "train_loss": 1 / epoch, "test_accuracy": 0.1 * epoch}
        hook.on_epoch_end(trainer, {**record, "time_s": 0.5 * epoch, "test_loss": 9.0})
    lines = capsys.readouterr().out.splitlines()
    assert [line.split(":")[0] for line in lines] == [
        "epoch 1/9",
        "epoch 3/9",
        "epoch 6/9",
        "epoch 9/9",
    ]
    assert lines[-1] == "epoch 9/9: loss latih 0,111, akurasi uji 90,0 % (4,5 dtk)"
    assert "loss uji" not in "".join(lines)  # only the keys asked for


def test_print_epochs_follows_a_real_fit(tiny, digits, capsys):
    trainer = lesson.Trainer(tiny("mlp", train__epochs=2), dataset=digits)
    trainer.fit([lesson.print_epochs()])
    lines = capsys.readouterr().out.splitlines()
    assert [line.split(":")[0] for line in lines] == ["epoch 1/2", "epoch 2/2"]
    assert all("loss latih" in line and "akurasi uji" in line for line in lines)
    assert INDONESIAN_DECIMAL.search(lines[0])


# ----------------------------------------------------------------------------- trainers
def test_build_trainer_settings_per_mode(monkeypatch, digits):
    made = {}
    monkeypatch.setattr(
        lesson, "Trainer", lambda config, dataset=None: made.setdefault("c", config)
    )
    monkeypatch.setattr(lesson, "FAST", True)
    config = lesson.build_trainer("gan", {"train.epochs": 7, "model.latent": 3})
    assert (
        config.preset == "tiny"
        and config.data.batch_size == lesson.FAST_OVERRIDES["data.batch_size"]
    )
    assert (config.train.epochs, config.model.latent, config.train.seed) == (7, 3, 0)
    assert config.train.quality is False
    made.clear()
    config = lesson.build_trainer("gan", fast={"data.batch_size": 64})
    assert config.data.batch_size == 64
    made.clear()
    monkeypatch.setattr(lesson, "FAST", False)
    config = lesson.build_trainer("gan", {"train.epochs": 7})
    default = build_config("gan", "default")
    assert config.preset == "default" and config.data.batch_size == default.data.batch_size


def test_snapshot_epochs_spans_the_run():
    assert lesson.snapshot_epochs(150, 6) == [1, 31, 61, 90, 120, 150]
    assert lesson.snapshot_epochs(2, 6) == [1, 2]
    assert lesson.snapshot_epochs(1) == [1]


def test_train_with_snapshots_keeps_the_same_latents(fast, digits):
    trainer = lesson.build_trainer("gan", {"train.epochs": 3}, dataset=digits)
    result, snapshots = lesson.train_with_snapshots(trainer, at=[1, 3], n=4, draw=8)
    assert list(snapshots) == [1, 3] and len(result.history) == 3
    assert all(s.shape == (4, 8, 8, 1) for s in snapshots.values())
    # the last snapshot is the first n of `draw` samples of the final state, same latents
    np.testing.assert_allclose(snapshots[3], trainer.sample(8, seed=123)[:4], rtol=1e-5, atol=1e-6)
    assert not np.allclose(snapshots[1], snapshots[3])  # training changed the generator


# ----------------------------------------------------------------------------- quality
def test_reference_classifier_per_mode(monkeypatch, capsys):
    """Full mode loads the real reference; FAST mode the same network trained 2 epochs."""
    calls = []

    def fake_load(dataset, **kwargs):
        calls.append((dataset, kwargs))
        return types.SimpleNamespace(accuracy=0.9861)

    monkeypatch.setattr(lesson.ReferenceClassifier, "load_or_train", fake_load)
    for mode in (False, True):
        monkeypatch.setattr(lesson, "FAST", mode)
        lesson._reference.cache_clear()
        lesson.reference_classifier("digits")
        lesson.reference_classifier("digits")  # loaded once per process
    lesson._reference.cache_clear()
    (full_call, full_kwargs), (fast_call, fast_kwargs) = calls
    assert full_kwargs == {"progress": True}
    real = reference_config("digits")
    config = fast_kwargs["config"]
    assert config.train.epochs == lesson.FAST_REFERENCE_EPOCHS != real.train.epochs
    assert config.model == real.model and config.data == real.data
    out = capsys.readouterr().out
    assert out.count("akurasi uji 98,6 %") == 4 and "2 epoch saja" in out


@pytest.fixture(scope="module")
def small_reference(tmp_path_factory):
    config = build_config(
        "cnn",
        "tiny",
        {
            "train.epochs": 3,
            "train.lr": 3e-3,
            "train.checkpoint_every": 3,
            "train.keep_checkpoints": 1,
        },
    )
    cache = tmp_path_factory.mktemp("lesson-reference")
    return ReferenceClassifier.load_or_train("digits", cache_dir=cache, config=config)


def test_quality_tells_real_images_from_noise(small_reference, digits, capsys):
    real = digits.train.arrays["input"][:200]
    labels = digits.train.arrays["label"][:200]
    noise = np.random.default_rng(0).uniform(size=real.shape).astype(np.float32)
    q_real = lesson.quality(real, digits, labels=labels, name="asli", reference=small_reference)
    q_noise = lesson.quality(noise, digits, labels=labels, name="derau", reference=small_reference)
    assert q_real["fd"] < q_noise["fd"]
    assert q_real["recall"] > q_noise["recall"] and q_real["precision"] > q_noise["precision"]
    assert q_real["label_accuracy"] > q_noise["label_accuracy"] + 0.2
    out = capsys.readouterr().out.splitlines()
    assert out[0].strip().startswith("asli: FD") and "akurasi label" in out[0]
    assert INDONESIAN_DECIMAL.search(out[0]) and " %" in out[0]
    lesson.print_fd_scale(q_real)
    scale = capsys.readouterr().out
    assert "batas bawah FD" in scale and "baseline Gaussian" in scale and "lantai" not in scale


def test_print_quality_format(capsys):
    lesson.print_quality("DCGAN", {"fd": 12.345, "precision": 0.8, "recall": 0.642}, width=6)
    assert capsys.readouterr().out == " DCGAN: FD  12,35 | precision  80,0 % | recall  64,2 %\n"
    conditional = {
        "fd": 1,
        "precision": 1,
        "recall": 0.5,
        "label_accuracy": 1,
        "recall_class_min": 0.1,
    }
    lesson.print_quality("c", conditional, width=1)
    assert capsys.readouterr().out.endswith(
        "| akurasi label 100,0 % | recall per kelas terendah 10,0 %\n"
    )
    assert lesson.quality_summary(conditional).endswith("; recall per kelas terendah 10,0 %")


# ----------------------------------------------------------------------------- key numbers
def test_print_key_numbers_names_the_mode(monkeypatch, capsys):
    numbers = {"akurasi uji": "97,8 %", "parameter": 85002, "loss uji": 0.12345, "sama": True}
    monkeypatch.setattr(lesson, "FAST", False)
    lesson.print_key_numbers(numbers)
    out = capsys.readouterr().out.splitlines()
    assert out[0] == "Angka kunci eksekusi ini (mode penuh):"
    assert out[1:] == [
        "  akurasi uji  97,8 %",
        "  parameter    85.002",
        "  loss uji     0,123",
        "  sama         ya",
    ]
    monkeypatch.setattr(lesson, "FAST", True)
    lesson.print_key_numbers(numbers)
    out = capsys.readouterr().out
    assert "mode cepat" in out and "angka versi penuh berbeda" in out
    assert out.splitlines()[2] == "  akurasi uji  97,8 %"  # the note stays on its own line
