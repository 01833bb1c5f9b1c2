"""routing: wiring only. `request-received` and `escalated` in, `routed` out (through the
outbox)."""

from __future__ import annotations

from functools import partial
from pathlib import Path

from fastapi import FastAPI

from services.routing import handlers
from shared.events import (
    ESCALATED,
    REQUEST_RECEIVED,
    ROUTED,
    EscalatedTopic,
    RequestReceivedLog,
    RoutedTopic,
)
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
    runtime.subscribe(
        ESCALATED,
        EscalatedTopic,
        handlers.on_case_escalated,
        "routing sends escalated cases to the support team (consumer group 'routing').",
    )
    runtime.publishes(
        ROUTED,
        RoutedTopic,
        "Where a case was routed, and why: first routing (tier first_line) or, after an "
        "escalation, the support team's queue (tier support). Key: case_id.",
    )
    # routing's projection holds its decisions: a rebuild reads them back from `routed`.
    runtime.own_facts(ROUTED, handlers.on_case_routed)
    app = create_app(
        runtime, [], title="Relais routing", description="Sends each case to the right queue."
    )
    return runtime, app
