"""routing: wiring only. `request-received` in, `routed` out (through the outbox)."""

from __future__ import annotations

from pathlib import Path

from fastapi import FastAPI

from services.routing import handlers
from shared.events import REQUEST_RECEIVED, ROUTED, RequestReceivedTopic, RoutedTopic
from shared.http import create_app
from shared.service import ServiceRuntime
from shared.settings import Settings

NAME = "routing"


def build(settings: Settings | None = None) -> tuple[ServiceRuntime, FastAPI]:
    runtime = ServiceRuntime(NAME, settings or Settings(), Path(__file__).parent / "migrations")
    runtime.subscribe(
        REQUEST_RECEIVED,
        RequestReceivedTopic,
        handlers.on_request_received,
        "routing decides where each new case goes (consumer group 'routing').",
    )
    runtime.publishes(ROUTED, RoutedTopic, "Where a case was routed, and why. Key: case_id.")
    app = create_app(
        runtime, [], title="Relais routing", description="Sends each case to the right queue."
    )
    return runtime, app
