"""The moves decided, pure: ``decide`` is advisory's one entry point for commands (a move is
decided here, every other command by ``services.advisory.decisions``), and each move's checks
and the fact it becomes, or the refusal."""

from __future__ import annotations

from datetime import datetime
from uuid import UUID

from services.advisory import decisions
from services.advisory.decisions import Command
from services.advisory.domain import CaseEvent, CaseState, Status
from services.advisory.moves.kinds import MOVES, Reassign, Release, Reopen, Transfer
from services.advisory.moves.known import NOTHING, Known, check_destination, check_taker
from services.advisory.reopening import reopen  # the one rule, for every cause
from shared.events import (
    CaseReassigned,
    CaseReleased,
    CaseTransferred,
    MoveCause,
    ReopenCause,
    Tier,
)
from shared.identity import Principal, Role
from shared.refusals import Conflict, Forbidden


def decide(
    state: CaseState,
    command: Command,
    actor: Principal,
    *,
    event_id: UUID,
    now: datetime,
    known: Known = NOTHING,
) -> CaseEvent:
    """The one event a valid command becomes: a move decided here, any other command by
    ``decisions.decide``. Raises Forbidden, Conflict or Invalid otherwise."""
    if not isinstance(command, MOVES):
        return decisions.decide(state, command, actor, event_id=event_id, now=now)
    if not state.known:
        raise Conflict("unknown_case", f"No case {state.case_id} is known to advisory.")
    authorize(state, actor, command)
    match command:
        case Reopen():
            return reopen(
                state,
                actor=actor.subject,
                cause=ReopenCause.STAFF,
                reason=command.reason,
                event_id=event_id,
                now=now,
                away=known.away,
            )
        case Release():
            return release(state, actor, command.reason, event_id=event_id, now=now)
        case Reassign():
            return reassign(state, actor, command, known, event_id=event_id, now=now)
        case Transfer():
            return transfer(state, actor, command, known, event_id=event_id, now=now)
    raise TypeError(f"not a move: {type(command).__name__}")


def authorize(state: CaseState, actor: Principal, command: Command) -> None:
    """Those who work the case (advisers of its office, support), its office's team lead, and
    ops for a reassignment."""
    if actor.role is Role.OPS and isinstance(command, Reassign):
        return
    if actor.role is Role.TEAM_LEAD:
        if actor.office != state.office:
            raise Forbidden(
                "other_office",
                f"The case belongs to office {state.office}; the team lead of {actor.office} "
                "moves their own office's cases.",
            )
        return
    decisions.authorize(state, actor)


def release(
    state: CaseState,
    actor: Principal,
    reason: str,
    *,
    event_id: UUID,
    now: datetime,
    cause: MoveCause = MoveCause.STAFF,
) -> CaseReleased:
    """A claimed case back to its queue. Its holder or a team lead may (``cause`` absence:
    advisory for an absent holder). A waiting case is reassigned, or its wait ended first:
    in a queue nobody would take the member's answer."""
    _open(state)
    if state.status is Status.WAITING:
        raise Conflict(
            "waiting_on_member",
            "The case waits on the member: end the wait first, or reassign it to a colleague.",
        )
    if state.status is not Status.CLAIMED or state.assignee is None:
        raise Conflict(
            "not_claimed", f"The case is {state.status}: only a claimed case is released."
        )
    _holder_or_lead(state, actor)
    at = state.next_time(now)
    assert state.office is not None  # known: routed, so in an office and a queue
    assert state.queue is not None
    return CaseReleased(
        type="CaseReleased",
        **decisions.envelope(state, event_id, at),
        released_by=actor.subject,
        released_from=state.assignee,
        cause=cause,
        reason=reason,
        office=state.office,
        queue=state.queue,
        released_at=at,
    )


def reassign(
    state: CaseState,
    actor: Principal,
    command: Reassign,
    known: Known,
    *,
    event_id: UUID,
    now: datetime,
    cause: MoveCause = MoveCause.STAFF,
) -> CaseReassigned:
    """The case to a named colleague who can take it (same office and team, not away)."""
    _open(state)
    if state.status not in (Status.QUEUED, Status.CLAIMED, Status.WAITING):
        raise Conflict("not_movable", f"The case is {state.status}: it cannot be reassigned now.")
    if actor.role not in (Role.TEAM_LEAD, Role.OPS) and state.assignee != actor.subject:
        raise Conflict(
            "not_holder", "Only the case's holder, a team lead or ops give it to someone else."
        )
    if command.to == state.assignee:
        raise Conflict("already_holds", f"{command.to} already holds the case.")
    check_taker(state, known.staff.get(command.to), command.to)
    at = state.next_time(now)
    assert state.office is not None
    return CaseReassigned(
        type="CaseReassigned",
        **decisions.envelope(state, event_id, at),
        reassigned_by=actor.subject,
        reassigned_from=state.assignee,
        reassigned_to=command.to,
        cause=cause,
        reason=command.reason,
        office=state.office,
        reassigned_at=at,
    )


def transfer(
    state: CaseState,
    actor: Principal,
    command: Transfer,
    known: Known,
    *,
    event_id: UUID,
    now: datetime,
) -> CaseTransferred:
    """A first-line case, queued or claimed, sent back to routing with what changes."""
    _open(state)
    if state.tier is not Tier.FIRST_LINE:
        raise Conflict("with_support", "An escalated case is the support team's: return it first.")
    if state.status not in (Status.QUEUED, Status.CLAIMED):
        raise Conflict("not_movable", f"The case is {state.status}: it cannot be transferred now.")
    if state.status is Status.CLAIMED:
        _holder_or_lead(state, actor)
    assert state.office is not None
    assert state.queue is not None
    assert state.topic_family is not None
    office = command.to_office or state.office
    family = command.topic_family or state.topic_family
    check_destination(office, family, command.to_desk, known)
    unchanged = (office, family) == (state.office, state.topic_family)
    if unchanged and (command.to_desk is None or state.queue == f"{office}/{command.to_desk}"):
        raise Conflict("nothing_to_transfer", "The transfer changes no office, desk or family.")
    at = state.next_time(now)
    return CaseTransferred(
        type="CaseTransferred",
        **decisions.envelope(state, event_id, at),
        transferred_by=actor.subject,
        reason=command.reason,
        from_office=state.office,
        from_queue=state.queue,
        to_office=office,
        to_desk=command.to_desk,
        topic_family=family,
        transferred_at=at,
    )


def _open(state: CaseState) -> None:
    if state.status is Status.RESOLVED:
        raise Conflict("case_resolved", "The case is resolved: reopen it first.")


def _holder_or_lead(state: CaseState, actor: Principal) -> None:
    if actor.role is not Role.TEAM_LEAD and state.assignee != actor.subject:
        raise Conflict(
            "claimed_by_other",
            f"The case is held by {state.assignee}: they or their team lead move it.",
        )
