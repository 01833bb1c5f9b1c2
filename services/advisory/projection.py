"""advisory's tables: every fact about a case in case_history, and the case itself as the fold of
that history. The consumers and the commands write through the same ``record``: a fact already
recorded changes nothing, and a case is refolded only when one of its facts is new."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Mapping, Sequence
from dataclasses import fields
from typing import Annotated, Any
from uuid import UUID

from pydantic import Field, TypeAdapter

from services.advisory.domain import CaseEvent, CaseState, Status, evolve, fold, order
from services.advisory.notices import NoticeKind
from services.advisory.sla import projection as sla_projection
from shared import locks
from shared.db import Conn
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
from shared.member_message_events import MEMBER

LOCK_SPACE = 3  # advisory's cases, in shared.locks' two-key space

INSERT_HISTORY = """
INSERT INTO case_history (event_id, case_id, occurred_at, type, actor, event, traceparent)
SELECT * FROM unnest($1::uuid[], $2::uuid[], $3::timestamptz[], $4::text[], $5::text[],
                     $6::jsonb[], $7::text[])
ON CONFLICT (event_id) DO NOTHING
RETURNING event_id"""

# The trace a staff command on the case continues: that of its latest routing.
CASE_TRACE = """
SELECT traceparent FROM case_history
WHERE case_id = $1 AND type = 'CaseRouted' AND traceparent IS NOT NULL
ORDER BY occurred_at DESC, event_id DESC LIMIT 1"""

HISTORY = "SELECT case_id, event FROM case_history WHERE case_id = ANY($1::uuid[])"

CURRENT = "SELECT * FROM cases WHERE case_id = ANY($1::uuid[])"

UPSERT_CASES = """
INSERT INTO cases (case_id, member_id, correlation_id, status, tier, office, queue,
                   first_line_queue, routed_to, assignee, escalated_by, topic_family, language,
                   opened_at, claimed_at, first_reply_at, resolved_at, resolved_by, outcome,
                   admin_act, escalations, replies, notes, events, last_event_at, notice,
                   notice_text, notice_by, notice_at)
SELECT * FROM unnest($1::uuid[], $2::text[], $3::uuid[], $4::text[], $5::text[], $6::text[],
                     $7::text[], $8::text[], $9::text[], $10::text[], $11::text[], $12::text[],
                     $13::text[], $14::timestamptz[], $15::timestamptz[], $16::timestamptz[],
                     $17::timestamptz[], $18::text[], $19::text[], $20::text[], $21::int[],
                     $22::int[], $23::int[], $24::int[], $25::timestamptz[], $26::text[],
                     $27::text[], $28::text[], $29::timestamptz[])
ON CONFLICT (case_id) DO UPDATE SET
    member_id = excluded.member_id, correlation_id = excluded.correlation_id,
    status = excluded.status, tier = excluded.tier, office = excluded.office,
    queue = excluded.queue, first_line_queue = excluded.first_line_queue,
    routed_to = excluded.routed_to, assignee = excluded.assignee,
    escalated_by = excluded.escalated_by, topic_family = excluded.topic_family,
    language = excluded.language, opened_at = excluded.opened_at,
    claimed_at = excluded.claimed_at, first_reply_at = excluded.first_reply_at,
    resolved_at = excluded.resolved_at, resolved_by = excluded.resolved_by,
    outcome = excluded.outcome, admin_act = excluded.admin_act,
    escalations = excluded.escalations, replies = excluded.replies, notes = excluded.notes,
    events = excluded.events, last_event_at = excluded.last_event_at,
    notice = excluded.notice, notice_text = excluded.notice_text,
    notice_by = excluded.notice_by, notice_at = excluded.notice_at"""

# The columns of `cases` are the fields of the folded state, in the same order.
COLUMNS = tuple(f.name for f in fields(CaseState))
ENUM_COLUMNS: dict[str, type[Any]] = {
    "status": Status,
    "tier": Tier,
    "outcome": Outcome,
    "admin_act": AdminAct,
    "notice": NoticeKind,
}

_EVENTS: TypeAdapter[CaseEvent] = TypeAdapter(Annotated[CaseEvent, Field(discriminator="type")])


def actor_of(event: CaseEvent) -> str:
    """Who is behind a fact: the staff member, or the service that decided it."""
    match event:
        case CaseClaimed():
            return event.claimed_by
        case NoteAdded():
            return event.author
        case ReplySent():
            return event.sent_by
        case WaitingOnMember():
            return event.set_by
        case WaitingEnded():
            return event.ended_by
        case CaseEscalated():
            return event.escalated_by
        case CaseReturned():
            return event.returned_by
        case CaseResolved():
            return event.resolved_by
        case CaseReopened():
            return event.actor
        case CaseReleased():
            return event.released_by
        case CaseReassigned():
            return event.reassigned_by
        case CaseTransferred():
            return event.transferred_by
        case CaseRouted():
            return event.producer
        case MemberMessageReceived():
            return MEMBER
        case MemberReminded() | FollowUpRequested():
            return event.producer


async def record(
    conn: Conn, events: Sequence[CaseEvent], traces: Mapping[UUID, str | None] | None = None
) -> set[UUID]:
    """Stores the facts not yet known and brings their cases up to date; returns those cases.
    ``traces``: the ``traceparent`` each fact travelled with, by event_id (when known).

    New facts usually come after everything known of their case: they are applied to its
    stored state. A fact older than the case's latest (a replay reading the topics in another
    order) has the case refolded from its whole history instead: the same result either way."""
    unique = list({e.event_id: e for e in events}.values())
    if not unique:
        return set()
    await locks.lock_all(conn, LOCK_SPACE, (e.case_id for e in unique))
    rows = await conn.fetch(
        INSERT_HISTORY,
        [e.event_id for e in unique],
        [e.case_id for e in unique],
        [e.occurred_at for e in unique],
        [e.type for e in unique],
        [actor_of(e) for e in unique],
        [e.model_dump_json() for e in unique],
        [(traces or {}).get(e.event_id) for e in unique],
    )
    fresh = {r["event_id"] for r in rows}
    news: dict[UUID, list[CaseEvent]] = defaultdict(list)
    for event in unique:
        if event.event_id in fresh:
            news[event.case_id].append(event)
    if not news:
        return set()
    await sla_projection.note_case_facts(conn, (e for e in unique if e.event_id in fresh))
    states = await current(conn, set(news))
    late = set()
    for case_id, added in news.items():
        added.sort(key=order)
        state = states[case_id]
        if state.last_event_at is not None and added[0].occurred_at <= state.last_event_at:
            late.add(case_id)
            continue
        for event in added:
            state = evolve(state, event)
        states[case_id] = state
    if late:
        states.update(await load(conn, late))
    await save(conn, list(states.values()))
    return set(news)


async def case_trace(conn: Conn, case_id: UUID) -> str | None:
    """The ``traceparent`` of the case's latest routing: where its staff's commands join in."""
    value: str | None = await conn.fetchval(CASE_TRACE, case_id)
    return value


async def current(conn: Conn, case_ids: set[UUID]) -> dict[UUID, CaseState]:
    """Each case's stored state, i.e. the fold of its history so far (unknown: empty)."""
    rows = await conn.fetch(CURRENT, list(case_ids))
    known = {r["case_id"]: state_of(r) for r in rows}
    return {case_id: known.get(case_id, CaseState(case_id=case_id)) for case_id in case_ids}


def state_of(row: Any) -> CaseState:
    # The state's own columns only: a column a newer migration added (applied before this
    # code is replaced, in a rolling deploy) is not this code's to read.
    data = {column: row[column] for column in COLUMNS}
    for column, kind in ENUM_COLUMNS.items():
        if data[column] is not None:
            data[column] = kind(data[column])
    return CaseState(**data)


async def load(conn: Conn, case_ids: set[UUID]) -> dict[UUID, CaseState]:
    """The current state of each case, folded from its history (unknown: an empty state)."""
    histories: dict[UUID, list[CaseEvent]] = defaultdict(list)
    for row in await conn.fetch(HISTORY, list(case_ids)):
        histories[row["case_id"]].append(_EVENTS.validate_json(row["event"]))
    return {case_id: fold(case_id, histories[case_id]) for case_id in case_ids}


async def save(conn: Conn, states: Sequence[CaseState]) -> None:
    columns: list[list[Any]] = [[_plain(getattr(s, c)) for s in states] for c in COLUMNS]
    await conn.execute(UPSERT_CASES, *columns)


def _plain(value: Any) -> Any:
    # Enums are stored by value; everything else as it is.
    return getattr(value, "value", value)
