"""advisory's decisions, pure: what staff ask advisory to do with a case (the commands, as their
HTTP bodies carry them), may this caller do this to the case in this state, and which fact
does it become? A refusal publishes nothing: Forbidden (403) for who the caller is, Conflict
(409) for what the case is. services.advisory.commands runs them."""

from __future__ import annotations

from datetime import datetime
from typing import Any
from uuid import UUID

from pydantic import BaseModel, ConfigDict, Field, ValidationInfo, field_validator

from services.advisory.domain import CaseEvent, CaseState, Status
from shared.events import (
    AdminAct,
    CaseClaimed,
    CaseEscalated,
    CaseResolved,
    CaseReturned,
    Channel,
    EscalationReason,
    NoteAdded,
    Outcome,
    ReplySent,
    Tier,
    WaitingEnded,
    WaitingOnMember,
    case_envelope,
    personal_input,
)
from shared.identity import Principal, Role
from shared.refusals import Conflict, Forbidden

SERVICE = "advisory"
HELD = (Status.CLAIMED, Status.WAITING)


class Command(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid", str_strip_whitespace=True)


class Claim(Command):
    """Take a queued case: it becomes the caller's."""


class AddNote(Command):
    """Add an internal note (never shown to the member)."""

    note: str = personal_input("The note.", min_length=1, max_length=10_000)


class SendReply(Command):
    """Record a reply sent to the member."""

    text: str = personal_input("The reply.", min_length=1, max_length=10_000)
    channel: Channel = Field(Channel.EMAIL, description="How the reply reaches the member.")


class WaitOnMember(Command):
    """Put the case on hold until the member answers."""

    note: str = personal_input("What is awaited from the member.", default="", max_length=10_000)


class EndWaiting(Command):
    """Take the case back from waiting on the member."""

    note: str = personal_input("Why the wait ends.", default="", max_length=10_000)


class Escalate(Command):
    """Send the case to the support team."""

    reason_code: EscalationReason = Field(description="Why the support team is needed.")
    note: str = personal_input("Note for the support team.", min_length=1, max_length=10_000)


# Outcomes after which there is nothing to carry out for the member.
NO_ACT_OUTCOMES = frozenset({Outcome.DUPLICATE, Outcome.NO_RESPONSE})


class Resolve(Command):
    """Close the case with an outcome and, if needed, the administrative act it requires."""

    outcome: Outcome = Field(description="How the case ends.")
    admin_act: AdminAct | None = Field(
        None, description="The administrative act the resolution needs, if any."
    )
    note: str = personal_input("Resolution note.", default="", max_length=10_000)

    @field_validator("admin_act")
    @classmethod
    def _act_fits_outcome(cls, act: AdminAct | None, info: ValidationInfo) -> AdminAct | None:
        outcome = info.data.get("outcome")
        if act is not None and outcome in NO_ACT_OUTCOMES:
            raise ValueError(f"a case resolved as {outcome.value} needs no administrative act")
        return act


class ReturnToAdviser(Command):
    """Support gives an escalated case back to the adviser who escalated it."""

    note: str = personal_input("What the adviser should do now.", min_length=1, max_length=10_000)


def decide(
    state: CaseState, command: Command, actor: Principal, *, event_id: UUID, now: datetime
) -> CaseEvent:
    """The one event a valid command becomes; raises Forbidden or Conflict otherwise."""
    if not state.known:
        raise Conflict("unknown_case", f"No case {state.case_id} is known to advisory.")
    authorize(state, actor)
    if state.status is Status.RESOLVED:
        raise Conflict("case_resolved", "The case is already resolved: nothing changes it now.")
    at = state.next_time(now)
    base = envelope(state, event_id, at)
    who = actor.subject
    office = state.office
    assert office is not None  # the routing that made the case known named its office
    match command:
        case Claim():
            _claimable(state, actor)
            return CaseClaimed(
                type="CaseClaimed",
                **base,
                claimed_by=who,
                tier=state.tier,
                office=office,
                claimed_at=at,
            )
        case AddNote():
            return NoteAdded(type="NoteAdded", **base, author=who, note=command.note, added_at=at)
        case SendReply():
            _held_by(state, actor)
            return ReplySent(
                type="ReplySent",
                **base,
                sent_by=who,
                channel=command.channel,
                text=command.text,
                sent_at=at,
            )
        case WaitOnMember():
            _held_by(state, actor, allowed=(Status.CLAIMED,))
            return WaitingOnMember(
                type="WaitingOnMember", **base, set_by=who, note=command.note, since=at
            )
        case EndWaiting():
            _held_by(state, actor, allowed=(Status.WAITING,))
            return WaitingEnded(
                type="WaitingEnded", **base, ended_by=who, note=command.note, ended_at=at
            )
        case Escalate():
            if state.tier is Tier.SUPPORT:
                raise Conflict("already_with_support", "The case is already with support.")
            _held_by(state, actor)
            return CaseEscalated(
                type="CaseEscalated",
                **base,
                reason_code=command.reason_code,
                note=command.note,
                escalated_by=who,
                office=office,
                escalated_at=at,
            )
        case Resolve():
            _held_by(state, actor)
            return CaseResolved(
                type="CaseResolved",
                **base,
                outcome=command.outcome,
                admin_act=command.admin_act,
                resolved_by=who,
                tier=state.tier,
                office=office,
                note=command.note,
                resolved_at=at,
            )
        case ReturnToAdviser():
            return _returned(state, actor, command, {**base, "office": office}, at)
    raise TypeError(f"not an advisory command: {type(command).__name__}")


def authorize(state: CaseState, actor: Principal) -> None:
    """Advisers work the cases of their own office; support works every office; others none."""
    if actor.role is Role.ADVISER:
        if actor.office != state.office:
            raise Forbidden(
                "other_office",
                f"The case belongs to office {state.office}; advisers of {actor.office} "
                "work their own office's cases.",
            )
    elif actor.role is not Role.SUPPORT:
        raise Forbidden("forbidden", f"Role {actor.role.value} does not work cases.")


def envelope(state: CaseState, event_id: UUID, at: datetime) -> dict[str, Any]:
    """The envelope and version of a fact advisory decides about this case."""
    return case_envelope(
        state.case_id, state.member_id, state.correlation_id, event_id, at, SERVICE
    )


def _claimable(state: CaseState, actor: Principal) -> None:
    if state.status is not Status.QUEUED:
        holder = f" by {state.assignee}" if state.assignee else ""
        raise Conflict("not_queued", f"The case is {state.status}{holder}: it cannot be claimed.")
    _tier_matches(state, actor)


def _tier_matches(state: CaseState, actor: Principal) -> None:
    if state.tier is Tier.SUPPORT and actor.role is not Role.SUPPORT:
        raise Forbidden("support_tier", "Escalated cases are worked by the support team.")
    if state.tier is Tier.FIRST_LINE and actor.role is not Role.ADVISER:
        raise Forbidden("first_line_tier", "First-line cases are worked by advisers.")


def _held_by(state: CaseState, actor: Principal, allowed: tuple[Status, ...] = HELD) -> None:
    if state.status is Status.QUEUED:
        raise Conflict("not_claimed", "Nobody has claimed the case yet: claim it first.")
    if state.status not in allowed:
        wanted = " or ".join(s.value for s in allowed)
        raise Conflict("wrong_state", f"The case is {state.status}; this needs it {wanted}.")
    if state.assignee != actor.subject:
        raise Conflict(
            "claimed_by_other", f"The case is claimed by {state.assignee}, not {actor.subject}."
        )


def _returned(
    state: CaseState,
    actor: Principal,
    command: ReturnToAdviser,
    base: dict[str, Any],
    at: datetime,
) -> CaseReturned:
    """Support gives the case back to the adviser who escalated it, from its queue or its own
    hands (then only the holder may)."""
    if actor.role is not Role.SUPPORT:
        raise Forbidden("support_only", "Only the support team returns cases to advisers.")
    if state.tier is not Tier.SUPPORT or state.escalated_by is None:
        raise Conflict("not_escalated", "Only a case routed to the support team is returned.")
    if state.status is not Status.QUEUED:
        _held_by(state, actor)
    return CaseReturned(
        type="CaseReturned",
        **base,
        returned_by=actor.subject,
        returned_to=state.escalated_by,
        note=command.note,
        returned_at=at,
    )
