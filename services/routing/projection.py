"""routing's tables: members and cases with their routing decisions. Set-based SQL, one
round trip per batch; every write is idempotent (a replayed event changes nothing) and order
tolerant (the request and the decisions of a case may be applied in any order: each side
fills its own columns, and the latest decision wins whatever order decisions arrive in).
Rows are written in key order so concurrent writers cannot deadlock."""

from __future__ import annotations

from collections.abc import Sequence
from uuid import UUID

from shared.db import Conn
from shared.events import CaseRouted, RequestReceived

UPSERT_MEMBERS = """
INSERT INTO members (member_id, preferred_language, home_office, activity_type, as_of,
                     as_of_event)
SELECT * FROM unnest($1::text[], $2::text[], $3::text[], $4::text[], $5::timestamptz[],
                     $6::uuid[])
ON CONFLICT (member_id) DO UPDATE
SET preferred_language = excluded.preferred_language, home_office = excluded.home_office,
    activity_type = excluded.activity_type, as_of = excluded.as_of,
    as_of_event = excluded.as_of_event
WHERE (members.as_of, members.as_of_event) < (excluded.as_of, excluded.as_of_event)"""

# Returns the cases of the batch that no decision covers yet: the ones live routing decides.
UPSERT_REQUESTS = """
INSERT INTO cases (case_id, member_id, channel, topic_family, language, received_at,
                   request_event_id)
SELECT * FROM unnest($1::uuid[], $2::text[], $3::text[], $4::text[], $5::text[],
                     $6::timestamptz[], $7::uuid[])
ON CONFLICT (case_id) DO UPDATE
SET member_id = excluded.member_id, channel = excluded.channel,
    topic_family = excluded.topic_family, language = excluded.language,
    received_at = excluded.received_at, request_event_id = excluded.request_event_id
WHERE cases.request_event_id IS NULL
RETURNING case_id, routed_event_id IS NULL AS undecided"""

APPLY_ROUTED = """
INSERT INTO cases (case_id, office, queue, tier, adviser_id, organisation_model, policy,
                   policy_version, routed_event_id, routed_at)
SELECT * FROM unnest($1::uuid[], $2::text[], $3::text[], $4::text[], $5::text[], $6::text[],
                     $7::text[], $8::int[], $9::uuid[], $10::timestamptz[])
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
        if known is None or (known.received_at, known.event_id) < (r.received_at, r.event_id):
            latest[r.member_id] = r
    rows = [latest[m] for m in sorted(latest)]
    await conn.execute(
        UPSERT_MEMBERS,
        [r.member_id for r in rows],
        [r.member.preferred_language.value for r in rows],
        [r.member.home_office for r in rows],
        [r.member.activity_type for r in rows],
        [r.received_at for r in rows],
        [r.event_id for r in rows],
    )


async def upsert_requests(conn: Conn, requests: Sequence[RequestReceived]) -> set[UUID]:
    """Stores the request side of the cases; returns the ones not decided yet. One request per
    case: a case's id is only ever given to one request."""
    rows = sorted({r.case_id: r for r in requests}.values(), key=lambda r: r.case_id)
    found = await conn.fetch(
        UPSERT_REQUESTS,
        [r.case_id for r in rows],
        [r.member_id for r in rows],
        [r.channel.value for r in rows],
        [r.topic_family for r in rows],
        [r.member.preferred_language.value for r in rows],
        [r.received_at for r in rows],
        [r.event_id for r in rows],
    )
    return {row["case_id"] for row in found if row["undecided"]}


async def apply_routed(conn: Conn, decisions: Sequence[CaseRouted]) -> None:
    """Stores routing decisions; a case keeps its latest (by decision time, then event id)."""
    latest: dict[UUID, CaseRouted] = {}
    for c in decisions:
        known = latest.get(c.case_id)
        if known is None or (known.routed_at, known.event_id) < (c.routed_at, c.event_id):
            latest[c.case_id] = c
    rows = [latest[k] for k in sorted(latest)]
    await conn.execute(
        APPLY_ROUTED,
        [c.case_id for c in rows],
        [c.office for c in rows],
        [c.queue for c in rows],
        [c.tier.value for c in rows],
        [c.adviser_id for c in rows],
        [c.organisation_model.value for c in rows],
        [c.policy for c in rows],
        [c.policy_version for c in rows],
        [c.event_id for c in rows],
        [c.routed_at for c in rows],
    )
