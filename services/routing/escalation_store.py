"""routing's escalation tables: each escalation seen once, routed once its case is known."""

from __future__ import annotations

from collections.abc import Sequence
from uuid import UUID

import orjson

from services.routing.domain import KnownCase
from shared.db import Conn
from shared.events import CaseEscalated, CaseRouted, Language, OrganisationModel

# An escalation already known by its routing decision alone (a rebuild read `routed` first)
# gets its content; one already known by content is left alone.
INSERT = """
INSERT INTO escalations (event_id, case_id, event, escalated_at)
SELECT * FROM unnest($1::uuid[], $2::uuid[], $3::jsonb[], $4::timestamptz[])
ON CONFLICT (event_id) DO UPDATE
SET case_id = excluded.case_id, event = excluded.event, escalated_at = excluded.escalated_at
WHERE escalations.event IS NULL"""

PENDING = """
SELECT event FROM escalations
WHERE case_id = ANY($1::uuid[]) AND routed_event_id IS NULL
ORDER BY escalated_at, event_id"""

# An escalation of this batch not routed yet (its content known).
UNROUTED = """
SELECT event FROM escalations
WHERE event_id = ANY($1::uuid[]) AND routed_event_id IS NULL AND event IS NOT NULL
ORDER BY escalated_at, event_id"""

# A case routing can route an escalation of: its request and first decision are known. Its
# topic family is the one its latest transfer gave it, if any.
KNOWN = """
SELECT r.case_id, r.language, r.received_at, d.organisation_model,
       coalesce((SELECT t.topic_family FROM transfers t WHERE t.case_id = r.case_id
                 ORDER BY t.transferred_at DESC, t.event_id DESC LIMIT 1),
                r.topic_family) AS topic_family
FROM requests r JOIN decisions d ON d.case_id = r.case_id
WHERE r.case_id = ANY($1::uuid[])"""

# Order tolerant: the decision may be recorded before the escalation itself is read.
MARK_ROUTED = """
INSERT INTO escalations (event_id, routed_event_id, routed_at)
SELECT * FROM unnest($1::uuid[], $2::uuid[], $3::timestamptz[])
ON CONFLICT (event_id) DO UPDATE
SET routed_event_id = excluded.routed_event_id, routed_at = excluded.routed_at"""


async def insert(conn: Conn, escalations: Sequence[CaseEscalated]) -> None:
    """Stores the escalations not seen before."""
    await conn.execute(
        INSERT,
        [e.event_id for e in escalations],
        [e.case_id for e in escalations],
        [e.model_dump_json() for e in escalations],
        [e.occurred_at for e in escalations],
    )


async def pending(conn: Conn, case_ids: Sequence[UUID]) -> list[CaseEscalated]:
    """Escalations of these cases that are still waiting for the case to be known."""
    rows = await conn.fetch(PENDING, list(case_ids))
    return [CaseEscalated.model_validate(orjson.loads(r["event"])) for r in rows]


async def unrouted(conn: Conn, event_ids: Sequence[UUID]) -> list[CaseEscalated]:
    """The escalations among these that no decision covers yet."""
    rows = await conn.fetch(UNROUTED, list(event_ids))
    return [CaseEscalated.model_validate(orjson.loads(r["event"])) for r in rows]


async def known_cases(conn: Conn, case_ids: Sequence[UUID]) -> dict[UUID, KnownCase]:
    rows = await conn.fetch(KNOWN, list(case_ids))
    return {
        r["case_id"]: KnownCase(
            topic_family=r["topic_family"],
            language=Language(r["language"]),
            organisation_model=OrganisationModel(r["organisation_model"]),
            received_at=r["received_at"],
        )
        for r in rows
    }


async def mark_routed(conn: Conn, routed: Sequence[CaseRouted]) -> None:
    """Records the decisions taken for escalations (their causation_id is the escalation)."""
    # One row per escalation per statement (a redelivered decision may come twice).
    decided = list({r.causation_id: r for r in routed if r.causation_id is not None}.values())
    await conn.execute(
        MARK_ROUTED,
        [r.causation_id for r in decided],
        [r.event_id for r in decided],
        [r.routed_at for r in decided],
    )
