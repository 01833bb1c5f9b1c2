"""The services' ASGI apps in-process, without their lifespan (no database, no Kafka): enough
for what the shared HTTP plumbing answers before a handler runs."""

from __future__ import annotations

import re
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from uuid import UUID

import httpx
from fastapi import FastAPI

from services.catalog import BUILDERS
from shared import auth
from shared.settings import Settings

SOME_ID = UUID("00000000-0000-4000-8000-000000000001")


def app_of(service: str) -> FastAPI:
    """The service's app, with the dev token verifier its lifespan would have set."""
    _, app = BUILDERS[service](None)
    app.state.verifier = auth.verifier_for(Settings())
    return app


@asynccontextmanager
async def client_of(app: FastAPI) -> AsyncIterator[httpx.AsyncClient]:
    """An HTTP client talking to ``app`` in-process; a crash is answered, not raised."""
    transport = httpx.ASGITransport(app=app, raise_app_exceptions=False)
    async with httpx.AsyncClient(transport=transport, base_url="http://relais") as client:
        yield client


def body_routes(app: FastAPI) -> list[tuple[str, str]]:
    """(method, a concrete path) of every operation of ``app`` that takes a body."""
    spec = app.openapi()
    found = []
    for path, operations in spec["paths"].items():
        for method, operation in operations.items():
            if "requestBody" in operation:
                found.append((method.upper(), _concrete(path)))
    return found


def _concrete(template: str) -> str:
    # Ids are UUIDs, offices and desks lower-case codes, advisers a short id.
    values = {"office": "namur", "desk": "front", "adviser_id": "a1"}
    return re.sub(r"\{(\w+)\}", lambda m: values.get(m.group(1), str(SOME_ID)), template)


def is_problem(response: httpx.Response) -> bool:
    """The answer is in the Problem shape: error, message, fields."""
    body = response.json()
    return (
        response.headers["content-type"] == "application/json"
        and set(body) == {"error", "message", "fields"}
        and isinstance(body["error"], str)
        and isinstance(body["message"], str)
        and all(set(f) == {"field", "message"} for f in body["fields"])
    )
