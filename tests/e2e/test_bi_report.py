"""What BI sees of the running services: a case's whole life in the `bi` views, read as the
read-only role, and `relais report` charting it."""

from __future__ import annotations

import asyncio
import subprocess
import sys
import time
import uuid
from pathlib import Path
from typing import Any

import asyncpg

from shared.settings import Settings
from tests.support.processes import ROOT, ServiceProcess
from tests.support.staff import escalated_then_resolved_with_an_act, liege_request, submit


async def lifecycle_row(settings: Settings, case_id: uuid.UUID) -> Any:
    """The case's bi.case_lifecycle row once its administrative task is closed (or after 30 s)."""
    reader = await asyncpg.connect(settings.bi_dsn())
    try:
        deadline, row = time.monotonic() + 30, None
        while time.monotonic() < deadline:
            row = await reader.fetchrow(
                "SELECT * FROM bi.case_lifecycle WHERE case_id = $1", case_id
            )
            if row is not None and row["admin_task_status"] == "completed":
                break
            await asyncio.sleep(0.1)
        return row
    finally:
        await reader.close()


async def test_bi_views_and_report_show_a_whole_case_life(
    intake: ServiceProcess,
    routing: ServiceProcess,
    advisory: ServiceProcess,
    admin: ServiceProcess,
    settings: Settings,
    tmp_path: Path,
) -> None:
    body = liege_request(910)
    # Given a case escalated, resolved with a contract registration, and its task completed
    case_id = await submit(intake, body)
    await escalated_then_resolved_with_an_act(advisory, admin, case_id)
    # When BI reads the views as the read-only role
    row = await lifecycle_row(settings, uuid.UUID(case_id))
    # Then the case is there with every step of its life, in order
    assert row is not None
    assert (row["channel"], row["office"]) == (body["channel"], "liege")
    assert (row["status"], row["team"], row["desk"], row["handled_by"]) == (
        "resolved", "support", "support", "sam",
    )  # fmt: skip
    assert (row["escalation_reason"], row["escalations"], row["outcome"]) == ("legal", 1, "solved")
    assert (row["admin_act"], row["admin_task_status"]) == ("contract_registration", "completed")
    steps = ["received_at", "routed_at", "claimed_at", "escalated_at", "resolved_at"]
    times = [row[s] for s in [*steps, "admin_task_closed_at"]]
    assert times == sorted(times)
    assert row["received_to_resolved_s"] > row["received_to_escalated_s"] > 0
    # And `relais report` writes a self-contained page charting escalations and resolutions
    out = tmp_path / "report.html"
    command = [sys.executable, "-m", "relais_cli.main", "report", "--out", str(out)]
    await asyncio.to_thread(
        subprocess.run, command, cwd=ROOT, check=True, capture_output=True, timeout=60
    )
    page = out.read_text()
    assert page.count("<svg") >= 8
    assert "liege" in page
    assert "Escalations per reason" in page
    assert "legal" in page
    assert "Received → resolved" in page
    assert "<script" not in page
    assert "http://" not in page
    assert "https://" not in page
