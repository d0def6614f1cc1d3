"""Regression tables: the `house_prices` dataset and any CSV table.

`house_prices` - a synthetic table of house sales with known true coefficients
(`HOUSE_COEFFICIENTS`, price in juta rupiah), or any CSV table (`load_csv_table`, e.g.
`--data-dir ../shared/data/house_sales.csv`). Numeric columns are standardized with the
training split's statistics, yes/no columns become 0/1, other text columns one-hot; the
split is 80/20 with a fixed seed.
"""

from __future__ import annotations

import csv
from pathlib import Path

import numpy as np

from dljax.data.base import ArraySource, Dataset, DatasetInfo
from dljax.errors import DljaxError

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
