"""Regression tables: the synthetic house-price table and the CSV loader."""

from __future__ import annotations

import numpy as np
import pytest

from dljax.config import DataConfig
from dljax.data import table
from dljax.data.registry import load_dataset
from dljax.errors import DljaxError


def test_house_prices_recover_true_coefficients():
    rows = table.house_prices_table(4000, seed=0)
    names = list(table.HOUSE_COEFFICIENTS)
    cities = sorted(table.HOUSE_CITY_BASE)
    design = np.column_stack(
        [rows[n] for n in names if n != "garasi"]
        + [rows["garasi"] == "ya"]
        + [rows["kota"] == c for c in cities]
    ).astype(np.float64)
    coef, *_ = np.linalg.lstsq(design, rows["harga"], rcond=None)
    order = [n for n in names if n != "garasi"] + ["garasi"]
    expected = [table.HOUSE_COEFFICIENTS[n] for n in order] + [
        table.HOUSE_CITY_BASE[c] for c in cities
    ]
    np.testing.assert_allclose(coef[: len(order)], expected[: len(order)], rtol=0.08, atol=2.0)
    np.testing.assert_allclose(coef[len(order) :], expected[len(order) :], atol=25.0)


def test_house_prices_dataset_encoding():
    ds = load_dataset(DataConfig(name="house_prices"))
    x = ds.train.arrays["input"]
    t = ds.train.arrays["target"]
    assert x.dtype == np.float32 and t.dtype == np.float32 and t.shape == (len(x),)
    assert ds.info.kind == "table" and ds.info.input_shape == (x.shape[1],)
    assert "garasi" in ds.feature_names and "kota=jakarta" in ds.feature_names
    numeric = ds.feature_std != 1.0
    np.testing.assert_allclose(x[:, numeric].mean(0), 0.0, atol=1e-5)
    np.testing.assert_allclose(x[:, numeric].std(0), 1.0, atol=1e-4)
    onehot = [i for i, n in enumerate(ds.feature_names) if n.startswith("kota=")]
    np.testing.assert_array_equal(x[:, onehot].sum(1), 1.0)
    garage = x[:, ds.feature_names.index("garasi")]
    assert set(np.unique(garage)) == {0.0, 1.0}
    # the standardized target un-does to prices of the right magnitude (juta rupiah)
    prices = t * ds.target_std + ds.target_mean
    assert 300 < np.median(prices) < 3000


def test_csv_loader_encodes_yes_no_and_categories(tmp_path):
    path = tmp_path / "rumah.csv"
    path.write_text(
        "price,area,mainroad,furnishing\n100,50,yes,furnished\n200,80,no,unfurnished\n"
        "300,120,yes,semi-furnished\n400,150,no,furnished\n500,190,yes,unfurnished\n",
        encoding="utf-8",
    )
    ds = table.load_csv_table(path)
    assert ds.feature_names == (
        "area",
        "mainroad",
        "furnishing=furnished",
        "furnishing=semi-furnished",
        "furnishing=unfurnished",
    )
    both = np.concatenate([ds.train.arrays["input"], ds.test.arrays["input"]])
    raw = both * ds.feature_std + ds.feature_mean
    prices = np.concatenate([ds.train.arrays["target"], ds.test.arrays["target"]])
    prices = prices * ds.target_std + ds.target_mean
    order = np.argsort(prices)
    np.testing.assert_allclose(prices[order], [100, 200, 300, 400, 500], rtol=1e-5)
    np.testing.assert_allclose(raw[order, 0], [50, 80, 120, 150, 190], rtol=1e-5)
    np.testing.assert_array_equal(raw[order, 1], [1, 0, 1, 0, 1])
    np.testing.assert_array_equal(raw[order, 2:].argmax(1), [0, 2, 1, 0, 2])
    bad = tmp_path / "bad.csv"
    bad.write_text("price,area\n1,2\n3,\n4,5\n", encoding="utf-8")
    with pytest.raises(DljaxError, match="kolom 'area' kosong di baris 3"):
        table.load_csv_table(bad)
    with pytest.raises(DljaxError, match="tidak ditemukan"):
        table.load_csv_table(tmp_path / "none.csv")


def test_shared_house_sales_csv():
    from pathlib import Path

    path = Path(__file__).resolve().parents[3] / "shared" / "data" / "house_sales.csv"
    if not path.is_file():
        pytest.skip(f"{path} tidak ada (tabel nyata hanya tersedia di mesin kursus).")
    ds = load_dataset(DataConfig(name="house_prices", data_dir=str(path)))
    n = len(ds.train) + len(ds.test)
    assert n == 545 and ds.target_name == "price"
    assert "airconditioning" in ds.feature_names
    assert "furnishingstatus=semi-furnished" in ds.feature_names
    assert ds.train.arrays["input"].shape[1] == len(ds.feature_names) == 14
    assert np.isfinite(ds.train.arrays["input"]).all()
