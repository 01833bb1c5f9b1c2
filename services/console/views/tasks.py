"""The administrative team's screen: which tasks to ask admin's ``GET /tasks`` for (a tab, an
act, an office), in which order (the soonest due first), how due each one is, what a person
may do with one, and the bodies of the commands."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import StrEnum
from typing import Any

from services.console.formatting import parse
from services.console.views.case import ADMIN_ACTS, BadAction

Json = Mapping[str, Any]
SOON = timedelta(hours=24)  # a task due within this is "due soon"

# The screen's commands: the admin path each sends.
ACTIONS = {"claim": "claim", "complete": "completion", "reject": "rejection"}


class Due(StrEnum):
    """How due a task is, said in words (and a shape), never in colour alone."""

    OVERDUE = "overdue"
    SOON = "soon"
    LATER = "later"
    CLOSED = "closed"
    UNKNOWN = "unknown"


@dataclass(frozen=True)
class Tab:
    name: str
    status: tuple[str, ...]
    mine: bool = False


TABS = {
    "open": Tab("open", ("open",)),
    "mine": Tab("mine", ("open",), mine=True),
    "closed": Tab("closed", ("completed", "rejected")),
}


def tab(wanted: str | None) -> Tab:
    return TABS.get(wanted or "", TABS["open"])


def filters(chosen: Tab, me: str, act: str | None, office: str | None) -> dict[str, Any]:
    """What admin's ``GET /tasks`` is asked for: only known acts, an office code as given."""
    return {
        "status": list(chosen.status),
        "assignee": me if chosen.mine else None,
        "act": act if act in ADMIN_ACTS else None,
        "office": (office or "").strip().lower() or None,
        "limit": 500,
    }


def due(task: Json, now: datetime) -> Due:
    if task.get("status") != "open":
        return Due.CLOSED
    at = parse(task.get("due_at"))
    if at is None:
        return Due.UNKNOWN
    if at <= now:
        return Due.OVERDUE
    return Due.SOON if at - now <= SOON else Due.LATER


def by_due_date(tasks: Sequence[Json]) -> list[Json]:
    """The soonest due first; tasks without a due date last, the oldest first among them."""

    def key(task: Json) -> tuple[int, str, str]:
        at = parse(task.get("due_at"))
        opened = task.get("opened_at") or ""
        return (0, at.isoformat(), opened) if at else (1, "", opened)

    return sorted(tasks, key=key)


def fingerprint(task: Json) -> str:
    """What makes a row worth announcing when it changes."""
    parts = (task.get("status"), task.get("assignee"), task.get("due_at"))
    return "|".join("" if p is None else str(p) for p in parts)


def offices(tasks: Sequence[Json]) -> list[str]:
    """The offices the listed tasks belong to, for the filter."""
    return sorted({str(t["office"]) for t in tasks if t.get("office")})


def allowed(task: Json, me: str) -> tuple[str, ...]:
    """What the person may do: claim an open task nobody holds; complete or reject an open
    one nobody else holds."""
    if task.get("status") != "open":
        return ()
    holder = task.get("assignee")
    if holder is None:
        return ("claim", "complete", "reject")
    return ("complete", "reject") if holder == me else ()


def command_body(action: str, form: Mapping[str, str]) -> dict[str, Any] | None:
    """The body admin expects: a completion's note is optional, a rejection's reason is not."""
    note = (form.get("note") or "").strip()
    if action == "claim":
        return None
    if action == "complete":
        return {"note": note}
    if action == "reject":
        if not note:
            raise BadAction("reject needs a reason")
        return {"note": note}
    raise BadAction(action)
