"""admin's side of a member's erasure: the member's name and the personal fields of their
tasks' history, masked to what a rebuild after the erasure writes."""

from __future__ import annotations

from shared.db import Conn
from shared.erasure import Columns, Events, mask_member

MASKING = (
    Columns("members", ("name",)),
    Events("task_history", key="event_id"),
)


async def erase(conn: Conn, member_id: str) -> int:
    return await mask_member(conn, member_id, MASKING)
