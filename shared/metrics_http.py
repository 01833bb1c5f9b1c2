"""The HTTP side of metrics: ``GET /metrics`` (Prometheus text format) and the request
rate/latency middleware every service gets from ``shared.http.create_app``."""

from __future__ import annotations

import logging
import time
from collections.abc import Iterator
from typing import TYPE_CHECKING, Any

from fastapi import APIRouter, Response
from prometheus_client import CONTENT_TYPE_LATEST, generate_latest
from prometheus_client.core import CounterMetricFamily
from prometheus_client.registry import Collector
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from shared import dead_letters, outbox
from shared.metrics import ServiceMetrics

if TYPE_CHECKING:
    from shared.service import ServiceRuntime

log = logging.getLogger(__name__)
# Label values stay bounded whatever clients send.
METHODS = {"GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"}


class HttpMetrics:
    """ASGI middleware: counts and times every request by route *template* (bounded labels)."""

    def __init__(self, app: ASGIApp, metrics: ServiceMetrics) -> None:
        self.app = app
        self.metrics = metrics
        # (method, route, status) -> its counter and histogram: labels() is the costly part.
        self._series: dict[tuple[str, str, str], tuple[Any, Any]] = {}

    def _children(self, method: str, route: str, status: str) -> tuple[Any, Any]:
        key = (method, route, status)
        children = self._series.get(key)
        if children is None:
            m, service = self.metrics, self.metrics.service
            children = (
                m.http_requests.labels(service, method, route, status),
                m.http_seconds.labels(service, method, route),
            )
            self._series[key] = children
        return children

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        start = time.perf_counter()
        status = 500

        async def send_and_note(message: Message) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = message["status"]
            await send(message)

        try:
            await self.app(scope, receive, send_and_note)
        finally:
            route = getattr(scope.get("route"), "path", "unmatched")
            method = scope["method"] if scope["method"] in METHODS else "OTHER"
            requests, seconds = self._children(method, route, str(status))
            requests.inc()
            seconds.observe(time.perf_counter() - start)


class RelayCollector(Collector):
    """How many outbox rows the relay has published, read from the relay when scraped."""

    def __init__(self, runtime: ServiceRuntime) -> None:
        self._runtime = runtime

    def collect(self) -> Iterator[CounterMetricFamily]:
        family = CounterMetricFamily(
            "relais_outbox_published",
            "Outbox rows the relay published to Kafka.",
            labels=["service"],
        )
        relay = self._runtime.relay
        family.add_metric([self._runtime.name], relay.published if relay else 0)
        yield family


async def refresh(runtime: ServiceRuntime) -> None:
    """Brings the state gauges up to date: outbox backlog, consumer lag, dead letters."""
    metrics, service = runtime.metrics, runtime.name
    pool = runtime.holder.pool
    if pool is None:
        return
    try:
        async with pool.acquire() as conn:
            rows, age = await outbox.backlog(conn)
        metrics.outbox_backlog.labels(service).set(rows)
        metrics.outbox_age.labels(service).set(age)
    except Exception as exc:
        log.info("metrics: outbox backlog unavailable (%s)", exc)
    if not runtime.consumers:
        return
    try:
        dlq = dead_letters.topic_for(service)
        ends = await runtime.end_offsets([*runtime.topics, dlq])
        dead = sum(n for (topic, _), n in ends.items() if topic == dlq)
        metrics.dead_letter_messages.labels(service, dlq).set(dead)
        lag = await runtime.lag({tp: n for tp, n in ends.items() if tp[0] != dlq})
        for (topic, partition), n in lag.items():
            metrics.lag.labels(service, topic, str(partition)).set(n)
    except Exception as exc:
        log.info("metrics: consumer lag unavailable (%s)", exc)


def metrics_router(runtime: ServiceRuntime) -> APIRouter:
    runtime.metrics.registry.register(RelayCollector(runtime))
    router = APIRouter(tags=["health"])

    @router.get(
        "/metrics",
        response_class=Response,
        responses={200: {"content": {CONTENT_TYPE_LATEST: {}}, "description": "Prometheus text."}},
    )
    async def metrics() -> Any:
        """The service's metrics in Prometheus text format: messages processed and failed per
        topic, handler latency, consumer lag per partition, dead letters, outbox backlog and
        age, HTTP request rate and latency, process memory and CPU."""
        await refresh(runtime)
        return Response(generate_latest(runtime.metrics.registry), media_type=CONTENT_TYPE_LATEST)

    return router
