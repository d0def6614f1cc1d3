import dataclasses

import pytest

from dljax.config import (
    PRESETS,
    apply_overrides,
    build_config,
    config_from_dict,
    known_keys,
    parse_set_args,
)
from dljax.errors import DljaxError
from dljax.models import MLPConfig


def test_presets_apply_global_then_model_overrides():
    cfg = build_config("mlp", "tiny")
    assert cfg.train.epochs == PRESETS["tiny"]["train.epochs"]
    assert cfg.model.hidden == (32,)
    assert build_config("mlp").model.hidden == MLPConfig().hidden


def test_overrides_parse_to_field_types():
    cfg = build_config(
        "mlp",
        overrides={
            "model.hidden": "128,64",
            "train.lr": "0.01",
            "data.batch_size": "16",
            "model.dropout": "0",
            "data.data_dir": "none",
        },
    )
    assert cfg.model.hidden == (128, 64)
    assert cfg.train.lr == 0.01 and isinstance(cfg.train.lr, float)
    assert cfg.data.batch_size == 16
    assert cfg.data.data_dir is None
    cnn = build_config("cnn", overrides={"model.batch_norm": "false"})
    assert cnn.model.batch_norm is False


def test_unknown_key_lists_valid_keys():
    with pytest.raises(DljaxError) as err:
        build_config("mlp", overrides={"model.widths": "3"})
    message = str(err.value)
    assert "model.widths" in message and "model.hidden" in message and "train.lr" in message


@pytest.mark.parametrize(
    ("key", "value", "fragment"),
    [
        ("train.epochs", "-1", "train.epochs=-1"),
        ("train.lr", "0", "train.lr=0.0"),
        ("data.batch_size", "0", "data.batch_size=0"),
        ("model.dropout", "1.5", "model.dropout=1.5"),
        ("train.optimizer", "lion", "train.optimizer='lion'"),
    ],
)
def test_invalid_values_name_the_argument(key, value, fragment):
    cfg = build_config("mlp", overrides={key: value})
    with pytest.raises(DljaxError, match="harus|tidak dikenal") as err:
        cfg.validate()
    assert fragment in str(err.value)


def test_bad_number_and_bad_set_syntax():
    with pytest.raises(DljaxError, match="bilangan bulat"):
        build_config("mlp", overrides={"train.epochs": "ten"})
    with pytest.raises(DljaxError, match="kunci=nilai"):
        parse_set_args(["train.lr"])


def test_unknown_model_and_preset():
    with pytest.raises(DljaxError, match="Pilihan: .*cnn.*mlp"):
        build_config("transformerz")
    with pytest.raises(DljaxError, match="tiny"):
        build_config("mlp", preset="huge")


def test_config_round_trips_through_dict():
    cfg = apply_overrides(build_config("cnn", "tiny"), {"model.channels": (4, 8)})
    again = config_from_dict(cfg.to_dict(), type(cfg.model))
    assert again == cfg
    assert set(known_keys(cfg)) >= {f"model.{f.name}" for f in dataclasses.fields(cfg.model)}
