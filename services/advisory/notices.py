"""What a case's holder must read before going on, pure: the notice a queue row shows.

Two facts hand a case to someone with words they must read: support answering the adviser
(``CaseReturned``: the adviser holds the case again, with support's note) and a reopening
(``CaseReopened``: a rejected administrative act, the member writing again, or staff, with the
reason). The latest of them is the case's notice, until its holder acts on the case (replies,
puts it on hold, escalates or resolves it)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum

from shared.events import (
    CaseEscalated,
    CaseReopened,
    CaseResolved,
    CaseReturned,
    ReopenCause,
    ReplySent,
    WaitingOnMember,
)


class NoticeKind(StrEnum):
    SUPPORT_ANSWER = "support_answer"  # support answered the adviser, who holds the case again
    TASK_REJECTED = "task_rejected"  # the administrative team could not carry out the act
    MEMBER_MESSAGE = "member_message"  # the member wrote again after the resolution
    REOPENED = "reopened"  # staff reopened the case


REOPENED_KIND = {
    ReopenCause.TASK_REJECTED: NoticeKind.TASK_REJECTED,
    ReopenCause.MEMBER_MESSAGE: NoticeKind.MEMBER_MESSAGE,
    ReopenCause.STAFF: NoticeKind.REOPENED,
}
# Acting on the case answers its notice.
ANSWERED_BY = (ReplySent, WaitingOnMember, CaseEscalated, CaseResolved)


@dataclass(frozen=True)
class Notice:
    kind: NoticeKind
    text: str
    by: str
    at: datetime


def notice_of(event: object) -> Notice | None:
    """The notice a fact leaves on its case, if any."""
    match event:
        case CaseReturned():
            return Notice(
                NoticeKind.SUPPORT_ANSWER, event.note, event.returned_by, event.occurred_at
            )
        case CaseReopened():
            return Notice(REOPENED_KIND[event.cause], event.reason, event.actor, event.occurred_at)
    return None


def answers_notice(event: object) -> bool:
    """Whether the fact is the holder acting on the case, which answers its notice."""
    return isinstance(event, ANSWERED_BY)
