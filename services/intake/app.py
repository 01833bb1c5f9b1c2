"""intake: wiring only. HTTP in, `request-received` out (through the outbox)."""

from __future__ import annotations

from pathlib import Path

from fastapi import FastAPI

from services.intake import api, handlers
from shared.events import REQUEST_RECEIVED, RequestReceivedTopic
from shared.http import create_app
from shared.service import ServiceRuntime
from shared.settings import Settings

NAME = "intake"


def build(settings: Settings | None = None) -> tuple[ServiceRuntime, FastAPI]:
    runtime = ServiceRuntime(NAME, settings or Settings(), Path(__file__).parent / "migrations")
    runtime.publishes(
        REQUEST_RECEIVED,
        RequestReceivedTopic,
        "A member request was accepted and became a case. Key: case_id.",
    )
    # intake's table holds what it published: a rebuild reads it back from `request-received`.
    runtime.own_facts(REQUEST_RECEIVED, handlers.apply_request_received)
    app = create_app(
        runtime,
        [api.router(runtime)],
        title="Relais intake",
        description="Members' channels submit requests here; each becomes a case.",
    )
    return runtime, app
