"""routing's organisation and workload on the real PostgreSQL through the real consumer
pipeline: seeded once, folded the same way twice and in any order, read back exactly as the
policies expect; claims, returns and resolutions move loads; a member's own adviser."""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from datetime import UTC, datetime, timedelta
from typing import Any

import asyncpg
import orjson

from services.routing import staffing_store
from services.routing.organisation import store as organisation_store
from shared.consumer import Apply, BatchConsumer
from shared.db import PoolHolder
from shared.events import (
    CASE_ACTIVITY,
    ORGANISATION,
    REQUEST_RECEIVED,
    RESOLVED,
    CaseClaimed,
    CaseResolved,
    Event,
    Outcome,
    RequestReceived,
    Tier,
)
from tests.integration.conftest import ScratchFactory
from tests.support import routing_live
from tests.support.lifecycles import as_records, interleaved, moved
from tests.support.organisation import SEED
from tests.support.organisation import staffing as folded
from tests.unit.test_routing_decisions import request

APPLY: dict[str, Apply] = {
    ORGANISATION: routing_live.on_organisation,
    REQUEST_RECEIVED: routing_live.on_request_received,
    CASE_ACTIVITY: routing_live.on_case_work,
    RESOLVED: routing_live.on_case_work,
}
T0 = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)
ORGANISATION_TABLES = ("office_models", "desks", "advisers", "absences")


async def consume(pool: asyncpg.Pool, log: Sequence[tuple[str, Event]], start: int = 0) -> None:
    """The log through routing's real consumers, one batch per topic, in log order."""
    holder = PoolHolder()
    holder.pool = pool
    records = as_records(log, start)
    for topic in dict.fromkeys(t for t, _ in log):
        batch = [r for r in records if r.topic == topic]
        await BatchConsumer(holder, service="routing", group="routing", apply=APPLY[topic]).process(
            batch
        )


async def rows(pool: asyncpg.Pool, table: str) -> list[Any]:
    return [dict(r) for r in await pool.fetch(f"SELECT * FROM {table} ORDER BY 1, 2")]


async def routed(pool: asyncpg.Pool) -> list[dict[str, Any]]:
    found = await pool.fetch("SELECT value FROM outbox WHERE topic = 'routed' ORDER BY id")
    return [orjson.loads(r["value"]) for r in found]


async def test_the_demo_organisation_is_seeded_once(scratch_schema: ScratchFactory) -> None:
    pool = await scratch_schema("routing")
    # When routing starts twice on the same database
    assert await organisation_store.seed_if_empty(pool, SEED) is True
    assert await organisation_store.seed_if_empty(pool, SEED) is False
    # Then the organisation was recorded and published once
    published = await pool.fetchval("SELECT count(*) FROM outbox WHERE topic = 'organisation'")
    assert published == len(SEED)
    keys = await pool.fetch("SELECT DISTINCT key FROM outbox WHERE topic = 'organisation'")
    assert {b"liege", b"bruxelles", b"liege-contracts-01"} <= {r["key"] for r in keys}
    # And routing reads back the offices exactly as the policies are tested with
    async with pool.acquire() as conn:
        known = await staffing_store.staffing(conn, ["liege", "gent"], T0)
    assert known == {o: s for o, s in folded().items() if o in ("liege", "gent")}


async def test_organisation_facts_fold_the_same_twice_and_in_any_order(
    scratch_schema: ScratchFactory,
) -> None:
    once, shuffled = await scratch_schema("routing"), await scratch_schema("routing")
    log = [(ORGANISATION, f) for f in SEED]
    # Given the organisation applied once in order, and elsewhere shuffled then redelivered
    await consume(once, log)
    holder = PoolHolder()
    holder.pool = shuffled
    worker = BatchConsumer(
        holder, service="routing", group="routing", apply=routing_live.on_organisation
    )
    for chunk_start in range(0, len(SEED), 40):
        records = interleaved(as_records(log), seed=chunk_start)
        await worker.process(records[chunk_start : chunk_start + 40])
    await worker.process(moved(as_records(log), 1000))
    # Then both projections hold the same organisation
    for table in ORGANISATION_TABLES:
        assert await rows(once, table) == await rows(shuffled, table), table


async def test_routing_by_model_moving_loads_and_the_members_own_adviser(
    scratch_schema: ScratchFactory,
) -> None:
    pool = await scratch_schema("routing")
    await organisation_store.seed_if_empty(pool, SEED)
    # Given requests of Liège (specialised) and Bruxelles (polyvalent) members
    liege, brussels = request("liege", n=1), request("bruxelles", "nl", "vat_tax", n=2)
    await consume(pool, [(REQUEST_RECEIVED, liege), (REQUEST_RECEIVED, brussels)])
    decided = {e["case_id"]: e for e in await routed(pool)}
    first, second = decided[str(liege.case_id)], decided[str(brussels.case_id)]
    assert (first["organisation_model"], first["queue"]) == ("specialised", "liege/contracts")
    assert (second["organisation_model"], second["queue"]) == ("polyvalent", "bruxelles/first_line")
    picked = second["adviser_id"]
    assert await load(pool, picked) == 1
    # When a colleague claims the Brussels case and resolves it
    claim = claimed(brussels, "bruxelles-front-20")
    resolution = resolved(brussels, "bruxelles-front-20")
    await consume(pool, [(CASE_ACTIVITY, claim)], start=10)
    assert (await load(pool, picked), await load(pool, "bruxelles-front-20")) == (0, 1)
    await consume(pool, [(RESOLVED, resolution)], start=10)
    assert await load(pool, "bruxelles-front-20") == 0
    # Then the member's next request goes to the adviser who resolved the last one
    again = request("bruxelles", "nl", "contracts", at=T0 + timedelta(hours=1), n=2)
    await consume(pool, [(REQUEST_RECEIVED, again)], start=10)
    latest = (await routed(pool))[-1]
    assert latest["adviser_id"] == "bruxelles-front-20"
    assert latest["inputs"]["own_adviser"]["adviser_id"] == "bruxelles-front-20"


async def test_workload_is_the_same_whatever_order_the_topics_are_read_in(
    scratch_schema: ScratchFactory,
) -> None:
    ordered, mixed = await scratch_schema("routing"), await scratch_schema("routing")
    asks = [request("namur", n=i) for i in range(6)]
    log: list[tuple[str, Event]] = [(REQUEST_RECEIVED, a) for a in asks]
    log += [(CASE_ACTIVITY, claimed(a, f"namur-front-0{i % 3 + 1}")) for i, a in enumerate(asks)]
    log += [(RESOLVED, resolved(a, "namur-front-01")) for a in asks[:2]]
    # Given the same facts, in order, and with resolutions and claims read before requests
    await consume(ordered, log)
    await consume(mixed, [e for e in log if e[0] == RESOLVED] + log[6:12] + log[:6])
    await consume(mixed, log, start=500)  # and all of it redelivered
    assert await rows(ordered, "workload") == await rows(mixed, "workload")
    # front-02 claimed cases 1 and 4; case 1 was resolved (by front-01)
    assert (await load(ordered, "namur-front-02"), await load(ordered, "namur-front-01")) == (1, 1)


async def load(pool: asyncpg.Pool, adviser: str) -> int:
    found: int = await pool.fetchval(
        "SELECT count(*) FROM workload WHERE holder = $1 AND NOT closed", adviser
    )
    return found


def after_routing(minutes: int) -> datetime:
    """Staff act after routing decided, and routing decides at its own clock's now."""
    return datetime.now(UTC) + timedelta(minutes=minutes)


def claimed(r: RequestReceived, who: str) -> CaseClaimed:
    at = after_routing(10)
    return CaseClaimed(
        type="CaseClaimed",
        schema_version=1,
        event_id=uuid.uuid5(r.case_id, f"claim:{who}"),
        occurred_at=at,
        case_id=r.case_id,
        member_id=r.member_id,
        correlation_id=r.correlation_id,
        causation_id=None,
        producer="advisory",
        claimed_by=who,
        tier=Tier.FIRST_LINE,
        office=r.member.home_office,
        claimed_at=at,
    )


def resolved(r: RequestReceived, who: str) -> CaseResolved:
    at = after_routing(20)
    return CaseResolved(
        type="CaseResolved",
        schema_version=1,
        event_id=uuid.uuid5(r.case_id, f"resolved:{who}"),
        occurred_at=at,
        case_id=r.case_id,
        member_id=r.member_id,
        correlation_id=r.correlation_id,
        causation_id=None,
        producer="advisory",
        outcome=Outcome.ANSWERED,
        admin_act=None,
        resolved_by=who,
        tier=Tier.FIRST_LINE,
        office=r.member.home_office,
        note="",
        resolved_at=at,
    )
