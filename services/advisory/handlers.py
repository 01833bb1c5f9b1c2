"""advisory's handlers: thin. Every fact about a case, from whichever topic, is recorded in its
history and the case refolded; routing, escalations, resolutions and advisory's own activity
all go through the same ``projection.record`` the commands use. The request (what the member
asked) and the administrative tasks are kept beside the case, each in its own table."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, datetime, timedelta
from typing import get_args

from services.advisory import (
    answers,
    commands,
    erasure_store,
    organisation_store,
    projection,
    request_store,
    task_store,
)
from services.advisory import rejections as rejections_policy
from services.advisory.absences import tick as absences
from services.advisory.domain import CaseEvent
from services.advisory.sla import projection as sla_projection
from shared import locks, outbox, telemetry
from shared.consumer import Delivery
from shared.db import Conn
from shared.erasure_events import MemberErased
from shared.events import (
    AdminTaskEvent,
    AdminTaskRejected,
    MemberMessageReceived,
    RequestReceived,
)
from shared.organisation_events import AdviserAbsenceRecorded, OrganisationEvent
from shared.sla_events import SlaEvent

CASE_EVENTS = get_args(CaseEvent)
SLA_EVENTS = get_args(SlaEvent)
ORGANISATION_EVENTS = get_args(OrganisationEvent)
TASK_EVENTS = get_args(AdminTaskEvent)


async def apply_case_events(conn: Conn, deliveries: Sequence[Delivery]) -> None:
    """Records the facts of `routed`, `case-activity`, `escalated` and `resolved`, each with
    the trace context it travelled with (staff commands on the case continue that trace)."""
    events = [d.event for d in deliveries if isinstance(d.event, CASE_EVENTS)]
    traces = {d.event.event_id: telemetry.traceparent_of(d.record.headers) for d in deliveries}
    await projection.record(conn, events, traces)


async def apply_sla_facts(conn: Conn, deliveries: Sequence[Delivery]) -> None:
    """Records advisory's own SLA facts read back from `sla` (a no-op for the ones the tick
    recorded as it decided them; the whole SLA history on a rebuild)."""
    await sla_projection.record(
        conn, [d.event for d in deliveries if isinstance(d.event, SLA_EVENTS)]
    )


async def apply_organisation(conn: Conn, deliveries: Sequence[Delivery]) -> None:
    """Keeps advisory's copy of the organisation: staff, desks, absences."""
    await organisation_store.apply(
        conn, [d.event for d in deliveries if isinstance(d.event, ORGANISATION_EVENTS)]
    )


async def decide_organisation(conn: Conn, deliveries: Sequence[Delivery]) -> None:
    """An absence that has begun hands its adviser's open cases over at once (one that begins
    later: the background pass does it then)."""
    away = {d.event.adviser_id for d in deliveries if isinstance(d.event, AdviserAbsenceRecorded)}
    if away:
        await absences.hand_over_absent(conn, datetime.now(UTC), away)


async def apply_request_received(conn: Conn, deliveries: Sequence[Delivery]) -> None:
    """What the member asked, and who they are: read by advisers in the case and the queues."""
    await request_store.record(
        conn, [d.event for d in deliveries if isinstance(d.event, RequestReceived)]
    )


async def apply_admin_task_events(conn: Conn, deliveries: Sequence[Delivery]) -> None:
    """admin's tasks opened and closed: the open acts shown with a case and a member."""
    await task_store.record(conn, [d.event for d in deliveries if isinstance(d.event, TASK_EVENTS)])


async def decide_task_rejections(
    conn: Conn, deliveries: Sequence[Delivery], *, window: timedelta
) -> None:
    """A rejected administrative act reopens its resolved case (services.advisory.rejections),
    decided on the case as it stands, locked, back to its resolver unless they are away; a
    reopening already recorded (a redelivery) is not published again, and a rejection older
    than ``window`` (an old log read at a first start) reopens nothing."""
    now = datetime.now(UTC)
    rejections = [d.event for d in deliveries if isinstance(d.event, AdminTaskRejected)]
    for rejection in sorted(rejections, key=lambda r: (r.rejected_at, r.event_id.int)):
        await locks.lock_all(conn, projection.LOCK_SPACE, [rejection.case_id])
        state = (await projection.current(conn, {rejection.case_id}))[rejection.case_id]
        resolver = {state.resolved_by} if state.resolved_by else set()
        staff = await organisation_store.colleagues(conn, resolver, rejection.rejected_at)
        away = [s for s, c in staff.items() if c.away]
        fact = rejections_policy.reopening(state, rejection, away, read_at=now, window=window)
        if fact is not None:
            await _record_and_publish(conn, fact)


async def _record_and_publish(conn: Conn, fact: CaseEvent) -> None:
    """Records a fact advisory decided on a consumed one, and publishes it if it is new."""
    outgoing = outbox.event_message(commands.topic_of(fact), fact)
    traces = {fact.event_id: telemetry.traceparent_of(outgoing.headers)}
    if await projection.record(conn, [fact], traces):
        await outbox.enqueue(conn, [outgoing])


async def decide_member_messages(
    conn: Conn, deliveries: Sequence[Delivery], *, window: timedelta
) -> None:
    """What each member's message does to its case (services.advisory.answers), decided on
    the case as it stands, locked; a fact already recorded (a redelivery) is not published
    again. Messages of one case are answered in the order the member sent them."""
    messages = [d.event for d in deliveries if isinstance(d.event, MemberMessageReceived)]
    for message in sorted(messages, key=lambda m: (m.received_at, m.event_id.int)):
        await locks.lock_all(conn, projection.LOCK_SPACE, [message.case_id])
        state = (await projection.current(conn, {message.case_id}))[message.case_id]
        # a reopened case goes back to its resolver unless they are away now
        resolver = {state.resolved_by} if state.resolved_by else set()
        staff = await organisation_store.colleagues(conn, resolver, message.received_at)
        away = [s for s, c in staff.items() if c.away]
        fact = answers.answer(state, message, window=window, away=away)
        if fact is None:
            continue
        outgoing = outbox.event_message(commands.topic_of(fact), fact)
        traces = {fact.event_id: telemetry.traceparent_of(outgoing.headers)}
        if await projection.record(conn, [fact], traces):
            await outbox.enqueue(conn, [outgoing])


async def apply_member_erasures(conn: Conn, deliveries: Sequence[Delivery]) -> None:
    """A member erased: what advisory keeps of their personal data is masked (a rebuild after the
    erasure writes the same: the readers give it masked values)."""
    for d in deliveries:
        if isinstance(d.event, MemberErased):
            await erasure_store.erase(conn, d.event.member_id)
