"""Projections rebuilt from the log while members keep sending requests: nothing lost, nothing
doubled, and `verify` proves each rebuilt projection is exactly what its log says."""

from __future__ import annotations

import asyncio
import os
import subprocess
import sys
from collections import Counter

import asyncpg
import orjson

from ops import swap
from ops.rebuild import rebuild
from ops.verify import verify
from shared.events import ROUTED
from shared.settings import Settings
from tests.support.kafka import collect, end_offsets
from tests.support.processes import ROOT, ServiceProcess
from tests.support.traffic import Traffic, until_routed

COUNT = 600


async def test_rebuilds_during_live_traffic_lose_and_double_nothing(
    intake: ServiceProcess,
    routing: ServiceProcess,
    bootstrap: str,
    db: asyncpg.Pool,
    settings: Settings,
) -> None:
    since = await end_offsets(bootstrap, ROUTED)
    traffic = Traffic(intake.url, COUNT, seed=808)
    # Given requests streaming in
    sending = asyncio.create_task(traffic.run())
    await traffic.sent(COUNT // 5)
    # When routing's projection, then intake's, are rebuilt and swapped in while they flow
    rebuilt_routing = await rebuild(settings, "routing")
    rebuilt_intake = await rebuild(settings, "intake")
    await sending
    assert rebuilt_routing.events > 0
    assert rebuilt_routing.in_bulk > 0  # routing's first pass is the bulk loader's
    assert rebuilt_intake.events > 0
    assert rebuilt_intake.in_bulk == 0  # intake has none: its handlers replay everything
    assert len(traffic.case_ids) == COUNT
    # Then every request is routed, once, and held once by both projections
    assert await until_routed(db, traffic.case_ids) == COUNT
    wanted = set(traffic.case_ids)
    records = await collect(
        bootstrap,
        ROUTED,
        since,
        lambda rs: wanted <= {orjson.loads(r.value)["case_id"] for r in rs},
        timeout=60,
    )
    decisions = Counter(
        e["case_id"] for e in (orjson.loads(r.value) for r in records) if e["case_id"] in wanted
    )
    assert set(decisions) == wanted
    assert set(decisions.values()) == {1}
    stored = await db.fetchval(
        "SELECT count(*) FROM intake.requests WHERE case_id::text = ANY($1::text[])",
        traffic.case_ids,
    )
    assert stored == COUNT
    # And the BI views read the rebuilt projections (views follow tables, not names)
    in_bi = await db.fetchval(
        "SELECT count(*) FROM bi.case_lifecycle WHERE case_id::text = ANY($1::text[])",
        traffic.case_ids,
    )
    assert in_bi == COUNT
    # And no shadow is left; each projection replaced is kept, the only copy of its service
    assert not await db.fetchval(
        "SELECT count(*) FROM pg_namespace WHERE nspname LIKE '%\\_rebuild'"
    )
    async with db.acquire() as conn:
        assert await swap.kept(conn, "routing") == [rebuilt_routing.kept_as]
        assert await swap.kept(conn, "intake") == [rebuilt_intake.kept_as]
    # And each new projection was verified against its log once swapped in
    assert rebuilt_routing.verified
    assert rebuilt_intake.verified
    # And verify finds each projection identical to a rebuild from its log
    for service, tables in (
        (
            "routing",
            {"cases", "requests", "decisions", "members", "escalations", "workload"}
            | {"own_advisers", "office_models", "desks", "advisers", "absences", "bi_capacity"}
            | {"transfers", "office_shadows", "shadow_decisions"},
        ),
        ("intake", {"requests", "member_messages"}),
    ):
        verdict = await verify(settings, service)
        assert {t.table for t in verdict.tables} == tables
        assert verdict.identical, [t for t in verdict.tables if not t.same]


def test_the_cli_verifies_and_reports_lag(intake: ServiceProcess, routing: ServiceProcess) -> None:
    # When ops run `relais verify routing` and `relais lag`
    env = {**os.environ, "COLUMNS": "200"}
    verified = subprocess.run(
        [sys.executable, "-m", "relais_cli.main", "verify", "routing"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    lag = subprocess.run(
        [sys.executable, "-m", "relais_cli.main", "lag"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
    )
    # Then verify says identical (exit 0) and lag lists routing's partitions and backlogs
    assert verified.returncode == 0, verified.stdout + verified.stderr
    assert "identical" in verified.stdout
    assert lag.returncode == 0, lag.stdout + lag.stderr
    assert "request-received" in lag.stdout
    assert "outbox rows" in lag.stdout


async def test_verify_shows_where_a_projection_differs_and_a_rebuild_repairs_it(
    intake: ServiceProcess, routing: ServiceProcess, db: asyncpg.Pool, settings: Settings
) -> None:
    # Given a routed case whose row in the live projection was changed behind the log's back
    traffic = Traffic(intake.url, 1, seed=818)
    await traffic.run()
    (case_id,) = traffic.case_ids
    assert await until_routed(db, [case_id]) == 1
    await db.execute(
        "UPDATE routing.decisions SET queue = 'nowhere/first_line' WHERE case_id::text = $1",
        case_id,
    )
    # When ops verify routing
    verdict = await verify(settings, "routing")
    # Then the cases table differs, and the differing rows are the two versions of that case
    cases = next(t for t in verdict.tables if t.table == "cases")
    assert not verdict.identical
    assert not cases.same
    assert cases.live.rows == cases.rebuilt.rows
    assert sorted(side for side, _ in cases.differences) == ["live only", "rebuilt only"]
    rows = dict(cases.differences)
    assert rows["live only"]["case_id"] == rows["rebuilt only"]["case_id"] == case_id
    assert rows["live only"]["queue"] == "nowhere/first_line"
    assert rows["rebuilt only"]["queue"] != "nowhere/first_line"
    # And a rebuild puts back what the log says
    await rebuild(settings, "routing")
    assert (await verify(settings, "routing")).identical
