"""The cut: the exact point of the log a live projection stands at, taken while its writers
are paused, so a rebuilt projection can be brought to the very same point.

Pausing takes, in one transaction, ACCESS EXCLUSIVE on the live ``consumer_positions`` (every
consumer transaction reads it first, so consumers stop before touching anything) and then
EXCLUSIVE on the projection tables (HTTP writers wait; readers go on), with NOWAIT and
retries so the pause never holds one lock while waiting for another (no deadlock with a
writer). The pause lasts until the transaction ends: a rebuild swaps inside it.

At the cut, a live projection is: its live sources up to its stored positions, plus the facts
it decided itself — those still in its outbox (read first, applied without an offset) and
those already on their topics (up to the log end, read next: see ShadowRun.read_cut)."""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator, Sequence
from typing import Any

import asyncpg
import orjson
from aiokafka import AIOKafkaConsumer, ConsumerRecord, TopicPartition

from ops import kafka
from ops.kafka import Offsets
from ops.schemas import quoted
from shared.backlogs import live_positions
from shared.db import Conn

PENDING = """
SELECT id, topic, key, value, headers FROM {schema}.outbox
WHERE topic = ANY($1::text[]) ORDER BY id"""


class PauseTimeout(TimeoutError):
    """The live writers could not be paused in time (a long transaction holds a table)."""


@contextlib.asynccontextmanager
async def writers_paused(
    conn: Conn, schema: str, tables: Sequence[str], timeout_s: float = 30.0
) -> AsyncIterator[None]:
    """No live writer of ``schema`` commits while this is open (one transaction on conn)."""
    deadline = asyncio.get_running_loop().time() + timeout_s
    names = ", ".join(f"{quoted(schema)}.{quoted(t)}" for t in tables)
    async with conn.transaction():
        await conn.execute(f"SET LOCAL lock_timeout = '{int(timeout_s * 1000)}ms'")
        try:
            await conn.execute(
                f"LOCK TABLE {quoted(schema)}.consumer_positions IN ACCESS EXCLUSIVE MODE"
            )
        except asyncpg.LockNotAvailableError:
            raise PauseTimeout(f"{schema}'s consumers did not pause in {timeout_s:g}s") from None
        while names:
            try:
                async with conn.transaction():
                    await conn.execute(f"LOCK TABLE {names} IN EXCLUSIVE MODE NOWAIT")
                break
            except asyncpg.LockNotAvailableError:
                if asyncio.get_running_loop().time() > deadline:
                    raise PauseTimeout(
                        f"{schema}'s writers did not pause in {timeout_s:g}s"
                    ) from None
                await asyncio.sleep(0.02)
        yield


async def targets(
    conn: Conn,
    consumer: AIOKafkaConsumer,
    *,
    schema: str,
    group: str,
    live: Sequence[TopicPartition],
    own: Sequence[TopicPartition],
) -> Offsets:
    """Live sources up to the live positions, own facts up to the log end."""
    return {
        **await live_positions(conn, schema, group, live),
        **await kafka.ends(consumer, own),
    }


async def pending_facts(
    conn: Conn, schema: str, topics: Sequence[str]
) -> list[ConsumerRecord[Any, Any]]:
    """Own facts committed but not yet relayed to Kafka, as records without an offset."""
    if not topics:
        return []
    rows = await conn.fetch(PENDING.format(schema=quoted(schema)), list(topics))
    return [
        ConsumerRecord(
            topic=r["topic"],
            partition=-1,
            offset=-1,
            timestamp=0,
            timestamp_type=0,
            key=r["key"],
            value=r["value"],
            checksum=None,
            serialized_key_size=-1,
            serialized_value_size=-1,
            headers=[(k, v.encode()) for k, v in orjson.loads(r["headers"]).items()],
        )
        for r in rows
    ]
