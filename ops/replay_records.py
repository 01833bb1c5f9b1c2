"""The record of every `relais replay`: a consumer group's offsets before and after, when, by
whom and why, so that what a replay overwrote can be seen and put back (`relais replay --undo`).

Kept in PostgreSQL (schema ``relais_ops``, created on first use), where every operator's
replays are found, whichever machine they ran from."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime

import orjson

from shared.db import Conn

CREATE = """
CREATE SCHEMA IF NOT EXISTS relais_ops;
CREATE TABLE IF NOT EXISTS relais_ops.group_replays (
    id             bigserial PRIMARY KEY,
    consumer_group text        NOT NULL,
    topic          text        NOT NULL,
    at             timestamptz NOT NULL DEFAULT now(),
    by             text        NOT NULL,
    reason         text        NOT NULL,
    since          text        NOT NULL,
    before         jsonb       NOT NULL,
    after          jsonb       NOT NULL,
    undone_at      timestamptz,
    undone_by      text
)"""
SAVE = """
INSERT INTO relais_ops.group_replays (consumer_group, topic, by, reason, since, before, after)
VALUES ($1, $2, $3, $4, $5, $6::jsonb, $7::jsonb) RETURNING id, at"""
LAST = """
SELECT * FROM relais_ops.group_replays
WHERE consumer_group = $1 AND undone_at IS NULL ORDER BY id DESC LIMIT 1"""
UNDONE = "UPDATE relais_ops.group_replays SET undone_at = now(), undone_by = $2 WHERE id = $1"

# Per partition: the committed offset, or None where the group had none.
Committed = dict[int, int | None]


@dataclass(frozen=True)
class ReplayRecord:
    id: int
    group: str
    topic: str
    at: datetime
    by: str
    reason: str
    since: str
    before: Committed
    after: Committed


def _encode(offsets: Mapping[int, int | None]) -> str:
    return orjson.dumps({str(p): o for p, o in sorted(offsets.items())}).decode()


def _decode(text: str) -> Committed:
    return {int(p): o for p, o in orjson.loads(text).items()}


async def save(
    conn: Conn,
    *,
    group: str,
    topic: str,
    by: str,
    reason: str,
    since: str,
    before: Mapping[int, int | None],
    after: Mapping[int, int | None],
) -> int:
    """Records a replay about to be applied; returns its id."""
    await conn.execute(CREATE)
    row = await conn.fetchrow(
        SAVE, group, topic, by, reason, since, _encode(before), _encode(after)
    )
    assert row is not None
    return int(row["id"])


async def last(conn: Conn, group: str) -> ReplayRecord | None:
    """The group's latest replay not undone yet."""
    await conn.execute(CREATE)
    row = await conn.fetchrow(LAST, group)
    if row is None:
        return None
    return ReplayRecord(
        row["id"],
        row["consumer_group"],
        row["topic"],
        row["at"],
        row["by"],
        row["reason"],
        row["since"],
        _decode(row["before"]),
        _decode(row["after"]),
    )


async def mark_undone(conn: Conn, record_id: int, by: str) -> None:
    await conn.execute(UNDONE, record_id, by)
