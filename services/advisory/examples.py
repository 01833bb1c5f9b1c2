"""Examples of advisory's reading answers for the OpenAPI document, built from the response
models themselves so they cannot drift from them (demo names and times)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any
from uuid import UUID

from pydantic import BaseModel

from services.advisory import versions
from services.advisory.domain import Status
from services.advisory.members.views import MemberCases
from services.advisory.notices import NoticeKind
from services.advisory.queues import cursor
from services.advisory.queues.views import CaseList, QueueCount, QueueCounts, QueueRow
from services.advisory.views import (
    CaseDetail,
    CaseView,
    MemberSnapshotView,
    NoticeView,
    RequestView,
    TaskView,
)
from shared.events import AdminAct, Channel, Language, Tier
from shared.history import HistoryEntry
from shared.sla_events import SlaClock

CASE = UUID("6f1c1f7e-3c55-4a43-9a37-2b8f2a7b5d10")
PAST_CASE = UUID("0b9f7f3a-1d2e-4c3b-8a5f-6e7d8c9b0a1f")
TASK = UUID("a3e5c2d1-7b6f-4e8a-9c0d-1f2e3d4c5b6a")
AT = datetime(2026, 3, 2, 9, 30, tzinfo=UTC)

MEMBER = MemberSnapshotView(
    member_id="M-004217",
    name="Camille Dupont",
    preferred_language=Language.FR,
    home_office="liege",
    activity_type="artist",
)


def _row(case_id: UUID, status: Status, due: datetime | None, **more: Any) -> QueueRow:
    more.setdefault("notice", None)
    return QueueRow(
        case_id=case_id,
        member_id=MEMBER.member_id,
        status=status,
        tier=Tier.FIRST_LINE,
        office="liege",
        queue="liege/first_line",
        routed_to=None,
        assignee="liege-adv-02" if status is not Status.QUEUED else None,
        escalated_by=None,
        topic_family="invoicing",
        language="fr",
        opened_at=AT,
        claimed_at=None,
        first_reply_at=None,
        resolved_at=None,
        resolved_by=None,
        outcome=None,
        admin_act=None,
        escalations=0,
        replies=0,
        notes=0,
        last_event_at=AT,
        version=1 if status is Status.QUEUED else 4,
        member_name=MEMBER.name,
        subject="Facture de janvier non reçue",
        channel=Channel.WEB,
        sla_due_at=due,
        sla_clock=SlaClock.FIRST_RESPONSE if due else None,
        **more,
    )


# A follow-up: the member wrote again too long after PAST_CASE was resolved to reopen it.
QUEUED = _row(
    CASE, Status.QUEUED, datetime(2026, 3, 2, 13, 30, tzinfo=UTC), follows_case_id=PAST_CASE
)
# A case support answered: its adviser holds it again, and reads support's note first.
ANSWERED = _row(
    UUID("2c4e6a8b-0d1f-4a3b-9c5d-7e9f1a3b5c7d"),
    Status.CLAIMED,
    datetime(2026, 3, 2, 15, 0, tzinfo=UTC),
    notice=NoticeView(
        kind=NoticeKind.SUPPORT_ANSWER,
        text="Article 4 of the framework contract covers it: the invoice can be reissued.",
        by="support-03",
        at=datetime(2026, 3, 2, 10, 45, tzinfo=UTC),
    ),
)
RESOLVED = _row(PAST_CASE, Status.RESOLVED, None)
OPEN_TASK = TaskView(
    task_id=TASK,
    case_id=PAST_CASE,
    act=AdminAct.INVOICE_ISSUE,
    office="liege",
    status="open",
    opened_at=AT,
    closed_at=None,
    closed_by=None,
    note=None,
)

CASE_LIST = CaseList(
    cases=[QUEUED, ANSWERED],
    next_cursor=cursor.encode(cursor.position_of(ANSWERED.sla_due_at, AT, ANSWERED.case_id)),
)
CASE_DETAIL = CaseDetail(
    case=CaseView.model_validate(QUEUED.model_dump(include=set(CaseView.model_fields))),
    request=RequestView(
        member=MEMBER,
        channel=Channel.WEB,
        topic_family="invoicing",
        subject=QUEUED.subject or "",
        body="Bonjour, je n'ai pas reçu la facture de janvier pour mon client. Merci.",
        received_at=AT,
        follows_case_id=PAST_CASE,
    ),
    tasks=[],
    history=[
        HistoryEntry(
            event_id=UUID("5d6e7f80-91a2-4b3c-8d4e-5f6a7b8c9d0e"),
            occurred_at=AT,
            type="CaseRouted",
            actor="routing",
            event={"type": "CaseRouted", "queue": "liege/first_line", "...": "..."},
        )
    ],
)
QUEUE_COUNTS = QueueCounts(
    queues=[
        QueueCount(
            queue="liege/first_line",
            tier=Tier.FIRST_LINE,
            open=7,
            by_state={"queued": 4, "claimed": 2, "waiting_on_member": 1},
            overdue=1,
            next_due_at=datetime(2026, 3, 2, 11, 0, tzinfo=UTC),
            oldest_opened_at=datetime(2026, 2, 27, 15, 12, tzinfo=UTC),
        )
    ]
)
MEMBER_CASES = MemberCases(
    member_id=MEMBER.member_id,
    member=MEMBER,
    open_cases=[QUEUED],
    past_cases=[RESOLVED],
    last_contact_at=AT,
    open_tasks=[OPEN_TASK],
)


def ok(example: BaseModel) -> dict[int | str, dict[str, Any]]:
    """The 200 answer's example, for a route's ``responses``."""
    return {200: {"content": {"application/json": {"example": example.model_dump(mode="json")}}}}


def _stale() -> dict[str, Any]:
    """A reply refused: the adviser read version 4, a colleague replied since."""
    history = [
        {"type": t, "actor": a, "occurred_at": AT + timedelta(minutes=m)}
        for t, a, m in [
            ("CaseRouted", "routing", 0),
            ("CaseClaimed", "liege-adv-02", 5),
            ("NoteAdded", "liege-adv-02", 6),
            ("WaitingEnded", "liege-adv-02", 8),
            ("ReplySent", "liege-adv-05", 12),
        ]
    ]
    refused = versions.refusal(5, frozenset({4}), history)
    return {**refused.details, "error": refused.code, "message": refused.message, "fields": []}


STALE_VERSION = _stale()
