"""The SLA tick: now and then, the clocks that are behind their case's facts or have a warning
or a deadline due get their SLA facts, and a breached first-line case its escalation. Time is
an input (``tick(now=...)``); everything decided goes through the outbox with the projection,
in one transaction. It is separate from the consumers: turned off (RELAIS_SLA_TICK_SECONDS=0)
nothing about SLA is decided, e.g. while a projection is rebuilt from the log."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

import asyncpg

from services.advisory import commands, projection
from services.advisory.domain import CaseEvent
from services.advisory.sla import projection as sla_projection
from services.advisory.sla import waits as member_waits
from services.advisory.sla.clock import due
from services.advisory.sla.outcomes import escalation
from services.advisory.sla.policy import SlaPolicy, SlaSettings
from services.advisory.sla.timeline import timeline
from shared import faults, locks, outbox, single_active, telemetry
from shared.events import ESCALATED, SLA, CaseEscalated
from shared.sla_events import SlaEvent

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Round:
    cases: int
    facts: list[SlaEvent]
    escalations: list[CaseEscalated]


async def tick(pool: asyncpg.Pool, policy: SlaPolicy, now: datetime, limit: int = 500) -> Round:
    """One round over at most ``limit`` cases; returns what it recorded and published. The
    cases are locked (as commands and consumers lock them), then read: two ticks, or a tick
    and a command, never decide on the same case at once."""
    async with pool.acquire() as conn, conn.transaction():
        case_ids = await sla_projection.work(conn, now, limit)
        if not case_ids:
            return Round(0, [], [])
        await locks.lock_all(conn, projection.LOCK_SPACE, case_ids)
        histories = await sla_projection.case_facts(conn, case_ids)
        recorded = await sla_projection.recorded(conn, case_ids)
        states = await projection.current(conn, set(case_ids))
        facts: list[SlaEvent] = []
        escalations: list[CaseEscalated] = []
        for case_id in case_ids:
            new = due(timeline(case_id, histories[case_id]), recorded[case_id], policy, now)
            facts += new
            escalated = escalation(states[case_id], new, now)
            if escalated is not None:
                escalations.append(escalated)
        for fact in facts:  # the cases' SLA history, as recorded once this round is
            recorded[fact.case_id].append(fact)
        # Built first: an escalation's history row keeps the trace context its message
        # carries, which is what a rebuild reads back from `escalated`.
        outgoing = [outbox.event_message(ESCALATED, e) for e in escalations]
        traces = {
            e.event_id: telemetry.traceparent_of(m.headers)
            for e, m in zip(escalations, outgoing, strict=True)
        }
        await sla_projection.record(conn, facts, recorded)
        await projection.record(conn, escalations, traces)
        await outbox.enqueue(conn, [outbox.event_message(SLA, f) for f in facts] + outgoing)
        faults.point("sla.recording")  # crash: the round's facts written, not committed
    return Round(len(case_ids), facts, escalations)


async def waits(
    pool: asyncpg.Pool, policy: SlaPolicy, now: datetime, limit: int = 500
) -> list[CaseEvent]:
    """One round over the waits on the member (services.advisory.sla.waits): reminders and
    no-response closures now due, recorded and published in one transaction."""
    shortest = min(
        [policy.calendar.day_seconds] + [policy.calendar_for(o).day_seconds for o in policy.offices]
    )

    def before(days: float) -> datetime:
        return now - timedelta(seconds=days * shortest)

    async with pool.acquire() as conn, conn.transaction():
        found = await sla_projection.waiting(
            conn, before(policy.remind_after_days), before(policy.close_after_days), limit
        )
        if not found:
            return []
        await locks.lock_all(conn, projection.LOCK_SPACE, [case_id for case_id, _, _ in found])
        states = await projection.current(conn, {case_id for case_id, _, _ in found})
        reminded = await sla_projection.known_facts(
            conn, [member_waits.reminder_id(wait) for _, wait, _ in found]
        )
        facts: list[CaseEvent] = []
        for case_id, wait, since in found:
            was_reminded = member_waits.reminder_id(wait) in reminded
            open_wait = member_waits.OpenWait(case_id, wait, since)
            facts += member_waits.due(states[case_id], open_wait, was_reminded, policy, now)
        if not facts:
            return []
        outgoing = [outbox.event_message(commands.topic_of(f), f) for f in facts]
        traces = {
            f.event_id: telemetry.traceparent_of(m.headers)
            for f, m in zip(facts, outgoing, strict=True)
        }
        await projection.record(conn, facts, traces)
        await outbox.enqueue(conn, outgoing)
    return facts


async def run(pool: asyncpg.Pool, settings: SlaSettings, on_commit: Callable[[], None]) -> None:
    """Ticks every ``settings.tick_seconds`` (at once again while there is more work). With
    several instances of advisory, one ticks at a time (shared.single_active); each case is
    still decided under its lock, so two rounds never record its facts twice."""
    policy = settings.policy()
    while True:
        try:
            async with single_active.turn(pool, single_active.lock_name("advisory", "sla")) as mine:
                if mine:
                    done = await tick(pool, policy, datetime.now(UTC), settings.batch)
                    answered = await waits(pool, policy, datetime.now(UTC), settings.batch)
                else:
                    done, answered = Round(0, [], []), []
        except Exception as exc:  # database away: try again next round
            log.warning("SLA tick failed: %s", exc)
            done, answered = Round(0, [], []), []
        if done.facts or done.escalations or answered:
            faults.point("sla.committed")  # crash: the round committed, its relay not woken
            on_commit()
        if done.escalations:
            log.info("SLA breaches escalated %d cases", len(done.escalations))
        # A full round that found something: there may be more, go on at once.
        if done.cases < settings.batch or not done.facts:
            await asyncio.sleep(settings.tick_seconds)
