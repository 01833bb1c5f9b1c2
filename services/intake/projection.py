"""intake's tables: accepted requests, written with their outgoing event in one statement, and
read back from `request-received` when the table is rebuilt from the log."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from uuid import UUID

import asyncpg
import orjson

from shared.db import Conn
from shared.events import RequestReceived
from shared.outbox import OutgoingMessage

# One statement, so one round trip and one implicit transaction: the request row and its
# outbox row are written together or not at all (the transactional outbox). A conflicting
# idempotency key writes neither.
ACCEPT = """
WITH accepted AS (
    INSERT INTO requests (case_id, event_id, idempotency_key, fingerprint, member_id, channel,
                          topic_family, event, received_at)
    VALUES ($1, $2, $3, $4, $5, $6, $7, $8::jsonb, $9)
    ON CONFLICT (idempotency_key) DO NOTHING
    RETURNING case_id
), relayed AS (
    INSERT INTO outbox (topic, key, value, headers)
    SELECT $10, $11, $12, $13::jsonb FROM accepted
)
SELECT count(*) FROM accepted"""

# A rebuild: the same rows, from the events intake published (the event stored as published).
RECORD = """
INSERT INTO requests (case_id, event_id, idempotency_key, fingerprint, member_id, channel,
                      topic_family, event, received_at)
SELECT * FROM json_to_recordset($1::json) AS x(case_id uuid, event_id uuid,
    idempotency_key text, fingerprint text, member_id text, channel text, topic_family text,
    event jsonb, received_at timestamptz)
ORDER BY case_id
ON CONFLICT DO NOTHING"""

BY_KEY = "SELECT case_id, fingerprint FROM requests WHERE idempotency_key = $1"

BY_CASE = """
SELECT r.case_id, r.member_id, r.channel, r.topic_family, r.event, r.received_at,
       NOT EXISTS (SELECT 1 FROM outbox o WHERE o.key = $2) AS published
FROM requests r WHERE r.case_id = $1"""


@dataclass(frozen=True)
class Existing:
    case_id: UUID
    fingerprint: str


async def accept(
    conn: Conn,
    event: RequestReceived,
    message: OutgoingMessage,
    idempotency_key: str | None,
    fingerprint: str,
) -> bool:
    """Stores the request and its outgoing event; False when the idempotency key exists."""
    inserted = await conn.fetchval(
        ACCEPT,
        event.case_id,
        event.event_id,
        idempotency_key,
        fingerprint,
        event.member_id,
        event.channel.value,
        event.topic_family,
        message.value.decode(),
        event.received_at,
        message.topic,
        message.key,
        message.value,
        orjson.dumps(message.headers).decode(),
    )
    return bool(inserted)


@dataclass(frozen=True)
class Published:
    """A RequestReceived as read back from the log, with the bytes it was published as."""

    event: RequestReceived
    value: bytes
    fingerprint: str


async def record(conn: Conn, published: Sequence[Published]) -> None:
    """Stores requests read back from the log (one JSON parameter per batch); one already
    stored is left as it is."""
    rows = [
        {
            "case_id": p.event.case_id,
            "event_id": p.event.event_id,
            "idempotency_key": p.event.idempotency_key,
            "fingerprint": p.fingerprint,
            "member_id": p.event.member_id,
            "channel": p.event.channel,
            "topic_family": p.event.topic_family,
            "event": orjson.Fragment(p.value),
            "received_at": p.event.received_at,
        }
        for p in published
    ]
    await conn.execute(RECORD, orjson.dumps(rows).decode())


async def by_key(conn: Conn, idempotency_key: str) -> Existing | None:
    row = await conn.fetchrow(BY_KEY, idempotency_key)
    return Existing(row["case_id"], row["fingerprint"]) if row else None


async def by_case(conn: Conn, case_id: UUID) -> asyncpg.Record | None:
    return await conn.fetchrow(BY_CASE, case_id, str(case_id).encode())
