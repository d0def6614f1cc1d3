"""The course's synthetic tasks: their rules, shapes, and determinism per seed."""

from __future__ import annotations

import numpy as np
import pytest

from dljax.config import DataConfig
from dljax.data import synthetic as syn
from dljax.data.registry import load_dataset
from dljax.errors import DljaxError


def test_spiral_rule_and_determinism():
    x, y = syn.spiral(200, 3, seed=4, noise=0.0)
    assert x.shape == (600, 2) and x.dtype == np.float32 and y.dtype == np.int32
    r = np.hypot(x[:, 0], x[:, 1])
    angle = np.arctan2(x[:, 0], x[:, 1])  # input = r * (sin, cos)
    expected = 2 * np.pi * y / 3 + 4 * r
    np.testing.assert_allclose(np.cos(angle - expected), 1.0, atol=1e-4)
    a, b = syn.spiral(50, seed=7), syn.spiral(50, seed=7)
    np.testing.assert_array_equal(a[0], b[0])
    assert not np.array_equal(a[0], syn.spiral(50, seed=8)[0])


@pytest.mark.parametrize("level", ["easy", "normal", "moderate", "hard", "nightmare", "6b"])
def test_temporal_order_rules(level):
    settings = syn.ORDER_LEVELS[level]
    x, y, seq = syn.temporal_order(300, level, seed=11)
    t_max = settings.lengths[1]
    k = len(settings.windows)
    assert x.shape == (300, t_max, 8) and x.dtype == np.float32 and y.dtype == np.int32
    # one-hot rows match the symbol ids; padding rows are all zero
    np.testing.assert_array_equal(x.sum(-1), (seq >= 0).astype(np.float32))
    np.testing.assert_array_equal(np.where(seq >= 0, x.argmax(-1), -1), seq)
    for i in range(300):
        s = seq[i][seq[i] >= 0]  # the sequence without padding
        assert settings.lengths[0] <= len(s) <= settings.lengths[1]
        assert s[0] == syn.SYM_B and s[-1] == syn.SYM_E
        relevant = np.flatnonzero(s <= syn.SYM_Y)
        assert len(relevant) == k
        for t, (lo, hi) in zip(relevant, settings.windows, strict=True):
            assert lo <= t <= hi
        middle = np.delete(s, np.concatenate([[0, len(s) - 1], relevant]))
        assert np.all((middle >= syn.SYM_A) & (middle < syn.SYM_A + 4))
        # the class is the order of X/Y, first symbol the most significant: XX=Q ... YY=U
        bits = s[relevant] - syn.SYM_X
        assert y[i] == int("".join(map(str, bits)), 2)
    assert set(np.unique(y)) == set(range(2**k))


def test_temporal_order_class_names_and_hand_example():
    x, y, seq = syn.temporal_order(400, "easy", seed=0)
    names = syn.CLASSES_2
    decoded = ["".join(syn.SYMBOLS[j] for j in row if j >= 0) for row in seq[:50]]
    for s, label in zip(decoded, y[:50], strict=True):
        order = "".join(c for c in s if c in "XY")
        assert names[label] == {"XX": "Q", "XY": "R", "YX": "S", "YY": "U"}[order]


def test_temporal_order_determinism_and_seq_len():
    a = syn.temporal_order(64, "hard", seed=3)
    b = syn.temporal_order(64, "hard", seed=3)
    for u, v in zip(a, b, strict=True):
        np.testing.assert_array_equal(u, v)
    assert not np.array_equal(a[2], syn.temporal_order(64, "hard", seed=4)[2])
    level = syn.order_level("hard", 55)
    assert level.lengths[1] == 55 and level.windows[1][1] < level.lengths[0] - 1
    ds = load_dataset(DataConfig(name="temporal_order", difficulty="6b", seq_len=0))
    assert ds.info.num_classes == 8 and ds.info.input_shape == (110, 8)
    assert ds.info.class_names == ("Q", "R", "S", "U", "V", "A", "B", "C")
    ds = load_dataset(DataConfig(name="temporal_order", difficulty="hard", seq_len=55))
    assert ds.train.arrays["input"].shape[1:] == (55, 8)
    with pytest.raises(DljaxError, match="data.difficulty='sedang'"):
        load_dataset(DataConfig(name="temporal_order", difficulty="sedang"))
    with pytest.raises(DljaxError, match="data.seq_len=3 terlalu kecil"):
        syn.order_level("hard", 3)


def test_echo_rule():
    x, y = syn.echo(20, 12, 3, seed=5)
    assert x.shape == (20, 12, 1) and y.shape == (20, 12) and y.dtype == np.int32
    np.testing.assert_array_equal(y[:, 3:], x[:, :-3, 0].astype(np.int32))
    assert np.all(y[:, :3] == 0)
    np.testing.assert_array_equal(syn.echo(20, 12, 3, seed=5)[0], x)
    np.testing.assert_array_equal(syn.echo(20, 12, 3, seed=5)[1], y)
    ds = load_dataset(DataConfig(name="echo", difficulty="hard", seq_len=30))
    xs, ys = ds.train.arrays["input"], ds.train.arrays["label"]
    np.testing.assert_array_equal(ys[:, 8:], xs[:, :-8, 0])
    with pytest.raises(DljaxError, match="delay=16"):
        load_dataset(DataConfig(name="echo", difficulty="nightmare", seq_len=10))


def test_tones_contours_are_audible():
    x, y, freqs = syn.tones(40, seed=2)
    assert x.shape == (40, syn.TONES_LENGTH, 1) and x.dtype == np.float32
    # the notes follow the contour of the class
    signs = np.sign(np.diff(freqs, axis=1)).astype(int)
    np.testing.assert_array_equal(signs, syn.CONTOUR_SIGNS[y])
    # and the waveform really plays them: the strongest FFT bin of each note segment
    note_len = syn.TONES_LENGTH // syn.NUM_NOTES
    segs = x[:, : note_len * syn.NUM_NOTES, 0].reshape(40, syn.NUM_NOTES, note_len)
    spectrum = np.abs(np.fft.rfft(segs * np.hanning(note_len), axis=-1))
    peak_hz = spectrum.argmax(-1) * syn.SAMPLE_RATE / note_len  # (40, 5), 10 Hz bins
    np.testing.assert_allclose(peak_hz, freqs, atol=syn.SAMPLE_RATE / note_len)
    assert not np.array_equal(syn.tones(3, seed=9)[0], syn.tones(3, seed=2)[0])


def test_tones_determinism():
    a, b = syn.tones(5, seed=1), syn.tones(5, seed=1)
    np.testing.assert_array_equal(a[0], b[0])
    np.testing.assert_array_equal(a[1], b[1])
