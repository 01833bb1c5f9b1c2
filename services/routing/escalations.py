"""routing's escalation tables: each escalation seen once, routed once its case is known."""

from __future__ import annotations

from collections.abc import Sequence
from uuid import UUID

import orjson

from services.routing.domain import KnownCase
from shared.db import Conn
from shared.events import CaseEscalated, CaseRouted, Language, OrganisationModel

INSERT = """
INSERT INTO escalations (event_id, case_id, event, escalated_at)
SELECT * FROM unnest($1::uuid[], $2::uuid[], $3::jsonb[], $4::timestamptz[])
ON CONFLICT (event_id) DO NOTHING
RETURNING event_id"""

PENDING = """
SELECT event FROM escalations
WHERE case_id = ANY($1::uuid[]) AND routed_event_id IS NULL
ORDER BY escalated_at, event_id"""

KNOWN = """
SELECT case_id, topic_family, language, organisation_model FROM cases
WHERE case_id = ANY($1::uuid[])"""

MARK_ROUTED = """
UPDATE escalations e SET routed_event_id = x.routed, routed_at = x.at
FROM unnest($1::uuid[], $2::uuid[], $3::timestamptz[]) AS x(cause, routed, at)
WHERE e.event_id = x.cause"""

# The case row keeps routing's latest decision about the case.
MOVE_CASES = """
UPDATE cases c SET queue = x.queue, tier = x.tier, adviser_id = NULL, policy = x.policy,
                   policy_version = x.version, routed_event_id = x.routed, routed_at = x.at
FROM unnest($1::uuid[], $2::text[], $3::text[], $4::text[], $5::int[], $6::uuid[],
            $7::timestamptz[]) AS x(case_id, queue, tier, policy, version, routed, at)
WHERE c.case_id = x.case_id AND c.routed_at < x.at"""


async def insert(conn: Conn, escalations: Sequence[CaseEscalated]) -> set[UUID]:
    """Stores the escalations not seen before; returns their event ids."""
    rows = await conn.fetch(
        INSERT,
        [e.event_id for e in escalations],
        [e.case_id for e in escalations],
        [e.model_dump_json() for e in escalations],
        [e.occurred_at for e in escalations],
    )
    return {r["event_id"] for r in rows}


async def pending(conn: Conn, case_ids: Sequence[UUID]) -> list[CaseEscalated]:
    """Escalations of these cases that are still waiting for the case to be known."""
    rows = await conn.fetch(PENDING, list(case_ids))
    return [CaseEscalated.model_validate(orjson.loads(r["event"])) for r in rows]


async def known_cases(conn: Conn, case_ids: Sequence[UUID]) -> dict[UUID, KnownCase]:
    rows = await conn.fetch(KNOWN, list(case_ids))
    return {
        r["case_id"]: KnownCase(
            topic_family=r["topic_family"],
            language=Language(r["language"]),
            organisation_model=OrganisationModel(r["organisation_model"]),
        )
        for r in rows
    }


async def mark_routed(conn: Conn, routed: Sequence[CaseRouted]) -> None:
    """Records the decisions for their escalations and moves the cases to the support queue."""
    causes = [r.causation_id for r in routed]
    await conn.execute(
        MARK_ROUTED, causes, [r.event_id for r in routed], [r.routed_at for r in routed]
    )
    one_per_case = list({r.case_id: r for r in sorted(routed, key=lambda r: r.routed_at)}.values())
    await conn.execute(
        MOVE_CASES,
        [r.case_id for r in one_per_case],
        [r.queue for r in one_per_case],
        [r.tier.value for r in one_per_case],
        [r.policy for r in one_per_case],
        [r.policy_version for r in one_per_case],
        [r.event_id for r in one_per_case],
        [r.routed_at for r in one_per_case],
    )
