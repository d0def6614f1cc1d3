"""One registry shape for everything `dljax` knows by name: models, tasks and datasets.

A `Registry` is a read-only mapping from names to entries that stays open for new entries
(`register`), and answers an unknown name with an Indonesian message that lists the valid
ones, so a typo on the command line tells the user what to type instead.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from typing import Generic, TypeVar

from dljax.errors import DljaxError

T = TypeVar("T")


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

    def get(self, name: str) -> T:  # type: ignore[override]
        """The entry called `name`, or a `DljaxError` listing the valid names."""
        try:
            return self._entries[name]
        except KeyError:
            raise DljaxError(
                f"{self.kind.capitalize()} {name!r} tidak dikenal. "
                f"Pilihan: {', '.join(sorted(self._entries))}. {self.hint}"
            ) from None

    def __getitem__(self, name: str) -> T:
        return self.get(name)

    def __iter__(self) -> Iterator[str]:
        return iter(self._entries)

    def __len__(self) -> int:
        return len(self._entries)

    def __repr__(self) -> str:
        return f"Registry({self.kind!r}, {sorted(self._entries)})"
