"""Waits on the member left unanswered, pure: after ``remind_after_days`` business days of the
case's office a reminder (``MemberReminded``), after ``close_after_days`` the case closed as
``no_response_from_member`` (``CaseResolved``, no administrative act, so admin opens no task).

Decided by the SLA tick from the case's state and its open wait, with time as an input. Each
fact's id is derived from the wait, and its time is when it fell due (not when the tick saw
it), so a late, repeated or concurrent tick decides the same facts."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from uuid import UUID, uuid5

from services.advisory.domain import SLA_ACTOR, TICK, CaseEvent, CaseState, Status
from services.advisory.sla.clock import NAMESPACE, SERVICE
from services.advisory.sla.policy import SlaPolicy
from shared.business_calendar import add_business_days
from shared.events import CaseResolved, MemberReminded, Outcome, case_envelope


@dataclass(frozen=True)
class OpenWait:
    """A wait on the member, as the case's paused resolution clock knows it."""

    case_id: UUID
    wait_event_id: UUID
    since: datetime


def reminder_id(wait: UUID) -> UUID:
    return uuid5(NAMESPACE, f"reminder:{wait}")


def closure_id(wait: UUID) -> UUID:
    return uuid5(NAMESPACE, f"no-response:{wait}")


def due(
    state: CaseState, wait: OpenWait, reminded: bool, policy: SlaPolicy, now: datetime
) -> list[CaseEvent]:
    """The reminder and the closure due on this wait at ``now`` and not decided yet."""
    if state.status is not Status.WAITING or state.office is None:
        return []
    calendar = policy.calendar_for(state.office)
    remind_at = add_business_days(calendar, wait.since, policy.remind_after_days)
    close_at = add_business_days(calendar, wait.since, policy.close_after_days)
    about = state.case_id, state.member_id, state.correlation_id
    found: list[CaseEvent] = []
    if not reminded and remind_at <= now:
        at = state.next_time(remind_at)
        found.append(
            MemberReminded(
                type="MemberReminded",
                **case_envelope(*about, reminder_id(wait.wait_event_id), at, SERVICE),
                wait_event_id=wait.wait_event_id,
                waiting_since=wait.since,
                business_days=policy.remind_after_days,
                office=state.office,
                reminded_at=at,
            )
        )
    if close_at <= now:
        at = state.next_time(close_at)
        if found and at <= found[-1].occurred_at:  # the reminder first, then the closure
            at = found[-1].occurred_at + TICK
        days = f"{policy.close_after_days:g}"
        found.append(
            CaseResolved(
                type="CaseResolved",
                **case_envelope(*about, closure_id(wait.wait_event_id), at, SERVICE),
                outcome=Outcome.NO_RESPONSE,
                admin_act=None,
                # Whoever held the wait: a reopening gives the case back to them.
                resolved_by=state.assignee or SLA_ACTOR,
                tier=state.tier,
                office=state.office,
                note=f"Closed: no answer from the member after {days} business days.",
                resolved_at=at,
            )
        )
    return found
