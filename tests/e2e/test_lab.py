"""`relais lab` on a log the running stack produced: the demo (`relais run`) for half a minute,
then the lab over exactly that period. Every routing decision is reproduced, the report is
written for three models, and no service's projection or position moved."""

from __future__ import annotations

import asyncio
import json
import subprocess
import sys
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import asyncpg
import pytest

from shared.settings import Settings
from tests.support.processes import ROOT, ServiceProcess

SERVICES = ("intake", "routing", "advisory", "admin")


def relais(*args: str, timeout: float) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "relais_cli.main", *args],
        cwd=ROOT,
        check=True,
        capture_output=True,
        text=True,
        timeout=timeout,
    )


async def footprint(settings: Settings) -> dict[str, Any]:
    """Every service's stored consumer positions and how many rows its tables ever had written
    (the statistics of the services' own sessions, flushed when they ended)."""
    found: dict[str, Any] = {}
    for service in SERVICES:
        conn = await asyncpg.connect(settings.dsn(service))
        try:
            positions = await conn.fetch(
                "SELECT consumer_group, topic, partition, next_offset FROM consumer_positions "
                "ORDER BY 1, 2, 3"
            )
            sizes = await conn.fetch(
                "SELECT relname, n_tup_ins + n_tup_upd + n_tup_del AS writes "
                "FROM pg_stat_user_tables WHERE schemaname = current_schema() ORDER BY 1"
            )
            found[service] = ([tuple(r) for r in positions], [tuple(r) for r in sizes])
        finally:
            await conn.close()
    return found


@pytest.fixture
def only_the_demo(
    intake: ServiceProcess, routing: ServiceProcess, advisory: ServiceProcess, admin: ServiceProcess
) -> Iterator[None]:
    """The e2e session's own service processes stopped for this test, started again after.
    They share consumer groups with the demo's services, so once the demo stops they would go on
    reading its backlog (and their SLA tick and handover pass on writing) while the lab runs:
    the footprint could then move for reasons that are not the lab's."""
    processes = (intake, routing, advisory, admin)
    for process in processes:
        process.stop()
    try:
        yield
    finally:
        for process in processes:
            process.launch()
        for process in processes:
            process.wait_ready(60)


async def test_the_lab_replays_a_demo_log_without_touching_the_services(
    tmp_path: Path, only_the_demo: None
) -> None:
    settings = Settings()
    since = datetime.now(UTC)
    # Given half a minute of the demo on the running stack (its services stop at the end)
    relais("run", "--requests", "300", "--rate", "15", "--seconds", "35", timeout=240)
    scenario = tmp_path / "demo.toml"
    scenario.write_text(
        f'title = "demo"\nseeds = 3\n[traffic]\nsince = "{since.isoformat()}"\n'
        '[assumptions]\nclock = "continuous"\nspecialist_speedups = [0.0, -0.2]\n'
    )
    await asyncio.sleep(2)  # the stopped services' last statistics reach pg_stat
    before = await footprint(settings)
    # When the lab replays that period through the default three models
    out = tmp_path / "out"
    relais("lab", str(scenario), "--out", str(out), "--workers", "1", timeout=240)
    # Then every routing decision of the period is decided again identically
    result = json.loads((out / "lab-result.json").read_text())
    backtest = result["backtest"]
    assert backtest["decisions"] >= 250
    assert backtest["identical"] == backtest["decisions"], backtest["differences"]
    assert backtest["replayed_from_inputs"] == backtest["decisions"]
    # ...the report covers the three models, the backtest first
    assert {v["model"] for v in result["variants"]} == {
        "in force",
        "specialised everywhere",
        "polyvalent everywhere",
    }
    page = (out / "lab-report.html").read_text()
    assert page.index("Backtest") < page.index("Measures")
    assert "<svg" in page
    # ...and no service stored anything meanwhile: positions and tables as they were
    assert await footprint(settings) == before
