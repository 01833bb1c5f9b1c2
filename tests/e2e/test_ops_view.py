"""What ops see of the running services: /metrics and /ready of each of the four."""

from __future__ import annotations

import asyncio
import time
import uuid

import asyncpg
import httpx
from prometheus_client.parser import text_string_to_metric_families

from relais_cli.demo_data import stream
from shared.events import (
    ADMIN_TASKS,
    CASE_ACTIVITY,
    ESCALATED,
    PARTITIONS,
    REQUEST_RECEIVED,
    RESOLVED,
    ROUTED,
)
from tests.support.auth import CHANNEL
from tests.support.processes import ServiceProcess
from tests.support.staff import escalated_then_resolved_with_an_act, liege_request, submit

Samples = dict[tuple[str, frozenset[tuple[str, str]]], float]
ADVISORY_TOPICS = (ROUTED, CASE_ACTIVITY, ESCALATED, RESOLVED)
ADMIN_TOPICS = (REQUEST_RECEIVED, RESOLVED, ADMIN_TASKS)
LIEGE = liege_request(911)


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


async def test_advisory_and_admin_show_their_flow_and_readiness(
    intake: ServiceProcess, routing: ServiceProcess, advisory: ServiceProcess, admin: ServiceProcess
) -> None:
    # Given a case that lived its whole life: escalated, resolved with an act, task completed
    await escalated_then_resolved_with_an_act(advisory, admin, await submit(intake, LIEGE))
    # Then each service counts what it applied per topic and its lag per partition, back to 0
    for service, topics in ((advisory, ADVISORY_TOPICS), (admin, ADMIN_TOPICS)):
        seen = await caught_up(service, topics)
        for topic in topics:
            applied = value(
                seen, "relais_messages_processed_total", service=service.name, topic=topic
            )
            assert applied is not None, (service.name, topic)
            assert applied >= 1
            assert len(lag_of(seen, topic)) == PARTITIONS
            assert sum(lag_of(seen, topic).values()) == 0
        assert value(seen, "relais_outbox_backlog", service=service.name) is not None
    # And their HTTP commands are counted by route template
    claims = value(
        await scrape(advisory), "relais_http_requests_total", service="advisory", method="POST",
        route="/cases/{case_id}/claim", status="200",
    )  # fmt: skip
    assert claims is not None
    assert claims >= 2
    completions = value(
        await scrape(admin), "relais_http_requests_total", service="admin", method="POST",
        route="/tasks/{task_id}/completion", status="200",
    )  # fmt: skip
    assert completions is not None
    assert completions >= 1
    # And both say they are ready: database, Kafka, caught up
    async with httpx.AsyncClient() as client:
        for service in (advisory, admin):
            ready = (await client.get(f"{service.url}/ready")).json()
            assert ready == {
                "status": "ok",
                "checks": {"database": "ok", "kafka": "ok", "caught_up": "ok"},
            }, service.name


async def caught_up(service: ServiceProcess, topics: tuple[str, ...]) -> Samples:
    """The service's metrics once its lag on ``topics`` is back to 0 (or after 30 s)."""
    deadline = time.monotonic() + 30
    seen = await scrape(service)
    while time.monotonic() < deadline and any(sum(lag_of(seen, t).values()) for t in topics):
        await asyncio.sleep(0.2)
        seen = await scrape(service)
    return seen
