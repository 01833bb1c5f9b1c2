"""A list of cases (a queue, my cases, escalations): what to ask advisory's ``GET /cases``
for, and what the live update compares."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from shared.identity import Role

OPEN_HELD = ("claimed", "waiting_on_member")


@dataclass(frozen=True)
class Listing:
    """One list a screen shows: its name (a tab) and the filters advisory gets."""

    name: str
    filters: Mapping[str, Any]


def adviser_lists(me: str, office: str | None, queue: str | None) -> dict[str, Listing]:
    """An adviser's two lists: their office's first-line queue (or one desk's), and theirs."""
    return {
        "queue": Listing(
            "queue",
            {"office": office, "tier": "first_line", "state": ["queued"], "queue": queue},
        ),
        "mine": Listing("mine", {"assignee": me, "state": list(OPEN_HELD)}),
    }


def support_lists(me: str, language: str | None) -> dict[str, Listing]:
    """Support's lists: escalations routing matched to me, the support queue, and mine."""
    return {
        "for_me": Listing("for_me", {"tier": "support", "state": ["queued"], "routed_to": me}),
        "queue": Listing("queue", {"tier": "support", "state": ["queued"], "language": language}),
        "mine": Listing("mine", {"tier": "support", "assignee": me, "state": list(OPEN_HELD)}),
    }


def pick(lists: Mapping[str, Listing], wanted: str | None) -> Listing:
    first = next(iter(lists.values()))
    return lists.get(wanted or "", first)


def fingerprint(row: Mapping[str, Any]) -> str:
    """What makes a row worth announcing when it changes (not the ageing relative times)."""
    notice = row.get("notice") or {}
    parts = (
        row.get("status"),
        row.get("assignee"),
        row.get("sla_due_at"),
        notice.get("kind"),
        row.get("replies"),
    )
    return "|".join("" if p is None else str(p) for p in parts)


def can_claim(row: Mapping[str, Any], role: Role) -> bool:
    if row.get("status") != "queued":
        return False
    tier = row.get("tier")
    return (tier == "first_line" and role is Role.ADVISER) or (
        tier == "support" and role is Role.SUPPORT
    )
