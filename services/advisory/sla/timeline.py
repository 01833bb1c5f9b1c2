"""The inputs of a case's SLA clocks, pure: when the case was first routed (first line), its
waits on the member, its first reply (or its resolution), its resolutions and its reopenings.

A reopened case (``CaseReopened``, whatever the cause) starts a new resolution clock at the
reopening: the member is waiting for an answer again. Its first response was given, so the
first-response clock stays met. Each run of the resolution clock is a ``Cycle``: the first from
the first routing to the first resolution, then one from each reopening to the next resolution."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime
from uuid import UUID

from services.advisory.domain import CaseEvent, order
from shared.events import (
    CaseReopened,
    CaseResolved,
    CaseRouted,
    ReplySent,
    Tier,
    WaitingEnded,
    WaitingOnMember,
)
from shared.sla_events import SlaClock

# The case facts an SLA clock depends on.
CLOCK_FACTS = (
    "CaseRouted",
    "ReplySent",
    "WaitingOnMember",
    "WaitingEnded",
    "CaseResolved",
    "CaseReopened",
)


@dataclass(frozen=True)
class Wait:
    begun_at: datetime
    begun_by: UUID
    ended_at: datetime | None = None
    ended_by: UUID | None = None


@dataclass(frozen=True)
class Cycle:
    """One run of a clock: from ``start`` (the routing, or a reopening: its time and fact) to
    ``stop`` (its goal reached), ``reopened_by`` None for the first run."""

    start: tuple[datetime, UUID]
    stop: tuple[datetime, UUID] | None
    reopened_by: UUID | None = None


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
    # Every resolution and every reopening, in time order (a reopened case resolves again).
    resolutions: tuple[tuple[datetime, UUID], ...] = ()
    reopenings: tuple[tuple[datetime, UUID], ...] = ()

    def office_at(self, at: datetime) -> str | None:
        """The office that held the case at ``at`` (the first one before its first routing)."""
        held = [office for since, office in self.offices if since <= at]
        if held:
            return held[-1]
        return self.offices[0][1] if self.offices else None

    def stop(self, clock: SlaClock) -> tuple[datetime, UUID] | None:
        return self.first_response if clock is SlaClock.FIRST_RESPONSE else self.resolution

    def cycles(self, clock: SlaClock) -> list[Cycle]:
        """The runs of the clock: the first from the first-line routing; for the resolution
        clock, one more from each reopening to the first resolution after it."""
        if self.opened is None:
            return []
        found = [Cycle(self.opened, self.stop(clock))]
        if clock is SlaClock.RESOLUTION:
            for at, reopened_by in self.reopenings:
                if at < self.opened[0]:
                    continue
                stop = next((r for r in self.resolutions if r[0] > at), None)
                found.append(Cycle((at, reopened_by), stop, reopened_by))
        return found

    def points(
        self, clock: SlaClock, start: datetime, cycle: Cycle | None = None
    ) -> list[tuple[datetime, str, Wait]]:
        """What changes the clock after ``start``, in time order: each wait's begin ("pause")
        and end ("resume"), and the clock's goal reached ("stop", as a Wait of its event) —
        the stop of ``cycle`` when given, else the clock's first."""
        found = []
        for w in self.waits:
            if w.begun_at >= start:
                found.append((w.begun_at, "pause", w))
                if w.ended_at is not None:
                    found.append((w.ended_at, "resume", w))
        stop = cycle.stop if cycle is not None else self.stop(clock)
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
    resolutions: list[tuple[datetime, UUID]] = []
    reopenings: list[tuple[datetime, UUID]] = []
    # A wait left open by a resolution (closed for no response) ends with it: after a
    # reopening, the next wait on the member is a new one.
    wait_open = False
    for e in facts:
        at = (e.occurred_at, e.event_id)
        if isinstance(e, CaseRouted):
            offices.append((e.occurred_at, e.office))
        match e:
            case CaseRouted() if e.tier is Tier.FIRST_LINE and opened is None:
                opened, family = at, e.topic_family
            case WaitingOnMember() if not wait_open:
                waits.append(Wait(e.occurred_at, e.event_id))
                wait_open = True
            case WaitingEnded() if wait_open:
                waits[-1] = Wait(waits[-1].begun_at, waits[-1].begun_by, *at)
                wait_open = False
            case ReplySent() if first_response is None:
                first_response = at
            case CaseResolved():
                resolutions.append(at)
                resolution = resolution or at
                first_response = first_response or at
                wait_open = False
            case CaseReopened():
                reopenings.append(at)
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
        resolutions=tuple(resolutions),
        reopenings=tuple(reopenings),
    )
