"""routing's tables: members and cases with their routing decisions. Set-based SQL, one
round trip per batch; every write is idempotent (a replayed event changes nothing)."""

from __future__ import annotations

from collections.abc import Sequence
from uuid import UUID

from shared.db import Conn
from shared.events import CaseRouted, RequestReceived

UPSERT_MEMBERS = """
INSERT INTO members (member_id, preferred_language, home_office, activity_type, as_of)
SELECT * FROM unnest($1::text[], $2::text[], $3::text[], $4::text[], $5::timestamptz[])
ON CONFLICT (member_id) DO UPDATE
SET preferred_language = excluded.preferred_language, home_office = excluded.home_office,
    activity_type = excluded.activity_type, as_of = excluded.as_of
WHERE members.as_of < excluded.as_of"""

INSERT_CASES = """
INSERT INTO cases (case_id, member_id, channel, topic_family, language, received_at,
                   request_event_id, office, queue, tier, adviser_id, organisation_model,
                   policy, policy_version, routed_event_id, routed_at)
SELECT * FROM unnest($1::uuid[], $2::text[], $3::text[], $4::text[], $5::text[],
                     $6::timestamptz[], $7::uuid[], $8::text[], $9::text[], $10::text[],
                     $11::text[], $12::text[], $13::text[], $14::int[], $15::uuid[],
                     $16::timestamptz[])
ON CONFLICT (case_id) DO NOTHING
RETURNING case_id"""

KNOWN_CASES = "SELECT case_id FROM cases WHERE case_id = ANY($1::uuid[])"


async def upsert_members(conn: Conn, requests: Sequence[RequestReceived]) -> None:
    # One row per member per statement: ON CONFLICT cannot touch the same row twice.
    latest: dict[str, RequestReceived] = {}
    for r in requests:
        if r.member_id not in latest or latest[r.member_id].received_at < r.received_at:
            latest[r.member_id] = r
    rows = list(latest.values())
    await conn.execute(
        UPSERT_MEMBERS,
        [r.member_id for r in rows],
        [r.member.preferred_language.value for r in rows],
        [r.member.home_office for r in rows],
        [r.member.activity_type for r in rows],
        [r.received_at for r in rows],
    )


async def known_cases(conn: Conn, case_ids: Sequence[UUID]) -> set[UUID]:
    """The cases routing has already decided."""
    return {r["case_id"] for r in await conn.fetch(KNOWN_CASES, list(case_ids))}


async def insert_cases(
    conn: Conn, routed: Sequence[tuple[RequestReceived, CaseRouted]]
) -> set[UUID]:
    """Stores new cases with their decision; returns the ids that were not known before."""
    rows = await conn.fetch(
        INSERT_CASES,
        [r.case_id for r, _ in routed],
        [r.member_id for r, _ in routed],
        [r.channel.value for r, _ in routed],
        [r.topic_family for r, _ in routed],
        [r.member.preferred_language.value for r, _ in routed],
        [r.received_at for r, _ in routed],
        [r.event_id for r, _ in routed],
        [c.office for _, c in routed],
        [c.queue for _, c in routed],
        [c.tier.value for _, c in routed],
        [c.adviser_id for _, c in routed],
        [c.organisation_model.value for _, c in routed],
        [c.policy for _, c in routed],
        [c.policy_version for _, c in routed],
        [c.event_id for _, c in routed],
        [c.routed_at for _, c in routed],
    )
    return {row["case_id"] for row in rows}
