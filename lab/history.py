"""What the log says happened to each case: its first routing, claims, first reply, waits on
the member, escalation and resolution. Read from the backbone topics and `case-activity`, in
any order (the latest/earliest fact wins as each field requires), and turned into the same
``Run`` a simulation makes, so the log's period is measured by the very same code."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import datetime

from lab.cases import Case
from lab.clock import Clock
from lab.outcome import Run
from shared.events import (
    CaseClaimed,
    CaseEscalated,
    CaseResolved,
    CaseRouted,
    ReplySent,
    Tier,
    WaitingEnded,
    WaitingOnMember,
)


@dataclass
class Story:
    """One case's facts, as far as the lab needs them."""

    routed: CaseRouted | None = None
    claimed: datetime | None = None  # first claim by a first-line adviser
    replied: datetime | None = None  # first reply
    escalated: datetime | None = None
    support_claimed: datetime | None = None
    resolved: CaseResolved | None = None
    waits: list[datetime] = field(default_factory=list)  # when each wait on the member began
    ended: list[datetime] = field(default_factory=list)  # when each ended
    holders: set[str] = field(default_factory=set)


def _earliest(a: datetime | None, b: datetime) -> datetime:
    return b if a is None or b < a else a


def stories(events: Iterable[object]) -> dict[str, Story]:
    """case id -> its story."""
    found: dict[str, Story] = {}
    for e in events:
        case_id = str(getattr(e, "case_id", ""))
        s = found.setdefault(case_id, Story())
        match e:
            case CaseRouted() if e.tier is Tier.FIRST_LINE:
                if s.routed is None or e.routed_at < s.routed.routed_at:
                    s.routed = e
            case CaseClaimed() if e.tier is Tier.FIRST_LINE:
                s.claimed = _earliest(s.claimed, e.claimed_at)
                s.holders.add(e.claimed_by)
            case CaseClaimed():
                s.support_claimed = _earliest(s.support_claimed, e.claimed_at)
            case ReplySent():
                s.replied = _earliest(s.replied, e.sent_at)
            case WaitingOnMember():
                s.waits.append(e.since)
            case WaitingEnded():
                s.ended.append(e.ended_at)
            case CaseEscalated():
                s.escalated = _earliest(s.escalated, e.escalated_at)
            case CaseResolved():
                s.resolved = e
    return found


def paused(s: Story, clock: Clock) -> float:
    """Business seconds the case waited on the member (waits and their ends paired in time
    order: a case waits once at a time; a wait not ended yet counts nothing)."""
    pairs = zip(sorted(s.waits), sorted(s.ended), strict=False)
    return sum(max(0.0, clock.seconds(end) - clock.seconds(begun)) for begun, end in pairs)


def as_run(cases: Sequence[Case], found: dict[str, Story], clock: Clock) -> Run:
    """The log's period as a ``Run``: the measured outcome the backtest compares with."""
    arrived = [clock.seconds(c.received_at) for c in cases]
    first, resolved, waits, adviser, escalated, speaks = [], [], [], [], [], []
    for c in cases:
        s = found.get(c.case_id, Story())
        stop = s.replied or (s.resolved.resolved_at if s.resolved else None)
        first.append(clock.seconds(stop) if stop else None)
        resolved.append(clock.seconds(s.resolved.resolved_at) if s.resolved else None)
        waits.append(paused(s, clock))
        who = _first_line_holder(s)
        adviser.append(who)
        escalated.append(s.escalated is not None)
        speaks.append(False)
    horizon = max([t for t in resolved if t is not None] + arrived + [0.0])
    return Run(
        arrived=arrived,
        first_response=first,
        resolved=resolved,
        paused=waits,
        adviser=adviser,
        escalated=escalated,
        handoffs=[int(e) for e in escalated],
        speaks=speaks,
        held={},
        taken={},
        capacity={},
        office_of={},
        horizon=horizon,
    )


def _first_line_holder(s: Story) -> str | None:
    if s.resolved is not None and s.resolved.tier is Tier.FIRST_LINE:
        return s.resolved.resolved_by
    if s.routed is not None and s.routed.adviser_id:
        return s.routed.adviser_id
    return min(s.holders) if s.holders else None
