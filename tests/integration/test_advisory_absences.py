"""advisory's copy of the organisation and the absence hand-over on the real PostgreSQL: an
absence that begins later hands nothing over until it begins, then each open case its adviser
holds once; a cancelled absence stays cancelled whichever of its facts is read first."""

from __future__ import annotations

import uuid
from datetime import timedelta

import asyncpg

from services.advisory import handlers
from services.advisory.absences.tick import hand_over_absent
from services.advisory.decisions import Claim, decide
from services.advisory.domain import fold
from shared.consumer import Apply, BatchConsumer
from shared.db import PoolHolder
from shared.events import CASE_ACTIVITY, ORGANISATION, ROUTED
from shared.identity import Principal, Role
from shared.organisation_events import AdviserAbsenceCancelled, AdviserAbsenceRecorded
from tests.integration.conftest import ScratchFactory
from tests.support.cases import T0, first_routing
from tests.support.lifecycles import as_records
from tests.support.organisation import SEED

ADVISER = "liege-front-01"


def consumer(pool: asyncpg.Pool, apply: Apply = handlers.apply_case_events) -> BatchConsumer:
    holder = PoolHolder()
    holder.pool = pool
    return BatchConsumer(holder, service="advisory", group="advisory", apply=apply)


def absence(
    starts_in: timedelta, absence_id: uuid.UUID, cover: str | None = None
) -> AdviserAbsenceRecorded:
    return AdviserAbsenceRecorded(
        type="AdviserAbsenceRecorded",
        schema_version=2,
        event_id=uuid.uuid4(),
        occurred_at=T0,
        causation_id=None,
        producer="routing",
        changed_by="lead-liege",
        adviser_id=ADVISER,
        absence_id=absence_id,
        starts_at=T0 + starts_in,
        ends_at=T0 + starts_in + timedelta(days=1),
        reason="training",
        covered_by=cover,
    )


async def test_an_absence_hands_cases_over_when_it_begins_and_once(
    scratch_schema: ScratchFactory,
) -> None:
    pool = await scratch_schema("advisory")
    # Given the organisation, and a case the adviser claimed
    await consumer(pool, handlers.apply_organisation).process(
        as_records([(ORGANISATION, f) for f in SEED])
    )
    case_id = uuid.uuid4()
    routed = first_routing(case_id)
    me = Principal(ADVISER, Role.ADVISER, "liege")
    claimed = decide(fold(case_id, [routed]), Claim(), me, event_id=uuid.uuid4(), now=T0)
    await consumer(pool).process(as_records([(ROUTED, routed), (CASE_ACTIVITY, claimed)]))
    # And their absence, recorded now, beginning in an hour
    away = absence(timedelta(hours=1), uuid.uuid4())
    await consumer(pool, handlers.apply_organisation).process(
        as_records([(ORGANISATION, away)], start=1000)
    )
    async with pool.acquire() as conn, conn.transaction():
        # When the hand-over looks before the absence begins: nothing
        assert await hand_over_absent(conn, T0 + timedelta(minutes=30)) == 0
        # When it looks once it has begun: the case goes back to its queue, once
        assert await hand_over_absent(conn, T0 + timedelta(hours=2)) == 1
        assert await hand_over_absent(conn, T0 + timedelta(hours=3)) == 0
    case = await pool.fetchrow("SELECT status, assignee FROM cases WHERE case_id = $1", case_id)
    assert case is not None
    assert (case["status"], case["assignee"]) == ("queued", None)
    last = await pool.fetchrow(
        "SELECT type, actor FROM case_history WHERE case_id = $1 ORDER BY occurred_at DESC LIMIT 1",
        case_id,
    )
    assert last is not None
    assert (last["type"], last["actor"]) == ("CaseReleased", "advisory")
    assert await pool.fetchval("SELECT count(*) FROM outbox") == 1  # published once


async def test_a_cancelled_absence_stays_cancelled_in_any_order(
    scratch_schema: ScratchFactory,
) -> None:
    pool = await scratch_schema("advisory")
    absence_id = uuid.uuid4()
    recorded = absence(timedelta(0), absence_id)
    cancelled = AdviserAbsenceCancelled(
        type="AdviserAbsenceCancelled",
        schema_version=1,
        event_id=uuid.uuid4(),
        occurred_at=T0 + timedelta(minutes=1),
        causation_id=None,
        producer="routing",
        changed_by="lead-liege",
        adviser_id=ADVISER,
        absence_id=absence_id,
    )
    # Given the cancellation read before the absence it cancels (a replay), then the absence
    apply = consumer(pool, handlers.apply_organisation)
    await apply.process(as_records([(ORGANISATION, cancelled)]))
    await apply.process(as_records([(ORGANISATION, recorded)], start=10))
    row = await pool.fetchrow("SELECT * FROM absences WHERE absence_id = $1", absence_id)
    # Then the absence is known, and cancelled
    assert row is not None
    assert (row["staff_id"], row["starts_at"], row["cancelled"]) == (ADVISER, T0, True)


async def test_an_absence_with_a_cover_gives_the_cases_to_the_colleague(
    scratch_schema: ScratchFactory,
) -> None:
    pool = await scratch_schema("advisory")
    await consumer(pool, handlers.apply_organisation).process(
        as_records([(ORGANISATION, f) for f in SEED])
    )
    case_id = uuid.uuid4()
    routed = first_routing(case_id)
    me = Principal(ADVISER, Role.ADVISER, "liege")
    claimed = decide(fold(case_id, [routed]), Claim(), me, event_id=uuid.uuid4(), now=T0)
    await consumer(pool).process(as_records([(ROUTED, routed), (CASE_ACTIVITY, claimed)]))
    # Given an absence that names a colleague of the office to cover it
    covered = absence(timedelta(0), uuid.uuid4(), cover="liege-front-02")
    await consumer(pool, handlers.apply_organisation).process(
        as_records([(ORGANISATION, covered)], start=1000)
    )
    # When it begins
    async with pool.acquire() as conn, conn.transaction():
        assert await hand_over_absent(conn, T0 + timedelta(minutes=1)) == 1
    # Then the colleague holds the case
    case = await pool.fetchrow("SELECT status, assignee FROM cases WHERE case_id = $1", case_id)
    assert case is not None
    assert (case["status"], case["assignee"]) == ("claimed", "liege-front-02")
