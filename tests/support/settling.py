"""Waiting for a service to be at rest: its outbox relayed, the facts it decided read back, and
advisory's SLA tick with nothing due soon. `verify` compares a live projection with its log at
a cut; a fact a service applied as it decided it is in that cut once it has been read back."""

from __future__ import annotations

import asyncio
from collections.abc import Mapping, Sequence

import asyncpg

from shared.settings import Settings
from tests.support.kafka import end_offsets

POSITIONS = """
SELECT topic, partition, next_offset FROM {schema}.consumer_positions WHERE consumer_group = $1"""
OUTBOX = "SELECT count(*) FROM {schema}.outbox"
# A clock behind its case's facts, or with a warning or deadline in the next seconds.
SLA_DUE = """
SELECT count(*) FROM advisory.sla_clocks
WHERE (next_due IS NOT NULL AND next_due <= now() + make_interval(secs => $1))
   OR (opened_at IS NOT NULL
       AND (reopens <> restarts
            OR (met_at IS NULL
                AND (started_at IS NULL OR stopped_at >= started_at OR pauses <> waits_begun
                     OR resumes <> waits_ended))))"""


async def behind(
    db: asyncpg.Pool, settings: Settings, service: str, own: Sequence[str]
) -> list[str]:
    """What ``service`` has not done yet: outbox rows to relay, and records of its ``own``
    topics (those it publishes and reads back) to consume."""
    todo = []
    if waiting := await db.fetchval(OUTBOX.format(schema=service)):
        todo.append(f"{service}: {waiting} outbox rows")
    rows = await db.fetch(POSITIONS.format(schema=service), service)
    stored = {(r["topic"], r["partition"]): r["next_offset"] for r in rows}
    for topic in own:
        for tp, end in (await end_offsets(settings.kafka_bootstrap_servers, topic)).items():
            if stored.get((tp.topic, tp.partition), 0) < end:
                todo.append(f"{service}: {tp.topic}/{tp.partition} not read back to {end}")
    return todo


async def at_rest(
    db: asyncpg.Pool,
    settings: Settings,
    services: Mapping[str, Sequence[str]],
    *,
    quiet_s: float = 15.0,
    timeout: float = 90.0,
) -> list[str]:
    """Waits until ``behind`` finds nothing for each service (with its own topics) twice in a
    row, a second apart, and no SLA clock is due within ``quiet_s``; returns what was still
    left at the timeout (empty: at rest)."""
    loop = asyncio.get_running_loop()
    deadline = loop.time() + timeout
    calm = 0
    todo: list[str] = []
    while calm < 2 and loop.time() < deadline:
        todo = [t for s, own in services.items() for t in await behind(db, settings, s, own)]
        if due := await db.fetchval(SLA_DUE, quiet_s):
            todo.append(f"advisory: {due} SLA clocks due")
        calm = calm + 1 if not todo else 0
        await asyncio.sleep(1.0)
    return todo
