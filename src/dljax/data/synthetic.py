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

`house_prices` - a synthetic table of house sales with known true coefficients
    (`HOUSE_COEFFICIENTS`, price in juta rupiah), or any CSV table (`load_csv_table`, e.g.
    `--data-dir ../shared/data/house_sales.csv`). Numeric columns are standardized with the
    training split's statistics, yes/no columns become 0/1, other text columns one-hot.
"""

from __future__ import annotations

import csv
from dataclasses import dataclass
from pathlib import Path

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


# ----------------------------------------------------------------------------- tables
YES = {"yes", "ya", "y", "true", "benar"}
NO = {"no", "tidak", "n", "false", "salah"}
TEST_FRACTION = 0.2
SPLIT_SEED = 0


class TableDataset(Dataset):
    """A regression table: `input` float32 (D,) features, `target` float32 () per row.

    Attributes to undo the encoding: `feature_names` (D,), `feature_mean`/`feature_std` (D,)
    (0 and 1 for 0/1 columns), `target_name`, `target_mean`, `target_std`
    (`price = target * target_std + target_mean`).
    """

    def __init__(self, info, train, test, *, feature_names, mean, std, target_name, t_mean, t_std):
        super().__init__(info=info, train=train, test=test)
        self.feature_names = tuple(feature_names)
        self.feature_mean = mean
        self.feature_std = std
        self.target_name = target_name
        self.target_mean = t_mean
        self.target_std = t_std


def encode_columns(columns: dict[str, np.ndarray]) -> tuple[np.ndarray, list[str], np.ndarray]:
    """Raw columns (numbers or strings) -> float64 matrix (N, D), names, and a mask of the
    numeric (to be standardized) columns. yes/no -> 0/1, other text -> one-hot `col=value`."""
    blocks, names, numeric = [], [], []
    for name, values in columns.items():
        values = np.asarray(values)
        if values.dtype.kind in "iuf":
            blocks.append(values.astype(np.float64)[:, None])
            names.append(name)
            numeric.append(True)
            continue
        text = np.char.lower(np.char.strip(values.astype(str)))
        try:
            blocks.append(text.astype(np.float64)[:, None])
            names.append(name)
            numeric.append(True)
            continue
        except ValueError:
            pass
        levels = np.unique(text)
        if set(levels) <= YES | NO:
            blocks.append(np.isin(text, list(YES)).astype(np.float64)[:, None])
            names.append(name)
            numeric.append(False)
            continue
        blocks.append((text[:, None] == levels[None, :]).astype(np.float64))
        names.extend(f"{name}={v}" for v in levels)
        numeric.extend([False] * len(levels))
    return np.concatenate(blocks, axis=1), names, np.array(numeric)


def table_dataset(
    columns: dict[str, np.ndarray], target: str, *, name: str, description: str
) -> TableDataset:
    """Encode a table, split it 80/20 (fixed seed) and standardize with training statistics."""
    if target not in columns:
        raise DljaxError(
            f"Kolom target {target!r} tidak ada di tabel; kolom yang ada: {', '.join(columns)}."
        )
    y = np.asarray(columns[target])
    try:
        y = y.astype(np.float64)
    except ValueError:
        raise DljaxError(f"Kolom target {target!r} harus berisi angka.") from None
    features = {k: v for k, v in columns.items() if k != target}
    x, names, numeric = encode_columns(features)  # (N, D)
    n = len(y)
    perm = np.random.default_rng(SPLIT_SEED).permutation(n)
    n_test = max(1, int(round(n * TEST_FRACTION)))
    test_idx, train_idx = perm[:n_test], perm[n_test:]
    mean = np.where(numeric, x[train_idx].mean(axis=0), 0.0)
    std = np.where(numeric, x[train_idx].std(axis=0), 1.0)
    std = np.where(std > 0, std, 1.0)
    t_mean, t_std = float(y[train_idx].mean()), float(y[train_idx].std() or 1.0)
    xs = ((x - mean) / std).astype(np.float32)
    ys = ((y - t_mean) / t_std).astype(np.float32)
    info = DatasetInfo(name=name, description=description, kind="table", input_shape=(x.shape[1],))
    return TableDataset(
        info,
        ArraySource({"input": xs[train_idx], "target": ys[train_idx]}),
        ArraySource({"input": xs[test_idx], "target": ys[test_idx]}),
        feature_names=names,
        mean=mean.astype(np.float32),
        std=std.astype(np.float32),
        target_name=target,
        t_mean=t_mean,
        t_std=t_std,
    )


def read_csv_columns(path: str | Path) -> dict[str, np.ndarray]:
    """A CSV file with a header row -> one numpy string array per column."""
    p = Path(path).expanduser()
    if not p.is_file():
        raise DljaxError(
            f"--data-dir {str(path)!r}: berkas CSV tidak ditemukan. Berikan jalur ke berkas "
            ".csv dengan baris judul, mis. --data-dir ../shared/data/house_sales.csv."
        )
    with p.open(newline="", encoding="utf-8-sig") as f:
        rows = list(csv.reader(f))
    if len(rows) < 3:
        raise DljaxError(f"CSV {str(path)!r} harus punya baris judul dan minimal 2 baris data.")
    header, body = rows[0], rows[1:]
    widths = {len(r) for r in body}
    if widths != {len(header)}:
        bad = next(i for i, r in enumerate(body) if len(r) != len(header))
        raise DljaxError(
            f"CSV {str(path)!r}: baris {bad + 2} punya {len(body[bad])} kolom, judul punya "
            f"{len(header)}. Perbaiki baris itu."
        )
    table = np.array(body, dtype=str)  # (N, C)
    empty = np.char.strip(table) == ""
    if empty.any():
        r, c = np.argwhere(empty)[0]
        raise DljaxError(
            f"CSV {str(path)!r}: kolom {header[c]!r} kosong di baris {r + 2}. Isi atau hapus "
            "baris yang nilainya hilang."
        )
    return {h.strip(): table[:, i] for i, h in enumerate(header)}


def load_csv_table(path: str | Path, target: str | None = None) -> TableDataset:
    """Any CSV table as a regression dataset; the target is `target`, else "price", else
    the last column."""
    columns = read_csv_columns(path)
    if target is None:
        target = "price" if "price" in columns else list(columns)[-1]
    return table_dataset(
        columns,
        target,
        name="house_prices",
        description=f"Tabel CSV {Path(path).name} (target: {target})",
    )


# House prices in juta rupiah: sum of coefficient * column + city base price + noise.
HOUSE_COEFFICIENTS = {
    "luas_bangunan": 6.0,  # per m2
    "luas_tanah": 3.0,  # per m2
    "kamar_tidur": 40.0,  # per bedroom
    "kamar_mandi": 30.0,  # per bathroom
    "umur": -5.0,  # per year of age
    "jarak_pusat": -12.0,  # per km to the city centre
    "garasi": 75.0,  # yes = 1
}
HOUSE_CITY_BASE = {"bandung": 300.0, "jakarta": 600.0, "surabaya": 350.0, "yogyakarta": 200.0}
HOUSE_NOISE = 80.0
HOUSE_ROWS = 5000


def house_prices_table(n: int, *, seed: int) -> dict[str, np.ndarray]:
    """Raw synthetic house sales: numeric columns, garasi "ya"/"tidak", kota, harga."""
    rng = np.random.default_rng(seed)
    building = rng.uniform(30, 300, n).round()
    land = (building * rng.uniform(1.0, 2.5, n)).round()
    bedrooms = np.clip(np.round(building / 50 + rng.normal(0, 0.7, n)), 1, 6)
    bathrooms = np.clip(np.round(bedrooms / 2 + rng.normal(0, 0.5, n)), 1, 4)
    age = rng.integers(0, 41, n).astype(np.float64)
    distance = rng.uniform(1, 30, n).round(1)
    garage = rng.random(n) < 0.5
    cities = np.array(sorted(HOUSE_CITY_BASE))
    city_idx = rng.integers(0, len(cities), n)
    city = cities[city_idx]
    numeric = {
        "luas_bangunan": building,
        "luas_tanah": land,
        "kamar_tidur": bedrooms,
        "kamar_mandi": bathrooms,
        "umur": age,
        "jarak_pusat": distance,
        "garasi": garage.astype(np.float64),
    }
    price = sum(HOUSE_COEFFICIENTS[k] * v for k, v in numeric.items())
    base = np.array([HOUSE_CITY_BASE[c] for c in cities])[city_idx]  # (n,)
    price = price + base + rng.normal(0, HOUSE_NOISE, n)
    return {
        **{k: v for k, v in numeric.items() if k != "garasi"},
        "garasi": np.where(garage, "ya", "tidak"),
        "kota": city,
        "harga": price.round(1),
    }


def load_house_prices(config=None) -> TableDataset:
    """The synthetic table, or a CSV when `data_dir` names a .csv file (or a folder with
    `house_sales.csv`)."""
    data_dir = getattr(config, "data_dir", None)
    if data_dir:
        p = Path(data_dir).expanduser()
        return load_csv_table(p / "house_sales.csv" if p.is_dir() else p)
    return table_dataset(
        house_prices_table(HOUSE_ROWS, seed=0),
        "harga",
        name="house_prices",
        description=(
            "Harga rumah sintetis dengan koefisien sebenarnya yang diketahui, atau tabel CSV "
            "sendiri lewat --data-dir"
        ),
    )
