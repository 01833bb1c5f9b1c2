"""Workload from the log: who holds each case (routed to, claimed by, returned to; nobody once
escalated, then the support member it was routed to, if any; closed once resolved) and each
member's own adviser (who last resolved a first-line case of theirs). The latest fact wins
whatever order they are applied in, and a resolution closes a case for good, so the fold is
idempotent and order tolerant."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any
from uuid import UUID

import orjson

from shared.db import Conn
from shared.events import (
    CaseClaimed,
    CaseEscalated,
    CaseResolved,
    CaseReturned,
    CaseRouted,
    Event,
    Tier,
)
from shared.folds import Fold

# A case's latest holder, by time then event id; `closed` is set for good by CLOSE.
HOLDERS = Fold(
    "workload",
    "case_id",
    (
        ("case_id", "uuid"),
        ("holder", "text"),
        ("as_of", "timestamptz"),
        ("as_of_event", "uuid"),
        ("closed", "boolean"),
    ),
    rank=("as_of", "as_of_event"),
    kept=("closed",),
)
MOVE = HOLDERS.upsert()

# Whichever fact came first, a resolution closes the case for good.
CLOSE = "UPDATE workload SET closed = true WHERE case_id = ANY($1::uuid[]) AND NOT closed"

OWN = """
INSERT INTO own_advisers (member_id, adviser_id, as_of, as_of_event)
SELECT * FROM jsonb_to_recordset($1::jsonb) AS x(member_id text, adviser_id text,
    as_of timestamptz, as_of_event uuid)
ON CONFLICT (member_id) DO UPDATE
SET adviser_id = excluded.adviser_id, as_of = excluded.as_of, as_of_event = excluded.as_of_event
WHERE (own_advisers.as_of, own_advisers.as_of_event) < (excluded.as_of, excluded.as_of_event)"""

LOADS = """
SELECT holder, count(*) AS open_cases FROM workload
WHERE NOT closed AND holder = ANY($1::text[]) GROUP BY holder"""

OWN_ADVISERS = "SELECT member_id, adviser_id FROM own_advisers WHERE member_id = ANY($1::text[])"


@dataclass(frozen=True)
class Move:
    """A case changed hands (``holder`` None: nobody holds it) or was closed."""

    case_id: UUID
    holder: str | None
    at: datetime
    event_id: UUID
    closed: bool = False


def move_of(event: Event) -> Move | None:
    """What a fact does to the case's holder, if anything."""
    match event:
        case CaseRouted():
            # First line or support alike: the adviser or support member routing picked.
            return Move(event.case_id, event.adviser_id, event.occurred_at, event.event_id)
        case CaseClaimed():
            return Move(event.case_id, event.claimed_by, event.occurred_at, event.event_id)
        case CaseEscalated():
            return Move(event.case_id, None, event.occurred_at, event.event_id)
        case CaseReturned():
            return Move(event.case_id, event.returned_to, event.occurred_at, event.event_id)
        case CaseResolved():
            return Move(event.case_id, event.resolved_by, event.occurred_at, event.event_id, True)
    return None


async def record(conn: Conn, events: Iterable[Event]) -> None:
    """Applies the facts that move cases between holders, and learns members' own advisers."""
    latest: dict[UUID, Move] = {}
    for move in filter(None, map(move_of, events)):
        known = latest.get(move.case_id)
        if known is None:
            latest[move.case_id] = move
            continue
        newer = (known.at, known.event_id.int) < (move.at, move.event_id.int)
        winner = move if newer else known
        latest[move.case_id] = Move(
            winner.case_id, winner.holder, winner.at, winner.event_id, known.closed or move.closed
        )
    if latest:
        rows = [_move_row(latest[k]) for k in sorted(latest)]
        await conn.execute(MOVE, orjson.dumps(rows, default=str).decode())
        closed = [k for k in sorted(latest) if latest[k].closed]
        if closed:
            await conn.execute(CLOSE, closed)


async def learn_own_advisers(conn: Conn, resolutions: Sequence[CaseResolved]) -> None:
    """The adviser who resolved a first-line case becomes the member's own adviser."""
    latest: dict[str, CaseResolved] = {}
    for r in resolutions:
        if r.tier is not Tier.FIRST_LINE:
            continue
        known = latest.get(r.member_id)
        if known is None or (known.resolved_at, known.event_id.int) < (
            r.resolved_at,
            r.event_id.int,
        ):
            latest[r.member_id] = r
    rows = [
        {
            "member_id": r.member_id,
            "adviser_id": r.resolved_by,
            "as_of": r.resolved_at,
            "as_of_event": r.event_id,
        }
        for _, r in sorted(latest.items())
    ]
    if rows:
        await conn.execute(OWN, orjson.dumps(rows, default=str).decode())


async def loads(conn: Conn, advisers: Sequence[str]) -> dict[str, int]:
    """Each adviser's open load (advisers holding nothing are left out)."""
    rows = await conn.fetch(LOADS, list(advisers))
    return {r["holder"]: r["open_cases"] for r in rows}


async def own_advisers(conn: Conn, members: Sequence[str]) -> dict[str, str]:
    rows = await conn.fetch(OWN_ADVISERS, list(members))
    return {r["member_id"]: r["adviser_id"] for r in rows}


def _move_row(move: Move) -> dict[str, Any]:
    return {
        "case_id": move.case_id,
        "holder": move.holder,
        "as_of": move.at,
        "as_of_event": move.event_id,
        "closed": move.closed,
    }
