"""A member's cases, as advisory knows them: the same rows as the queue listing (by member),
their latest request's snapshot, their open tasks and the last contact with them."""

from __future__ import annotations

from datetime import datetime
from uuid import UUID

import asyncpg

from services.advisory import task_store
from services.advisory.queues import queries as queue_queries
from shared.db import Conn

PAGE = 200  # cases per side (open, past): a member has a handful a year

# Whether advisory knows the member at all (from a case or a request).
KNOWN = """
SELECT EXISTS (SELECT 1 FROM cases WHERE member_id = $1)
    OR EXISTS (SELECT 1 FROM requests WHERE member_id = $1)"""

# The member as their latest request (among the cases the reader may see) described them.
SNAPSHOT = """
SELECT r.* FROM requests r JOIN cases c ON c.case_id = r.case_id
WHERE r.member_id = $1 AND ($2::text IS NULL OR c.office = $2)
ORDER BY r.received_at DESC, r.event_id DESC LIMIT 1"""

# The facts that are a contact with the member, besides their requests: a reply to them, a
# message from them, a reminder of a wait they left unanswered.
CONTACTS = ("ReplySent", "MemberMessageReceived", "MemberReminded")
LAST_CONTACT = """
SELECT greatest(
    (SELECT max(r.received_at) FROM requests r WHERE r.case_id = ANY($1::uuid[])),
    (SELECT max(h.occurred_at) FROM case_history h
     WHERE h.case_id = ANY($1::uuid[]) AND h.type = ANY($2::text[])))"""

OPEN = ["queued", "claimed", "waiting_on_member", "escalated"]
PAST = ["resolved"]


async def known(conn: Conn, member_id: str) -> bool:
    return bool(await conn.fetchval(KNOWN, member_id))


async def cases(
    conn: Conn, member_id: str, office: str | None, statuses: list[str]
) -> list[asyncpg.Record]:
    """The member's cases in these states (``OPEN``, ``PAST``), of one office when given."""
    wanted = queue_queries.Listing(
        filters={
            "member_id": member_id,
            "office": office,
            "statuses": statuses,
        },
        limit=PAGE,
    )
    return (await queue_queries.listing(conn, wanted))[:PAGE]


async def snapshot(conn: Conn, member_id: str, office: str | None) -> asyncpg.Record | None:
    return await conn.fetchrow(SNAPSHOT, member_id, office)


async def last_contact(conn: Conn, case_ids: list[UUID]) -> datetime | None:
    """The latest request or message from, or reply or reminder to, the member in these
    cases."""
    if not case_ids:
        return None
    value: datetime | None = await conn.fetchval(LAST_CONTACT, case_ids, list(CONTACTS))
    return value


async def open_tasks(conn: Conn, member_id: str, office: str | None) -> list[asyncpg.Record]:
    return await task_store.open_of_member(conn, member_id, office)
