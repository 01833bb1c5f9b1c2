"""intake's tables: accepted requests, written with their outgoing events in one statement per
batch (services/intake/commands.py), and read back from `request-received` when the table is
rebuilt from the log."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from uuid import UUID

import orjson

from shared import outbox
from shared.db import Conn
from shared.events import RequestReceived
from shared.outbox import OutgoingMessage

# One statement, so one round trip and one transaction for a whole batch of requests: each
# request row and its outbox row are written together or not at all (the transactional
# outbox). A conflicting idempotency key writes neither; a key repeated within the batch is
# stored once. The event's JSON is sent once: the request row stores it from the outbox value.
ACCEPT = """
WITH incoming AS (
    SELECT * FROM unnest($1::uuid[], $2::uuid[], $3::text[], $4::text[], $5::text[], $6::text[],
                         $7::text[], $8::timestamptz[], $9::bytea[], $10::bytea[], $11::text[])
        WITH ORDINALITY AS t(case_id, event_id, idempotency_key, fingerprint, member_id,
                             channel, topic_family, received_at, key, value, headers, n)
), accepted AS (
    INSERT INTO requests (case_id, event_id, idempotency_key, fingerprint, member_id, channel,
                          topic_family, event, received_at)
    SELECT case_id, event_id, idempotency_key, fingerprint, member_id, channel, topic_family,
           convert_from(value, 'UTF8')::jsonb, received_at
    FROM incoming ORDER BY n
    ON CONFLICT (idempotency_key) DO NOTHING
    RETURNING case_id
), relayed AS (
    INSERT INTO outbox (topic, key, value, headers)
    SELECT $12, i.key, i.value, i.headers::jsonb
    FROM incoming i JOIN accepted a USING (case_id) ORDER BY i.n
)
SELECT case_id FROM accepted"""

# A rebuild: the same rows, from the events intake published (the event stored as published).
RECORD = """
INSERT INTO requests (case_id, event_id, idempotency_key, fingerprint, member_id, channel,
                      topic_family, event, received_at)
SELECT * FROM json_to_recordset($1::json) AS x(case_id uuid, event_id uuid,
    idempotency_key text, fingerprint text, member_id text, channel text, topic_family text,
    event jsonb, received_at timestamptz)
ORDER BY case_id
ON CONFLICT DO NOTHING"""


@dataclass(frozen=True)
class Submission:
    """An accepted request as it is stored: the event, its outgoing message, its key."""

    event: RequestReceived
    message: OutgoingMessage
    idempotency_key: str | None
    fingerprint: str


async def accept(conn: Conn, topic: str, batch: Sequence[Submission]) -> set[UUID]:
    """Stores the requests and their outgoing events; returns the case ids stored (a request
    whose idempotency key exists already is not). The events are stored and published with
    their personal fields sealed (one call to the key store for the batch)."""
    messages = await outbox.sealed([s.message for s in batch])
    rows = await conn.fetch(
        ACCEPT,
        [s.event.case_id for s in batch],
        [s.event.event_id for s in batch],
        [s.idempotency_key for s in batch],
        [s.fingerprint for s in batch],
        [s.event.member_id for s in batch],
        [s.event.channel.value for s in batch],
        [s.event.topic_family for s in batch],
        [s.event.received_at for s in batch],
        [m.key for m in messages],
        [m.value for m in messages],
        [orjson.dumps(m.headers).decode() for m in messages],
        topic,
    )
    return {row["case_id"] for row in rows}


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
