"""Moving cases, pure: the staff commands that change who holds a case or where it is (release
it to its queue, reassign it to a colleague, transfer it through routing, reopen it), which
fact each becomes, or the refusal. Team leads make these moves in their own office besides the
staff working the case; ops may reassign. Every other command goes to
``services.advisory.decisions``: ``decide`` here is advisory's one entry point for commands.

A move is checked against what advisory knows of the organisation (``Known``: routing's
facts on `organisation`, read by advisory), loaded with the case."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime
from uuid import UUID

from pydantic import ConfigDict, Field

from services.advisory import decisions
from services.advisory.decisions import Command
from services.advisory.domain import CaseEvent, CaseState, Status
from services.advisory.reopening import reopen as reopen  # the one rule, for every cause
from shared.events import (
    CaseReassigned,
    CaseReleased,
    CaseTransferred,
    Code,
    MoveCause,
    ReopenCause,
    StaffId,
    Tier,
    personal_input,
)
from shared.identity import Principal, Role
from shared.refusals import Conflict, Forbidden, Invalid, Refused


class Reopen(Command):
    """Open a resolved case again: back to whoever resolved it, or to its queue if they are
    away or it was resolved automatically."""

    model_config = ConfigDict(
        json_schema_extra={"examples": [{"reason": "The member says the invoice is still wrong."}]}
    )

    reason: str = personal_input("Why the case is reopened.", min_length=1, max_length=10_000)


class Release(Command):
    """Give a claimed case back to its queue, unassigned (its holder or their team lead)."""

    model_config = ConfigDict(
        json_schema_extra={"examples": [{"reason": "Needs a Dutch speaker: back to the queue."}]}
    )

    reason: str = personal_input(
        "Why the case goes back to its queue.", min_length=1, max_length=10_000
    )


class Reassign(Command):
    """Give the case to a named colleague: an adviser of its office (a first-line case) or a
    support member (an escalated one), who is not away. A waiting case keeps waiting."""

    model_config = ConfigDict(
        json_schema_extra={
            "examples": [{"to": "liege-front-02", "reason": "Lea knows this member's contracts."}]
        }
    )

    to: StaffId = Field(description="Staff id of the colleague who takes the case.")
    reason: str = personal_input("Why the case changes hands.", min_length=1, max_length=10_000)


class Transfer(Command):
    """Send a first-line case to another office or desk, or change its topic family: routing
    decides again with its office's policy (the case is in no queue until then)."""

    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {
                    "to_office": "namur",
                    "topic_family": "contracts",
                    "reason": "The member moved to Namur.",
                }
            ]
        }
    )

    to_office: Code | None = Field(None, description="Another office (null: the same one).")
    to_desk: Code | None = Field(None, description="A desk of that office (specialised model).")
    topic_family: Code | None = Field(None, description="Another topic family (null: the same).")
    reason: str = personal_input("Why the case is transferred.", min_length=1, max_length=10_000)


MOVES = (Reopen, Release, Reassign, Transfer)


@dataclass(frozen=True)
class Colleague:
    """A member of staff as advisory knows them from routing's organisation facts."""

    staff_id: str
    office: str
    team: Tier
    active: bool
    away: bool  # an absence covers the time of the decision


@dataclass(frozen=True)
class Known:
    """What a move is checked against: the offices and topic families advisory is configured
    with, the desks of the office a transfer names, and the staff the move names."""

    offices: frozenset[str] = frozenset()
    topic_families: frozenset[str] = frozenset()
    desks: frozenset[str] = frozenset()
    staff: Mapping[str, Colleague] = field(default_factory=dict)

    @property
    def away(self) -> frozenset[str]:
        return frozenset(s for s, c in self.staff.items() if c.away)


NOTHING = Known()


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
    _can_take(state, known.staff.get(command.to), command.to)
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
    _fits(command, office, family, known)
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


def can_take(state: CaseState, colleague: Colleague) -> bool:
    """Whether the colleague may be given the case (same office and team, present)."""
    try:
        _can_take(state, colleague, colleague.staff_id)
    except Refused:
        return False
    return colleague.staff_id != state.assignee


def _can_take(state: CaseState, colleague: Colleague | None, who: str) -> None:
    if colleague is None or not colleague.active:
        raise Invalid("unknown_colleague", f"{who} is not on the organisation's roster.")
    if colleague.team is not state.tier:
        raise Conflict("other_team", f"{who} is not in the {state.tier.value} team.")
    if state.tier is Tier.FIRST_LINE and colleague.office != state.office:
        raise Conflict("other_office", f"{who} works for {colleague.office}, not {state.office}.")
    if colleague.away:
        raise Conflict("colleague_away", f"{who} is away: give the case to someone present.")


def _fits(command: Transfer, office: str, family: str, known: Known) -> None:
    if office not in known.offices:
        raise Invalid("unknown_office", f"No office {office!r} is served.")
    if family not in known.topic_families:
        raise Invalid("unknown_topic_family", f"No topic family {family!r}.")
    if command.to_desk is not None and command.to_desk not in known.desks:
        raise Invalid("unknown_desk", f"Office {office} has no desk {command.to_desk!r}.")
