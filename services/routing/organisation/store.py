"""routing's organisation tables: the fold of the `organisation` topic, and the reads a
decision needs. Each write is idempotent and order tolerant: a desk or an adviser keeps its
latest fact (by occurred_at, then event_id), model changes are a history keyed by event."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import datetime
from typing import Any, TypeVar

import asyncpg
import orjson

from shared import outbox
from shared.db import Conn
from shared.events import ORGANISATION
from shared.organisation_events import (
    AdviserAbsenceCancelled,
    AdviserAbsenceRecorded,
    AdviserProfileSet,
    DeskDefined,
    OfficeModelChanged,
    OfficeShadowSet,
    OrganisationEvent,
)

INSERT_MODELS = """
INSERT INTO office_models (event_id, office, model, effective_at, occurred_at, changed_by)
SELECT * FROM jsonb_to_recordset($1::jsonb) AS x(event_id uuid, office text, model text,
    effective_at timestamptz, occurred_at timestamptz, changed_by text)
ON CONFLICT (event_id) DO NOTHING"""

UPSERT_DESKS = """
INSERT INTO desks (office, desk, kind, topic_families, occurred_at, event_id)
SELECT * FROM jsonb_to_recordset($1::jsonb) AS x(office text, desk text, kind text,
    topic_families text[], occurred_at timestamptz, event_id uuid)
ON CONFLICT (office, desk) DO UPDATE
SET kind = excluded.kind, topic_families = excluded.topic_families,
    occurred_at = excluded.occurred_at, event_id = excluded.event_id
WHERE (desks.occurred_at, desks.event_id) < (excluded.occurred_at, excluded.event_id)"""

UPSERT_ADVISERS = """
INSERT INTO advisers (adviser_id, office, team, desk, languages, skills, capacity, active,
                      occurred_at, event_id)
SELECT * FROM jsonb_to_recordset($1::jsonb) AS x(adviser_id text, office text, team text,
    desk text, languages text[], skills text[], capacity int, active boolean,
    occurred_at timestamptz, event_id uuid)
ON CONFLICT (adviser_id) DO UPDATE
SET office = excluded.office, team = excluded.team, desk = excluded.desk,
    languages = excluded.languages, skills = excluded.skills, capacity = excluded.capacity,
    active = excluded.active, occurred_at = excluded.occurred_at, event_id = excluded.event_id
WHERE (advisers.occurred_at, advisers.event_id) < (excluded.occurred_at, excluded.event_id)"""

UPSERT_SHADOWS = """
INSERT INTO office_shadows (office, model, occurred_at, event_id)
SELECT * FROM jsonb_to_recordset($1::jsonb) AS x(office text, model text,
    occurred_at timestamptz, event_id uuid)
ON CONFLICT (office) DO UPDATE
SET model = excluded.model, occurred_at = excluded.occurred_at, event_id = excluded.event_id
WHERE (office_shadows.occurred_at, office_shadows.event_id)
    < (excluded.occurred_at, excluded.event_id)"""

RECORD_ABSENCES = """
INSERT INTO absences (absence_id, adviser_id, starts_at, ends_at)
SELECT * FROM jsonb_to_recordset($1::jsonb) AS x(absence_id uuid, adviser_id text,
    starts_at timestamptz, ends_at timestamptz)
ON CONFLICT (absence_id) DO UPDATE
SET starts_at = excluded.starts_at, ends_at = excluded.ends_at"""

CANCEL_ABSENCES = """
INSERT INTO absences (absence_id, adviser_id, cancelled)
SELECT absence_id, adviser_id, true FROM jsonb_to_recordset($1::jsonb)
    AS x(absence_id uuid, adviser_id text)
ON CONFLICT (absence_id) DO UPDATE SET cancelled = true"""

IS_EMPTY = "SELECT NOT EXISTS (SELECT 1 FROM office_models) AND NOT EXISTS (SELECT 1 FROM advisers)"

F = TypeVar("F", bound=OrganisationEvent)


async def apply(conn: Conn, facts: Sequence[OrganisationEvent]) -> None:
    """Folds organisation facts into the tables (a fact applied twice changes nothing)."""
    await _write(conn, INSERT_MODELS, facts, OfficeModelChanged, lambda f: str(f.event_id), _model)
    await _write(conn, UPSERT_SHADOWS, facts, OfficeShadowSet, lambda f: f.office, _shadow)
    await _write(conn, UPSERT_DESKS, facts, DeskDefined, lambda f: f"{f.office}/{f.desk}", _desk)
    await _write(conn, UPSERT_ADVISERS, facts, AdviserProfileSet, lambda f: f.adviser_id, _adviser)
    await _write(
        conn, RECORD_ABSENCES, facts, AdviserAbsenceRecorded, lambda f: str(f.absence_id), _absence
    )
    await _write(
        conn,
        CANCEL_ABSENCES,
        facts,
        AdviserAbsenceCancelled,
        lambda f: str(f.absence_id),
        lambda f: {"absence_id": f.absence_id, "adviser_id": f.adviser_id},
    )


async def is_empty(conn: Conn) -> bool:
    """No organisation known yet: routing's first start (or a fresh database)."""
    return bool(await conn.fetchval(IS_EMPTY))


async def seed_if_empty(pool: asyncpg.Pool, facts: Sequence[OrganisationEvent]) -> bool:
    """Records ``facts`` (the demo organisation) when routing knows no organisation yet: its
    first start. Two instances starting together seed once (a lock, then the check)."""
    async with pool.acquire() as conn, conn.transaction():
        await conn.execute("SELECT pg_advisory_xact_lock(hashtext('routing:seed'))")
        if not await is_empty(conn):
            return False
        await apply(conn, facts)
        await outbox.enqueue(conn, [outbox.event_message(ORGANISATION, f) for f in facts])
    return True


async def _write(
    conn: Conn,
    sql: str,
    facts: Sequence[OrganisationEvent],
    kind: type[F],
    key: Callable[[F], str],
    row: Callable[[F], dict[str, Any]],
) -> None:
    # One row per key per statement (ON CONFLICT cannot touch a row twice): the latest fact,
    # in key order so that concurrent writers lock rows in the same order.
    latest: dict[str, F] = {}
    for fact in facts:
        if isinstance(fact, kind):
            known = latest.get(key(fact))
            if known is None or _order(known) < _order(fact):
                latest[key(fact)] = fact
    if latest:
        rows = [row(latest[k]) for k in sorted(latest)]
        await conn.execute(sql, orjson.dumps(rows, default=str).decode())


def _order(fact: OrganisationEvent) -> tuple[datetime, int]:
    return fact.occurred_at, fact.event_id.int


def _model(f: OfficeModelChanged) -> dict[str, Any]:
    return {
        "event_id": f.event_id,
        "office": f.office,
        "model": f.model.value,
        "effective_at": f.effective_at,
        "occurred_at": f.occurred_at,
        "changed_by": f.changed_by,
    }


def _shadow(f: OfficeShadowSet) -> dict[str, Any]:
    return {
        "office": f.office,
        "model": f.model.value if f.model else None,
        "occurred_at": f.occurred_at,
        "event_id": f.event_id,
    }


def _desk(f: DeskDefined) -> dict[str, Any]:
    return {
        "office": f.office,
        "desk": f.desk,
        "kind": f.kind.value,
        "topic_families": list(f.topic_families),
        "occurred_at": f.occurred_at,
        "event_id": f.event_id,
    }


def _adviser(f: AdviserProfileSet) -> dict[str, Any]:
    return {
        "adviser_id": f.adviser_id,
        "office": f.office,
        "team": f.team.value,
        "desk": f.desk,
        "languages": [lang.value for lang in f.languages],
        "skills": list(f.skills),
        "capacity": f.capacity,
        "active": f.active,
        "occurred_at": f.occurred_at,
        "event_id": f.event_id,
    }


def _absence(f: AdviserAbsenceRecorded) -> dict[str, Any]:
    return {
        "absence_id": f.absence_id,
        "adviser_id": f.adviser_id,
        "starts_at": f.starts_at,
        "ends_at": f.ends_at,
    }
