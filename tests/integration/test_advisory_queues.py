"""advisory's queue listing on the real PostgreSQL: ordered by SLA due time then age, paged by a
cursor that new cases do not disturb, searchable by member and subject words, counted per
queue."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, datetime, timedelta
from typing import Any

import asyncpg

from ops.services import load
from services.advisory.queues import cursor, queries
from shared.batch import Apply
from shared.consumer import BatchConsumer, Delivery
from shared.db import Conn, PoolHolder
from shared.settings import Settings
from tests.integration.conftest import ScratchFactory
from tests.support.events import T0
from tests.support.lifecycles import as_records, logs

SOURCES: dict[str, Apply] = {s.topic: s.apply for s in load("advisory", Settings()).sources}
DUE = """
UPDATE sla_clocks SET started_at = $2, deadline = $3, paused = $4
WHERE case_id = $1 AND clock = 'first_response'"""
UNANSWERED = """
SELECT c.case_id FROM cases c JOIN sla_clocks s ON s.case_id = c.case_id
WHERE s.clock = 'first_response' AND s.stopped_at IS NULL ORDER BY c.opened_at"""


async def by_topic(conn: Conn, deliveries: Sequence[Delivery]) -> None:
    for topic in sorted({d.record.topic for d in deliveries}):
        await SOURCES[topic](conn, [d for d in deliveries if d.record.topic == topic])


async def fed(pool: asyncpg.Pool, count: int, seed: int, offset: int = 0) -> None:
    """``count`` lifecycles applied, their records from ``offset`` on in each partition (a
    later feed must start past the earlier one's, or its records are taken for redeliveries)."""
    holder = PoolHolder()
    holder.pool = pool
    records = [r for r in as_records(logs(count, seed), start=offset) if r.topic in SOURCES]
    await BatchConsumer(holder, service="advisory", group="advisory", apply=by_topic).process(
        records
    )


async def pages(pool: asyncpg.Pool, limit: int, between: Any = None, **filters: Any) -> list[Any]:
    """Every page of a listing, following the cursors; ``between`` runs after the first."""
    seen: list[Any] = []
    after = None
    while True:
        async with pool.acquire() as conn:
            rows = await queries.listing(
                conn, queries.Listing(filters=filters, after=after, limit=limit)
            )
        page = rows[:limit]
        seen += [r["case_id"] for r in page]
        if len(rows) <= limit:
            return seen
        last = page[-1]
        token = cursor.encode(
            cursor.position_of(last["sla_due_at"], last["opened_at"], last["case_id"])
        )
        after = cursor.decode(token)
        if between is not None:
            await between()
            between = None


async def test_the_listing_is_due_time_then_age_and_pages_are_stable(
    scratch_schema: ScratchFactory,
) -> None:
    pool = await scratch_schema("advisory")
    await fed(pool, 24, seed=83)
    oldest_first = [
        r["case_id"] for r in await pool.fetch("SELECT case_id FROM cases ORDER BY opened_at")
    ]
    # Given three cases with a running first-response clock (the youngest due first) and one
    # whose clock is paused (waiting on the member), among cases nobody answered yet
    unanswered = [r["case_id"] for r in await pool.fetch(UNANSWERED)]
    late, sooner, soonest, paused = unanswered[1], unanswered[4], unanswered[7], unanswered[0]
    for case_id, hours, is_paused in (
        (late, 3, False),
        (sooner, 2, False),
        (soonest, 1, False),
        (paused, 0, True),
    ):
        await pool.execute(DUE, case_id, T0, T0 + timedelta(hours=hours), is_paused)
    # When the whole listing is read at once
    async with pool.acquire() as conn:
        rows = await queries.listing(conn, queries.Listing(limit=1000))
    # Then the running clocks come first, soonest due first, then every other case by age
    whole = [r["case_id"] for r in rows]
    assert whole[:3] == [soonest, sooner, late]
    assert whole[3:] == [c for c in oldest_first if c not in (soonest, sooner, late)]
    assert rows[0]["sla_clock"] == "first_response"
    assert all(r["subject"] and r["member_name"] for r in rows)
    # And read 5 at a time while older cases arrive after the first page (they sort before
    # the cursor: an offset would shift every later page), every case of the first reading
    # is seen once, in the same order
    arrived = await pages(pool, 5, between=lambda: fed(pool, 6, seed=0, offset=1000))
    assert arrived == whole


async def test_search_finds_members_and_subjects_and_counts_add_up(
    scratch_schema: ScratchFactory,
) -> None:
    pool = await scratch_schema("advisory")
    await fed(pool, 16, seed=91)
    one = await pool.fetchrow("SELECT * FROM requests ORDER BY case_id LIMIT 1")
    assert one is not None
    name, subject = one["member_name"], one["subject"]
    # When searching by the start of the member's surname, by a subject's words, by member id
    by_name = cursor.tsquery(cursor.words(name.split()[-1][:3]))
    by_subject = cursor.tsquery(cursor.words(subject)[:2])
    async with pool.acquire() as conn:
        named = await queries.listing(conn, queries.Listing({"search": by_name}, limit=100))
        about = await queries.listing(conn, queries.Listing({"search": by_subject}, limit=100))
        owned = await queries.listing(
            conn, queries.Listing({"member_id": one["member_id"]}, limit=100)
        )
        nothing = await queries.listing(
            conn, queries.Listing({"search": cursor.tsquery(["zzqxj"])}, limit=100)
        )
        counts = await queries.counts(conn, None, None, datetime.now(UTC))
    # Then each finds the case, and only matching ones
    assert one["case_id"] in {r["case_id"] for r in named}
    assert one["case_id"] in {r["case_id"] for r in about}
    assert {r["member_id"] for r in owned} == {one["member_id"]}
    assert nothing == []
    # And the counts per queue add up to the open cases
    open_cases = await pool.fetchval(
        "SELECT count(*) FROM cases WHERE status IS NOT NULL AND status <> 'resolved'"
    )
    assert sum(c["cases"] for c in counts) == open_cases > 0
