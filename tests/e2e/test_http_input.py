"""What a running intake does with hostile input over a real socket: text PostgreSQL cannot
store is a 422 naming the field (not a 500); a body that is too large, or sent without a
token, is answered without being read."""

from __future__ import annotations

import asyncio

import httpx

from relais_cli.demo_data import stream
from shared.settings import Settings
from tests.support.auth import CHANNEL
from tests.support.processes import ServiceProcess

TEN_MB = 10 * 1024 * 1024


async def test_nul_in_the_subject_is_a_422_naming_it(intake: ServiceProcess) -> None:
    body = {**stream(1, seed=707)[0], "subject": "Facture\u0000 impayée"}
    async with httpx.AsyncClient(base_url=intake.url, headers=CHANNEL) as client:
        answer = await client.post("/requests", json=body)
    assert answer.status_code == 422
    assert answer.json()["fields"] == [
        {"field": "body.subject", "message": "must not contain the NUL character (\\u0000)"}
    ]


async def status_of(process: ServiceProcess, head: dict[str, str], body: bytes = b"") -> int:
    """POST /requests over a raw connection: the headers and ``body`` (none of a declared
    length if empty), then the status of the answer. A client that kept sending 10 MB would
    have its connection reset as the service closes it unread."""
    reader, writer = await asyncio.open_connection("127.0.0.1", process.port)
    lines = [
        "POST /requests HTTP/1.1",
        "Host: relais",
        "Content-Type: application/json",
        *(f"{k}: {v}" for k, v in head.items()),
    ]
    writer.write(("\r\n".join(lines) + "\r\n\r\n").encode() + body)
    await writer.drain()
    status_line = await asyncio.wait_for(reader.readline(), 10)
    writer.close()
    return int(status_line.split()[1])


def chunked(size: int, chunk: int = 16 * 1024) -> bytes:
    piece = f"{chunk:x}\r\n".encode() + b"x" * chunk + b"\r\n"
    return piece * (size // chunk + 1) + b"0\r\n\r\n"


async def test_huge_bodies_are_answered_unread(intake: ServiceProcess) -> None:
    limit = Settings().http_max_body_bytes
    declared = {"Content-Length": str(TEN_MB)}
    # 10 MB announced, not a byte sent: the service answers at once.
    assert await status_of(intake, declared) == 401
    assert await status_of(intake, {**declared, **CHANNEL}) == 413
    # Sent in chunks, without a length: read up to the limit only.
    streamed = {"Transfer-Encoding": "chunked", **CHANNEL}
    assert await status_of(intake, streamed, chunked(limit)) == 413
    async with httpx.AsyncClient(base_url=intake.url) as client:
        assert (await client.get("/health")).status_code == 200
