"""The team lead's screen: each adviser's workload (advisory's ``GET /workload``) beside their
absences (routing's ``GET /advisers``), how loaded each one is, the colleagues a case may go
to, and the bodies of the absence and reassignment commands."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from enum import StrEnum
from typing import Any

from services.console.formatting import BRUSSELS

Json = Mapping[str, Any]
OPEN_HELD = ("claimed", "waiting_on_member")


class Load(StrEnum):
    """How full an adviser is, in words (never colour alone)."""

    AWAY = "away"
    OVER = "over"  # more open cases than their capacity
    FULL = "full"
    ROOM = "room"


@dataclass(frozen=True)
class Adviser:
    """One row of the screen: the workload and the absences not over yet."""

    adviser_id: str
    desk: str | None
    capacity: int
    claimed: int
    waiting: int
    open_cases: int
    away_until: str | None
    absences: tuple[Json, ...] = field(default_factory=tuple)

    @property
    def load(self) -> Load:
        if self.away_until:
            return Load.AWAY
        if self.open_cases > self.capacity:
            return Load.OVER
        return Load.FULL if self.open_cases == self.capacity else Load.ROOM


def advisers(workload: Json, roster: Json) -> list[Adviser]:
    """The workload's advisers, each with their absences from the roster, by id."""
    absences = {a["adviser_id"]: tuple(a.get("absences") or ()) for a in roster.get("advisers", [])}
    rows = [
        Adviser(
            adviser_id=w["adviser_id"],
            desk=w.get("desk"),
            capacity=int(w.get("capacity") or 0),
            claimed=int(w.get("claimed") or 0),
            waiting=int(w.get("waiting") or 0),
            open_cases=int(w.get("open_cases") or 0),
            away_until=w.get("away_until"),
            absences=absences.get(w["adviser_id"], ()),
        )
        for w in workload.get("advisers", [])
    ]
    return sorted(rows, key=lambda a: a.adviser_id)


def fingerprint(adviser: Adviser) -> str:
    """What makes a row worth announcing when it changes."""
    absences = ",".join(str(a.get("absence_id")) for a in adviser.absences)
    parts = (adviser.claimed, adviser.waiting, adviser.capacity, adviser.away_until, absences)
    return "|".join("" if p is None else str(p) for p in parts)


def colleagues(team: Sequence[Adviser], holder: str | None) -> list[str]:
    """Whom a case can go to: the team's advisers who are not away, its holder excepted."""
    return [a.adviser_id for a in team if not a.away_until and a.adviser_id != holder]


def moment(local: str | None) -> str | None:
    """A ``datetime-local`` field's value (Brussels wall time) as an aware ISO 8601 time;
    None when it is empty or not a time."""
    if not local:
        return None
    try:
        naive = datetime.fromisoformat(local.strip())
    except ValueError:
        return None
    aware = naive if naive.tzinfo else naive.replace(tzinfo=BRUSSELS)
    return aware.isoformat()


class BadForm(ValueError):
    """The form misses what the command needs: its i18n key says what."""

    def __init__(self, key: str) -> None:
        super().__init__(key)
        self.key = key


def absence_body(form: Mapping[str, str]) -> tuple[str, dict[str, Any]]:
    """The adviser and routing's ``RecordAbsence`` body."""
    who = (form.get("adviser") or "").strip()
    starts, ends = moment(form.get("starts_at")), moment(form.get("ends_at"))
    if not who:
        raise BadForm("team.adviser_required")
    if starts is None or ends is None:
        raise BadForm("team.dates_required")
    body: dict[str, Any] = {
        "starts_at": starts,
        "ends_at": ends,
        "reason": (form.get("reason") or "").strip(),
    }
    cover = (form.get("covered_by") or "").strip()
    if cover:
        body["covered_by"] = cover
    return who, body


def reassign_body(form: Mapping[str, str]) -> dict[str, str]:
    """advisory's ``Reassign`` body: to whom, and why."""
    to = (form.get("to") or "").strip()
    reason = (form.get("reason") or "").strip()
    if not to:
        raise BadForm("team.colleague_required")
    if not reason:
        raise BadForm("team.reason_required")
    return {"to": to, "reason": reason}


def if_match(seen_version: str | None) -> str | None:
    """The case version the lead saw on the list (advisory refuses a stale one with what
    changed, so a case that moved meanwhile is not given away blindly)."""
    if seen_version and seen_version.isdigit():
        return f'"{seen_version}"'
    return None
