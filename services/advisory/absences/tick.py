"""The hand-over pass: the open cases whose holder is away now are taken from them
(services.advisory.absences.handover), each under its case's lock, recorded with the
projection and put in the outbox in one transaction. Run when an absence is read from
`organisation` (for its adviser, at once) and now and then in the background (absences that
start later). Off (RELAIS_HANDOVER_TICK_SECONDS=0), only the consumer's pass runs."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable, Collection
from datetime import UTC, datetime

import asyncpg
from pydantic import Field
from pydantic_settings import BaseSettings, SettingsConfigDict

from services.advisory import commands, organisation_store, projection
from services.advisory.absences.handover import hand_over
from shared import locks, outbox, single_active, telemetry
from shared.db import Conn

log = logging.getLogger(__name__)


class HandoverSettings(BaseSettings):
    """RELAIS_HANDOVER_*: how often the background pass looks for absences that began."""

    model_config = SettingsConfigDict(env_prefix="RELAIS_HANDOVER_", extra="ignore")

    tick_seconds: float = Field(default=30.0, ge=0)
    batch: int = Field(default=200, ge=1)


async def hand_over_absent(
    conn: Conn, now: datetime, staff: Collection[str] | None = None, limit: int = 200
) -> int:
    """Takes the open cases of the staff away at ``now`` (of ``staff`` only, when given) from
    them, in the caller's transaction; returns how many facts it recorded."""
    held = await organisation_store.held_by_absent(conn, now, staff, limit)
    if not held:
        return 0
    await locks.lock_all(conn, projection.LOCK_SPACE, held)
    states = await projection.current(conn, set(held))
    covers = {c for _, c in held.values() if c is not None}
    colleagues = await organisation_store.colleagues(conn, covers, now)
    facts = [
        fact
        for case_id, (absent, cover) in held.items()
        for fact in hand_over(
            states[case_id], now, absent=absent, cover=colleagues.get(cover) if cover else None
        )
    ]
    messages = [outbox.event_message(commands.topic_of(f), f) for f in facts]
    traces = {
        f.event_id: telemetry.traceparent_of(m.headers)
        for f, m in zip(facts, messages, strict=True)
    }
    await projection.record(conn, facts, traces)
    await outbox.enqueue(conn, messages)
    return len(facts)


async def run(
    pool: asyncpg.Pool, settings: HandoverSettings, on_commit: Callable[[], None]
) -> None:
    """The background pass, every ``settings.tick_seconds``; one instance of advisory at a time
    (shared.single_active; each case is handed over under its lock, read again under it)."""
    name = single_active.lock_name("advisory", "absence-handover")
    while True:
        try:
            async with single_active.turn(pool, name) as mine:
                done = 0
                if mine:
                    async with pool.acquire() as conn, conn.transaction():
                        done = await hand_over_absent(conn, datetime.now(UTC), limit=settings.batch)
        except Exception as exc:  # database away: try again next round
            log.warning("absence hand-over failed: %s", exc)
            done = 0
        if done:
            on_commit()
            log.info("absences handed %d facts over", done)
        if done < settings.batch:
            await asyncio.sleep(settings.tick_seconds)
