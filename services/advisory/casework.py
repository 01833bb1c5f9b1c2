"""Staff commands on a case, each in one transaction: lock the case, read its state, decide
(pure), record the fact with the same code the consumers use, and put it in the outbox."""

from __future__ import annotations

from datetime import datetime
from uuid import UUID

from services.advisory import decisions, projection
from services.advisory.commands import Command
from services.advisory.domain import CaseEvent, CaseState, evolve
from shared import locks, outbox
from shared.consumer import PoolHolder
from shared.events import CASE_ACTIVITY, ESCALATED, RESOLVED, CaseEscalated, CaseResolved
from shared.identity import Principal


def topic_of(event: CaseEvent) -> str:
    """Escalations and resolutions go on the backbone; the rest on advisory's own topic."""
    if isinstance(event, CaseEscalated):
        return ESCALATED
    if isinstance(event, CaseResolved):
        return RESOLVED
    return CASE_ACTIVITY


async def execute(
    holder: PoolHolder,
    case_id: UUID,
    command: Command,
    actor: Principal,
    *,
    event_id: UUID,
    now: datetime,
) -> tuple[CaseEvent, CaseState]:
    """The fact the command became and the case after it; raises decisions.Refused (and
    writes nothing) when the command is not allowed. Two concurrent commands on one case are
    serialised by the case's lock: the second decides on the state the first left."""
    async with holder.require().acquire() as conn, conn.transaction():
        await locks.lock_all(conn, projection.LOCK_SPACE, [case_id])
        state = (await projection.current(conn, {case_id}))[case_id]
        event = decisions.decide(state, command, actor, event_id=event_id, now=now)
        await projection.record(conn, [event])
        await outbox.enqueue(conn, [outbox.event_message(topic_of(event), event)])
    holder.on_commit()
    return event, evolve(state, event)
