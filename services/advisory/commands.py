"""advisory's staff commands on a case, run by shared.commands in one transaction: lock the
case, read its state, decide (services.advisory.decisions, pure), record the fact with the
consumers' own code, put it in the outbox. The work joins the case's trace (the one its latest
routing travelled in), linked to the HTTP request's span."""

from __future__ import annotations

from datetime import datetime
from uuid import UUID

from services.advisory import decisions, projection
from services.advisory.decisions import Command
from services.advisory.domain import CaseEvent, CaseState, evolve
from shared import commands
from shared.db import Conn, PoolHolder
from shared.events import CASE_ACTIVITY, ESCALATED, RESOLVED, CaseEscalated, CaseResolved
from shared.identity import Principal


def topic_of(event: CaseEvent) -> str:
    """Escalations and resolutions go on the backbone; the rest on advisory's own topic."""
    if isinstance(event, CaseEscalated):
        return ESCALATED
    if isinstance(event, CaseResolved):
        return RESOLVED
    return CASE_ACTIVITY


CASES = commands.Subject[CaseEvent](
    lock_space=projection.LOCK_SPACE,
    record=projection.record,
    topic_of=topic_of,
    trace_of=projection.case_trace,
    trace_attribute="relais.case_id",
)


async def execute(
    holder: PoolHolder,
    case_id: UUID,
    command: Command,
    actor: Principal,
    *,
    event_id: UUID,
    now: datetime,
) -> tuple[CaseEvent, CaseState]:
    """The fact the command became and the case after it; raises a shared.refusals.Refused
    (and writes nothing) when the command is not allowed."""

    async def load(conn: Conn) -> CaseState:
        return (await projection.current(conn, {case_id}))[case_id]

    def decide(state: CaseState, at: datetime) -> CaseEvent:
        return decisions.decide(state, command, actor, event_id=event_id, now=at)

    name = f"{type(command).__name__} command"
    event, state = await commands.execute(holder, CASES, case_id, load, decide, name=name, now=now)
    return event, evolve(state, event)
