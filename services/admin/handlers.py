"""admin's handlers: thin. Requests and resolutions feed the member and case views; a resolution
needing an act opens a task (published on `admin-tasks` once, however often it is read).

Opening a task is a decision: its due date counts the act's business days as admin's settings
say when it opens (``RELAIS_ADMIN_DUE_DAYS``). So ``decide_case_resolved`` opens it live
(recorded and put in the outbox in the resolution's transaction), and a rebuild, which only
applies, reads it back from `admin-tasks` (``apply_admin_task_events``) as the log holds it,
whatever the settings are now. The opening keeps the trace context of the resolution that
opened it (kept by ``apply_case_resolved``, whichever of the two is read first)."""

from __future__ import annotations

from collections.abc import Sequence
from typing import get_args

from services.admin import domain, erasure_store, projection
from services.admin.due_dates import DuePolicy
from shared import outbox, telemetry
from shared.consumer import Delivery
from shared.db import Conn
from shared.erasure_events import MemberErased
from shared.events import ADMIN_TASKS, AdminTaskOpened, CaseResolved, RequestReceived


async def apply_request_received(conn: Conn, deliveries: Sequence[Delivery]) -> None:
    """Who the member is and when they asked."""
    requests = [d.event for d in deliveries if isinstance(d.event, RequestReceived)]
    if requests:
        await projection.record_requests(conn, requests)


async def apply_case_resolved(conn: Conn, deliveries: Sequence[Delivery]) -> None:
    """How the case ended; for a resolution needing an act, the trace its task keeps."""
    resolved = [(d.event, d.record) for d in deliveries if isinstance(d.event, CaseResolved)]
    if not resolved:
        return
    await projection.record_resolutions(conn, [r for r, _ in resolved])
    # The task keeps the trace context of the resolution that opened it: that record is in
    # the log, so a rebuild stores the same (the opening's own publish span is made anew
    # each time the resolution is decided on, and a rebuild may read the opening first).
    traces = {
        domain.task_id_for(r.event_id): trace
        for r, record in resolved
        if r.admin_act is not None and (trace := telemetry.traceparent_of(record.headers))
    }
    await projection.keep_opening_traces(conn, traces)


async def decide_case_resolved(
    conn: Conn, deliveries: Sequence[Delivery], *, due: DuePolicy
) -> None:
    """Opens the task a resolution needs, due by the act's business days (once: an opening
    already recorded, a redelivery, publishes nothing)."""
    resolutions = [d.event for d in deliveries if isinstance(d.event, CaseResolved)]
    opened = [t for r in resolutions if (t := domain.task_opened(r, due)) is not None]
    new = await projection.record_tasks(conn, opened)
    await outbox.enqueue(
        conn, [outbox.event_message(ADMIN_TASKS, t) for t in opened if t.event_id in new]
    )


async def apply_admin_task_events(conn: Conn, deliveries: Sequence[Delivery]) -> None:
    """admin's own facts, read back: the task history (a rebuild's openings come from here). A
    task's opening keeps the trace of its resolution (``apply_case_resolved``), not the header
    it was published with; the other facts keep the header they travelled with."""
    kinds = get_args(domain.TaskEvent)
    events = [d.event for d in deliveries if isinstance(d.event, kinds)]
    traces = {
        d.event.event_id: telemetry.traceparent_of(d.record.headers)
        for d in deliveries
        if not isinstance(d.event, AdminTaskOpened)
    }
    await projection.record_tasks(conn, events, traces)


async def apply_member_erasures(conn: Conn, deliveries: Sequence[Delivery]) -> None:
    """A member erased: what admin keeps of their personal data is masked (a rebuild after the
    erasure writes the same: the readers give it masked values)."""
    for d in deliveries:
        if isinstance(d.event, MemberErased):
            await erasure_store.erase(conn, d.event.member_id)
