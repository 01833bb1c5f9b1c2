"""What a running intake does with hostile input over a real socket: text PostgreSQL cannot
store is a 422 naming the field (not a 500), a body that is too large is refused unread, and an
unauthenticated body is refused before it is read."""

from __future__ import annotations

from collections.abc import AsyncIterator

import httpx

from relais_cli.demo_data import stream
from shared.settings import Settings
from tests.support.auth import CHANNEL
from tests.support.processes import ServiceProcess

TEN_MB = 10 * 1024 * 1024


async def chunks(size: int, chunk: int = 64 * 1024) -> AsyncIterator[bytes]:
    for _ in range(size // chunk):
        yield b"x" * chunk


async def test_nul_in_the_subject_is_a_422_naming_it(intake: ServiceProcess) -> None:
    body = {**stream(1, seed=707)[0], "subject": "Facture\u0000 impayée"}
    async with httpx.AsyncClient(base_url=intake.url, headers=CHANNEL) as client:
        answer = await client.post("/requests", json=body)
    assert answer.status_code == 422
    assert answer.json()["fields"] == [
        {"field": "body.subject", "message": "must not contain the NUL character (\\u0000)"}
    ]


async def test_huge_bodies_are_refused(intake: ServiceProcess) -> None:
    limit = Settings().http_max_body_bytes
    async with httpx.AsyncClient(base_url=intake.url, timeout=30) as client:
        anonymous = await client.post("/requests", content=chunks(TEN_MB))
        assert anonymous.status_code == 401
        assert anonymous.json()["error"] == "unauthenticated"
        declared = await client.post("/requests", content=b"x" * TEN_MB, headers=CHANNEL)
        assert declared.status_code == 413
        chunked = await client.post("/requests", content=chunks(TEN_MB), headers=CHANNEL)
        assert chunked.status_code == 413
        assert chunked.json()["message"].endswith(f"limit of {limit} bytes.")
        # The service is unharmed.
        assert (await client.get("/health")).status_code == 200
