"""Staff commands on a case, each in one transaction: lock the case, read its state, decide
(pure), record the fact with the same code the consumers use, and put it in the outbox. The
work joins the case's trace (the one its latest routing travelled in), linked to the HTTP
request's span."""

from __future__ import annotations

from datetime import datetime
from uuid import UUID

from services.advisory import decisions, projection
from services.advisory.commands import Command
from services.advisory.domain import CaseEvent, CaseState, evolve
from shared import faults, locks, outbox, telemetry
from shared.db import PoolHolder
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
    async with holder.require().acquire() as conn:
        # The case's trace began with the member's request: the command's work continues it.
        carrier = await projection.case_trace(conn, case_id) if telemetry.enabled() else None
        name = f"{type(command).__name__} command"
        with telemetry.rejoined(carrier, name, {"relais.case_id": str(case_id)}):
            async with conn.transaction():
                await locks.lock_all(conn, projection.LOCK_SPACE, [case_id])
                state = (await projection.current(conn, {case_id}))[case_id]
                event = decisions.decide(state, command, actor, event_id=event_id, now=now)
                message = outbox.event_message(topic_of(event), event)
                traces = {event.event_id: telemetry.traceparent_of(message.headers)}
                await projection.record(conn, [event], traces)
                await outbox.enqueue(conn, [message])
                faults.point("http.recording")  # crash: the fact written, not committed
    faults.point("http.committed")  # crash: committed, not answered
    holder.on_commit()
    return event, evolve(state, event)
