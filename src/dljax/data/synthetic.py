"""The course's synthetic tasks: seedable, vectorized numpy generators (no per-example loops).

Every generator takes an explicit `seed` and returns the same arrays for the same arguments.

`spiral` - K interleaved 2-D spirals (the MLP lessons). Point `i` of class `k` has radius
    `r ~ U(0, 1)` and angle `2*pi*k/K + 4*r + noise * N(0, 1)`, `input = r * (sin, cos)`.

`temporal_order` - Hochreiter & Schmidhuber (1997), experiment 6a (the original course's
    "QRSU" task) and 6b. A sequence starts with `B`, ends with `E` and is otherwise made of
    random distractors `a, b, c, d`, except at the relevant positions `t1, t2 (, t3)` drawn
    from fixed windows (counted from `B` at 0), which hold `X` or `Y`. The class is the order
    of the relevant symbols: XX -> Q, XY -> R, YX -> S, YY -> U (6a, 4 classes); with three
    symbols XXX -> Q, XXY -> R, XYX -> S, XYY -> U, YXX -> V, YXY -> A, YYX -> B, YYY -> C
    (6b, 8 classes). Lengths vary within a level; shorter sequences are pre-padded with
    all-zero rows so that every one ends at the last step. Inputs are one-hot float32
    `(T, 8)` over the symbols `X, Y, a, b, c, d, B, E` (in that order), `T` = longest length.
    Levels (`--set data.difficulty=...`; lengths and windows inclusive, as in the course):

    ===========  ===========  ============  ==============  ============  ========
    level        length       t1            t2              t3            classes
    ===========  ===========  ============  ==============  ============  ========
    easy         7..8         1..2          4..5            -             4
    normal       30..40       2..5          20..27          -             4
    moderate     60..80       10..20        45..54          -             4
    hard         100..110     10..20        50..60          -             4 (paper 6a)
    nightmare    300..500     10..80        250..290        -             4
    6b           100..110     10..20        33..43          66..76        8 (paper 6b)
    ===========  ===========  ============  ==============  ============  ========

    With `data.seq_len > 0`, the level's lengths and windows are scaled by
    `seq_len / longest length` (rounded), so `seq_len` becomes the padded length `T`.

`echo` - the delayed echo of the original course: a random bit stream `x` (float32
    `(T, 1)`) and per-step labels `label[t] = x[t - delay]` (0 for `t < delay`), int32
    `(T,)`. Delay per level: easy 1, normal 3 (the course's `echo_step`), moderate 5, hard 8,
    nightmare 16; default `T` = 40.

`tones` - synthesized melodies (no recorded audio): five notes of a major pentatonic scale
    from A3 (220 Hz), 4 kHz sample rate, 0.5 s; the class is the melodic contour:
    naik (up x4), turun (down x4), naik-turun (up, up, down, down), turun-naik. Each note
    has a random step of 1 or 2 scale degrees, a plucked envelope, a second harmonic, random
    loudness and phase, and Gaussian noise. Input float32 `(T, 1)`.

Tables (the `house_prices` dataset and any CSV table) live in `dljax.data.table`.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from dljax.data.base import ArraySource, Dataset, DatasetInfo
from dljax.errors import DljaxError

LEVELS = ("easy", "normal", "moderate", "hard", "nightmare")

# ----------------------------------------------------------------------------- spiral
SPIRAL_INFO = DatasetInfo(
    name="spiral",
    description="Spiral 2-D tiga kelas untuk pelajaran MLP (sintetis, tanpa internet)",
    kind="table",
    input_shape=(2,),
    num_classes=3,
    class_names=("0", "1", "2"),
)


def spiral(
    n_per_class: int, num_classes: int = 3, *, seed: int, noise: float = 0.2
) -> tuple[np.ndarray, np.ndarray]:
    """Interleaved spirals: inputs float32 (K * n, 2), labels int32 (K * n,)."""
    rng = np.random.default_rng(seed)
    k = np.repeat(np.arange(num_classes), n_per_class)  # (N,)
    r = rng.uniform(0.0, 1.0, k.shape)  # (N,)
    angle = 2 * np.pi * k / num_classes + 4.0 * r + noise * rng.standard_normal(k.shape)
    x = np.stack([r * np.sin(angle), r * np.cos(angle)], axis=1)  # (N, 2)
    return x.astype(np.float32), k.astype(np.int32)


def load_spiral(config=None) -> Dataset:
    train = spiral(1000, seed=0)
    test = spiral(300, seed=1)
    return Dataset(
        info=SPIRAL_INFO,
        train=ArraySource({"input": train[0], "label": train[1]}),
        test=ArraySource({"input": test[0], "label": test[1]}),
    )


# ----------------------------------------------------------------------------- temporal order
SYMBOLS = ("X", "Y", "a", "b", "c", "d", "B", "E")
SYM_X, SYM_Y, SYM_A, SYM_B, SYM_E = 0, 1, 2, 6, 7
PAD = -1
CLASSES_2 = ("Q", "R", "S", "U")
CLASSES_3 = ("Q", "R", "S", "U", "V", "A", "B", "C")


@dataclass(frozen=True)
class OrderLevel:
    lengths: tuple[int, int]  # inclusive range of sequence lengths (B ... E)
    windows: tuple[tuple[int, int], ...]  # inclusive position range of each relevant symbol


ORDER_LEVELS: dict[str, OrderLevel] = {
    "easy": OrderLevel((7, 8), ((1, 2), (4, 5))),
    "normal": OrderLevel((30, 40), ((2, 5), (20, 27))),
    "moderate": OrderLevel((60, 80), ((10, 20), (45, 54))),
    "hard": OrderLevel((100, 110), ((10, 20), (50, 60))),
    "nightmare": OrderLevel((300, 500), ((10, 80), (250, 290))),
    "6b": OrderLevel((100, 110), ((10, 20), (33, 43), (66, 76))),
}


def _unknown_level(value: str, choices) -> DljaxError:
    return DljaxError(
        f"data.difficulty={value!r} tidak dikenal; pilih salah satu: {', '.join(choices)} "
        "(mis. --set data.difficulty=normal)."
    )


def order_level(difficulty: str, seq_len: int = 0) -> OrderLevel:
    """The level's settings, scaled so that the longest sequence is `seq_len` when > 0."""
    if difficulty not in ORDER_LEVELS:
        raise _unknown_level(difficulty, ORDER_LEVELS)
    level = ORDER_LEVELS[difficulty]
    if seq_len <= 0 or seq_len == level.lengths[1]:
        return level
    f = seq_len / level.lengths[1]
    lengths = (max(3, round(level.lengths[0] * f)), seq_len)
    windows, prev = [], 0
    for lo, hi in level.windows:
        lo = max(prev + 1, round(lo * f))
        hi = max(lo, round(hi * f))
        windows.append((lo, hi))
        prev = hi
    if prev > lengths[0] - 2:
        raise DljaxError(
            f"data.seq_len={seq_len} terlalu kecil untuk temporal_order tingkat "
            f"{difficulty!r}: simbol relevan tidak muat. Pakai seq_len yang lebih besar "
            f"(bawaan tingkat ini {level.lengths[1]}), mis. --set data.seq_len=0."
        )
    return OrderLevel(lengths, tuple(windows))


def temporal_order(
    n: int, level: OrderLevel | str = "hard", *, seed: int
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Temporal-order sequences.

    Returns inputs float32 (n, T, 8) one-hot (all-zero rows for padding), labels int32 (n,)
    and the symbol ids int8 (n, T) (-1 for padding), `T` = the level's longest length.
    """
    if isinstance(level, str):
        level = order_level(level)
    rng = np.random.default_rng(seed)
    t_max = level.lengths[1]
    k = len(level.windows)
    lengths = rng.integers(level.lengths[0], level.lengths[1] + 1, n)  # (n,)
    pos = np.stack([rng.integers(lo, hi + 1, n) for lo, hi in level.windows], axis=1)  # (n, k)
    bits = rng.integers(0, 2, (n, k))  # (n, k) 0 = X, 1 = Y
    labels = bits @ (2 ** np.arange(k - 1, -1, -1))  # (n,) first symbol is the high bit
    seq = rng.integers(SYM_A, SYM_A + 4, (n, t_max))  # (n, T) distractors a..d
    start = t_max - lengths  # (n,) index of B after pre-padding
    rows = np.arange(n)
    seq[np.arange(t_max)[None, :] < start[:, None]] = PAD
    seq[rows, start] = SYM_B
    seq[:, -1] = SYM_E
    seq[rows[:, None], start[:, None] + pos] = SYM_X + bits
    onehot = (seq[..., None] == np.arange(len(SYMBOLS))).astype(np.float32)  # (n, T, 8)
    return onehot, labels.astype(np.int32), seq.astype(np.int8)


def order_info(level: OrderLevel, difficulty: str) -> DatasetInfo:
    classes = CLASSES_2 if len(level.windows) == 2 else CLASSES_3
    return DatasetInfo(
        name="temporal_order",
        description=(
            "Urutan temporal X/Y (Hochreiter & Schmidhuber 1997, tugas QRSU), tingkat "
            "easy..nightmare dan 6b (sintetis)"
        ),
        kind="sequence",
        input_shape=(level.lengths[1], len(SYMBOLS)),
        num_classes=len(classes),
        class_names=classes,
    )


def load_temporal_order(config=None) -> Dataset:
    difficulty = getattr(config, "difficulty", "normal")
    level = order_level(difficulty, getattr(config, "seq_len", 0))
    n_train, n_test = (4000, 1000) if level.lengths[1] > 200 else (8000, 2000)
    x, y, _ = temporal_order(n_train, level, seed=0)
    xt, yt, _ = temporal_order(n_test, level, seed=1)
    return Dataset(
        info=order_info(level, difficulty),
        train=ArraySource({"input": x, "label": y}),
        test=ArraySource({"input": xt, "label": yt}),
    )


# ----------------------------------------------------------------------------- echo
ECHO_DELAYS = {"easy": 1, "normal": 3, "moderate": 5, "hard": 8, "nightmare": 16}
ECHO_LENGTH = 40


def echo(n: int, seq_len: int = ECHO_LENGTH, delay: int = 3, *, seed: int):
    """Bits float32 (n, T, 1) and their echo `label[:, t] = x[:, t - delay]`, int32 (n, T)."""
    if not 0 < delay < seq_len:
        raise DljaxError(
            f"echo: delay={delay} harus di antara 1 dan seq_len - 1 = {seq_len - 1}; "
            "pakai data.seq_len yang lebih panjang atau tingkat yang lebih mudah."
        )
    rng = np.random.default_rng(seed)
    bits = rng.integers(0, 2, (n, seq_len))  # (n, T)
    labels = np.zeros_like(bits)
    labels[:, delay:] = bits[:, :-delay]
    return bits[..., None].astype(np.float32), labels.astype(np.int32)


def load_echo(config=None) -> Dataset:
    difficulty = getattr(config, "difficulty", "normal")
    if difficulty not in ECHO_DELAYS:
        raise _unknown_level(difficulty, ECHO_DELAYS)
    delay = ECHO_DELAYS[difficulty]
    seq_len = getattr(config, "seq_len", 0) or ECHO_LENGTH
    x, y = echo(4000, seq_len, delay, seed=0)
    xt, yt = echo(1000, seq_len, delay, seed=1)
    info = DatasetInfo(
        name="echo",
        description="Gema tertunda: bit acak yang diulang beberapa langkah kemudian (sintetis)",
        kind="sequence",
        input_shape=(seq_len, 1),
        num_classes=2,
        class_names=("0", "1"),
        label_shape=(seq_len,),
    )
    return Dataset(
        info=info,
        train=ArraySource({"input": x, "label": y}),
        test=ArraySource({"input": xt, "label": yt}),
    )


# ----------------------------------------------------------------------------- tones
SAMPLE_RATE = 4000
TONES_LENGTH = 2000  # 0.5 s
NUM_NOTES = 5
BASE_HZ = 220.0  # A3
PENTATONIC = np.array([0, 2, 4, 7, 9, 12, 14, 16, 19, 21, 24, 26])  # semitones above A3
CONTOURS = ("naik", "turun", "naik-turun", "turun-naik")
CONTOUR_SIGNS = np.array([[1, 1, 1, 1], [-1, -1, -1, -1], [1, 1, -1, -1], [-1, -1, 1, 1]])


def tones(
    n: int,
    *,
    seed: int,
    length: int = TONES_LENGTH,
    sample_rate: int = SAMPLE_RATE,
    noise: float = 0.05,
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Melodies: waves float32 (n, length, 1), contour labels int32 (n,) and the note
    frequencies in Hz float64 (n, 5)."""
    if length < NUM_NOTES * 32:
        raise DljaxError(
            f"tones: data.seq_len={length} terlalu pendek; butuh minimal {NUM_NOTES * 32} "
            "sampel (32 per nada)."
        )
    rng = np.random.default_rng(seed)
    labels = rng.integers(0, len(CONTOURS), n)  # (n,)
    steps = rng.integers(1, 3, (n, NUM_NOTES - 1)) * CONTOUR_SIGNS[labels]  # (n, 4)
    rel = np.concatenate([np.zeros((n, 1), np.int64), np.cumsum(steps, axis=1)], axis=1)
    low = rel - rel.min(axis=1, keepdims=True)  # (n, 5) scale degrees from 0
    span = low.max(axis=1)  # (n,)
    offset = rng.integers(0, len(PENTATONIC) - span)  # (n,) highest degree stays in the scale
    freqs = BASE_HZ * 2.0 ** (PENTATONIC[low + offset[:, None]] / 12.0)  # (n, 5)

    t = np.arange(length)
    note_len = length // NUM_NOTES
    note = np.minimum(t // note_len, NUM_NOTES - 1)  # (T,) which note plays
    in_note = (t - note * note_len) / note_len  # (T,) 0..1 within the note
    f_t = freqs[:, note]  # (n, T)
    phase = 2 * np.pi * np.cumsum(f_t / sample_rate, axis=1)
    phase += rng.uniform(0, 2 * np.pi, (n, 1))
    envelope = np.minimum(1.0, in_note * 20.0) * np.exp(-2.5 * in_note)  # (T,)
    loudness = rng.uniform(0.5, 1.0, (n, 1))
    wave = loudness * envelope * (np.sin(phase) + 0.3 * np.sin(2 * phase))
    wave += noise * rng.standard_normal(wave.shape)
    return wave[..., None].astype(np.float32), labels.astype(np.int32), freqs


def load_tones(config=None) -> Dataset:
    length = getattr(config, "seq_len", 0) or TONES_LENGTH
    x, y, _ = tones(2000, seed=0, length=length)
    xt, yt, _ = tones(500, seed=1, length=length)
    info = DatasetInfo(
        name="tones",
        description="Melodi sintetis (4 kHz, 5 nada) dengan 4 pola naik/turun untuk conv1d",
        kind="sequence",
        input_shape=(length, 1),
        num_classes=len(CONTOURS),
        class_names=CONTOURS,
    )
    return Dataset(
        info=info,
        train=ArraySource({"input": x, "label": y}),
        test=ArraySource({"input": xt, "label": yt}),
    )
