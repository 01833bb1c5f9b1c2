"""routing's handlers: thin. Decode is done; decide (pure), store, publish through the outbox."""

from __future__ import annotations

from collections.abc import Collection, Sequence
from datetime import UTC, datetime

from services.routing import domain, projection
from shared import outbox
from shared.consumer import Delivery
from shared.db import Conn
from shared.events import ROUTED, CaseRouted, RequestReceived
from shared.replay import replaying


async def on_request_received(
    conn: Conn, deliveries: Sequence[Delivery], *, offices: Collection[str]
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


async def on_case_routed(conn: Conn, deliveries: Sequence[Delivery]) -> None:
    """Folds routing's own decisions read back from `routed` (a rebuild): latest one wins."""
    await projection.apply_routed(
        conn, [d.event for d in deliveries if isinstance(d.event, CaseRouted)]
    )
