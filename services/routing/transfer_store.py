"""routing's transfers table: each transfer of a case once, and what routing reads to route it
again (the case's language, member and latest decision)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from uuid import UUID

from shared.db import Conn
from shared.events import CaseTransferred, Language

INSERT = """
INSERT INTO transfers (event_id, case_id, to_office, to_desk, topic_family, transferred_at)
SELECT * FROM unnest($1::uuid[], $2::uuid[], $3::text[], $4::text[], $5::text[],
                     $6::timestamptz[])
ON CONFLICT (event_id) DO NOTHING"""

# What routing knows of the cases a transfer names: their request and latest decision.
KNOWN = """
SELECT r.case_id, r.member_id, r.language, d.routed_at
FROM requests r JOIN decisions d ON d.case_id = r.case_id
WHERE r.case_id = ANY($1::uuid[])"""


@dataclass(frozen=True)
class TransferredCase:
    member_id: str
    language: Language
    decided_at: datetime  # the case's latest decision


async def insert(conn: Conn, transfers: Sequence[CaseTransferred]) -> None:
    unique = list({t.event_id: t for t in transfers}.values())
    await conn.execute(
        INSERT,
        [t.event_id for t in unique],
        [t.case_id for t in unique],
        [t.to_office for t in unique],
        [t.to_desk for t in unique],
        [t.topic_family for t in unique],
        [t.transferred_at for t in unique],
    )


async def known_cases(conn: Conn, case_ids: Sequence[UUID]) -> dict[UUID, TransferredCase]:
    rows = await conn.fetch(KNOWN, list(case_ids))
    return {
        r["case_id"]: TransferredCase(r["member_id"], Language(r["language"]), r["routed_at"])
        for r in rows
    }
