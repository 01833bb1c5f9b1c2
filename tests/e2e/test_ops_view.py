"""What ops and BI see of the running services: /metrics, /ready, the bi views, the report."""

from __future__ import annotations

import asyncio
import subprocess
import sys
import time
import uuid
from pathlib import Path

import asyncpg
import httpx
from prometheus_client.parser import text_string_to_metric_families

from relais_cli.demo_data import stream
from shared.events import PARTITIONS, REQUEST_RECEIVED
from shared.settings import Settings
from tests.support.auth import CHANNEL
from tests.support.processes import ROOT, ServiceProcess

Samples = dict[tuple[str, frozenset[tuple[str, str]]], float]


async def scrape(service: ServiceProcess) -> Samples:
    async with httpx.AsyncClient(base_url=service.url) as client:
        response = await client.get("/metrics")
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/plain")
    return {
        (s.name, frozenset(s.labels.items())): s.value
        for family in text_string_to_metric_families(response.text)
        for s in family.samples
    }


def value(samples: Samples, name: str, **labels: str) -> float | None:
    return samples.get((name, frozenset(labels.items())))


def lag_of(samples: Samples, topic: str) -> dict[str, float]:
    return {
        dict(labels)["partition"]: v
        for (name, labels), v in samples.items()
        if name == "relais_consumer_lag" and dict(labels)["topic"] == topic
    }


async def test_metrics_and_readiness_show_the_flow(
    intake: ServiceProcess, routing: ServiceProcess, db: asyncpg.Pool
) -> None:
    # Given a request accepted and routed
    async with httpx.AsyncClient(base_url=intake.url, headers=CHANNEL) as client:
        response = await client.post("/requests", json=stream(1, seed=909)[0])
    assert response.status_code == 202
    case_id = uuid.UUID(response.json()["case_id"])
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        if await db.fetchval("SELECT 1 FROM routing.cases WHERE case_id = $1", case_id):
            break
        await asyncio.sleep(0.1)
    # Then intake counts its HTTP requests by route template
    seen = await scrape(intake)
    accepted = value(
        seen, "relais_http_requests_total", service="intake", method="POST", route="/requests",
        status="202",
    )  # fmt: skip
    assert accepted is not None
    assert accepted >= 1
    assert value(seen, "relais_outbox_backlog", service="intake") is not None
    # And routing counts what it applied, its lag per partition (back to 0), its dead letters
    seen = await scrape(routing)
    applied = value(
        seen, "relais_messages_processed_total", service="routing", topic=REQUEST_RECEIVED
    )
    assert applied is not None
    assert applied >= 1
    assert len(lag_of(seen, REQUEST_RECEIVED)) == PARTITIONS
    while sum(lag_of(seen, REQUEST_RECEIVED).values()) > 0 and time.monotonic() < deadline:
        await asyncio.sleep(0.2)
        seen = await scrape(routing)
    assert sum(lag_of(seen, REQUEST_RECEIVED).values()) == 0
    dead = value(
        seen, "relais_dead_letter_messages", service="routing", topic="routing.dead-letter"
    )
    assert dead is not None
    memory = value(seen, "process_resident_memory_bytes")
    assert memory is not None
    assert memory > 0
    # And both say they are ready, routing because it is caught up
    async with httpx.AsyncClient() as client:
        ready = (await client.get(f"{routing.url}/ready")).json()
        assert (await client.get(f"{intake.url}/ready")).status_code == 200
    assert ready == {
        "status": "ok",
        "checks": {"database": "ok", "kafka": "ok", "caught_up": "ok"},
    }


async def test_bi_views_and_report_show_a_routed_case(
    intake: ServiceProcess, routing: ServiceProcess, settings: Settings, tmp_path: Path
) -> None:
    async with httpx.AsyncClient(base_url=intake.url, headers=CHANNEL) as client:
        body = stream(1, seed=910)[0]
        response = await client.post("/requests", json=body)
    case_id = uuid.UUID(response.json()["case_id"])
    # When BI reads the views as the read-only role
    reader = await asyncpg.connect(settings.bi_dsn())
    try:
        deadline, row = time.monotonic() + 30, None
        while time.monotonic() < deadline:
            row = await reader.fetchrow(
                "SELECT * FROM bi.case_lifecycle WHERE case_id = $1", case_id
            )
            if row is not None and row["status"] == "routed":
                break
            await asyncio.sleep(0.1)
    finally:
        await reader.close()
    # Then the case is there with where it came from and where it went
    assert row is not None
    assert row["status"] == "routed"
    assert (row["channel"], row["office"]) == (body["channel"], body["member"]["home_office"])
    assert row["routed_at"] >= row["received_at"]
    assert row["received_to_routed_s"] >= 0
    # And `relais report` writes a self-contained page of charts
    out = tmp_path / "report.html"
    command = [sys.executable, "-m", "relais_cli.main", "report", "--out", str(out)]
    await asyncio.to_thread(
        subprocess.run, command, cwd=ROOT, check=True, capture_output=True, timeout=60
    )
    page = out.read_text()
    assert page.count("<svg") >= 5
    assert body["member"]["home_office"] in page
    assert "<script" not in page
    assert "http://" not in page
    assert "https://" not in page
