"""advisory: wiring only. `routed`, `case-activity`, `escalated`, `resolved` in; staff commands
over HTTP; `case-activity`, `escalated`, `resolved` out (through the outbox)."""

from __future__ import annotations

from pathlib import Path

from fastapi import FastAPI

from services.advisory import api, handlers
from shared.events import (
    CASE_ACTIVITY,
    ESCALATED,
    RESOLVED,
    ROUTED,
    CaseActivityTopic,
    EscalatedTopic,
    ResolvedTopic,
    RoutedTopic,
)
from shared.http import create_app
from shared.service import ServiceRuntime
from shared.settings import Settings

NAME = "advisory"


def build(settings: Settings | None = None) -> tuple[ServiceRuntime, FastAPI]:
    runtime = ServiceRuntime(NAME, settings or Settings(), Path(__file__).parent / "migrations")
    # advisory reads its own topics too: its projection is rebuilt from the log alone.
    for topic, schema, why in (
        (ROUTED, RoutedTopic, "cases enter (or, escalated, re-enter) a queue"),
        (CASE_ACTIVITY, CaseActivityTopic, "claims, notes, replies, waiting, returns"),
        (ESCALATED, EscalatedTopic, "cases sent to the support team"),
        (RESOLVED, ResolvedTopic, "cases resolved"),
    ):
        runtime.subscribe(
            topic,
            schema,
            handlers.on_case_events,
            f"advisory's case history and queues: {why} (consumer group 'advisory').",
        )
    runtime.publishes(
        CASE_ACTIVITY,
        CaseActivityTopic,
        "What staff did on a case that is neither an escalation nor a resolution: claims, "
        "internal notes, replies to the member, waiting on the member, returns from support. "
        "Owned by advisory. Key: case_id.",
    )
    runtime.publishes(
        ESCALATED, EscalatedTopic, "Cases an adviser sent to the support team. Key: case_id."
    )
    runtime.publishes(
        RESOLVED,
        ResolvedTopic,
        "Resolved cases, with the administrative act they need, if any. Key: case_id.",
    )
    app = create_app(
        runtime,
        [api.router(runtime)],
        title="Relais advisory",
        description="Advisers and the support team work their queues: claim, reply, escalate, "
        "resolve. Every change is a fact in the log.",
    )
    return runtime, app
