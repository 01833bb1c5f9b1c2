"""admin's handlers: thin. Requests and resolutions feed the member and case views; a resolution
needing an act opens a task (published on `admin-tasks` once, however often it is read).

Every handler here applies facts; none decides (shared.service), so a rebuild runs them all.
Opening a task is not a decision: the opening is a pure function of the resolution (its id
derived from the resolution's, its content from the resolution's act; no clock, policy or
state read), so applying the resolution again makes the very task the log holds. A rebuild
needs it applied with the resolution, not read back from `admin-tasks`: the live projection
holds the task as soon as the resolution is applied, before the opening comes back. What a
rebuild enqueues lands in the shadow's outbox, which nothing relays."""

from __future__ import annotations

from collections.abc import Sequence
from typing import get_args

from services.admin import domain, projection
from shared import outbox, telemetry
from shared.consumer import Delivery
from shared.db import Conn
from shared.events import ADMIN_TASKS, AdminTaskOpened, CaseResolved, RequestReceived


async def apply_request_received(conn: Conn, deliveries: Sequence[Delivery]) -> None:
    """Who the member is and when they asked."""
    requests = [d.event for d in deliveries if isinstance(d.event, RequestReceived)]
    if requests:
        await projection.record_requests(conn, requests)


async def apply_case_resolved(conn: Conn, deliveries: Sequence[Delivery]) -> None:
    """How the case ended, and the task for its administrative act, if it needs one."""
    resolved = [(d.event, d.record) for d in deliveries if isinstance(d.event, CaseResolved)]
    if not resolved:
        return
    resolutions = [r for r, _ in resolved]
    await projection.record_resolutions(conn, resolutions)
    opened = [t for r in resolutions if (t := domain.task_opened(r)) is not None]
    # The task keeps the trace context of the resolution that opened it: that record is in
    # the log, so a rebuild stores the same (the opening's own publish span is made anew
    # each time the resolution is read, and a rebuild may read the opening first).
    traces = {
        domain.opening_id(r.event_id): telemetry.traceparent_of(record.headers)
        for r, record in resolved
    }
    messages = {t.event_id: outbox.event_message(ADMIN_TASKS, t) for t in opened}
    new = await projection.record_tasks(conn, opened, traces)
    await outbox.enqueue(conn, [m for i, m in messages.items() if i in new])


async def apply_admin_task_events(conn: Conn, deliveries: Sequence[Delivery]) -> None:
    """admin's own facts, read back: the task history (rebuilds come from here). A task's
    opening keeps the trace of its resolution (``apply_case_resolved``), not the header it was
    published with; the other facts keep the header they travelled with."""
    kinds = get_args(domain.TaskEvent)
    events = [d.event for d in deliveries if isinstance(d.event, kinds)]
    traces = {
        d.event.event_id: telemetry.traceparent_of(d.record.headers)
        for d in deliveries
        if not isinstance(d.event, AdminTaskOpened)
    }
    await projection.record_tasks(conn, events, traces)
