"""The PostgreSQL baselines: projection-like rows (routing's `cases` shape) written by COPY, and
by the set-based upsert a projection consumer runs, one transaction per batch."""

from __future__ import annotations

import time
import uuid
from collections.abc import Iterator
from datetime import UTC, datetime
from typing import Any

import asyncpg

from bench.config import BenchConfig

SCHEMA = "CREATE SCHEMA IF NOT EXISTS bench"
DROP = "DROP TABLE IF EXISTS bench.cases"
# Logged, indexed, like a real projection table: no shortcut the services do not take.
CREATE = """
CREATE TABLE bench.cases (
    case_id      uuid PRIMARY KEY,
    member_id    text        NOT NULL,
    queue        text        NOT NULL,
    topic_family text        NOT NULL,
    language     text        NOT NULL,
    event_id     uuid        NOT NULL,
    received_at  timestamptz NOT NULL
)"""
COLUMNS = ("case_id", "member_id", "queue", "topic_family", "language", "event_id", "received_at")
UPSERT = """
INSERT INTO bench.cases (case_id, member_id, queue, topic_family, language, event_id,
                         received_at)
SELECT * FROM unnest($1::uuid[], $2::text[], $3::text[], $4::text[], $5::text[], $6::uuid[],
                     $7::timestamptz[])
ON CONFLICT (case_id) DO UPDATE
SET queue = excluded.queue, event_id = excluded.event_id, received_at = excluded.received_at
WHERE bench.cases.received_at <= excluded.received_at"""

Row = tuple[uuid.UUID, str, str, str, str, uuid.UUID, datetime]


def batches(count: int, batch: int) -> Iterator[list[Row]]:
    """Fresh rows, a batch at a time (a million at once would weigh on the harness's memory)."""
    now = datetime.now(UTC)
    for start in range(0, count, batch):
        yield [
            (
                uuid.uuid4(),
                f"M-{i % 20_000}",
                "liege/first_line",
                "invoicing",
                "fr",
                uuid.uuid4(),
                now,
            )
            for i in range(start, min(count, start + batch))
        ]


async def fresh_table(pool: asyncpg.Pool) -> None:
    async with pool.acquire() as conn:
        await conn.execute(SCHEMA)
        await conn.execute(DROP)
        await conn.execute(CREATE)


async def copy(pool: asyncpg.Pool, count: int, batch: int) -> float:
    """Seconds spent in PostgreSQL (generating the rows is not counted)."""
    spent = 0.0
    async with pool.acquire() as conn:
        for chunk in batches(count, batch):
            started = time.perf_counter()
            async with conn.transaction():
                await conn.copy_records_to_table(
                    "cases", schema_name="bench", records=chunk, columns=COLUMNS
                )
            spent += time.perf_counter() - started
    return spent


async def upsert(pool: asyncpg.Pool, count: int, batch: int) -> float:
    """Seconds spent in PostgreSQL, arrays built per column as the projections do."""
    spent = 0.0
    async with pool.acquire() as conn:
        for chunk in batches(count, batch):
            started = time.perf_counter()
            async with conn.transaction():
                await conn.execute(UPSERT, *(list(column) for column in zip(*chunk, strict=True)))
            spent += time.perf_counter() - started
    return spent


def figure(count: int, batch: int, seconds: float) -> dict[str, Any]:
    return {
        "rows": count,
        "rows_per_transaction": batch,
        "seconds": round(seconds, 3),
        "rate_per_s": round(count / seconds, 1),
    }


async def run(pool: asyncpg.Pool, config: BenchConfig) -> dict[str, Any]:
    """COPY into a fresh table, then upsert as many new rows into another fresh table."""
    await fresh_table(pool)
    copied = await copy(pool, config.pg_rows, config.copy_batch)
    await fresh_table(pool)
    upserted = await upsert(pool, config.pg_rows, config.upsert_batch)
    await fresh_table(pool)  # leave an empty table, not a million rows, behind
    return {
        "pg_copy": figure(config.pg_rows, config.copy_batch, copied),
        "pg_upsert": figure(config.pg_rows, config.upsert_batch, upserted),
    }
