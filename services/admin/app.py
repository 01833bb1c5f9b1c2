"""admin: wiring only. `request-received`, `resolved`, `admin-tasks` in; the administrative
team's commands over HTTP; `admin-tasks` out (through the outbox)."""

from __future__ import annotations

from functools import partial
from pathlib import Path

from fastapi import FastAPI

from services.admin import api, handlers
from services.admin.due_dates import DueSettings
from shared.erasure_events import MEMBER_ERASURES, MemberErasuresTopic
from shared.events import (
    ADMIN_TASKS,
    REQUEST_RECEIVED,
    RESOLVED,
    AdminTasksLog,
    AdminTasksTopic,
    RequestReceivedTopic,
    ResolvedTopic,
)
from shared.http import create_app
from shared.service import ServiceRuntime
from shared.settings import Settings

NAME = "admin"


def build(settings: Settings | None = None) -> tuple[ServiceRuntime, FastAPI]:
    # The administrative follow-up is not waited on: batches may fill for 100 ms, which makes
    # them large and few under load (admin's CPU per case is mostly per-batch cost).
    runtime = ServiceRuntime(
        NAME, settings or Settings(), Path(__file__).parent / "migrations", batch_window_ms=100
    )
    runtime.subscribe(
        REQUEST_RECEIVED,
        RequestReceivedTopic,
        handlers.apply_request_received,
        "admin's member view: who the member is, when they asked (consumer group 'admin').",
    )
    runtime.subscribe(
        RESOLVED,
        ResolvedTopic,
        handlers.apply_case_resolved,
        "admin's case view; a resolution needing an act opens a task, due by the act's "
        "business days (consumer group 'admin').",
        decide=partial(handlers.decide_case_resolved, due=DueSettings().policy()),
    )
    runtime.subscribe(
        ADMIN_TASKS,
        AdminTasksLog,
        handlers.apply_admin_task_events,
        "admin reads its own task facts back: its task view is rebuilt from the log alone.",
    )
    runtime.subscribe(
        MEMBER_ERASURES,
        MemberErasuresTopic,
        handlers.apply_member_erasures,
        "a member erased: admin masks their name and their tasks' notes (consumer group 'admin').",
    )
    runtime.publishes(
        ADMIN_TASKS,
        AdminTasksTopic,
        "The administrative team's tasks: opened by a resolution needing an act (with the "
        "date it is due by), claimed by or assigned to a team member, then completed or "
        "rejected. Owned by admin. Key: case_id.",
    )
    app = create_app(
        runtime,
        [api.router(runtime)],
        title="Relais admin",
        description="The administrative team carries out the acts resolutions need, and sees "
        "each member's administrative file.",
    )
    return runtime, app
