"""The organisation the lab replays with, folded from organisation facts: either the ones on
the `organisation` log up to a date, or the ones routing's seed makes from a seed-format file.
The offices come out as routing's own ``Staffing`` (desks, first-line advisers, model history),
so the policies see exactly what they see live."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime
from uuid import UUID

from services.routing.deciding import Staffing
from services.routing.organisation.model import Adviser, Desk, ModelChange
from shared.envelope import Tier
from shared.organisation_events import (
    AdviserAbsenceCancelled,
    AdviserAbsenceRecorded,
    AdviserProfileSet,
    DeskDefined,
    OfficeModelChanged,
    OrganisationEvent,
)


@dataclass(frozen=True)
class Absence:
    adviser_id: str
    starts_at: datetime
    ends_at: datetime


@dataclass(frozen=True)
class Roster:
    """Offices as routing knows them, the support team's capacity, and recorded absences."""

    offices: dict[str, Staffing]
    support_slots: int
    absences: tuple[Absence, ...] = ()
    languages: dict[str, frozenset[str]] = field(default_factory=dict)  # adviser -> languages

    def adviser_count(self) -> int:
        return sum(len(s.advisers) for s in self.offices.values())


def fold(facts: Iterable[OrganisationEvent], as_of: datetime | None = None) -> Roster:
    """The organisation the facts decided, up to ``as_of`` (all of them when None): the latest
    fact about a desk or an adviser wins (by occurred_at, then event_id), as in routing."""
    ordered = sorted(
        (f for f in facts if as_of is None or f.occurred_at <= as_of),
        key=lambda f: (f.occurred_at, f.event_id.int),
    )
    changes: list[ModelChange] = []
    desks: dict[tuple[str, str], DeskDefined] = {}
    profiles: dict[str, AdviserProfileSet] = {}
    absences: dict[UUID, AdviserAbsenceRecorded] = {}
    for fact in ordered:
        match fact:
            case OfficeModelChanged():
                changes.append(
                    ModelChange(
                        fact.office, fact.model, fact.effective_at, fact.occurred_at, fact.event_id
                    )
                )
            case DeskDefined():
                desks[(fact.office, fact.desk)] = fact
            case AdviserProfileSet():
                profiles[fact.adviser_id] = fact
            case AdviserAbsenceRecorded():
                absences[fact.absence_id] = fact
            case AdviserAbsenceCancelled():
                absences.pop(fact.absence_id, None)
    return _roster(changes, desks.values(), profiles.values(), absences.values())


def _roster(
    changes: Iterable[ModelChange],
    desks: Iterable[DeskDefined],
    profiles: Iterable[AdviserProfileSet],
    absences: Iterable[AdviserAbsenceRecorded],
) -> Roster:
    active = [p for p in profiles if p.active]
    first_line = sorted(
        (p for p in active if p.team is Tier.FIRST_LINE), key=lambda p: p.adviser_id
    )
    codes = sorted(
        {c.office for c in changes} | {d.office for d in desks} | {p.office for p in first_line}
    )
    offices = {
        code: Staffing(
            code,
            tuple(sorted((_desk(d) for d in desks if d.office == code), key=lambda d: d.desk_id)),
            tuple(_adviser(p) for p in first_line if p.office == code),
            tuple(c for c in changes if c.office == code),
        )
        for code in codes
    }
    return Roster(
        offices=offices,
        support_slots=sum(p.capacity for p in active if p.team is Tier.SUPPORT),
        absences=tuple(
            Absence(a.adviser_id, a.starts_at, a.ends_at)
            for a in sorted(absences, key=lambda a: (a.starts_at, a.absence_id.int))
        ),
        languages={p.adviser_id: frozenset(x.value for x in p.languages) for p in first_line},
    )


def _desk(d: DeskDefined) -> Desk:
    return Desk(d.desk, d.office, d.kind, frozenset(d.topic_families))


def _adviser(p: AdviserProfileSet) -> Adviser:
    return Adviser(
        adviser_id=p.adviser_id,
        office=p.office,
        languages=frozenset(lang.value for lang in p.languages),
        skills=frozenset(p.skills),
        capacity=p.capacity,
        desk=p.desk,
    )
