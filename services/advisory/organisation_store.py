"""advisory's copy of the organisation (routing's facts on `organisation`): its staff, the
desks of each office and the absences, and the reads the moves and the workload make of them.
Applied by the consumer of `organisation` and nothing else; idempotent and order tolerant
(the latest fact about an adviser or a desk wins; a cancelled absence stays cancelled)."""

from __future__ import annotations

from collections.abc import Collection, Sequence
from datetime import datetime
from typing import Any
from uuid import UUID

import orjson

from services.advisory.moves.known import Colleague
from shared.db import Conn
from shared.events import Tier
from shared.folds import Fold
from shared.organisation_events import (
    AdviserAbsenceCancelled,
    AdviserAbsenceRecorded,
    AdviserProfileSet,
    DeskDefined,
    OrganisationEvent,
)

STAFF = Fold(
    "staff",
    "staff_id",
    (
        ("staff_id", "text"),
        ("office", "text"),
        ("team", "text"),
        ("desk", "text"),
        ("capacity", "integer"),
        ("active", "boolean"),
        ("as_of", "timestamptz"),
        ("as_of_event", "uuid"),
    ),
    rank=("as_of", "as_of_event"),
)
SET_STAFF = STAFF.upsert()

SET_DESKS = """
INSERT INTO desks (office, desk, kind, as_of, as_of_event)
SELECT office, desk, kind, as_of, as_of_event FROM json_to_recordset($1::json)
    AS x(office text, desk text, kind text, as_of timestamptz, as_of_event uuid)
ON CONFLICT (office, desk) DO UPDATE
SET kind = excluded.kind, as_of = excluded.as_of, as_of_event = excluded.as_of_event
WHERE (desks.as_of, desks.as_of_event) < (excluded.as_of, excluded.as_of_event)"""

RECORD_ABSENCES = """
INSERT INTO absences (absence_id, staff_id, starts_at, ends_at, covered_by)
SELECT * FROM unnest($1::uuid[], $2::text[], $3::timestamptz[], $4::timestamptz[], $5::text[])
ON CONFLICT (absence_id) DO UPDATE
SET staff_id = excluded.staff_id, starts_at = excluded.starts_at, ends_at = excluded.ends_at,
    covered_by = excluded.covered_by"""

CANCEL_ABSENCES = """
INSERT INTO absences (absence_id, staff_id, cancelled)
SELECT a, s, true FROM unnest($1::uuid[], $2::text[]) AS x(a, s)
ON CONFLICT (absence_id) DO UPDATE SET cancelled = true"""

# An absence "covers" an instant: recorded, not cancelled, started and not over.
COVERS = "NOT a.cancelled AND a.starts_at <= $2 AND $2 < a.ends_at"

STAFF_OF = f"""
SELECT s.staff_id, s.office, s.team, s.active,
       EXISTS (SELECT 1 FROM absences a WHERE a.staff_id = s.staff_id AND {COVERS}) AS away
FROM staff s WHERE s.staff_id = ANY($1::text[])"""

DESKS_OF = "SELECT desk FROM desks WHERE office = $1"

# Open cases held by someone an absence covers now, with the colleague named to take them
# (that of the latest absence begun): what the hand-over gives away.
HELD_BY_ABSENT = f"""
SELECT c.case_id, c.assignee, a.covered_by FROM cases c
CROSS JOIN LATERAL (
    SELECT a.covered_by FROM absences a WHERE a.staff_id = c.assignee AND {COVERS}
    ORDER BY a.starts_at DESC, a.absence_id DESC LIMIT 1) AS a
WHERE c.status IN ('claimed', 'waiting_on_member')
  AND ($1::text[] IS NULL OR c.assignee = ANY($1::text[]))
ORDER BY c.case_id LIMIT $3"""

# Each adviser of an office and team with the open cases they hold, and until when they are
# away, if an absence covers now.
WORKLOAD = f"""
SELECT s.staff_id, s.desk, s.capacity,
       count(c.case_id) FILTER (WHERE c.status = 'claimed') AS claimed,
       count(c.case_id) FILTER (WHERE c.status = 'waiting_on_member') AS waiting,
       (SELECT max(a.ends_at) FROM absences a WHERE a.staff_id = s.staff_id AND {COVERS})
           AS away_until
FROM staff s
LEFT JOIN cases c ON c.assignee = s.staff_id AND c.status IN ('claimed', 'waiting_on_member')
WHERE s.office = $1 AND s.team = $3 AND s.active
GROUP BY s.staff_id, s.desk, s.capacity
ORDER BY s.staff_id"""


async def apply(conn: Conn, facts: Sequence[OrganisationEvent]) -> None:
    """Folds the organisation's facts advisory uses (office models are routing's alone)."""
    profiles = [f for f in facts if isinstance(f, AdviserProfileSet)]
    if profiles:
        rows = [_profile(f) for f in _latest(profiles, lambda f: f.adviser_id)]
        await conn.execute(SET_STAFF, orjson.dumps(rows, default=str).decode())
    desks = [f for f in facts if isinstance(f, DeskDefined)]
    if desks:
        rows = [_desk(f) for f in _latest(desks, lambda f: (f.office, f.desk))]
        await conn.execute(SET_DESKS, orjson.dumps(rows, default=str).decode())
    recorded = [f for f in facts if isinstance(f, AdviserAbsenceRecorded)]
    if recorded:
        await conn.execute(
            RECORD_ABSENCES,
            [f.absence_id for f in recorded],
            [f.adviser_id for f in recorded],
            [f.starts_at for f in recorded],
            [f.ends_at for f in recorded],
            [f.covered_by for f in recorded],
        )
    cancelled = [f for f in facts if isinstance(f, AdviserAbsenceCancelled)]
    if cancelled:
        await conn.execute(
            CANCEL_ABSENCES, [f.absence_id for f in cancelled], [f.adviser_id for f in cancelled]
        )


async def colleagues(conn: Conn, staff_ids: Collection[str], now: datetime) -> dict[str, Colleague]:
    """These members of staff as advisory knows them, absent or not at ``now``."""
    rows = await conn.fetch(STAFF_OF, list(staff_ids), now)
    return {
        r["staff_id"]: Colleague(
            r["staff_id"], r["office"], Tier(r["team"]), r["active"], r["away"]
        )
        for r in rows
    }


async def desks(conn: Conn, office: str) -> frozenset[str]:
    return frozenset(r["desk"] for r in await conn.fetch(DESKS_OF, office))


async def held_by_absent(
    conn: Conn, now: datetime, staff_ids: Collection[str] | None = None, limit: int = 200
) -> dict[UUID, tuple[str, str | None]]:
    """Open cases whose holder is away at ``now`` (of ``staff_ids`` only, when given): case
    -> (the absent holder, the colleague named to cover the absence, if any)."""
    ids = None if staff_ids is None else list(staff_ids)
    rows = await conn.fetch(HELD_BY_ABSENT, ids, now, limit)
    return {r["case_id"]: (r["assignee"], r["covered_by"]) for r in rows}


async def workload(conn: Conn, office: str, team: Tier, now: datetime) -> list[Any]:
    """Each active member of ``team`` in ``office``: open cases held, capacity, absence."""
    return list(await conn.fetch(WORKLOAD, office, now, team.value))


def _latest(facts: Sequence[Any], key: Any) -> list[Any]:
    """One fact per key, the latest (one row per key per statement), sorted by key."""
    latest: dict[Any, Any] = {}
    for f in facts:
        known = latest.get(key(f))
        if known is None or (known.occurred_at, known.event_id.int) < (
            f.occurred_at,
            f.event_id.int,
        ):
            latest[key(f)] = f
    return [latest[k] for k in sorted(latest)]


def _profile(f: AdviserProfileSet) -> dict[str, Any]:
    return {
        "staff_id": f.adviser_id,
        "office": f.office,
        "team": f.team.value,
        "desk": f.desk,
        "capacity": f.capacity,
        "active": f.active,
        "as_of": f.occurred_at,
        "as_of_event": f.event_id,
    }


def _desk(f: DeskDefined) -> dict[str, Any]:
    return {
        "office": f.office,
        "desk": f.desk,
        "kind": f.kind.value,
        "as_of": f.occurred_at,
        "as_of_event": f.event_id,
    }
