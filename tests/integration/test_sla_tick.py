"""The SLA tick on the real PostgreSQL, time given: clocks start, warn and breach on their own
and a breach escalates the case; a wait pauses them; a reopened case's resolution clock runs
again and can breach; nothing is published twice; advisory's SLA tables rebuilt from the log
are the live ones."""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from datetime import timedelta
from typing import Any

import asyncpg
import orjson

from services.advisory import handlers
from services.advisory.decisions import Claim, Resolve, WaitOnMember, decide
from services.advisory.domain import evolve, fold
from services.advisory.reopening import reopen
from services.advisory.sla.policy import SlaPolicy
from services.advisory.sla.tick import tick
from shared.codec import decode
from shared.consumer import BatchConsumer
from shared.db import PoolHolder
from shared.events import (
    CASE_ACTIVITY,
    ESCALATED,
    RESOLVED,
    ROUTED,
    SLA,
    Event,
    Outcome,
    ReopenCause,
)
from tests.integration.conftest import ScratchFactory
from tests.support.cases import ANN, T0, first_routing
from tests.support.lifecycles import as_records

POLICY = SlaPolicy()  # invoicing: normal priority, first response within 4 business hours
SLA_TABLES = ("sla_facts", "sla_clocks")


async def consume(pool: asyncpg.Pool, log: Sequence[tuple[str, Event]], start: int = 0) -> None:
    holder = PoolHolder()
    holder.pool = pool
    records = as_records(log, start)
    for topic in dict.fromkeys(t for t, _ in log):
        apply = handlers.apply_sla_facts if topic == SLA else handlers.apply_case_events
        worker = BatchConsumer(holder, service="advisory", group="advisory", apply=apply)
        await worker.process([r for r in records if r.topic == topic])


async def published(pool: asyncpg.Pool, topic: str) -> list[Event]:
    rows = await pool.fetch("SELECT value FROM outbox WHERE topic = $1 ORDER BY id", topic)
    return [decode(topic, r["value"]) for r in rows]


async def table(pool: asyncpg.Pool, name: str) -> list[dict[str, Any]]:
    return [dict(r) for r in await pool.fetch(f"SELECT * FROM {name} ORDER BY 1, 2")]


async def test_clocks_start_warn_breach_and_escalate_by_themselves(
    scratch_schema: ScratchFactory,
) -> None:
    pool = await scratch_schema("advisory")
    case_id = uuid.uuid4()
    # Given a case routed on Monday at 10:00 (Brussels)
    await consume(pool, [(ROUTED, first_routing(case_id))])
    # When the tick looks a minute later, both clocks start
    first = await tick(pool, POLICY, T0 + timedelta(minutes=1))
    assert sorted(f.type + ":" + f.clock for f in first.facts) == [
        "SlaStarted:first_response",
        "SlaStarted:resolution",
    ]
    assert (await tick(pool, POLICY, T0 + timedelta(minutes=2))).cases == 0
    # When it looks again the next day, the first response target has passed
    later = await tick(pool, POLICY, T0 + timedelta(days=1))
    assert [f.type for f in later.facts] == ["SlaWarned", "SlaBreached"]
    (escalation,) = later.escalations
    assert (escalation.escalated_by, escalation.reason_code.value) == ("sla", "sla_breach")
    # Then the case is escalated, and the facts and the escalation are in the outbox once
    status = await pool.fetchval("SELECT status FROM cases WHERE case_id = $1", case_id)
    assert status == "escalated"
    assert [e.type for e in await published(pool, ESCALATED)] == ["CaseEscalated"]
    assert len(await published(pool, SLA)) == 4
    assert (await tick(pool, POLICY, T0 + timedelta(days=1, minutes=1))).facts == []
    clocks = {r["clock"]: r for r in await table(pool, "sla_clocks")}
    assert clocks["first_response"]["breached_at"] is not None
    assert clocks["first_response"]["next_due"] is None
    assert clocks["resolution"]["next_due"] == clocks["resolution"]["warn_at"]


async def test_a_wait_on_the_member_pauses_the_clocks_and_nothing_is_due_meanwhile(
    scratch_schema: ScratchFactory,
) -> None:
    pool = await scratch_schema("advisory")
    case_id = uuid.uuid4()
    routed = first_routing(case_id)
    state = fold(case_id, [routed])
    claim = decide(state, Claim(), ANN, event_id=uuid.uuid4(), now=T0 + timedelta(minutes=5))
    state = evolve(state, claim)
    wait = decide(
        state, WaitOnMember(note="?"), ANN, event_id=uuid.uuid4(), now=T0 + timedelta(minutes=6)
    )
    await consume(pool, [(ROUTED, routed), (CASE_ACTIVITY, claim), (CASE_ACTIVITY, wait)])
    done = await tick(pool, POLICY, T0 + timedelta(minutes=7))
    assert sorted(f.type for f in done.facts) == [
        "SlaPaused",
        "SlaPaused",
        "SlaStarted",
        "SlaStarted",
    ]
    # A month later, still waiting: nothing is due, nothing escalates
    month = await tick(pool, POLICY, T0 + timedelta(days=30))
    assert (month.facts, month.escalations) == ([], [])
    paused = await pool.fetch("SELECT paused, next_due FROM sla_clocks")
    assert {(r["paused"], r["next_due"]) for r in paused} == {(True, None)}


async def test_sla_tables_rebuilt_from_the_log_are_the_live_ones(
    scratch_schema: ScratchFactory,
) -> None:
    live, rebuilt = await scratch_schema("advisory"), await scratch_schema("advisory")
    cases = [uuid.uuid4() for _ in range(5)]
    log: list[tuple[str, Event]] = [(ROUTED, first_routing(c)) for c in cases]
    await consume(live, log)
    await tick(live, POLICY, T0 + timedelta(minutes=1))
    await tick(live, POLICY, T0 + timedelta(days=1))
    # Given what the live service published, as the log holds it
    for topic in (SLA, ESCALATED):
        log += [(topic, e) for e in await published(live, topic)]
    # When another projection is built from that log alone (the SLA facts read first)
    await consume(rebuilt, [e for e in log if e[0] == SLA])
    await consume(rebuilt, [e for e in log if e[0] != SLA])
    await consume(live, log, start=100)  # the live one reads its own facts back: no change
    # Then the SLA tables are identical, and the rebuilt one has nothing left to decide
    for name in SLA_TABLES:
        assert await table(live, name) == await table(rebuilt, name), name
    assert (await tick(rebuilt, POLICY, T0 + timedelta(days=1))).facts == []
    escalated = await rebuilt.fetchval("SELECT count(*) FROM cases WHERE status = 'escalated'")
    assert escalated == len(cases)
    assert (
        orjson.loads(await rebuilt.fetchval("SELECT event FROM sla_facts LIMIT 1"))["producer"]
        == "advisory"
    )


async def test_a_reopened_case_runs_its_resolution_clock_again_and_it_can_breach(
    scratch_schema: ScratchFactory,
) -> None:
    live, rebuilt = await scratch_schema("advisory"), await scratch_schema("advisory")
    case_id = uuid.uuid4()
    # Given a case answered and resolved within half an hour, its clocks met
    routed = first_routing(case_id)
    state = fold(case_id, [routed])
    claim = decide(state, Claim(), ANN, event_id=uuid.uuid4(), now=T0 + timedelta(minutes=5))
    state = evolve(state, claim)
    resolve = Resolve(outcome=Outcome.ANSWERED)
    resolved = decide(state, resolve, ANN, event_id=uuid.uuid4(), now=T0 + timedelta(minutes=30))
    state = evolve(state, resolved)
    log: list[tuple[str, Event]] = [(ROUTED, routed)]
    log += [(CASE_ACTIVITY, claim), (RESOLVED, resolved)]
    await consume(live, log)
    await tick(live, POLICY, T0 + timedelta(minutes=31))
    # When it is reopened a week later
    week = T0 + timedelta(days=7)
    reopened = reopen(
        state, actor="ann", cause=ReopenCause.STAFF, reason="Still wrong.", event_id=uuid.uuid4(),
        now=week,
    )  # fmt: skip
    log.append((CASE_ACTIVITY, reopened))
    await consume(live, log, start=3)
    # Then a new resolution clock starts at the reopening; the first response stays met
    again = await tick(live, POLICY, week + timedelta(minutes=1))
    assert [(f.type, f.clock, f.occurred_at) for f in again.facts] == [
        ("SlaStarted", "resolution", reopened.occurred_at)
    ]
    assert (await tick(live, POLICY, week + timedelta(minutes=2))).cases == 0
    clocks = {r["clock"]: r for r in await table(live, "sla_clocks")}
    assert clocks["first_response"]["met_at"] is not None
    running = clocks["resolution"]
    assert (running["restarts"], running["reopens"], running["met_at"]) == (1, 1, None)
    assert running["next_due"] == running["warn_at"] > week
    # And, left alone another two weeks, it breaches and the case is escalated
    late = await tick(live, POLICY, week + timedelta(days=14))
    assert [f.type for f in late.facts] == ["SlaWarned", "SlaBreached"]
    assert [e.reason_code.value for e in late.escalations] == ["sla_breach"]
    # A projection rebuilt from the log has the same SLA tables, and nothing left to decide
    for topic in (SLA, ESCALATED):
        log += [(topic, e) for e in await published(live, topic)]
    await consume(rebuilt, [e for e in log if e[0] == SLA])
    await consume(rebuilt, [e for e in log if e[0] != SLA])
    await consume(live, log, start=4)
    for name in SLA_TABLES:
        assert await table(live, name) == await table(rebuilt, name), name
    assert (await tick(rebuilt, POLICY, week + timedelta(days=14))).facts == []
