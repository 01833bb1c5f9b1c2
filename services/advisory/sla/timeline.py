"""The inputs of a case's SLA clocks, pure: when the case was first routed (first line), its
waits on the member, its first reply (or its resolution) and its resolution."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime
from uuid import UUID

from services.advisory.domain import CaseEvent, order
from shared.events import CaseResolved, CaseRouted, ReplySent, Tier, WaitingEnded, WaitingOnMember
from shared.sla_events import SlaClock

# The case facts an SLA clock depends on.
CLOCK_FACTS = ("CaseRouted", "ReplySent", "WaitingOnMember", "WaitingEnded", "CaseResolved")


@dataclass(frozen=True)
class Wait:
    begun_at: datetime
    begun_by: UUID
    ended_at: datetime | None = None
    ended_by: UUID | None = None


@dataclass(frozen=True)
class Timeline:
    """What a case's facts say about its clocks."""

    case_id: UUID
    member_id: str = ""
    correlation_id: UUID | None = None
    opened: tuple[datetime, UUID] | None = None
    topic_family: str | None = None
    waits: tuple[Wait, ...] = ()
    first_response: tuple[datetime, UUID] | None = None
    resolution: tuple[datetime, UUID] | None = None
    # The office holding the case from each routing on: its calendar counts the clocks.
    offices: tuple[tuple[datetime, str], ...] = ()

    def office_at(self, at: datetime) -> str | None:
        """The office that held the case at ``at`` (the first one before its first routing)."""
        held = [office for since, office in self.offices if since <= at]
        if held:
            return held[-1]
        return self.offices[0][1] if self.offices else None

    def stop(self, clock: SlaClock) -> tuple[datetime, UUID] | None:
        return self.first_response if clock is SlaClock.FIRST_RESPONSE else self.resolution

    def points(self, clock: SlaClock, start: datetime) -> list[tuple[datetime, str, Wait]]:
        """What changes the clock after ``start``, in time order: each wait's begin ("pause")
        and end ("resume"), and the clock's goal reached ("stop", as a Wait of its event)."""
        found = []
        for w in self.waits:
            if w.begun_at >= start:
                found.append((w.begun_at, "pause", w))
                if w.ended_at is not None:
                    found.append((w.ended_at, "resume", w))
        stop = self.stop(clock)
        if stop is not None:
            found.append((stop[0], "stop", Wait(*stop)))
        return sorted(found, key=lambda p: p[0])


def timeline(case_id: UUID, events: Iterable[CaseEvent]) -> Timeline:
    """The clocks' inputs: the first first-line routing, the waits on the member, the first
    reply (or the resolution) and the resolution."""
    facts = sorted(events, key=order)
    opened = first_response = resolution = None
    family: str | None = None
    waits: list[Wait] = []
    offices: list[tuple[datetime, str]] = []
    for e in facts:
        at = (e.occurred_at, e.event_id)
        if isinstance(e, CaseRouted):
            offices.append((e.occurred_at, e.office))
        match e:
            case CaseRouted() if e.tier is Tier.FIRST_LINE and opened is None:
                opened, family = at, e.topic_family
            case WaitingOnMember() if not waits or waits[-1].ended_at is not None:
                waits.append(Wait(e.occurred_at, e.event_id))
            case WaitingEnded() if waits and waits[-1].ended_at is None:
                waits[-1] = Wait(waits[-1].begun_at, waits[-1].begun_by, *at)
            case ReplySent() if first_response is None:
                first_response = at
            case CaseResolved() if resolution is None:
                resolution = at
                first_response = first_response or at
    return Timeline(
        case_id=case_id,
        member_id=facts[-1].member_id if facts else "",
        correlation_id=facts[0].correlation_id if facts else None,
        opened=opened,
        topic_family=family,
        waits=tuple(waits),
        first_response=first_response,
        resolution=resolution,
        offices=tuple(offices),
    )
