"""advisory's side of a member's erasure: what its projection holds of their personal data,
masked to what a rebuild after the erasure writes (the readers give it ERASED values), and
the drafts of their cases deleted. The queue search (requests.search) is generated from the
masked columns."""

from __future__ import annotations

from shared.db import Conn
from shared.erasure import Columns, Delete, Events, mask_member

MASKING = (
    Columns("requests", ("member_name", "subject", "body")),
    Columns("cases", ("notice_text",)),
    Columns("admin_tasks", ("closing_note",)),
    Events("case_history", key="event_id"),
    # Staff's unsent replies and notes (not log facts: excluded from rebuilds and verify).
    Delete("case_drafts", "case_id IN (SELECT case_id FROM cases WHERE member_id = $1)"),
)


async def erase(conn: Conn, member_id: str) -> int:
    return await mask_member(conn, member_id, MASKING)
