"""routing's tables: members, the request facts of the cases (``requests``) and routing's
latest decision for each (``decisions``), read together through the view ``cases``. Set-based
SQL, one round trip per batch; every write is idempotent (a replayed event changes nothing) and
order tolerant (a case's request and decisions are separate rows, applied in any order; the
latest decision wins whatever order decisions arrive in). Each table's rule is a
``shared.folds.Fold``: the bulk rebuild merges with the same (services.routing.bulk.merge).

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
from shared.folds import Fold

# Each member's latest snapshot, by request time then event id.
MEMBERS = Fold(
    "members",
    "member_id",
    (
        ("member_id", "text"),
        ("preferred_language", "text"),
        ("home_office", "text"),
        ("activity_type", "text"),
        ("as_of", "timestamptz"),
        ("as_of_event", "uuid"),
    ),
    rank=("as_of", "as_of_event"),
)
# A case's request: a case's id is only ever given to one request, the first applied stays.
REQUESTS = Fold(
    "requests",
    "case_id",
    (
        ("case_id", "uuid"),
        ("member_id", "text"),
        ("channel", "text"),
        ("topic_family", "text"),
        ("language", "text"),
        ("received_at", "timestamptz"),
        ("request_event_id", "uuid"),
    ),
)
# A case's latest decision (first routing, or after an escalation), by decision time then id.
DECISIONS = Fold(
    "decisions",
    "case_id",
    (
        ("case_id", "uuid"),
        ("office", "text"),
        ("queue", "text"),
        ("tier", "text"),
        ("adviser_id", "text"),
        ("organisation_model", "text"),
        ("policy", "text"),
        ("policy_version", "int"),
        ("routed_event_id", "uuid"),
        ("routed_at", "timestamptz"),
    ),
    rank=("routed_at", "routed_event_id"),
)
UPSERT_MEMBERS = MEMBERS.upsert()
INSERT_REQUESTS = REQUESTS.upsert()
APPLY_ROUTED = DECISIONS.upsert()

# The cases of a batch whose request is known and that no decision covers yet.
UNDECIDED = """
SELECT r.case_id FROM requests r
WHERE r.case_id = ANY($1::uuid[])
  AND NOT EXISTS (SELECT 1 FROM decisions d WHERE d.case_id = r.case_id)"""


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


async def insert_requests(conn: Conn, requests: Sequence[RequestReceived]) -> None:
    """Stores the request side of the cases (a case's first request stays)."""
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
    await conn.execute(INSERT_REQUESTS, orjson.dumps(rows).decode())


async def undecided(conn: Conn, case_ids: Sequence[UUID]) -> set[UUID]:
    """The cases among these whose request is stored and that have no decision yet."""
    return {row["case_id"] for row in await conn.fetch(UNDECIDED, list(set(case_ids)))}


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
