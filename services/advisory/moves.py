"""Moving cases, pure: the staff commands that change who holds a case or where it is (reopen a
resolved case), which fact each becomes, or the refusal. Team leads make these moves in their
own office besides the staff working the case. Every other command goes to
``services.advisory.decisions``: ``decide`` here is advisory's one entry point for commands.

Whom a reopened case goes back to is decided once, here (``reopen``), for every cause: the
staff member who resolved it, who knows it best, unless they cannot take it (away, or the
resolution was automatic); then it goes back to its queue."""

from __future__ import annotations

from collections.abc import Collection
from datetime import datetime
from uuid import UUID

from services.advisory import decisions
from services.advisory.decisions import Command
from services.advisory.domain import SLA_ACTOR, CaseEvent, CaseState, Status
from shared.events import CaseReopened, ReopenCause, personal
from shared.identity import Principal, Role
from shared.refusals import Conflict, Forbidden

# Resolutions no person made: nobody to give the case back to.
AUTOMATIC = frozenset({SLA_ACTOR, decisions.SERVICE})


class Reopen(Command):
    """Open a resolved case again (it goes back to whoever resolved it, or to its queue)."""

    reason: str = personal("Why the case is reopened.", min_length=1, max_length=10_000)


MOVES = (Reopen,)


def decide(
    state: CaseState, command: Command, actor: Principal, *, event_id: UUID, now: datetime
) -> CaseEvent:
    """The one event a valid command becomes: a move decided here, any other command by
    ``decisions.decide``. Raises Forbidden or Conflict otherwise."""
    if not isinstance(command, MOVES):
        return decisions.decide(state, command, actor, event_id=event_id, now=now)
    if not state.known:
        raise Conflict("unknown_case", f"No case {state.case_id} is known to advisory.")
    authorize(state, actor)
    match command:
        case Reopen():
            return reopen(
                state,
                actor=actor.subject,
                cause=ReopenCause.STAFF,
                reason=command.reason,
                event_id=event_id,
                now=now,
            )
    raise TypeError(f"not a move: {type(command).__name__}")


def authorize(state: CaseState, actor: Principal) -> None:
    """Those who work the case (advisers of its office, support) and its office's team lead."""
    if actor.role is Role.TEAM_LEAD:
        if actor.office != state.office:
            raise Forbidden(
                "other_office",
                f"The case belongs to office {state.office}; the team lead of {actor.office} "
                "moves their own office's cases.",
            )
        return
    decisions.authorize(state, actor)


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
    """A resolved case opened again, for any cause (staff, a member's message, a rejected
    task): back to whoever resolved it unless they are ``away`` or no person resolved it, then
    to its queue. ``actor`` is the staff id, or the service deciding for the member or a task.
    Raises Conflict if the case is not resolved (an open case needs no reopening)."""
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
