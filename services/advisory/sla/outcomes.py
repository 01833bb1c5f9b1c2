"""What SLA facts lead to, pure: a clock's summary (what advisory's `sla_clocks` rows and the
BI views show), and the automatic escalation a breach triggers."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, replace
from datetime import datetime
from uuid import UUID, uuid5

from services.advisory.domain import SLA_ACTOR, CaseState, Status
from services.advisory.sla.clock import NAMESPACE, SERVICE
from shared.events import CaseEscalated, EscalationReason, Tier, case_envelope
from shared.sla_events import (
    SlaBreached,
    SlaEvent,
    SlaMet,
    SlaPaused,
    SlaResumed,
    SlaStarted,
    SlaWarned,
)

ESCALATES_FROM = (Status.QUEUED, Status.CLAIMED, Status.WAITING)


@dataclass(frozen=True)
class ClockSummary:
    priority: str | None = None
    target_s: float | None = None
    started_at: datetime | None = None
    deadline: datetime | None = None
    warn_at: datetime | None = None
    paused: bool = False
    pauses: int = 0
    resumes: int = 0
    warned_at: datetime | None = None
    breached_at: datetime | None = None
    met_at: datetime | None = None
    on_time: bool | None = None
    elapsed_s: float | None = None
    paused_s: float = 0.0
    # While paused: since when, and the WaitingOnMember that paused it (reminders, closures).
    paused_since: datetime | None = None
    paused_wait: UUID | None = None
    # Runs started again by reopenings (resolution clock); the fields above describe the last
    # run, except the pause counts and paused_s, which add up over all runs.
    restarts: int = 0

    @property
    def next_due(self) -> datetime | None:
        """When the tick must look at the clock again if nothing else happens: the warning,
        then the deadline; never while paused, stopped or already breached."""
        if self.started_at is None or self.met_at or self.paused or self.breached_at:
            return None
        return self.warn_at if self.warn_at and not self.warned_at else self.deadline


def summary(facts: Sequence[SlaEvent]) -> ClockSummary:
    """One clock's state after its facts, whatever order they were recorded in."""
    c = ClockSummary()
    paused_since: datetime | None = None
    for f in sorted(facts, key=lambda f: (f.occurred_at, f.event_id)):
        match f:
            case SlaStarted():
                # A later start is a run after a reopening: it starts afresh (the last run is
                # what the row shows; every run's facts stay in sla_facts).
                again = c.started_at is not None
                c = replace(
                    ClockSummary(pauses=c.pauses, resumes=c.resumes, paused_s=c.paused_s),
                    restarts=c.restarts + 1 if again else c.restarts,
                    priority=f.priority.value,
                    target_s=f.target_seconds,
                    started_at=f.started_at,
                    deadline=f.deadline,
                    warn_at=f.warn_at,
                )
                paused_since = None
            case SlaPaused():
                c, paused_since = replace(c, paused=True, pauses=c.pauses + 1), f.paused_at
                c = replace(c, paused_wait=f.wait_event_id)
            case SlaResumed():
                waited = (f.resumed_at - paused_since).total_seconds() if paused_since else 0.0
                c = replace(
                    c,
                    paused=False,
                    resumes=c.resumes + 1,
                    paused_s=c.paused_s + waited,
                    deadline=f.deadline,
                    warn_at=f.warn_at,
                )
                paused_since = None
            case SlaWarned():
                c = replace(c, warned_at=f.warned_at)
            case SlaBreached():
                c = replace(c, breached_at=f.breached_at)
            case SlaMet():
                c = replace(
                    c, paused=False, met_at=f.met_at, on_time=f.on_time, elapsed_s=f.elapsed_seconds
                )
    if not c.paused:
        return replace(c, paused_wait=None)
    return replace(c, paused_since=paused_since)


def escalation(
    state: CaseState, new_facts: Sequence[SlaEvent], now: datetime
) -> CaseEscalated | None:
    """A first-line case still open whose clock was just breached goes to the support team."""
    breaches = sorted(
        (f for f in new_facts if isinstance(f, SlaBreached)), key=lambda f: f.breached_at
    )
    if not breaches or state.tier is not Tier.FIRST_LINE or state.status not in ESCALATES_FROM:
        return None
    breach = breaches[0]
    at = state.next_time(now)
    hours = breach.target_seconds / 3600
    assert state.office is not None  # a first-line case was routed to an office
    about = state.case_id, state.member_id, state.correlation_id
    event_id = escalation_id(breach.event_id)
    envelope = case_envelope(*about, event_id, at, SERVICE, cause=breach.event_id)
    return CaseEscalated(
        type="CaseEscalated",
        **envelope,
        reason_code=EscalationReason.SLA_BREACH,
        note=f"SLA breach: the {breach.clock.value.replace('_', ' ')} target of {hours:g} "
        f"business hours passed at {breach.breached_at.isoformat()}.",
        escalated_by=SLA_ACTOR,
        office=state.office,
        escalated_at=at,
    )


def escalation_id(breach: UUID) -> UUID:
    return uuid5(NAMESPACE, f"escalation:{breach}")
