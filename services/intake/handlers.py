"""intake's handlers. Its tables are rebuilt from what it published: the requests on
`request-received` and the members' messages on `member-messages` (its own facts), each stored
as it was published. Live, intake consumes one thing: advisory's ``FollowUpRequested`` on
`case-activity` (a message on a case resolved too long ago), which it accepts as a new request."""

from __future__ import annotations

from collections.abc import Sequence

from services.intake import domain, erasure_store, message_store, projection
from shared import keys, outbox, sealing
from shared.codec import decode
from shared.consumer import Delivery
from shared.db import Conn
from shared.events import (
    MEMBER_MESSAGES,
    REQUEST_RECEIVED,
    FollowUpRequested,
    MemberErased,
    MemberMessageReceived,
    RequestReceived,
)


async def apply_request_received(conn: Conn, deliveries: Sequence[Delivery]) -> None:
    """Records each published request; the fingerprint is recomputed from its content."""
    published = [
        projection.Published(
            d.event,
            sealing.kept_json(d.event, d.record.value),
            domain.fingerprint(domain.submitted(d.event)),
        )
        for d in deliveries
        if isinstance(d.event, RequestReceived)
    ]
    await projection.record(conn, published)


async def apply_member_messages(conn: Conn, deliveries: Sequence[Delivery]) -> None:
    """Records each published message; the fingerprint is recomputed from its content."""
    published = [
        message_store.Published(
            d.event,
            sealing.kept_json(d.event, d.record.value),
            erasure_store.message_fingerprint(d.event),
        )
        for d in deliveries
        if isinstance(d.event, MemberMessageReceived)
    ]
    await message_store.record(conn, published)


async def apply_member_erasures(conn: Conn, deliveries: Sequence[Delivery]) -> None:
    """A rebuild reads intake's erasures back: the member's rows masked again (a no-op where
    the events read after it were masked as they were stored)."""
    for d in deliveries:
        if isinstance(d.event, MemberErased):
            await erasure_store.erase(conn, d.event.member_id)


async def apply_case_activity(conn: Conn, deliveries: Sequence[Delivery]) -> None:
    """intake keeps nothing of advisory's activity: the follow-ups it decides on become
    requests, which a rebuild reads back from `request-received`."""


async def decide_follow_ups(conn: Conn, deliveries: Sequence[Delivery]) -> None:
    """Accepts the request each ``FollowUpRequested`` names, once: its ids are derived from
    the message, so a redelivery stores and publishes nothing new."""
    wanted = [d.event for d in deliveries if isinstance(d.event, FollowUpRequested)]
    if not wanted:
        return
    # Stored as published (sealed): opened, as the new request is made of their content.
    messages = {
        e.event_id: e
        for e in await keys.open_events(
            [
                decode(MEMBER_MESSAGES, raw)
                for raw in await message_store.messages(conn, [w.message_event_id for w in wanted])
            ]
        )
        if isinstance(e, MemberMessageReceived)
    }
    cases = {
        e.case_id: e
        for e in await keys.open_events(
            [
                decode(REQUEST_RECEIVED, raw)
                for raw in await message_store.requests(conn, [w.case_id for w in wanted])
            ]
        )
        if isinstance(e, RequestReceived)
    }
    for requested in wanted:
        message, case = messages.get(requested.message_event_id), cases.get(requested.case_id)
        if message is None or case is None:  # never live: intake stored both before
            raise LookupError(f"follow-up {requested.event_id}: its message or case is unknown")
        event = domain.follow_up_request(case, message, requested)
        outgoing = outbox.event_message(REQUEST_RECEIVED, event)
        print_ = domain.fingerprint(domain.submitted(event))
        await message_store.follow_up(conn, REQUEST_RECEIVED, event, outgoing, print_)
