"""Exactly once, checked after a crash scenario once the stack is quiet.

On the log (at-least-once: a record may appear twice, with the same event id and the same
bytes), per case of the run, counted in distinct event ids:
- one RequestReceived per request accepted, and no case for an Idempotency-Key but the one
  its client was answered; one first-line CaseRouted per case; one CaseClaimed and one
  CaseResolved per case worked, none for the others, no escalation; one AdminTaskOpened and
  one AdminTaskCompleted per task closed; at most one SLA fact per case, clock and type;
  between one and as many profile facts per adviser as the client sent attempts, every
  answered one among them; no record of the run dead-lettered anywhere;
- no event id published twice with different contents.
In the projections:
- intake holds one request per Idempotency-Key; routing one routed case per case and each
  adviser's profile of the last answer; advisory each case once with its status, its
  counters (events, replies, notes, escalations) and its history equal to the distinct
  events on the log, its SLA facts equal to the topic's; admin one case per case, one task
  per case worked, its history equal to the log's; the BI lifecycle view one row per case."""

from __future__ import annotations

import asyncio
import uuid
from collections import Counter, defaultdict
from collections.abc import Callable
from typing import Any

import asyncpg

from ops import kafka
from ops.services import load
from shared import backlogs
from shared.events import (
    ADMIN_TASKS,
    CASE_ACTIVITY,
    ESCALATED,
    ORGANISATION,
    REQUEST_RECEIVED,
    RESOLVED,
    ROUTED,
    SLA,
)
from shared.settings import Settings
from tests.support.chaos.log import Fact, facts, redone_differently
from tests.support.chaos.scenarios import SERVICES
from tests.support.chaos.workload import Told

CASE_TOPICS = (ROUTED, CASE_ACTIVITY, ESCALATED, RESOLVED)
# An SLA clock that is behind its case's facts: the tick still has work for it.
SLA_BEHIND = """
SELECT count(*) FROM advisory.sla_clocks
WHERE case_id = ANY($1::uuid[]) AND opened_at IS NOT NULL
  AND (reopens <> restarts
       OR (met_at IS NULL
           AND (started_at IS NULL OR stopped_at >= started_at OR pauses <> waits_begun
                OR resumes <> waits_ended)))"""


async def quiet(settings: Settings, db: asyncpg.Pool, cases: list[str], timeout: float) -> bool:
    """Waits until nothing is left to do: every consumer group's stored positions at its log
    ends, every outbox empty, no SLA clock of the run behind (twice in a row, a quarter of a
    second apart)."""
    ids = [uuid.UUID(c) for c in cases]
    services = [load(name, settings) for name in SERVICES]
    bootstrap = settings.kafka_bootstrap_servers
    sources = {
        s.name: await kafka.partitions(bootstrap, [t.topic for t in s.live_sources])
        for s in services
    }
    loop = asyncio.get_running_loop()
    deadline = loop.time() + timeout
    calm = 0
    async with kafka.reader(bootstrap) as consumer:
        while loop.time() < deadline:
            try:
                busy = await db.fetchval(SLA_BEHIND, ids)
                for service in services:
                    tps = sources[service.name]
                    ends = await kafka.ends(consumer, tps)
                    async with db.acquire() as conn:
                        stored = await backlogs.live_positions(
                            conn, service.schema, service.group, tps
                        )
                        busy += await conn.fetchval(f"SELECT count(*) FROM {service.schema}.outbox")
                    busy += sum(max(0, ends[tp] - stored[tp]) for tp in tps)
            except (OSError, asyncpg.PostgresError, asyncpg.InterfaceError):
                await db.expire_connections()  # back from an outage, or a swap under way
                busy = 1
            calm = 0 if busy else calm + 1
            if calm == 2:
                return True
            await asyncio.sleep(0.25)
    return False


def only(**counts: int) -> Counter[str]:
    """Event types and how many of each (types counted 0 left out)."""
    return +Counter(counts)


def by_case(found: list[Fact], topic: str, cases: set[str]) -> dict[str, Counter[str]]:
    """Distinct event ids per case and type on a topic."""
    seen: dict[str, dict[str, str]] = defaultdict(dict)
    for f in found:
        if f.topic == topic and str(f.event.get("case_id")) in cases:
            seen[str(f.event["case_id"])][f.event_id] = f.event["type"]
    return {c: Counter(types.values()) for c, types in seen.items()}


def on_the_log(told: Told, records: list[Any]) -> list[str]:
    """What is wrong with the run's part of the log."""
    wrong = redone_differently(found := facts(records))
    cases = set(told.cases.values())
    worked, closed = set(told.worked), set(told.tasks)
    ours = [
        f
        for f in found
        if f.topic == REQUEST_RECEIVED
        and str(f.event.get("idempotency_key") or "").startswith(told.prefix + "-")
    ]
    keyed: dict[str, set[str]] = defaultdict(set)
    for f in ours:
        keyed[str(f.event["idempotency_key"])].add(str(f.event["case_id"]))
    wrong += [
        f"key {k}: cases {sorted(v)} on the log, answered {told.cases.get(k)}"
        for k, v in keyed.items()
        if v != {told.cases.get(k)}
    ]
    expected: dict[str, Callable[[str], Counter[str]]] = {
        REQUEST_RECEIVED: lambda c: only(RequestReceived=1),
        ROUTED: lambda c: only(CaseRouted=1),
        CASE_ACTIVITY: lambda c: only(CaseClaimed=c in worked),
        RESOLVED: lambda c: only(CaseResolved=c in worked),
        ESCALATED: lambda c: only(),
        ADMIN_TASKS: lambda c: only(AdminTaskOpened=c in worked, AdminTaskCompleted=c in closed),
    }
    for topic, wanted in expected.items():
        counted = by_case(found, topic, cases)
        wrong += [
            f"{topic} {c}: {dict(counted.get(c, Counter()))}, expected {dict(wanted(c))}"
            for c in cases
            if counted.get(c, Counter()) != wanted(c)
        ]
    sla: Counter[tuple[str, str, str]] = Counter()
    for f in {f.event_id: f for f in found if f.topic == SLA}.values():
        if str(f.event["case_id"]) in cases:
            sla[(str(f.event["case_id"]), f.event["clock"], f.event["type"])] += 1
    wrong += [f"sla {k}: {n} distinct facts" for k, n in sla.items() if n > 1]
    for adviser, (attempts, answered, _) in told.profiles.items():
        ids = {
            f.event_id
            for f in found
            if f.topic == ORGANISATION and f.event.get("adviser_id") == adviser
        }
        if not set(answered) <= ids or not len(answered) <= len(ids) <= attempts:
            wrong.append(f"{adviser}: {len(ids)} profile facts for {attempts} attempts, {answered}")
    keys = {c.encode() for c in cases}
    wrong += [
        f"dead-lettered {r.topic} {r.key!r}"
        for r in records
        if r.topic.endswith(".dead-letter") and r.key in keys
    ]
    return wrong


async def in_projections(db: asyncpg.Pool, told: Told, records: list[Any]) -> list[str]:
    """What is wrong with the projections, given the run's part of the log."""
    found = {f.event_id: f for f in facts(records)}.values()
    cases = sorted(set(told.cases.values()))
    ids = [uuid.UUID(c) for c in cases]
    worked = set(told.worked)
    wrong: list[str] = []
    stored = await db.fetch(
        "SELECT idempotency_key, case_id FROM intake.requests WHERE idempotency_key LIKE $1",
        told.prefix + "-%",
    )
    if {r["idempotency_key"]: str(r["case_id"]) for r in stored} != told.cases or len(
        stored
    ) != len(told.cases):
        wrong.append(f"intake holds {len(stored)} requests for {len(told.cases)} answered")
    routed = await db.fetchval(
        "SELECT count(*) FROM routing.cases WHERE case_id = ANY($1::uuid[]) AND queue IS NOT NULL",
        ids,
    )
    if routed != len(cases):
        wrong.append(f"routing holds {routed} routed cases of {len(cases)}")
    for adviser, (_, answered, capacity) in told.profiles.items():
        row = await db.fetchrow(
            "SELECT capacity, event_id FROM routing.advisers WHERE adviser_id = $1", adviser
        )
        if row is None or (row["capacity"], str(row["event_id"])) != (capacity, answered[-1]):
            wrong.append(f"routing's {adviser}: {row and dict(row)}, last answered {answered[-1]}")
    case_events: dict[str, set[str]] = defaultdict(set)
    sla_events: dict[str, set[str]] = defaultdict(set)
    task_events: dict[str, set[str]] = defaultdict(set)
    for f in found:
        case = str(f.event.get("case_id"))
        if f.topic in CASE_TOPICS:
            case_events[case].add(f.event_id)
        elif f.topic == SLA:
            sla_events[case].add(f.event_id)
        elif f.topic == ADMIN_TASKS:
            task_events[case].add(f.event_id)
    advised = {
        str(r["case_id"]): r
        for r in await db.fetch(
            "SELECT case_id, status, events, replies, notes, escalations FROM advisory.cases "
            "WHERE case_id = ANY($1::uuid[])",
            ids,
        )
    }
    histories = await grouped(db, "advisory.case_history", ids)
    sla_facts = await grouped(db, "advisory.sla_facts", ids)
    task_histories = await grouped(db, "admin.task_history", ids)
    for case in cases:
        row = advised.get(case)
        status = "resolved" if case in worked else "queued"
        counters = (status, len(case_events[case]), 0, 0, 0)
        if row is None or tuple(row)[1:] != counters:
            wrong.append(f"advisory's {case}: {row and tuple(row)[1:]}, expected {counters}")
        for name, held, logged in (
            ("advisory history", histories, case_events),
            ("advisory SLA facts", sla_facts, sla_events),
            ("admin task history", task_histories, task_events),
        ):
            if held.get(case, set()) != logged.get(case, set()):
                wrong.append(
                    f"{name} of {case}: {len(held.get(case, ()))} rows, log {len(logged[case])}"
                )
    tasks = await db.fetch(
        "SELECT case_id, status FROM admin.tasks WHERE case_id = ANY($1::uuid[])", ids
    )
    expected_tasks = {c: "completed" if c in told.tasks else "open" for c in worked}
    if {str(t["case_id"]): t["status"] for t in tasks} != expected_tasks or len(tasks) != len(
        worked
    ):
        wrong.append(f"admin tasks {[tuple(t) for t in tasks]}, expected {expected_tasks}")
    for view, table in (("admin", "admin.cases"), ("BI lifecycle", "bi.case_lifecycle")):
        held = await db.fetchval(
            f"SELECT count(*) FROM {table} WHERE case_id = ANY($1::uuid[])", ids
        )
        if held != len(cases):
            wrong.append(f"{view} holds {held} rows for {len(cases)} cases")
    return wrong


async def grouped(db: asyncpg.Pool, table: str, ids: list[uuid.UUID]) -> dict[str, set[str]]:
    """The event ids a history table holds, per case."""
    rows = await db.fetch(
        f"SELECT case_id, event_id FROM {table} WHERE case_id = ANY($1::uuid[])", ids
    )
    held: dict[str, set[str]] = defaultdict(set)
    for r in rows:
        held[str(r["case_id"])].add(str(r["event_id"]))
    return held
