"""One registry shape for everything `dljax` knows by name: models and datasets.

A `Registry` is a read-only mapping from names to entries that stays open for new entries
(`register`). It behaves as a `dict` does: `name in registry`, `registry.get(name, default)`,
iteration, `len`. Only `registry[name]` with an unknown name differs: it raises `UnknownName`,
an Indonesian message that lists the valid names, so a typo on the command line tells the
user what to type instead.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from typing import Generic, TypeVar

from dljax.errors import DljaxError

T = TypeVar("T")


class UnknownName(DljaxError, KeyError):
    """An unknown registry name (exit code 2); also a `KeyError`, as a mapping's miss is."""

    def __str__(self) -> str:  # KeyError would quote the message
        return str(self.args[0]) if self.args else ""


class Registry(Mapping[str, T], Generic[T]):
    """Named entries of one kind (`kind` is the Indonesian noun used in messages)."""

    def __init__(self, kind: str, hint: str = "Lihat `dljax list`."):
        self.kind = kind
        self.hint = hint
        self._entries: dict[str, T] = {}

    def register(self, name: str, entry: T, *, replace: bool = False) -> T:
        """Add `entry` under `name`; an existing name is an error unless `replace`."""
        if name in self._entries and not replace:
            raise ValueError(f"{self.kind} {name!r} is already registered")
        self._entries[name] = entry
        return entry

    def unregister(self, name: str) -> T:
        """Remove and return the entry `name` (tests register temporary entries)."""
        return self._entries.pop(name)

    def __getitem__(self, name: str) -> T:
        try:
            return self._entries[name]
        except (KeyError, TypeError):
            raise UnknownName(
                f"{self.kind.capitalize()} {name!r} tidak dikenal. "
                f"Pilihan: {', '.join(sorted(self._entries))}. {self.hint}"
            ) from None

    def __contains__(self, name: object) -> bool:
        return isinstance(name, str) and name in self._entries

    def __iter__(self) -> Iterator[str]:
        return iter(self._entries)

    def __len__(self) -> int:
        return len(self._entries)

    def __repr__(self) -> str:
        return f"Registry({self.kind!r}, {sorted(self._entries)})"
