"""routing's handlers: thin. Decode is done; decide (pure), store, publish through the outbox."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, datetime

from services.routing import domain, escalations, projection
from shared import outbox
from shared.consumer import Delivery
from shared.db import Conn
from shared.events import ROUTED, CaseEscalated, RequestReceived


async def on_request_received(conn: Conn, deliveries: Sequence[Delivery]) -> None:
    """Routes each new case; a case already known (redelivery, duplicate publish) is left alone."""
    requests = [d.event for d in deliveries if isinstance(d.event, RequestReceived)]
    # The same case twice in one batch (a duplicate publish): decide it once.
    unique = list({r.case_id: r for r in reversed(requests)}.values())
    now = datetime.now(UTC)
    routed = [(r, domain.case_routed(r, domain.route_first_line(r), now)) for r in unique]
    await projection.upsert_members(conn, unique)
    new_cases = await projection.insert_cases(conn, routed)
    await outbox.enqueue(
        conn, [outbox.event_message(ROUTED, c) for r, c in routed if r.case_id in new_cases]
    )
    if new_cases:  # escalations read before their case (a replay) are routed now
        await route_escalations(conn, await escalations.pending(conn, list(new_cases)), now)


async def on_case_escalated(conn: Conn, deliveries: Sequence[Delivery]) -> None:
    """Routes each new escalation to the support team; a known one is left alone."""
    seen = [d.event for d in deliveries if isinstance(d.event, CaseEscalated)]
    unique = list({e.event_id: e for e in seen}.values())
    new = await escalations.insert(conn, unique)
    await route_escalations(conn, [e for e in unique if e.event_id in new], datetime.now(UTC))


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
        await outbox.enqueue(conn, [outbox.event_message(ROUTED, r) for r in routed])
