"""The console's first screen with 10,000 open cases in one queue: it asks advisory for one
page of the queue and the queue counts, and both reads stay far under a second on the real
PostgreSQL (the console renders only the page; tests/unit/console/test_queues.py)."""

from __future__ import annotations

import time
from datetime import UTC, datetime

from services.advisory.queues import queries
from tests.integration.conftest import ScratchFactory
from tests.integration.test_advisory_queues import fed

OPEN_CASES = 10_000
# Copies of one queued case (its request and SLA clocks too), each with an id of its own.
COPIES = """
CREATE TEMP TABLE copies AS SELECT gen_random_uuid() AS id FROM generate_series(1, {copies});
INSERT INTO cases SELECT (jsonb_populate_record(NULL::cases,
    to_jsonb(c) || jsonb_build_object('case_id', k.id, 'opened_at', now()))).*
FROM cases c, copies k WHERE c.case_id = '{case}';
INSERT INTO requests ({columns}) SELECT {columns} FROM (SELECT (jsonb_populate_record(
    NULL::requests, to_jsonb(q) || jsonb_build_object('case_id', k.id))).*
    FROM requests q, copies k WHERE q.case_id = '{case}') AS copied;
INSERT INTO sla_clocks SELECT (jsonb_populate_record(NULL::sla_clocks,
    to_jsonb(s) || jsonb_build_object('case_id', k.id))).*
FROM sla_clocks s, copies k WHERE s.case_id = '{case}';
ANALYZE cases; ANALYZE requests; ANALYZE sla_clocks;
"""


async def test_a_queue_of_ten_thousand_open_cases_is_read_a_page_at_a_time_fast(
    scratch_schema: ScratchFactory,
) -> None:
    pool = await scratch_schema("advisory")
    await fed(pool, 8, seed=5)
    one = await pool.fetchrow(
        "SELECT c.case_id, c.office FROM cases c JOIN requests q USING (case_id) "
        "WHERE c.status = 'queued' AND c.tier = 'first_line' LIMIT 1"
    )
    assert one is not None
    # requests' search column is generated: copied by its other columns.
    columns = ", ".join(
        r["column_name"]
        for r in await pool.fetch(
            "SELECT column_name FROM information_schema.columns WHERE table_name = 'requests' "
            "AND table_schema = current_schema() AND is_generated = 'NEVER' "
            "ORDER BY ordinal_position"
        )
    )
    async with pool.acquire() as conn:  # one connection: the temp table is its own
        await conn.execute(COPIES.format(case=one["case_id"], copies=OPEN_CASES, columns=columns))
    opened = await pool.fetchval(
        "SELECT count(*) FROM cases WHERE office = $1 AND status = 'queued'", one["office"]
    )
    assert opened > OPEN_CASES
    # What the adviser's first screen asks: the first page of the office's first-line queue
    # and the office's queue counts.
    wanted = queries.Listing(
        {"office": one["office"], "tier": "first_line", "statuses": ["queued"]}, limit=50
    )
    async with pool.acquire() as conn:
        await queries.listing(conn, wanted)  # a first read plans and warms the cache
        started = time.monotonic()
        rows = await queries.listing(conn, wanted)
        counts = await queries.counts(conn, one["office"], "first_line", datetime.now(UTC))
        took = time.monotonic() - started
    assert len(rows) == 51  # a page, and one more: another page follows
    assert sum(c["cases"] for c in counts) >= OPEN_CASES
    assert took < 0.5, f"the first screen's reads took {took:.2f}s"
