"""intake's handlers: intake consumes nothing live. Its table is rebuilt from the requests it
published on `request-received` (its own facts), each stored as it was published."""

from __future__ import annotations

from collections.abc import Sequence

from services.intake import domain, projection
from shared.consumer import Delivery
from shared.db import Conn
from shared.events import RequestReceived


async def apply_request_received(conn: Conn, deliveries: Sequence[Delivery]) -> None:
    """Records each published request; the fingerprint is recomputed from its content."""
    published = [
        projection.Published(d.event, d.record.value, domain.fingerprint(domain.submitted(d.event)))
        for d in deliveries
        if isinstance(d.event, RequestReceived)
    ]
    await projection.record(conn, published)
