"""A member request travels intake -> request-received -> routing -> routed."""

from __future__ import annotations

import asyncio
import uuid
from typing import Any

import asyncpg
import httpx
import orjson

from relais_cli.demo_data import stream
from shared.events import REQUEST_RECEIVED, ROUTED
from tests.support.auth import CHANNEL
from tests.support.kafka import collect, end_offsets
from tests.support.processes import ServiceProcess


def routed_for(records: list[Any], case_ids: set[str]) -> list[dict[str, Any]]:
    events = [orjson.loads(r.value) for r in records]
    return [e for e in events if e["case_id"] in case_ids]


async def post(
    client: httpx.AsyncClient, body: dict[str, Any], key: str | None = None
) -> httpx.Response:
    headers = {"Idempotency-Key": key} if key else {}
    return await client.post("/requests", json=body, headers=headers)


async def when_published(client: httpx.AsyncClient, case_id: str) -> dict[str, Any]:
    for _ in range(100):
        view: dict[str, Any] = (await client.get(f"/requests/{case_id}")).json()
        if view["status"] == "published":
            break
        await asyncio.sleep(0.1)
    return view


async def test_posted_request_is_routed_and_projected(
    intake: ServiceProcess, routing: ServiceProcess, bootstrap: str, db: asyncpg.Pool
) -> None:
    # Given the pipeline is running
    since = await end_offsets(bootstrap, ROUTED)
    body = stream(1, seed=101)[0]
    # When a member posts a request over HTTP
    async with httpx.AsyncClient(base_url=intake.url, headers=CHANNEL) as client:
        response = await post(client, body)
        assert response.status_code == 202
        case_id = response.json()["case_id"]
        # Then a CaseRouted for that case comes out on `routed`
        records = await collect(
            bootstrap, ROUTED, since, lambda rs: bool(routed_for(rs, {case_id}))
        )
        (routed,) = routed_for(records, {case_id})
        assert routed["type"] == "CaseRouted"
        assert routed["office"] == body["member"]["home_office"]
        assert routed["queue"] == f"{body['member']['home_office']}/first_line"
        assert routed["language"] == body["member"]["preferred_language"]
        # And both projections know the case
        row = await db.fetchrow(
            "SELECT queue, member_id FROM routing.cases WHERE case_id = $1", uuid.UUID(case_id)
        )
        assert row is not None
        assert row["member_id"] == body["member"]["member_id"]
        assert (
            await db.fetchval(
                "SELECT preferred_language FROM routing.members WHERE member_id = $1",
                body["member"]["member_id"],
            )
            == body["member"]["preferred_language"]
        )
        # And intake reports the request published once its relay has dropped the outbox row
        # (it does so just after Kafka's ack, so routing may be even quicker: give it a moment)
        view = await when_published(client, case_id)
        assert view["status"] == "published"
        assert view["subject"] == body["subject"]


async def test_idempotent_retry_creates_nothing_new(
    intake: ServiceProcess, routing: ServiceProcess, bootstrap: str, db: asyncpg.Pool
) -> None:
    since_received = await end_offsets(bootstrap, REQUEST_RECEIVED)
    since_routed = await end_offsets(bootstrap, ROUTED)
    body = stream(1, seed=202)[0]
    key = f"retry-{uuid.uuid4()}"
    async with httpx.AsyncClient(base_url=intake.url, headers=CHANNEL) as client:
        # When the same request is sent once, then again concurrently with the same key
        first = await post(client, body, key)
        retries = await asyncio.gather(*[post(client, body, key) for _ in range(8)])
    # Then every answer names the same case
    case_id = first.json()["case_id"]
    assert first.headers["Idempotent-Replayed"] == "false"
    assert {r.status_code for r in retries} == {202}
    assert {r.json()["case_id"] for r in retries} == {case_id}
    assert all(r.headers["Idempotent-Replayed"] == "true" for r in retries)
    # And only one request is stored, one event received and one case routed
    assert (
        await db.fetchval("SELECT count(*) FROM intake.requests WHERE idempotency_key = $1", key)
        == 1
    )
    routed = await collect(
        bootstrap, ROUTED, since_routed, lambda rs: bool(routed_for(rs, {case_id}))
    )
    await asyncio.sleep(1.0)  # room for a wrong second event to show up
    received = await collect(
        bootstrap, REQUEST_RECEIVED, since_received, lambda rs: False, timeout=1.0
    )
    routed = await collect(bootstrap, ROUTED, since_routed, lambda rs: False, timeout=1.0)
    assert len(routed_for(received, {case_id})) == 1
    assert len(routed_for(routed, {case_id})) == 1


async def test_idempotency_key_reused_for_another_request_is_refused(
    intake: ServiceProcess,
) -> None:
    first, second = stream(2, seed=303)
    key = f"reuse-{uuid.uuid4()}"
    async with httpx.AsyncClient(base_url=intake.url, headers=CHANNEL) as client:
        assert (await post(client, first, key)).status_code == 202
        response = await post(client, second, key)
    assert response.status_code == 409
    assert response.json()["error"] == "idempotency_key_reused"


async def test_invalid_input_is_refused_with_field_messages_and_nothing_stored(
    intake: ServiceProcess, db: asyncpg.Pool
) -> None:
    before = await db.fetchval("SELECT count(*) FROM intake.requests")
    good = stream(1, seed=404)[0]
    bad_language = {**good, "member": {**good["member"], "preferred_language": "it"}}
    bad_office = {**good, "member": {**good["member"], "home_office": "paris"}}
    missing_body = {k: v for k, v in good.items() if k != "body"}
    async with httpx.AsyncClient(base_url=intake.url, headers=CHANNEL) as client:
        answers = [await post(client, b) for b in (bad_language, bad_office, missing_body)]
        not_json = await client.post(
            "/requests", content=b"{oops", headers={"content-type": "application/json"}
        )
    assert [a.status_code for a in answers] == [422, 422, 422]
    fields = [[f["field"] for f in a.json()["fields"]] for a in answers]
    assert fields == [
        ["body.member.preferred_language"],
        ["body.member.home_office"],
        ["body.body"],
    ]
    assert all(a.json()["fields"][0]["message"] for a in answers)
    assert not_json.status_code == 422
    assert await db.fetchval("SELECT count(*) FROM intake.requests") == before
