"""intake's side of a member's erasure: its tables keep each event as published (sealed), so
a destroyed key already leaves nothing readable; a legacy event (plaintext, written before
encryption) is masked, and so are the fingerprints, which are hashes of the content. The
result is what a rebuild after the erasure stores (handlers: ``sealing.kept_json``, the
fingerprint of the masked content)."""

from __future__ import annotations

import orjson

from services.intake import domain
from shared.codec import decode
from shared.db import Conn
from shared.events import MEMBER_MESSAGES, REQUEST_RECEIVED, MemberMessageReceived, RequestReceived
from shared.sealing import mask_json

REQUESTS = "SELECT case_id, event FROM requests WHERE member_id = $1"
MESSAGES = "SELECT event_id, event FROM member_messages WHERE member_id = $1"
MASK_REQUEST = "UPDATE requests SET event = $2::jsonb, fingerprint = $3 WHERE case_id = $1"
MASK_MESSAGE = "UPDATE member_messages SET event = $2::jsonb, fingerprint = $3 WHERE event_id = $1"


async def erase(conn: Conn, member_id: str) -> None:
    requests = []
    for row in await conn.fetch(REQUESTS, member_id):
        masked = orjson.dumps(mask_json(orjson.loads(row["event"])))
        event = decode(REQUEST_RECEIVED, masked)
        assert isinstance(event, RequestReceived)
        print_ = domain.fingerprint(domain.submitted(event))
        requests.append((row["case_id"], masked.decode(), print_))
    if requests:
        await conn.executemany(MASK_REQUEST, requests)
    messages = []
    for row in await conn.fetch(MESSAGES, member_id):
        masked = orjson.dumps(mask_json(orjson.loads(row["event"])))
        message = decode(MEMBER_MESSAGES, masked)
        assert isinstance(message, MemberMessageReceived)
        messages.append((row["event_id"], masked.decode(), message_fingerprint(message)))
    if messages:
        await conn.executemany(MASK_MESSAGE, messages)


def message_fingerprint(event: MemberMessageReceived) -> str:
    """A message's fingerprint read back from its event (as the handlers recompute it)."""
    posted = domain.PostMessage(member_id=event.member_id, channel=event.channel, body=event.body)
    return domain.message_fingerprint(event.case_id, posted)
