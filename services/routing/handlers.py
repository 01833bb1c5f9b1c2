"""routing's handlers: thin. Decode is done; decide (pure), store, publish through the outbox."""

from __future__ import annotations

from collections.abc import Collection, Sequence
from datetime import UTC, datetime

from services.routing import domain, escalations, projection
from shared import outbox
from shared.consumer import Delivery
from shared.db import Conn
from shared.events import ROUTED, CaseEscalated, CaseRouted, RequestReceived, Tier
from shared.replay import replaying
from shared.settings import DEMO_OFFICES


async def on_request_received(
    conn: Conn, deliveries: Sequence[Delivery], *, offices: Collection[str] = DEMO_OFFICES
) -> None:
    """Records each case and routes the ones not decided yet; a case already decided
    (redelivery, duplicate publish) is left alone. During a rebuild nothing is decided: the
    decisions are facts in `routed`, read back by ``on_case_routed``."""
    requests = [d.event for d in deliveries if isinstance(d.event, RequestReceived)]
    await projection.upsert_members(conn, requests)
    undecided = await projection.upsert_requests(conn, requests)
    if replaying() or not undecided:
        return
    now = datetime.now(UTC)
    decisions = {
        r.case_id: domain.case_routed(r, domain.route_first_line(r, offices), now)
        for r in requests
        if r.case_id in undecided
    }
    routed = list(decisions.values())
    await projection.apply_routed(conn, routed)
    await outbox.enqueue(conn, [outbox.event_message(ROUTED, c) for c in routed])
    # Escalations read before their case (a replay of `escalated` ahead of requests) go now.
    await route_escalations(conn, await escalations.pending(conn, list(decisions)), now)


async def on_case_routed(conn: Conn, deliveries: Sequence[Delivery]) -> None:
    """Folds routing's own decisions read back from `routed` (a rebuild): latest one wins, and
    a decision taken for an escalation marks that escalation routed."""
    decisions = [d.event for d in deliveries if isinstance(d.event, CaseRouted)]
    await projection.apply_routed(conn, decisions)
    await escalations.mark_routed(conn, [d for d in decisions if d.tier is Tier.SUPPORT])


async def on_case_escalated(conn: Conn, deliveries: Sequence[Delivery]) -> None:
    """Routes each new escalation to the support team; a known one is left alone. During a
    rebuild the escalation is only recorded: its routing is read back from `routed`."""
    seen = [d.event for d in deliveries if isinstance(d.event, CaseEscalated)]
    unique = list({e.event_id: e for e in seen}.values())
    new = await escalations.insert(conn, unique)
    if replaying():
        return
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
        await projection.apply_routed(conn, routed)
        await outbox.enqueue(conn, [outbox.event_message(ROUTED, r) for r in routed])
