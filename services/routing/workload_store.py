"""Workload from the log: who holds each case (routed to, claimed by, returned to, reassigned
to, reopened to; nobody once escalated, then the support member it was routed to, if any;
nobody once released or transferred; closed once resolved) and each member's own adviser (who
last resolved a first-line case of theirs). The latest fact wins whatever order they are
applied in; a case is closed while its latest resolution is later than its latest reopening
(a late routing never reopens it), so the fold is idempotent and order tolerant."""

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
    CaseReassigned,
    CaseReleased,
    CaseReopened,
    CaseResolved,
    CaseReturned,
    CaseRouted,
    CaseTransferred,
    Event,
    Tier,
)
from shared.folds import Fold

# A case's latest holder, by time then event id; `closed` is CLOSE's and REOPEN's.
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

# The latest resolution and the latest reopening of each case, whichever came first; the case
# is closed while the resolution is the later of the two.
CLOSE = """
UPDATE workload w SET closed_as_of = x.at, closed_event = x.ev,
    closed = w.reopened_as_of IS NULL OR (x.at, x.ev) > (w.reopened_as_of, w.reopened_event)
FROM unnest($1::uuid[], $2::timestamptz[], $3::uuid[]) AS x(case_id, at, ev)
WHERE w.case_id = x.case_id
  AND (w.closed_as_of IS NULL OR (w.closed_as_of, w.closed_event) < (x.at, x.ev))"""
REOPEN = """
UPDATE workload w SET reopened_as_of = x.at, reopened_event = x.ev,
    closed = w.closed_as_of IS NOT NULL AND (w.closed_as_of, w.closed_event) > (x.at, x.ev)
FROM unnest($1::uuid[], $2::timestamptz[], $3::uuid[]) AS x(case_id, at, ev)
WHERE w.case_id = x.case_id
  AND (w.reopened_as_of IS NULL OR (w.reopened_as_of, w.reopened_event) < (x.at, x.ev))"""

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
    """A case changed hands (``holder`` None: nobody holds it), was closed or reopened."""

    case_id: UUID
    holder: str | None
    at: datetime
    event_id: UUID
    closed: bool = False
    reopened: bool = False


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
        case CaseReopened():
            return Move(
                event.case_id, event.reopened_to, event.occurred_at, event.event_id, False, True
            )
        case CaseReassigned():
            return Move(event.case_id, event.reassigned_to, event.occurred_at, event.event_id)
        case CaseReleased() | CaseTransferred():
            return Move(event.case_id, None, event.occurred_at, event.event_id)
    return None


async def record(conn: Conn, events: Iterable[Event]) -> None:
    """Applies the facts that move cases between holders, close and reopen them."""
    moves = list(filter(None, map(move_of, events)))
    latest = _latest(moves)
    if latest:
        rows = [_move_row(latest[k]) for k in sorted(latest)]
        await conn.execute(MOVE, orjson.dumps(rows, default=str).decode())
    for statement, which in (
        (CLOSE, [m for m in moves if m.closed]),
        (REOPEN, [m for m in moves if m.reopened]),
    ):
        marks = _latest(which)
        if marks:
            keys = sorted(marks)
            await conn.execute(
                statement, keys, [marks[k].at for k in keys], [marks[k].event_id for k in keys]
            )


def _latest(moves: Iterable[Move]) -> dict[UUID, Move]:
    """Each case's latest move, by time then event id."""
    latest: dict[UUID, Move] = {}
    for move in moves:
        known = latest.get(move.case_id)
        if known is None or (known.at, known.event_id.int) < (move.at, move.event_id.int):
            latest[move.case_id] = move
    return latest


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
