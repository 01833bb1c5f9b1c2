"""advisory's copy of each case's request (``migrations/0006_requests.sql``): the member, the
channel, the subject and the question, from `request-received`. Written set-based, one
statement per batch; a case's request is its earliest (by received_at, then event_id), whatever
order copies of it are read in."""

from __future__ import annotations

from collections.abc import Sequence
from uuid import UUID

import asyncpg

from shared.db import Conn
from shared.events import RequestReceived

UPSERT = """
INSERT INTO requests (case_id, event_id, member_id, member_name, preferred_language,
                      home_office, activity_type, channel, topic_family, subject, body,
                      received_at, follows_case_id)
SELECT * FROM unnest($1::uuid[], $2::uuid[], $3::text[], $4::text[], $5::text[], $6::text[],
                     $7::text[], $8::text[], $9::text[], $10::text[], $11::text[],
                     $12::timestamptz[], $13::uuid[])
ON CONFLICT (case_id) DO UPDATE SET
    event_id = excluded.event_id, member_id = excluded.member_id,
    member_name = excluded.member_name, preferred_language = excluded.preferred_language,
    home_office = excluded.home_office, activity_type = excluded.activity_type,
    channel = excluded.channel, topic_family = excluded.topic_family,
    subject = excluded.subject, body = excluded.body, received_at = excluded.received_at,
    follows_case_id = excluded.follows_case_id
WHERE (excluded.received_at, excluded.event_id) < (requests.received_at, requests.event_id)"""

OF_CASE = "SELECT * FROM requests WHERE case_id = $1"


def earliest(requests: Sequence[RequestReceived]) -> list[RequestReceived]:
    """One request per case, the earliest, in case order (one statement may not touch a row
    twice, and rows locked in one order cannot deadlock with another batch)."""
    kept: dict[UUID, RequestReceived] = {}
    for r in requests:
        known = kept.get(r.case_id)
        if known is None or (r.received_at, r.event_id) < (known.received_at, known.event_id):
            kept[r.case_id] = r
    return [kept[c] for c in sorted(kept)]


async def record(conn: Conn, requests: Sequence[RequestReceived]) -> None:
    """Stores each case's request; a copy already stored (or a later one) changes nothing."""
    rows = earliest(requests)
    if not rows:
        return
    await conn.execute(
        UPSERT,
        [r.case_id for r in rows],
        [r.event_id for r in rows],
        [r.member_id for r in rows],
        [r.member.name for r in rows],
        [r.member.preferred_language.value for r in rows],
        [r.member.home_office for r in rows],
        [r.member.activity_type for r in rows],
        [r.channel.value for r in rows],
        [r.topic_family for r in rows],
        [r.subject for r in rows],
        [r.body for r in rows],
        [r.received_at for r in rows],
        [r.follows_case_id for r in rows],
    )


async def of_case(conn: Conn, case_id: UUID) -> asyncpg.Record | None:
    """The case's request, once `request-received` has been read."""
    return await conn.fetchrow(OF_CASE, case_id)
