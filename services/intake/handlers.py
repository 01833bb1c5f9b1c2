"""intake's handlers. Its tables are rebuilt from what it published: the requests on
`request-received` and the members' messages on `member-messages` (its own facts), each stored
as it was published. Live, intake consumes one thing: advisory's ``FollowUpRequested`` on
`case-activity` (a message on a case resolved too long ago), which it accepts as a new request."""

from __future__ import annotations

from collections.abc import Sequence

from services.intake import domain, message_store, projection
from shared import outbox
from shared.codec import decode
from shared.consumer import Delivery
from shared.db import Conn
from shared.events import (
    MEMBER_MESSAGES,
    REQUEST_RECEIVED,
    FollowUpRequested,
    MemberMessageReceived,
    RequestReceived,
)


async def apply_request_received(conn: Conn, deliveries: Sequence[Delivery]) -> None:
    """Records each published request; the fingerprint is recomputed from its content."""
    published = [
        projection.Published(d.event, d.record.value, domain.fingerprint(domain.submitted(d.event)))
        for d in deliveries
        if isinstance(d.event, RequestReceived)
    ]
    await projection.record(conn, published)


async def apply_member_messages(conn: Conn, deliveries: Sequence[Delivery]) -> None:
    """Records each published message; the fingerprint is recomputed from its content."""
    published = [
        message_store.Published(d.event, d.record.value, fingerprint(d.event))
        for d in deliveries
        if isinstance(d.event, MemberMessageReceived)
    ]
    await message_store.record(conn, published)


def fingerprint(event: MemberMessageReceived) -> str:
    posted = domain.PostMessage(member_id=event.member_id, channel=event.channel, body=event.body)
    return domain.message_fingerprint(event.case_id, posted)


async def apply_case_activity(conn: Conn, deliveries: Sequence[Delivery]) -> None:
    """intake keeps nothing of advisory's activity: the follow-ups it decides on become
    requests, which a rebuild reads back from `request-received`."""


async def decide_follow_ups(conn: Conn, deliveries: Sequence[Delivery]) -> None:
    """Accepts the request each ``FollowUpRequested`` names, once: its ids are derived from
    the message, so a redelivery stores and publishes nothing new."""
    wanted = [d.event for d in deliveries if isinstance(d.event, FollowUpRequested)]
    if not wanted:
        return
    messages = {
        e.event_id: e
        for raw in await message_store.messages(conn, [w.message_event_id for w in wanted])
        if isinstance(e := decode(MEMBER_MESSAGES, raw), MemberMessageReceived)
    }
    cases = {
        e.case_id: e
        for raw in await message_store.requests(conn, [w.case_id for w in wanted])
        if isinstance(e := decode(REQUEST_RECEIVED, raw), RequestReceived)
    }
    for requested in wanted:
        message, case = messages.get(requested.message_event_id), cases.get(requested.case_id)
        if message is None or case is None:  # never live: intake stored both before
            raise LookupError(f"follow-up {requested.event_id}: its message or case is unknown")
        event = domain.follow_up_request(case, message, requested)
        outgoing = outbox.event_message(REQUEST_RECEIVED, event)
        print_ = domain.fingerprint(domain.submitted(event))
        await message_store.follow_up(conn, REQUEST_RECEIVED, event, outgoing, print_)
