"""`key=value` overrides of a `Config` (`--set`, presets), typed by the config's fields.

`apply_overrides(config, {"train.lr": "0.01"})` parses each value into the field's type and
refuses an unknown key with the list of known ones; `parse_set_args` reads `--set` items.
"""

from __future__ import annotations

import dataclasses
import math
import types
import typing
from typing import Any

from dljax.config import MAX_SEED, SECTIONS, Config
from dljax.errors import DljaxError


def _check(cond: bool, message: str) -> None:
    if not cond:
        raise DljaxError(message)


def known_keys(config: Config) -> list[str]:
    """All dotted keys that `--set` accepts for this config."""
    return [
        f"{section}.{f.name}"
        for section in SECTIONS
        for f in dataclasses.fields(getattr(config, section))
    ]


def _field_type(obj: Any, name: str) -> Any:
    return typing.get_type_hints(type(obj))[name]


def parse_value(text: str, tp: Any, key: str) -> Any:
    """Parse a command-line string into the type of a config field."""
    origin = typing.get_origin(tp)
    if origin in (typing.Union, types.UnionType):
        args = [a for a in typing.get_args(tp) if a is not type(None)]
        if text.lower() in ("none", "null", ""):
            return None
        return parse_value(text, args[0], key)
    if origin is tuple:
        (inner, *_rest) = typing.get_args(tp)
        parts = [p for p in text.replace(" ", "").split(",") if p]
        return tuple(parse_value(p, inner, key) for p in parts)
    try:
        if tp is bool:
            lowered = text.lower()
            if lowered in ("1", "true", "ya", "yes", "on"):
                return True
            if lowered in ("0", "false", "tidak", "no", "off"):
                return False
            raise ValueError(text)
        if tp is int:
            value = int(text)
            if key.endswith("seed"):
                _check(
                    0 <= value <= MAX_SEED,
                    f"Nilai {key}={text} di luar rentang: seed harus 0..{MAX_SEED}.",
                )
            _check(abs(value) <= 2**63 - 1, f"Nilai {key}={text} terlalu besar.")
            return value
        if tp is float:
            value = float(text)
            _check(
                math.isfinite(value),
                f"Nilai {key}={text!r} tidak valid: harus bilangan berhingga (bukan inf/nan).",
            )
            return value
    except ValueError:
        kind = {bool: "true/false", int: "bilangan bulat", float: "bilangan"}[tp]
        raise DljaxError(f"Nilai {key}={text!r} tidak valid: harus {kind}.") from None
    return text


def apply_overrides(config: Config, overrides: dict[str, Any]) -> Config:
    """Return a new config with dotted-key overrides applied (values may be strings)."""
    sections = {s: getattr(config, s) for s in SECTIONS}
    for key, value in overrides.items():
        section, _, name = key.partition(".")
        if section not in sections or not name:
            raise DljaxError(_unknown_key_message(key, config))
        obj = sections[section]
        if name not in {f.name for f in dataclasses.fields(obj)}:
            raise DljaxError(_unknown_key_message(key, config))
        if isinstance(value, str):
            value = parse_value(value, _field_type(obj, name), key)
        elif isinstance(value, list):
            value = tuple(value)
        sections[section] = dataclasses.replace(obj, **{name: value})
    return dataclasses.replace(config, **sections)


def _unknown_key_message(key: str, config: Config) -> str:
    return (
        f"Kunci konfigurasi {key!r} tidak dikenal untuk model {config.model_name!r}. "
        f"Kunci yang tersedia: {', '.join(known_keys(config))}."
    )


def parse_set_args(items: list[str]) -> dict[str, str]:
    """Turn `["train.lr=0.01", ...]` into a dict, rejecting malformed items."""
    out: dict[str, str] = {}
    for item in items:
        key, sep, value = item.partition("=")
        if not sep or not key.strip():
            raise DljaxError(
                f"--set {item!r} harus berbentuk kunci=nilai, mis. --set train.lr=0.01."
            )
        out[key.strip()] = value.strip()
    return out
