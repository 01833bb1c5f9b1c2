"""intake's tables: accepted requests, written with their outgoing event in one statement."""

from __future__ import annotations

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


async def by_key(conn: Conn, idempotency_key: str) -> Existing | None:
    row = await conn.fetchrow(BY_KEY, idempotency_key)
    return Existing(row["case_id"], row["fingerprint"]) if row else None


async def by_case(conn: Conn, case_id: UUID) -> asyncpg.Record | None:
    return await conn.fetchrow(BY_CASE, case_id, str(case_id).encode())
