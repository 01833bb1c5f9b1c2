"""intake's table of members' messages (``migrations/0002_member_messages.sql``), written with
their outgoing events in one statement, read back from `member-messages` on a rebuild; and the
follow-up requests a message opens, written the same way into `requests`."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from uuid import UUID

import asyncpg
import orjson

from shared import outbox
from shared.db import Conn
from shared.events import MEMBER_MESSAGES, MemberMessageReceived, RequestReceived
from shared.outbox import OutgoingMessage

# The message row and its outbox row together, or neither (a used idempotency key).
ACCEPT = """
WITH accepted AS (
    INSERT INTO member_messages (event_id, case_id, idempotency_key, fingerprint, member_id,
                                 channel, event, received_at)
    VALUES ($1, $2, $3, $4, $5, $6, convert_from($7::bytea, 'UTF8')::jsonb, $8)
    ON CONFLICT (idempotency_key) DO NOTHING
    RETURNING event_id
), relayed AS (
    INSERT INTO outbox (topic, key, value, headers)
    SELECT $9, $10, $7, $11::jsonb FROM accepted
)
SELECT event_id FROM accepted"""

RECORD = """
INSERT INTO member_messages (event_id, case_id, idempotency_key, fingerprint, member_id,
                             channel, event, received_at)
SELECT * FROM json_to_recordset($1::json) AS x(event_id uuid, case_id uuid,
    idempotency_key text, fingerprint text, member_id text, channel text, event jsonb,
    received_at timestamptz)
ORDER BY event_id
ON CONFLICT DO NOTHING"""

BY_KEY = "SELECT event_id, case_id, fingerprint FROM member_messages WHERE idempotency_key = $1"

# Published: no message of the case waits in the outbox any more (its key is the case id).
MESSAGE = """
SELECT m.event_id, m.case_id, m.channel, m.event, m.received_at,
       NOT EXISTS (SELECT 1 FROM outbox o WHERE o.key = $3 AND o.topic = $4) AS published,
       EXISTS (SELECT 1 FROM requests r WHERE r.case_id = $5) AS followed
FROM member_messages m WHERE m.event_id = $1 AND m.case_id = $2"""

# A follow-up request: stored once whatever how often it is decided (its case id is derived
# from the message), its outgoing event only when it is new.
FOLLOW_UP = """
WITH accepted AS (
    INSERT INTO requests (case_id, event_id, idempotency_key, fingerprint, member_id, channel,
                          topic_family, event, received_at)
    VALUES ($1, $2, NULL, $3, $4, $5, $6, convert_from($7::bytea, 'UTF8')::jsonb, $8)
    ON CONFLICT DO NOTHING
    RETURNING case_id
), relayed AS (
    INSERT INTO outbox (topic, key, value, headers)
    SELECT $9, $10, $7, $11::jsonb FROM accepted
)
SELECT case_id FROM accepted"""

EVENTS = "SELECT event FROM member_messages WHERE event_id = ANY($1::uuid[])"
REQUESTS = "SELECT event FROM requests WHERE case_id = ANY($1::uuid[])"


@dataclass(frozen=True)
class Existing:
    event_id: UUID
    case_id: UUID
    fingerprint: str


async def accept(
    conn: Conn,
    topic: str,
    event: MemberMessageReceived,
    message: OutgoingMessage,
    fingerprint: str,
) -> bool:
    """Stores the message and its outgoing event; False when its idempotency key exists."""
    (message,) = await outbox.sealed([message])  # stored and published sealed
    stored = await conn.fetchval(
        ACCEPT,
        event.event_id,
        event.case_id,
        event.idempotency_key,
        fingerprint,
        event.member_id,
        event.channel.value,
        message.value,
        event.received_at,
        topic,
        message.key,
        orjson.dumps(message.headers).decode(),
    )
    return stored is not None


async def by_key(conn: Conn, idempotency_key: str) -> Existing | None:
    row = await conn.fetchrow(BY_KEY, idempotency_key)
    return Existing(row["event_id"], row["case_id"], row["fingerprint"]) if row else None


async def message(
    conn: Conn, case_id: UUID, event_id: UUID, follow_up: UUID
) -> asyncpg.Record | None:
    """A message of the case, whether its event has left the outbox, and whether its
    ``follow_up`` case exists."""
    key = str(case_id).encode()
    return await conn.fetchrow(MESSAGE, event_id, case_id, key, MEMBER_MESSAGES, follow_up)


@dataclass(frozen=True)
class Published:
    """A MemberMessageReceived as read back from the log, with the bytes it was published as."""

    event: MemberMessageReceived
    value: bytes
    fingerprint: str


async def record(conn: Conn, published: Sequence[Published]) -> None:
    """Stores messages read back from the log; one already stored is left as it is."""
    rows = [
        {
            "event_id": p.event.event_id,
            "case_id": p.event.case_id,
            "idempotency_key": p.event.idempotency_key,
            "fingerprint": p.fingerprint,
            "member_id": p.event.member_id,
            "channel": p.event.channel,
            "event": orjson.Fragment(p.value),
            "received_at": p.event.received_at,
        }
        for p in published
    ]
    if rows:
        await conn.execute(RECORD, orjson.dumps(rows).decode())


async def follow_up(
    conn: Conn, topic: str, event: RequestReceived, message: OutgoingMessage, fingerprint: str
) -> bool:
    """Stores a follow-up request and its outgoing event; False when it is stored already."""
    (message,) = await outbox.sealed([message])  # stored and published sealed
    stored = await conn.fetchval(
        FOLLOW_UP,
        event.case_id,
        event.event_id,
        fingerprint,
        event.member_id,
        event.channel.value,
        event.topic_family,
        message.value,
        event.received_at,
        topic,
        message.key,
        orjson.dumps(message.headers).decode(),
    )
    return stored is not None


async def messages(conn: Conn, event_ids: Sequence[UUID]) -> list[bytes]:
    """The stored events of these messages (JSON)."""
    return [r["event"].encode() for r in await conn.fetch(EVENTS, list(event_ids))]


async def requests(conn: Conn, case_ids: Sequence[UUID]) -> list[bytes]:
    """The stored requests of these cases (JSON, as published: maybe an older version)."""
    return [r["event"].encode() for r in await conn.fetch(REQUESTS, list(case_ids))]
