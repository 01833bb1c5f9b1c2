"""advisory's SLA tables (``services/advisory/migrations/0003_sla.sql``): the SLA facts, and
per case and clock what the case's facts and the SLA facts say. Every write is idempotent on
event_id and order tolerant; the SLA tick reads where the two disagree or a warning or deadline
has come."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import asdict
from datetime import datetime
from typing import Annotated, Any
from uuid import UUID

import orjson
from pydantic import Field, TypeAdapter

from services.advisory.domain import CaseEvent
from services.advisory.sla.outcomes import summary
from services.advisory.sla.timeline import CLOCK_FACTS
from shared.db import Conn
from shared.events import (
    CaseReopened,
    CaseResolved,
    CaseRouted,
    ReplySent,
    Tier,
    WaitingEnded,
    WaitingOnMember,
)
from shared.sla_events import SlaClock, SlaEvent

INSERT_FACTS = """
INSERT INTO sla_facts (event_id, case_id, clock, type, occurred_at, event)
SELECT * FROM unnest($1::uuid[], $2::uuid[], $3::text[], $4::text[], $5::timestamptz[],
                     $6::jsonb[])
ON CONFLICT (event_id) DO NOTHING
RETURNING case_id"""

FACTS_OF = "SELECT case_id, event FROM sla_facts WHERE case_id = ANY($1::uuid[])"

SLA_SIDE = (
    "priority", "target_s", "started_at", "deadline", "warn_at", "paused", "pauses", "resumes",
    "warned_at", "breached_at", "met_at", "on_time", "elapsed_s", "paused_s", "next_due",
    "paused_since", "paused_wait", "restarts",
)  # fmt: skip
UPSERT_SLA_SIDE = f"""
INSERT INTO sla_clocks (case_id, clock, {", ".join(SLA_SIDE)})
SELECT * FROM jsonb_to_recordset($1::jsonb) AS x(case_id uuid, clock text, priority text,
    target_s double precision, started_at timestamptz, deadline timestamptz,
    warn_at timestamptz, paused boolean, pauses int, resumes int, warned_at timestamptz,
    breached_at timestamptz, met_at timestamptz, on_time boolean, elapsed_s double precision,
    paused_s double precision, next_due timestamptz, paused_since timestamptz,
    paused_wait uuid, restarts int)
ON CONFLICT (case_id, clock) DO UPDATE
SET {", ".join(f"{c} = excluded.{c}" for c in SLA_SIDE)}"""

# stopped_at: the first reply (first response), the last resolution (resolution: a reopened
# case's clock runs again until it resolves again); reopens: the reopenings seen (resolution).
UPSERT_CASE_SIDE = """
INSERT INTO sla_clocks (case_id, clock, opened_at, stopped_at, waits_begun, waits_ended, reopens)
SELECT * FROM jsonb_to_recordset($1::jsonb) AS x(case_id uuid, clock text,
    opened_at timestamptz, stopped_at timestamptz, waits_begun int, waits_ended int,
    reopens int)
ON CONFLICT (case_id, clock) DO UPDATE
SET opened_at = least(sla_clocks.opened_at, excluded.opened_at),
    stopped_at = CASE WHEN sla_clocks.clock = 'resolution'
                      THEN greatest(sla_clocks.stopped_at, excluded.stopped_at)
                      ELSE least(sla_clocks.stopped_at, excluded.stopped_at) END,
    waits_begun = sla_clocks.waits_begun + excluded.waits_begun,
    waits_ended = sla_clocks.waits_ended + excluded.waits_ended,
    reopens = sla_clocks.reopens + excluded.reopens"""

# The same predicates as the partial indexes of 0003_sla.sql and 0012_sla_reopened.sql, so
# the indexes answer. Behind: not started, its goal reached after its (last) start, a wait not
# yet counted, or a reopening whose run has not started.
WORK = """
(SELECT case_id FROM sla_clocks
 WHERE opened_at IS NOT NULL
   AND (reopens <> restarts
        OR (met_at IS NULL
            AND (started_at IS NULL OR stopped_at >= started_at OR pauses <> waits_begun
                 OR resumes <> waits_ended)))
 LIMIT $2)
UNION
(SELECT case_id FROM sla_clocks WHERE next_due IS NOT NULL AND next_due <= $1
 ORDER BY next_due LIMIT $2)"""

CASE_FACTS = """
SELECT case_id, event FROM case_history
WHERE case_id = ANY($1::uuid[]) AND type = ANY($2::text[])"""

_SLA: TypeAdapter[SlaEvent] = TypeAdapter(Annotated[SlaEvent, Field(discriminator="type")])
_CASE: TypeAdapter[CaseEvent] = TypeAdapter(Annotated[CaseEvent, Field(discriminator="type")])


async def record(
    conn: Conn,
    facts: Sequence[SlaEvent],
    known: Mapping[UUID, Sequence[SlaEvent]] | None = None,
) -> None:
    """Stores the SLA facts not yet known and refolds the clocks of their cases; ``known``:
    every SLA fact of those cases, when the caller holds them (the tick) and they are locked."""
    if not facts:
        return
    unique = list({f.event_id: f for f in facts}.values())
    rows = await conn.fetch(
        INSERT_FACTS,
        [f.event_id for f in unique],
        [f.case_id for f in unique],
        [f.clock.value for f in unique],
        [f.type for f in unique],
        [f.occurred_at for f in unique],
        [f.model_dump_json() for f in unique],
    )
    touched = sorted({r["case_id"] for r in rows})
    if not touched:
        return
    histories = known if known is not None else await recorded(conn, touched)
    by_clock: dict[tuple[UUID, SlaClock], list[SlaEvent]] = defaultdict(list)
    for case_id in touched:
        for fact in histories[case_id]:
            by_clock[(case_id, fact.clock)].append(fact)
    out = []
    for (case_id, clock), clock_facts in sorted(by_clock.items(), key=lambda kv: kv[0][0].int):
        state = summary(clock_facts)
        row = {"case_id": str(case_id), "clock": clock.value, **asdict(state)}
        out.append({**row, "next_due": state.next_due})
    await conn.execute(UPSERT_SLA_SIDE, orjson.dumps(out, default=str).decode())


async def note_case_facts(conn: Conn, events: Iterable[CaseEvent]) -> None:
    """The case side of the clocks, from case facts seen for the first time."""
    sides: dict[tuple[UUID, SlaClock], dict[str, Any]] = {}

    def side(case_id: UUID, clock: SlaClock) -> dict[str, Any]:
        empty = {
            "opened_at": None,
            "stopped_at": None,
            "waits_begun": 0,
            "waits_ended": 0,
            "reopens": 0,
        }
        return sides.setdefault((case_id, clock), empty)

    def earliest(row: dict[str, Any], column: str, at: datetime) -> None:
        row[column] = at if row[column] is None else min(row[column], at)

    def latest(row: dict[str, Any], column: str, at: datetime) -> None:
        row[column] = at if row[column] is None else max(row[column], at)

    for e in events:
        for clock in SlaClock:
            match e:
                case CaseRouted() if e.tier is Tier.FIRST_LINE:
                    earliest(side(e.case_id, clock), "opened_at", e.occurred_at)
                case WaitingOnMember():
                    side(e.case_id, clock)["waits_begun"] += 1
                case WaitingEnded():
                    side(e.case_id, clock)["waits_ended"] += 1
                case ReplySent() if clock is SlaClock.FIRST_RESPONSE:
                    earliest(side(e.case_id, clock), "stopped_at", e.occurred_at)
                case CaseResolved() if clock is SlaClock.RESOLUTION:
                    latest(side(e.case_id, clock), "stopped_at", e.occurred_at)
                case CaseResolved():
                    earliest(side(e.case_id, clock), "stopped_at", e.occurred_at)
                case CaseReopened() if clock is SlaClock.RESOLUTION:
                    side(e.case_id, clock)["reopens"] += 1
    if sides:
        in_order = sorted(sides.items(), key=lambda kv: (kv[0][0].int, kv[0][1].value))
        rows = [{"case_id": c, "clock": k.value, **v} for (c, k), v in in_order]
        await conn.execute(UPSERT_CASE_SIDE, orjson.dumps(rows, default=str).decode())


async def work(conn: Conn, now: datetime, limit: int) -> list[UUID]:
    """Cases whose clocks are behind their case's facts, or have a warning or deadline due."""
    return sorted({r["case_id"] for r in await conn.fetch(WORK, now, limit)})


async def recorded(conn: Conn, case_ids: Sequence[UUID]) -> dict[UUID, list[SlaEvent]]:
    found: dict[UUID, list[SlaEvent]] = {c: [] for c in case_ids}
    for r in await conn.fetch(FACTS_OF, list(case_ids)):
        found[r["case_id"]].append(_SLA.validate_json(r["event"]))
    return found


async def case_facts(conn: Conn, case_ids: Sequence[UUID]) -> dict[UUID, list[CaseEvent]]:
    """The facts of these cases an SLA clock depends on."""
    found: dict[UUID, list[CaseEvent]] = {c: [] for c in case_ids}
    for r in await conn.fetch(CASE_FACTS, list(case_ids), list(CLOCK_FACTS)):
        found[r["case_id"]].append(_CASE.validate_json(r["event"]))
    return found


# Resolution clocks paused on the member long enough for a reminder not yet sent (or for a
# closure): a bound in wall time, which business time never passes; the tick decides exactly.
WAITING = """
SELECT c.case_id, c.paused_wait, c.paused_since FROM sla_clocks c
WHERE c.paused AND c.clock = 'resolution' AND c.paused_wait IS NOT NULL
  AND (c.paused_since <= $2
       OR (c.paused_since <= $1 AND NOT EXISTS (
           SELECT 1 FROM case_history h
           WHERE h.case_id = c.case_id AND h.type = 'MemberReminded'
             AND (h.event->>'wait_event_id')::uuid = c.paused_wait)))
ORDER BY c.paused_since LIMIT $3"""

REMINDED = "SELECT event_id FROM case_history WHERE event_id = ANY($1::uuid[])"


async def waiting(
    conn: Conn, remind_before: datetime, close_before: datetime, limit: int
) -> list[tuple[UUID, UUID, datetime]]:
    """(case, wait, since) of the waits on the member that may be due a reminder or closure."""
    rows = await conn.fetch(WAITING, remind_before, close_before, limit)
    return [(r["case_id"], r["paused_wait"], r["paused_since"]) for r in rows]


async def known_facts(conn: Conn, event_ids: Sequence[UUID]) -> set[UUID]:
    """Which of these case facts advisory recorded already."""
    return {r["event_id"] for r in await conn.fetch(REMINDED, list(event_ids))}
