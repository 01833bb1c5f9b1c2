"""The case version a staff command was decided on, pure: every command may carry the version
of the case its sender saw (``If-Match``, the ETag of ``GET /cases/{id}``); if the case has
changed since, the command is refused with what changed, and publishes nothing. Two advisers
answering the same member at once: the second learns that the first replied, and nothing is
sent twice.

A case's version is the number of facts in its history (``CaseState.events``): every fact
about a case, whichever topic or command it came from, adds one, so the version only grows."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from shared.refusals import Conflict, Invalid

STALE = "stale_version"

# What each fact means, in words: "<actor> <words> at <time>".
WORDS = {
    "CaseRouted": "put the case in a queue",
    "CaseClaimed": "claimed the case",
    "NoteAdded": "added an internal note",
    "ReplySent": "replied to the member",
    "WaitingOnMember": "put the case on hold for the member",
    "WaitingEnded": "took the case back from waiting",
    "CaseEscalated": "escalated the case to support",
    "CaseReturned": "returned the case to its adviser",
    "CaseResolved": "resolved the case",
    "CaseReopened": "reopened the case",
    "CaseReleased": "released the case to its queue",
    "CaseReassigned": "gave the case to a colleague",
    "CaseTransferred": "transferred the case",
    "MemberMessageReceived": "wrote a message",
    "MemberReminded": "reminded the member",
    "FollowUpRequested": "asked for a follow-up case",
}


@dataclass(frozen=True)
class Fact:
    """A fact of the case's history, as much as a stale command's answer tells of it."""

    version: int  # the case's version once this fact was added
    type: str
    actor: str
    occurred_at: datetime

    def summary(self) -> str:
        words = WORDS.get(self.type, f"recorded {self.type}")
        return f"{self.actor} {words} at {self.occurred_at:%Y-%m-%d %H:%M} UTC"

    def as_json(self) -> dict[str, Any]:
        return {
            "version": self.version,
            "type": self.type,
            "actor": self.actor,
            "occurred_at": self.occurred_at.isoformat(),
            "summary": self.summary(),
        }


def etag(version: int) -> str:
    """The ETag of a case at ``version`` (a strong validator: the version names the state)."""
    return f'"{version}"'


def seen(if_match: str | None) -> frozenset[int] | None:
    """The versions an ``If-Match`` header names; None when it asks for no check (absent, or
    ``*``). Accepts ``"7"``, ``W/"7"`` and a bare ``7``, comma-separated."""
    if if_match is None or if_match.strip() in ("", "*"):
        return None
    versions = set()
    for part in if_match.split(","):
        tag = part.strip().removeprefix("W/").strip('"')
        if not tag.isdigit() or len(tag) > 12:
            raise Invalid(
                "bad_if_match",
                f"If-Match {part.strip()!r} is not a case version: send the ETag of "
                'GET /cases/{case_id}, e.g. If-Match: "7".',
            )
        versions.add(int(tag))
    return frozenset(versions)


def is_stale(version: int, versions: frozenset[int] | None) -> bool:
    return versions is not None and version not in versions


def facts_since(history: Sequence[Mapping[str, Any]], version: int) -> list[Fact]:
    """The facts added after ``version``, from the case's history in its canonical order
    (rows with ``type``, ``actor`` and ``occurred_at``)."""
    return [
        Fact(n, row["type"], row["actor"], row["occurred_at"])
        for n, row in enumerate(history, start=1)
        if n > version
    ]


def refusal(
    version: int, versions: frozenset[int], history: Sequence[Mapping[str, Any]]
) -> Conflict:
    """The 409 for a command decided on another version than ``version``, saying what changed
    since the latest version the sender saw."""
    saw = max(versions)
    if saw > version:
        message = f"The case is at version {version}, not {saw}: reload it."
        return Conflict(STALE, message, {"seen_version": saw, "version": version, "changes": []})
    changes = facts_since(history, saw)
    told = "; ".join(f.summary() for f in changes[-3:])
    more = f" ({len(changes) - 3} more before)" if len(changes) > 3 else ""
    message = f"The case changed since you opened it: {told}{more}. Read it again, then decide."
    details = {"seen_version": saw, "version": version, "changes": [f.as_json() for f in changes]}
    return Conflict(STALE, message, details)
