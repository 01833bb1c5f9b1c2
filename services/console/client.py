"""The console's only way to the services: their public HTTP APIs, with the person's token.

``Services`` holds one pooled HTTP client for the whole console; ``Api`` is that client
bound to one person's token (``routes`` get it from ``deps.api``). A refusal of a service
comes back as ``ServiceProblem``, with the Problem body the service answered
(``error``, ``message``, ``fields``), so a screen can say in the person's words what happened."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable
from dataclasses import dataclass, field
from typing import Any

import httpx

from services.console.settings import SERVICES, ConsoleSettings

Json = dict[str, Any]


@dataclass
class ServiceProblem(Exception):
    """A service refused (4xx/5xx with its Problem body) or could not be reached (status 0)."""

    service: str
    status: int
    error: str
    message: str
    fields: list[Json] = field(default_factory=list)
    # The rest of the Problem body: e.g. a stale version's ``changes`` (what happened since).
    extra: Json = field(default_factory=dict)

    def __str__(self) -> str:
        return f"{self.service} {self.status} {self.error}: {self.message}"


class Services:
    """Where the services answer, and one connection pool to them."""

    def __init__(
        self, settings: ConsoleSettings, transport: httpx.AsyncBaseTransport | None = None
    ):
        self.urls = {name: settings.url(name) for name in SERVICES}
        self.http = httpx.AsyncClient(timeout=settings.timeout_s, transport=transport)

    def bound(self, token: str) -> Api:
        return Api(self, token)

    async def aclose(self) -> None:
        await self.http.aclose()


class Api:
    """The services as one person calls them."""

    def __init__(self, services: Services, token: str) -> None:
        self.services = services
        self.headers = {"Authorization": f"Bearer {token}"}

    async def get(self, service: str, path: str, **params: Any) -> Json:
        clean = {k: v for k, v in params.items() if v is not None and v != ""}
        return await self._send(service, "GET", path, params=clean)

    async def post(
        self, service: str, path: str, body: Json | None = None, if_match: str | None = None
    ) -> Json:
        """``if_match``: the version of what the person saw (advisory's case ETag); a service
        refuses the change 409 if it moved on since."""
        extra = {"If-Match": if_match} if if_match else None
        return await self._send(service, "POST", path, json=body, headers=extra)

    async def put(self, service: str, path: str, body: Json | None = None) -> Json:
        return await self._send(service, "PUT", path, json=body)

    async def delete(self, service: str, path: str) -> Json:
        return await self._send(service, "DELETE", path)

    async def _send(
        self, service: str, method: str, path: str, headers: dict[str, str] | None = None, **kw: Any
    ) -> Json:
        url = self.services.urls[service] + path
        sent = {**self.headers, **(headers or {})}
        try:
            answer = await self.services.http.request(method, url, headers=sent, **kw)
        except httpx.HTTPError as exc:
            raise ServiceProblem(service, 0, "unreachable", str(exc)) from exc
        if answer.status_code >= 400:
            raise problem_of(service, answer)
        if not answer.content:
            return {}
        body: Json = answer.json()
        return body


def problem_of(service: str, answer: httpx.Response) -> ServiceProblem:
    try:
        body = answer.json()
    except ValueError:
        body = {}
    if not isinstance(body, dict):
        body = {}
    return ServiceProblem(
        service,
        answer.status_code,
        str(body.get("error") or f"http_{answer.status_code}"),
        str(body.get("message") or answer.reason_phrase),
        list(body.get("fields") or []),
        {k: v for k, v in body.items() if k not in ("error", "message", "fields")},
    )


async def together(*calls: Awaitable[Json]) -> list[Json]:
    """Several reads at once (a screen's first paint waits for the slowest, not the sum)."""
    return list(await asyncio.gather(*calls))
