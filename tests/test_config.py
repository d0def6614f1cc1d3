import dataclasses

import pytest

from dljax.config import PRESETS, config_from_dict
from dljax.errors import DljaxError
from dljax.models import MLPConfig
from dljax.overrides import apply_overrides, known_keys, parse_set_args
from dljax.recipes import build_config


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


@pytest.mark.parametrize(
    ("model", "overrides", "key"),
    [
        ("mlp", {"train.optimizer": "adam", "train.weight_decay": "0.01"}, "weight_decay"),
        ("mlp", {"train.optimizer": "sgd", "train.weight_decay": "0.01"}, "weight_decay"),
        ("mlp", {"train.optimizer": "sgd", "train.beta1": "0.5"}, "train.beta1"),
        ("gan", {"model.width": "32"}, "model.width"),
        ("dcgan", {"model.hidden": "64"}, "model.hidden"),
        ("gan", {"model.label_embed": "8"}, "model.label_embed"),
        ("vae", {"model.sigma": "0.2"}, "model.sigma"),
        ("vae", {"model.channels": "16"}, "model.channels"),
        ("autoencoder", {"model.noise_level": "0.5"}, "model.noise_level"),
        ("ddpm", {"model.guidance": "5"}, "model.guidance"),
        ("ddpm", {"model.label_dropout": "0.2"}, "model.label_dropout"),
    ],
)
def test_settings_without_effect_are_refused(model, overrides, key):
    with pytest.raises(DljaxError, match=rf"{key}=.* tidak berpengaruh"):
        build_config(model, "default", overrides).validate()


def test_settings_that_take_effect_are_accepted():
    for model, overrides in [
        ("mlp", {"train.optimizer": "adamw", "train.weight_decay": "0.01"}),
        ("mlp", {"train.optimizer": "adam", "train.weight_decay": "0"}),
        ("dcgan", {"model.width": "32"}),
        ("cgan", {"model.label_embed": "8"}),
        ("vae", {"model.likelihood": "gaussian", "model.sigma": "0.2"}),
        ("autoencoder", {"model.denoise": "gaussian", "model.noise_level": "0.5"}),
        ("ddpm_cond", {"model.guidance": "5", "model.label_dropout": "0.2"}),
    ]:
        build_config(model, "default", overrides).validate()


def test_weight_decay_defaults_per_optimizer():
    assert build_config("mlp").train.decay == 1e-4  # adamw's default
    assert build_config("mlp", overrides={"train.weight_decay": "0.05"}).train.decay == 0.05
    assert build_config("gan").train.optimizer == "adam" and build_config("gan").train.decay == 0


def test_saved_config_of_an_adam_run_from_before_optional_weight_decay_is_readable():
    config = build_config("gan")
    raw = config.to_dict()
    raw["train"]["weight_decay"] = 1e-4  # what older runs stored (and adam never used)
    again = config_from_dict(raw, type(config.model))
    again.validate()
    assert again.train.weight_decay is None and again == config


def test_gan_r1_and_vae_beta_must_not_be_negative():
    with pytest.raises(DljaxError, match="model.r1=-1"):
        build_config("gan", "default", {"model.r1": "-1"}).validate()
    with pytest.raises(DljaxError, match="model.beta=-0.5"):
        build_config("vae", "default", {"model.beta": "-0.5"}).validate()
