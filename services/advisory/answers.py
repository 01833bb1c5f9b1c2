"""What a member's message does to its case, pure: advisory decides it when it consumes the
message, with the case locked, from the case's state and the message alone.

- the case waits on the member: the wait ends (``WaitingEnded`` by ``member``), and with it
  the SLA clocks' pause;
- the case is resolved, and the message came within the reopen window of the resolution: the
  case reopens (``CaseReopened``, cause member_message; services.advisory.reopening decides whom it
  goes back to, as for every reopening);
- resolved longer ago: a new case follows it (``FollowUpRequested``; intake accepts it as a
  request and routing routes it like any other);
- otherwise (open, or not routed yet): the message is history only.

The window is measured from the resolution to the message's own time, never to the clock of
the moment it is consumed, and every id is derived from the message's: a message delivered
twice finds its case already answered (nothing new), or decides the same follow-up again,
which the projection recognises by its id."""

from __future__ import annotations

from collections.abc import Collection
from datetime import datetime, timedelta
from typing import Any
from uuid import uuid5

from services.advisory import decisions
from services.advisory.domain import CaseEvent, CaseState, Status
from services.advisory.reopening import reopen
from shared.events import (
    FollowUpRequested,
    MemberMessageReceived,
    ReopenCause,
    WaitingEnded,
    follow_up_case_id,
)
from shared.member_message_events import MEMBER


def answer(
    state: CaseState,
    message: MemberMessageReceived,
    *,
    window: timedelta,
    away: Collection[str] = (),
) -> CaseEvent | None:
    """The one fact the message leads to on its case, or None (history only)."""
    at = state.next_time(message.received_at)
    if state.status is Status.WAITING:
        return WaitingEnded(
            type="WaitingEnded",
            **_envelope(state, message, "wait-ended", at),
            ended_by=MEMBER,
            note="The member answered.",
            ended_at=at,
        )
    if state.status is not Status.RESOLVED or state.resolved_at is None:
        return None
    days = window / timedelta(days=1)
    if message.received_at - state.resolved_at <= window:
        reopened = reopen(
            state,
            actor=decisions.SERVICE,
            cause=ReopenCause.MEMBER_MESSAGE,
            reason=f"The member wrote again within {days:g} days of the resolution.",
            event_id=uuid5(message.event_id, "reopened"),
            now=message.received_at,
            away=away,
        )
        return reopened.model_copy(update={"causation_id": message.event_id})
    return FollowUpRequested(
        type="FollowUpRequested",
        **_envelope(state, message, "follow-up", at),
        message_event_id=message.event_id,
        follow_up_case_id=follow_up_case_id(message.event_id),
        resolved_at=state.resolved_at,
        window_days=days,
        requested_at=at,
    )


def _envelope(
    state: CaseState, message: MemberMessageReceived, step: str, at: datetime
) -> dict[str, Any]:
    """advisory's envelope for the case, its id derived from the message, caused by it."""
    envelope = decisions.envelope(state, uuid5(message.event_id, step), at)
    return {**envelope, "causation_id": message.event_id}
