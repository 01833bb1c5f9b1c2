"""advisory's staff commands on a case, run by shared.commands in one transaction: lock the
case, read its state (and, for a move, what advisory knows of the organisation the move names),
decide (services.advisory.moves.decisions, pure), record the fact with the consumers' own
code, put it in the outbox. The work joins the case's trace (the one its latest routing
travelled in), linked to the HTTP request's span. Two commands on one case are serialised by
the case's lock: the second decides on the state the first left."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import replace
from datetime import datetime
from uuid import UUID

from services.advisory import organisation_store, projection, queries, versions
from services.advisory.decisions import Command
from services.advisory.domain import CaseEvent, CaseState, evolve
from services.advisory.drafts import store as drafts
from services.advisory.drafts.views import DraftKind
from services.advisory.moves import decisions as moving
from services.advisory.moves.kinds import MOVES, Reassign, Transfer
from services.advisory.moves.known import NOTHING, Known
from shared import commands
from shared.db import Conn, PoolHolder
from shared.events import (
    CASE_ACTIVITY,
    ESCALATED,
    RESOLVED,
    CaseEscalated,
    CaseResolved,
    NoteAdded,
    ReplySent,
)
from shared.identity import Principal


def topic_of(event: CaseEvent) -> str:
    """Escalations and resolutions go on the backbone; the rest on advisory's own topic."""
    if isinstance(event, CaseEscalated):
        return ESCALATED
    if isinstance(event, CaseResolved):
        return RESOLVED
    return CASE_ACTIVITY


async def record(conn: Conn, events: list[CaseEvent], traces: Mapping[UUID, str | None]) -> None:
    """A command's fact, recorded as the consumers record it; a reply or a note sent takes
    away its author's draft of it (services.advisory.drafts), in the same transaction."""
    await projection.record(conn, events, traces)
    for event in events:
        if isinstance(event, ReplySent):
            await drafts.sent(conn, event.case_id, event.sent_by, DraftKind.REPLY)
        elif isinstance(event, NoteAdded):
            await drafts.sent(conn, event.case_id, event.author, DraftKind.NOTE)


CASE = commands.Subject[CaseEvent](
    projection.LOCK_SPACE, record, topic_of, projection.case_trace, "relais.case_id"
)


async def execute(
    holder: PoolHolder,
    case_id: UUID,
    command: Command,
    actor: Principal,
    *,
    event_id: UUID,
    now: datetime,
    configured: Known = NOTHING,
    seen: frozenset[int] | None = None,
) -> tuple[CaseEvent, CaseState]:
    """The fact the command became and the case after it; raises a shared.refusals.Refused
    (and writes nothing) when it is not allowed. ``configured``: the offices and topic
    families the service serves (what a transfer is checked against); ``seen``: the case
    versions its sender saw (services.advisory.versions; None: no check)."""

    async def load(conn: Conn) -> tuple[CaseState, Known]:
        state = (await projection.current(conn, {case_id}))[case_id]
        if state.known and versions.is_stale(state.events, seen):
            assert seen is not None
            history = [dict(r) for r in await queries.history(conn, case_id)]
            raise versions.refusal(state.events, seen, history)
        if not isinstance(command, MOVES):
            return state, configured
        return state, await known(conn, state, command, configured, now)

    def decide(loaded: tuple[CaseState, Known], at: datetime) -> CaseEvent:
        state, organisation = loaded
        return moving.decide(state, command, actor, event_id=event_id, now=at, known=organisation)

    name = f"{type(command).__name__} command"
    event, (state, _) = await commands.execute(
        holder, CASE, case_id, load, decide, name=name, now=now
    )
    return event, evolve(state, event)


async def known(
    conn: Conn, state: CaseState, command: Command, configured: Known, now: datetime
) -> Known:
    """What a move is checked against: the staff it names, the desks of its office."""
    named = {state.resolved_by} | ({command.to} if isinstance(command, Reassign) else set())
    office = (command.to_office if isinstance(command, Transfer) else None) or state.office
    return replace(
        configured,
        staff=await organisation_store.colleagues(conn, {n for n in named if n}, now),
        desks=await organisation_store.desks(conn, office) if office else frozenset(),
    )
