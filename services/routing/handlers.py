"""routing's handlers: thin. Decode is done; decide (pure), store, publish through the outbox.

During a rebuild (``shared.replay``) nothing is decided: routing's decisions are facts in
`routed`, read back by ``on_case_routed``, so a rebuilt projection equals the live one."""

from __future__ import annotations

from collections.abc import Collection, Sequence
from datetime import UTC, datetime
from typing import get_args

from services.routing import (
    deciding,
    domain,
    escalations,
    projection,
    staffing,
    workload,
)
from services.routing.organisation import store as organisation_store
from services.routing.organisation.model import OFFICE_LOCKS, office_lock_key
from shared import locks, outbox
from shared.consumer import Delivery
from shared.db import Conn
from shared.events import ROUTED, CaseEscalated, CaseResolved, CaseRouted, RequestReceived, Tier
from shared.organisation_events import OrganisationEvent
from shared.replay import replaying
from shared.settings import DEMO_OFFICES

ORGANISATION_EVENTS = get_args(OrganisationEvent)


async def on_request_received(
    conn: Conn, deliveries: Sequence[Delivery], *, offices: Collection[str] = DEMO_OFFICES
) -> None:
    """Routes each new case by its office's model; a case already decided (redelivery,
    duplicate publish) is left alone. Decisions of one office are serialised (an office lock),
    so two batches never both give an adviser their last free slot. A request for an office
    routing is not configured for fails (dead-lettered, redriven once it is configured)."""
    requests = [d.event for d in deliveries if isinstance(d.event, RequestReceived)]
    await projection.upsert_members(conn, requests)
    undecided = await projection.upsert_requests(conn, requests)
    if replaying() or not undecided:
        return
    unique = {r.case_id: r for r in requests if r.case_id in undecided}
    new = sorted(unique.values(), key=lambda r: (r.received_at, r.event_id.int))
    for request in new:
        domain.require_office(request.member.home_office, offices)
    names = sorted({r.member.home_office for r in new})
    await locks.lock_all(conn, OFFICE_LOCKS, [office_lock_key(o) for o in names])
    now = datetime.now(UTC)
    staff = await staffing.staffing(conn, names, now)
    own = await workload.own_advisers(conn, [r.member_id for r in new])
    routed = deciding.route_batch(new, staff, own, now)
    await projection.apply_routed(conn, routed)
    await workload.record(conn, routed)
    await outbox.enqueue(conn, [outbox.event_message(ROUTED, c) for c in routed])
    # escalations read before their case (a replay of `escalated` ahead) are routed now
    await route_escalations(conn, await escalations.pending(conn, [r.case_id for r in new]), now)


async def on_case_routed(conn: Conn, deliveries: Sequence[Delivery]) -> None:
    """Folds routing's own decisions read back from `routed` (a rebuild): the case keeps its
    latest, the adviser's load moves, and a decision for an escalation marks it routed."""
    decisions = [d.event for d in deliveries if isinstance(d.event, CaseRouted)]
    await projection.apply_routed(conn, decisions)
    await workload.record(conn, decisions)
    await escalations.mark_routed(conn, [d for d in decisions if d.tier is Tier.SUPPORT])


async def on_case_escalated(conn: Conn, deliveries: Sequence[Delivery]) -> None:
    """Routes each new escalation to the support team; a known one is left alone. During a
    rebuild the escalation is only recorded: its routing is read back from `routed`."""
    seen = [d.event for d in deliveries if isinstance(d.event, CaseEscalated)]
    unique = list({e.event_id: e for e in seen}.values())
    await workload.record(conn, unique)
    new = await escalations.insert(conn, unique)
    if replaying():
        return
    await route_escalations(conn, [e for e in unique if e.event_id in new], datetime.now(UTC))


async def on_case_work(conn: Conn, deliveries: Sequence[Delivery]) -> None:
    """Claims, returns and resolutions move advisers' open load; a first-line resolution makes
    its adviser the member's own adviser."""
    events = [d.event for d in deliveries]
    await workload.record(conn, events)
    await workload.learn_own_advisers(conn, [e for e in events if isinstance(e, CaseResolved)])


async def on_organisation(conn: Conn, deliveries: Sequence[Delivery]) -> None:
    """Folds the organisation's facts (routing's own, read back: already applied live when the
    API recorded them, so a no-op then; the whole projection on a rebuild)."""
    await organisation_store.apply(
        conn, [d.event for d in deliveries if isinstance(d.event, ORGANISATION_EVENTS)]
    )


async def route_escalations(conn: Conn, pending: Sequence[CaseEscalated], now: datetime) -> None:
    """Routes the escalations whose case routing knows; the others wait for their case."""
    known = await escalations.known_cases(conn, list({e.case_id for e in pending}))
    routed = [
        domain.escalation_routed(e, case, domain.route_escalation(e, case), now)
        for e in pending
        if (case := known.get(e.case_id)) is not None
    ]
    if routed:
        await escalations.mark_routed(conn, routed)
        await projection.apply_routed(conn, routed)
        await workload.record(conn, routed)
        await outbox.enqueue(conn, [outbox.event_message(ROUTED, r) for r in routed])
