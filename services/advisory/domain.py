"""advisory's case state, pure: what a case looks like after a history of events.

``evolve`` is total: the log is the truth, so it never refuses an event. The state of a case is
always ``fold`` of its whole history in one order — by occurred_at, then event_id — so it is the
same whatever order the topics were read in (a replay may see `resolved` before `routed`)."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, replace
from datetime import datetime, timedelta
from enum import StrEnum
from typing import Union
from uuid import UUID

from services.advisory.notices import NoticeKind, answers_notice, notice_of
from shared.events import (
    AdminAct,
    CaseClaimed,
    CaseEscalated,
    CaseReassigned,
    CaseReleased,
    CaseReopened,
    CaseResolved,
    CaseReturned,
    CaseRouted,
    CaseTransferred,
    FollowUpRequested,
    MemberMessageReceived,
    MemberReminded,
    NoteAdded,
    Outcome,
    ReplySent,
    Tier,
    WaitingEnded,
    WaitingOnMember,
)

CaseEvent = Union[
    CaseRouted,
    CaseClaimed,
    NoteAdded,
    ReplySent,
    WaitingOnMember,
    WaitingEnded,
    CaseEscalated,
    CaseReturned,
    CaseResolved,
    CaseReopened,
    CaseReleased,
    CaseReassigned,
    CaseTransferred,
    MemberMessageReceived,
    MemberReminded,
    FollowUpRequested,
]
TICK = timedelta(microseconds=1)
SLA_ACTOR = "sla"  # escalated_by of an automatic escalation (an SLA breach)


class Status(StrEnum):
    QUEUED = "queued"  # in a queue, nobody works it
    CLAIMED = "claimed"  # an adviser or support member works it
    WAITING = "waiting_on_member"  # claimed, on hold until the member answers
    ESCALATED = "escalated"  # sent to the support team, not yet in its queue
    TRANSFERRING = "transferring"  # transferred: in no queue until routing decides again
    RESOLVED = "resolved"  # done: only a reopening (CaseReopened) changes it again


@dataclass(frozen=True)
class CaseState:
    case_id: UUID
    member_id: str = ""
    correlation_id: UUID | None = None
    status: Status | None = None  # None until a first event says what the case is
    tier: Tier = Tier.FIRST_LINE
    office: str | None = None
    queue: str | None = None
    first_line_queue: str | None = None
    routed_to: str | None = None
    assignee: str | None = None
    escalated_by: str | None = None
    topic_family: str | None = None
    language: str | None = None
    opened_at: datetime | None = None  # first routing: the case exists for advisory
    claimed_at: datetime | None = None
    first_reply_at: datetime | None = None
    resolved_at: datetime | None = None
    resolved_by: str | None = None
    outcome: Outcome | None = None
    admin_act: AdminAct | None = None
    escalations: int = 0
    replies: int = 0
    notes: int = 0
    events: int = 0
    last_event_at: datetime | None = None
    # What the holder must read before going on (services.advisory.notices): support's answer,
    # or why the case reopened; gone once they act on the case.
    notice: NoticeKind | None = None
    notice_text: str | None = None
    notice_by: str | None = None
    notice_at: datetime | None = None

    @property
    def known(self) -> bool:
        """Routing has put the case in a queue: staff can act on it."""
        return self.opened_at is not None

    def next_time(self, now: datetime) -> datetime:
        """``now``, or just after the latest event if the clock is behind: a case's own facts
        are strictly ordered in time, so folding by time replays the decisions exactly."""
        return now if self.last_event_at is None else max(now, self.last_event_at + TICK)


def order(event: CaseEvent) -> tuple[datetime, UUID]:
    return event.occurred_at, event.event_id


def fold(case_id: UUID, history: Iterable[CaseEvent]) -> CaseState:
    """The state after every event of the history, in its one canonical order."""
    state = CaseState(case_id=case_id)
    for event in sorted(history, key=order):
        state = evolve(state, event)
    return state


def evolve(state: CaseState, event: CaseEvent) -> CaseState:
    """The state after one more event."""
    return _noticed(_evolved(state, event), event)


def _noticed(state: CaseState, event: CaseEvent) -> CaseState:
    """The case's notice after the event: a new one, answered, or the same."""
    notice = notice_of(event)
    if notice is not None:
        return replace(
            state,
            notice=notice.kind,
            notice_text=notice.text,
            notice_by=notice.by,
            notice_at=notice.at,
        )
    if answers_notice(event) and state.notice is not None:
        return replace(state, notice=None, notice_text=None, notice_by=None, notice_at=None)
    return state


def _evolved(state: CaseState, event: CaseEvent) -> CaseState:
    last = state.last_event_at
    state = replace(
        state,
        member_id=event.member_id,
        correlation_id=state.correlation_id or event.correlation_id,
        events=state.events + 1,
        last_event_at=event.occurred_at if last is None else max(last, event.occurred_at),
    )
    match event:
        case CaseRouted():
            return _routed(state, event)
        case CaseClaimed():
            return replace(
                state,
                status=Status.CLAIMED,
                assignee=event.claimed_by,
                tier=event.tier,
                claimed_at=state.claimed_at or event.claimed_at,
            )
        case NoteAdded():
            return replace(state, notes=state.notes + 1)
        case ReplySent():
            first = state.first_reply_at or event.sent_at
            return replace(state, replies=state.replies + 1, first_reply_at=first)
        case WaitingOnMember():
            return replace(state, status=Status.WAITING)
        case WaitingEnded():
            return replace(state, status=Status.CLAIMED)
        case CaseEscalated():
            return replace(
                state,
                status=Status.ESCALATED,
                escalated_by=returns_to(state, event),
                assignee=None,
                escalations=state.escalations + 1,
            )
        case CaseReturned():
            return replace(
                state,
                status=Status.CLAIMED,
                tier=Tier.FIRST_LINE,
                queue=state.first_line_queue or state.queue,
                assignee=event.returned_to,
            )
        case CaseResolved():
            return replace(
                state,
                status=Status.RESOLVED,
                resolved_at=event.resolved_at,
                resolved_by=event.resolved_by,
                outcome=event.outcome,
                admin_act=event.admin_act,
            )
        case CaseReopened():
            return _reopened(state, event)
        case CaseReleased():
            return replace(state, status=Status.QUEUED, assignee=None)
        case CaseReassigned():
            # A queued case becomes claimed by the colleague; a held one keeps its state.
            status = Status.CLAIMED if state.status is Status.QUEUED else state.status
            at = state.claimed_at or event.reassigned_at
            return replace(state, status=status, assignee=event.reassigned_to, claimed_at=at)
        case CaseTransferred():
            return replace(
                state,
                status=Status.TRANSFERRING,
                assignee=None,
                topic_family=event.topic_family,
            )
        case MemberMessageReceived() | MemberReminded() | FollowUpRequested():
            # History only: what a message does to its case is a fact of its own (answers.py).
            return state


def returns_to(state: CaseState, event: CaseEscalated) -> str | None:
    """Whom support gives the case back to: the adviser who escalated it, or, for an automatic
    escalation (an SLA breach), the adviser who held the case or was routed it, if any."""
    if event.escalated_by != SLA_ACTOR:
        return event.escalated_by
    return state.assignee or state.routed_to or state.escalated_by


def _routed(state: CaseState, event: CaseRouted) -> CaseState:
    if state.status is Status.RESOLVED:  # a late copy of a routing cannot reopen a case
        return state
    first_line = event.tier is Tier.FIRST_LINE
    return replace(
        state,
        status=Status.QUEUED,
        tier=event.tier,
        office=event.office,
        queue=event.queue,
        first_line_queue=event.queue if first_line else state.first_line_queue,
        routed_to=event.adviser_id,
        assignee=None,
        topic_family=event.topic_family,
        language=event.language.value,
        opened_at=state.opened_at or event.routed_at,
    )


def _reopened(state: CaseState, event: CaseReopened) -> CaseState:
    """Open again, in the tier and queue it was resolved in: held by ``reopened_to``
    (claimed), or back in its queue when nobody is named. The earlier resolution is history
    (case_history keeps it); the case's resolution fields describe the next one."""
    held = event.reopened_to is not None
    return replace(
        state,
        status=Status.CLAIMED if held else Status.QUEUED,
        assignee=event.reopened_to,
        resolved_at=None,
        resolved_by=None,
        outcome=None,
        admin_act=None,
    )
