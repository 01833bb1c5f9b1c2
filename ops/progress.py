"""How long-running ops work reports itself (the CLI draws it; tests and benches ignore it)."""

from __future__ import annotations

from typing import Protocol


class Observer(Protocol):
    def phase(self, name: str, total: int | None = None) -> None:
        """A new phase begins; ``total`` events to go when known."""

    def advance(self, count: int) -> None:
        """``count`` more events done in the current phase."""


class Silent:
    """Reports nothing."""

    def phase(self, name: str, total: int | None = None) -> None:
        return None

    def advance(self, count: int) -> None:
        return None
