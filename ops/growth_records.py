"""The record of every `relais partitions grow`: where each old partition ended when the topic
grew (the cut), so a replay of the log reads a case's events in the order they were written
(ops/growth_phases.py). Kept in PostgreSQL (schema ``relais_ops``, created on first use, as
`relais replay`'s records), found by every rebuild whichever machine it runs on."""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import orjson

from ops.growth_phases import Growth
from shared.db import Conn

CREATE = """
CREATE SCHEMA IF NOT EXISTS relais_ops;
CREATE TABLE IF NOT EXISTS relais_ops.partition_growths (
    id                bigserial PRIMARY KEY,
    topic             text        NOT NULL,
    at                timestamptz NOT NULL DEFAULT now(),
    by                text        NOT NULL,
    partitions_before int         NOT NULL,
    partitions_after  int         NOT NULL,
    cut               jsonb       NOT NULL
)"""
SAVE = """
INSERT INTO relais_ops.partition_growths (topic, by, partitions_before, partitions_after, cut)
VALUES ($1, $2, $3, $4, $5::jsonb) RETURNING id"""
FORGET = "DELETE FROM relais_ops.partition_growths WHERE id = $1"
OF = """
SELECT topic, partitions_before, cut FROM relais_ops.partition_growths
WHERE topic = ANY($1::text[]) ORDER BY id"""
EXISTS = "SELECT to_regclass('relais_ops.partition_growths') IS NOT NULL"


async def save(
    conn: Conn, *, topic: str, by: str, before: int, after: int, cut: Mapping[int, int]
) -> int:
    """Records a growth about to happen, with the end of each old partition (its producer
    paused: nothing is written until it has happened); returns its id. Recorded before, so
    no record of the grown topic can be read without it; a record of a growth that then did
    not happen would only split a replay where nothing changed (and is forgotten)."""
    await conn.execute(CREATE)
    encoded = orjson.dumps({str(p): o for p, o in sorted(cut.items())}).decode()
    found = await conn.fetchval(SAVE, topic, by, before, after, encoded)
    return int(found)


async def forget(conn: Conn, growth: int) -> None:
    """Removes the record of a growth that did not happen."""
    await conn.execute(FORGET, growth)


async def growths(conn: Conn, topics: Sequence[str]) -> list[Growth]:
    """The growths of ``topics``, oldest first (none where no topic ever grew)."""
    if not await conn.fetchval(EXISTS):
        return []
    return [
        Growth(
            r["topic"],
            r["partitions_before"],
            {int(p): int(o) for p, o in orjson.loads(r["cut"]).items()},
        )
        for r in await conn.fetch(OF, list(topics))
    ]
