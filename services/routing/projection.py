"""routing's tables: members and cases with their routing decisions. Set-based SQL, one
round trip per batch; every write is idempotent (a replayed event changes nothing) and order
tolerant (the request and the decisions of a case may be applied in any order: each side
fills its own columns, and the latest decision wins whatever order decisions arrive in).

A batch travels as one JSON array parameter (orjson writes UUIDs and times natively, and
PostgreSQL unpacks it with json_to_recordset): far cheaper per row than array parameters,
which matters when a rebuild writes millions. Rows are written in key order so concurrent
writers cannot deadlock."""

from __future__ import annotations

from collections.abc import Sequence
from uuid import UUID

import orjson

from shared.db import Conn
from shared.events import CaseRouted, RequestReceived

UPSERT_MEMBERS = """
INSERT INTO members (member_id, preferred_language, home_office, activity_type, as_of,
                     as_of_event)
SELECT * FROM json_to_recordset($1::json) AS x(member_id text, preferred_language text,
    home_office text, activity_type text, as_of timestamptz, as_of_event uuid)
ON CONFLICT (member_id) DO UPDATE
SET preferred_language = excluded.preferred_language, home_office = excluded.home_office,
    activity_type = excluded.activity_type, as_of = excluded.as_of,
    as_of_event = excluded.as_of_event
WHERE (members.as_of, members.as_of_event) < (excluded.as_of, excluded.as_of_event)"""

# Returns the cases of the batch that no decision covers yet: the ones live routing decides.
UPSERT_REQUESTS = """
INSERT INTO cases (case_id, member_id, channel, topic_family, language, received_at,
                   request_event_id)
SELECT * FROM json_to_recordset($1::json) AS x(case_id uuid, member_id text, channel text,
    topic_family text, language text, received_at timestamptz, request_event_id uuid)
ON CONFLICT (case_id) DO UPDATE
SET member_id = excluded.member_id, channel = excluded.channel,
    topic_family = excluded.topic_family, language = excluded.language,
    received_at = excluded.received_at, request_event_id = excluded.request_event_id
WHERE cases.request_event_id IS NULL
RETURNING case_id, routed_event_id IS NULL AS undecided"""

APPLY_ROUTED = """
INSERT INTO cases (case_id, office, queue, tier, adviser_id, organisation_model, policy,
                   policy_version, routed_event_id, routed_at)
SELECT * FROM json_to_recordset($1::json) AS x(case_id uuid, office text, queue text,
    tier text, adviser_id text, organisation_model text, policy text, policy_version int,
    routed_event_id uuid, routed_at timestamptz)
ON CONFLICT (case_id) DO UPDATE
SET office = excluded.office, queue = excluded.queue, tier = excluded.tier,
    adviser_id = excluded.adviser_id, organisation_model = excluded.organisation_model,
    policy = excluded.policy, policy_version = excluded.policy_version,
    routed_event_id = excluded.routed_event_id, routed_at = excluded.routed_at
WHERE cases.routed_event_id IS NULL
   OR (cases.routed_at, cases.routed_event_id) < (excluded.routed_at, excluded.routed_event_id)"""


async def upsert_members(conn: Conn, requests: Sequence[RequestReceived]) -> None:
    """Keeps each member's latest snapshot (by request time, then event id)."""
    # One row per member per statement: ON CONFLICT cannot touch the same row twice.
    latest: dict[str, RequestReceived] = {}
    for r in requests:
        known = latest.get(r.member_id)
        if known is None or (known.received_at, known.event_id.int) < (
            r.received_at,
            r.event_id.int,
        ):
            latest[r.member_id] = r
    rows = [
        {
            "member_id": r.member_id,
            "preferred_language": r.member.preferred_language,
            "home_office": r.member.home_office,
            "activity_type": r.member.activity_type,
            "as_of": r.received_at,
            "as_of_event": r.event_id,
        }
        for _, r in sorted(latest.items())
    ]
    await conn.execute(UPSERT_MEMBERS, orjson.dumps(rows).decode())


async def upsert_requests(conn: Conn, requests: Sequence[RequestReceived]) -> set[UUID]:
    """Stores the request side of the cases; returns the ones not decided yet. One request per
    case: a case's id is only ever given to one request."""
    unique = {r.case_id.int: r for r in requests}
    rows = [
        {
            "case_id": r.case_id,
            "member_id": r.member_id,
            "channel": r.channel,
            "topic_family": r.topic_family,
            "language": r.member.preferred_language,
            "received_at": r.received_at,
            "request_event_id": r.event_id,
        }
        for _, r in sorted(unique.items())
    ]
    found = await conn.fetch(UPSERT_REQUESTS, orjson.dumps(rows).decode())
    return {row["case_id"] for row in found if row["undecided"]}


async def apply_routed(conn: Conn, decisions: Sequence[CaseRouted]) -> None:
    """Stores routing decisions; a case keeps its latest (by decision time, then event id)."""
    latest: dict[int, CaseRouted] = {}
    for c in decisions:
        known = latest.get(c.case_id.int)
        if known is None or (known.routed_at, known.event_id.int) < (c.routed_at, c.event_id.int):
            latest[c.case_id.int] = c
    rows = [
        {
            "case_id": c.case_id,
            "office": c.office,
            "queue": c.queue,
            "tier": c.tier,
            "adviser_id": c.adviser_id,
            "organisation_model": c.organisation_model,
            "policy": c.policy,
            "policy_version": c.policy_version,
            "routed_event_id": c.event_id,
            "routed_at": c.routed_at,
        }
        for _, c in sorted(latest.items())
    ]
    await conn.execute(APPLY_ROUTED, orjson.dumps(rows).decode())
