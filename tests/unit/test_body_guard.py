"""A body is read only from an authenticated caller, and only up to the limit: a larger one is
refused (413) whether it declares its length or arrives in chunks, before it is parsed."""

from __future__ import annotations

import json
from typing import Any

import pytest
from starlette.types import Message

from services.catalog import BUILDERS
from shared.identity import Role
from shared.settings import Settings
from tests.support.apps import app_of, body_routes, client_of, is_problem
from tests.support.auth import bearer

LIMIT = Settings().http_max_body_bytes
OPS = bearer(Role.OPS)
JSON = {"content-type": "application/json"}


class Body:
    """An ASGI request's body, in chunks, that counts how much of it the app read."""

    def __init__(self, size: int, chunk: int = 64 * 1024) -> None:
        self.chunks = [b"x" * min(chunk, size - at) for at in range(0, size, chunk)]
        self.read = 0

    async def receive(self) -> Message:
        chunk = self.chunks[self.read] if self.read < len(self.chunks) else b""
        self.read += 1
        return {"type": "http.request", "body": chunk, "more_body": self.read < len(self.chunks)}


async def call(
    service: str, method: str, path: str, headers: dict[str, str], body: Body
) -> tuple[int, dict[str, Any]]:
    """Calls the app with raw ASGI: the status and Problem body it answered."""
    sent: list[Message] = []

    async def send(message: Message) -> None:
        sent.append(message)

    scope = {
        "type": "http",
        "asgi": {"version": "3.0"},
        "http_version": "1.1",
        "method": method,
        "scheme": "http",
        "path": path,
        "raw_path": path.encode(),
        "query_string": b"",
        "root_path": "",
        "headers": [(k.lower().encode(), v.encode()) for k, v in headers.items()],
        "client": ("127.0.0.1", 1),
        "server": ("relais", 80),
    }
    await app_of(service)(scope, body.receive, send)
    start = next(m for m in sent if m["type"] == "http.response.start")
    payload = b"".join(m.get("body", b"") for m in sent if m["type"] == "http.response.body")
    return start["status"], json.loads(payload)


def every_body_route() -> list[tuple[str, str, str]]:
    return [(s, m, p) for s in BUILDERS for m, p in body_routes(app_of(s))]


@pytest.mark.parametrize(("service", "method", "path"), every_body_route())
async def test_without_a_token_a_huge_body_is_refused_unread(
    service: str, method: str, path: str
) -> None:
    body = Body(10 * 1024 * 1024)
    status, problem = await call(service, method, path, JSON, body)
    assert (status, problem["error"]) == (401, "unauthenticated")
    assert body.read == 0


async def test_an_invalid_token_is_refused_before_the_body_is_read() -> None:
    body = Body(1024)
    headers = {**JSON, "authorization": "Bearer not-a-token"}
    status, problem = await call("intake", "POST", "/requests", headers, body)
    assert (status, problem["error"]) == (401, "invalid_token")
    assert body.read == 0


async def test_a_declared_length_over_the_limit_is_refused_unread() -> None:
    body = Body(LIMIT + 1)
    headers = {**JSON, **OPS, "content-length": str(LIMIT + 1)}
    status, problem = await call("intake", "POST", "/requests", headers, body)
    assert (status, problem["error"]) == (413, "body_too_large")
    assert body.read == 0


async def test_a_chunked_body_is_cut_off_at_the_limit() -> None:
    chunk = 16 * 1024
    body = Body(10 * 1024 * 1024, chunk)
    status, problem = await call("intake", "POST", "/requests", {**JSON, **OPS}, body)
    assert (status, problem["error"]) == (413, "body_too_large")
    assert body.read == LIMIT // chunk + 1  # the chunk that crossed it, no further


async def test_a_body_within_the_limit_is_read_and_checked() -> None:
    async with client_of(app_of("intake")) as client:
        answer = await client.post("/requests", content=b"x" * LIMIT, headers={**JSON, **OPS})
    assert answer.status_code == 422
    assert answer.json()["error"] == "malformed_json"


async def test_a_refusal_closes_the_connection_and_is_a_problem() -> None:
    async with client_of(app_of("intake")) as client:
        answer = await client.post("/requests", content=b"x" * (LIMIT + 1), headers=OPS)
    assert answer.status_code == 413
    assert answer.headers["connection"] == "close"
    assert is_problem(answer)


async def test_the_probes_stay_open() -> None:
    async with client_of(app_of("intake")) as client:
        probe = await client.request("GET", "/health", content=b"x" * (LIMIT + 1))
    assert probe.status_code == 200
