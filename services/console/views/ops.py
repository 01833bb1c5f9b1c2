"""Pure view logic of the ops screen: each service's answer or why it did not answer, what a
redrive asks for, and the words of what was just done."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from services.console.problems import Said
from shared.envelope import OrganisationModel
from shared.events import Tier

# Each table's columns (i18n ``ops.col_<name>``); "action" is read out, not shown.
COLUMNS = {
    "backlogs": ("service", "lag", "outbox", "outbox_age", "dead_letters"),
    "partitions": ("topic", "partition", "position", "committed", "end", "lag"),
    "letters": ("position", "origin", "failed_at", "redrives", "state", "reason", "action"),
    "offices": ("office", "model", "since", "shadow", "desks", "switch"),
    "advisers": ("adviser", "office", "team", "desk", "languages", "open", "available"),
}
# Dead letters a service's table shows at most, the newest first (a topic can hold many).
SHOWN_LETTERS = 20
# What ops may have just done (i18n ``ops.done_<name>``).
DONE = ("redriven", "model_switched")
MODELS = tuple(m.value for m in OrganisationModel)
TEAMS = tuple(t.value for t in Tier)


@dataclass(frozen=True)
class Answer:
    """One service's answer for the screen, or what went wrong asking it (the screen still
    shows the others)."""

    service: str
    body: dict[str, Any] | None = None
    said: Said | None = None


def positions(partition: int | None, offset: int | None) -> dict[str, Any]:
    """The redrive body: one dead letter, or (no position) every one not redriven yet."""
    if partition is None or offset is None:
        return {}
    return {"positions": [{"partition": partition, "offset": offset}]}


def done(name: str | None) -> str | None:
    """A ``done`` the screen has words for, else nothing (a hand-made query says nothing)."""
    return name if name in DONE else None


def total_lag(status: dict[str, Any]) -> int:
    return sum(int(g["lag"]) for g in status.get("consumer_groups", []))


def newest(letters: list[dict[str, Any]], limit: int = SHOWN_LETTERS) -> list[dict[str, Any]]:
    """The newest dead letters first (by when they failed), at most ``limit``."""
    return sorted(letters, key=lambda d: str(d.get("failed_at", "")), reverse=True)[:limit]
