"""Reopening a resolved case, pure, for every cause (staff, a member's message, a rejected
administrative task): one rule for whom it goes back to, so every reopening is the same.

The staff member who resolved it knows it best: it goes back to them (claimed), unless they
cannot take it (away, or the resolution was automatic); then to its queue (queued)."""

from __future__ import annotations

from collections.abc import Collection
from datetime import datetime
from uuid import UUID

from services.advisory import decisions
from services.advisory.domain import SLA_ACTOR, CaseState, Status
from shared.events import CaseReopened, ReopenCause
from shared.refusals import Conflict

# Resolutions no person made: nobody to give the case back to.
AUTOMATIC = frozenset({SLA_ACTOR, decisions.SERVICE})


def reopen(
    state: CaseState,
    *,
    actor: str,
    cause: ReopenCause,
    reason: str,
    event_id: UUID,
    now: datetime,
    away: Collection[str] = (),
) -> CaseReopened:
    """A resolved case opened again: back to whoever resolved it unless they are ``away`` or
    no person resolved it, then to its queue. ``actor`` is the staff id, or the service
    deciding for the member or a task. Raises Conflict if the case is not resolved."""
    if state.status is not Status.RESOLVED:
        raise Conflict("not_resolved", f"The case is {state.status}: only a resolved case reopens.")
    assert state.office is not None  # a resolved case was routed, so it has its office
    at = state.next_time(now)
    return CaseReopened(
        type="CaseReopened",
        **decisions.envelope(state, event_id, at),
        actor=actor,
        cause=cause,
        reason=reason,
        reopened_to=reopened_to(state, away),
        office=state.office,
        reopened_at=at,
    )


def reopened_to(state: CaseState, away: Collection[str] = ()) -> str | None:
    """Who holds a reopened case: its resolver, if a person who is not away; else nobody."""
    who = state.resolved_by
    if who is None or who in AUTOMATIC or who in away:
        return None
    return who
