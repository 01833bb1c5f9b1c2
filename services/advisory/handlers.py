"""advisory's handlers: thin. Every fact about a case, from whichever topic, is recorded in its
history and the case refolded; routing, escalations, resolutions and advisory's own activity
all go through the same ``projection.record`` the commands use."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, datetime
from typing import get_args

from services.advisory import organisation_store, projection
from services.advisory.absences import tick as absences
from services.advisory.domain import CaseEvent
from services.advisory.sla import projection as sla_projection
from shared import telemetry
from shared.consumer import Delivery
from shared.db import Conn
from shared.organisation_events import AdviserAbsenceRecorded, OrganisationEvent
from shared.sla_events import SlaEvent

CASE_EVENTS = get_args(CaseEvent)
SLA_EVENTS = get_args(SlaEvent)
ORGANISATION_EVENTS = get_args(OrganisationEvent)


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
