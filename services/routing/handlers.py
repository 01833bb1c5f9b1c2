"""routing's handlers: thin. Decode is done; decide (pure), store, publish through the outbox."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, datetime

from services.routing import domain, projection
from shared import outbox
from shared.consumer import Delivery
from shared.db import Conn
from shared.events import ROUTED, RequestReceived


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
