"""routing: wiring only. `request-received` in, `routed` out (through the outbox)."""

from __future__ import annotations

from functools import partial
from pathlib import Path

from fastapi import FastAPI

from services.routing import handlers
from shared.events import REQUEST_RECEIVED, ROUTED, RequestReceivedLog, RoutedTopic
from shared.http import create_app
from shared.service import ServiceRuntime
from shared.settings import Settings

NAME = "routing"


def build(settings: Settings | None = None) -> tuple[ServiceRuntime, FastAPI]:
    runtime = ServiceRuntime(NAME, settings or Settings(), Path(__file__).parent / "migrations")
    runtime.subscribe(
        REQUEST_RECEIVED,
        RequestReceivedLog,
        partial(handlers.on_request_received, offices=runtime.settings.offices),
        "routing decides where each new case goes (consumer group 'routing'). The log holds "
        "RequestReceived v1 and v2; routing reads v1 as v2 (idempotency_key null).",
    )
    runtime.publishes(ROUTED, RoutedTopic, "Where a case was routed, and why. Key: case_id.")
    # routing's projection holds its decisions: a rebuild reads them back from `routed`.
    runtime.own_facts(ROUTED, handlers.on_case_routed)
    app = create_app(
        runtime, [], title="Relais routing", description="Sends each case to the right queue."
    )
    return runtime, app
