"""What a batch of decisions reads: the offices' model histories, desks and first-line advisers
with their availability at decision time and their open load; for escalations, the support
team the same way."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from datetime import datetime
from typing import Any

from services.routing import workload_store
from services.routing.deciding import Staffing
from services.routing.organisation.model import Adviser, Desk, ModelChange
from shared.db import Conn
from shared.events import OrganisationModel
from shared.organisation_events import DeskKind

MODELS = """
SELECT office, model, effective_at, occurred_at, event_id FROM office_models
WHERE office = ANY($1::text[])"""

DESKS = "SELECT office, desk, kind, topic_families FROM desks WHERE office = ANY($1::text[])"

# On the roster and not absent at $2.
ADVISERS = """
SELECT a.adviser_id, a.office, a.desk, a.languages, a.skills, a.capacity,
       NOT EXISTS (SELECT 1 FROM absences b
                   WHERE b.adviser_id = a.adviser_id AND NOT b.cancelled
                     AND b.starts_at <= $2 AND $2 < b.ends_at) AS available
FROM advisers a
WHERE a.office = ANY($1::text[]) AND a.team = 'first_line' AND a.active
ORDER BY a.adviser_id"""

# The support team serves every office: on the roster, available or not at $1.
SUPPORT = """
SELECT a.adviser_id, a.office, a.desk, a.languages, a.skills, a.capacity,
       NOT EXISTS (SELECT 1 FROM absences b
                   WHERE b.adviser_id = a.adviser_id AND NOT b.cancelled
                     AND b.starts_at <= $1 AND $1 < b.ends_at) AS available
FROM advisers a
WHERE a.team = 'support' AND a.active
ORDER BY a.adviser_id"""


async def staffing(conn: Conn, offices: Sequence[str], now: datetime) -> dict[str, Staffing]:
    """The offices as routing knows them at ``now``."""
    codes = sorted(set(offices))
    changes: dict[str, list[ModelChange]] = defaultdict(list)
    for r in await conn.fetch(MODELS, codes):
        changes[r["office"]].append(
            ModelChange(
                r["office"],
                OrganisationModel(r["model"]),
                r["effective_at"],
                r["occurred_at"],
                r["event_id"],
            )
        )
    desks: dict[str, list[Desk]] = defaultdict(list)
    for r in await conn.fetch(DESKS, codes):
        desks[r["office"]].append(
            Desk(r["desk"], r["office"], DeskKind(r["kind"]), frozenset(r["topic_families"]))
        )
    advisers: dict[str, list[Adviser]] = defaultdict(list)
    for adviser in await _advisers(conn, await conn.fetch(ADVISERS, codes, now)):
        advisers[adviser.office].append(adviser)
    return {
        code: Staffing(
            code,
            tuple(sorted(desks[code], key=lambda d: d.desk_id)),
            tuple(advisers[code]),
            tuple(changes[code]),
        )
        for code in codes
    }


async def support_team(conn: Conn, now: datetime) -> tuple[Adviser, ...]:
    """The support team at ``now``: languages, skills, capacity, open load, availability."""
    return await _advisers(conn, await conn.fetch(SUPPORT, now))


async def _advisers(conn: Conn, rows: Sequence[Any]) -> tuple[Adviser, ...]:
    load = await workload_store.loads(conn, [r["adviser_id"] for r in rows])
    return tuple(
        Adviser(
            adviser_id=r["adviser_id"],
            office=r["office"],
            languages=frozenset(r["languages"]),
            skills=frozenset(r["skills"]),
            capacity=r["capacity"],
            open_cases=load.get(r["adviser_id"], 0),
            available=r["available"],
            desk=r["desk"],
        )
        for r in rows
    )
