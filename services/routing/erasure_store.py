"""routing's side of a member's erasure: it keeps escalations' notes sealed (it shows none),
and masks them, as a rebuild after the erasure writes them."""

from __future__ import annotations

from shared.db import Conn
from shared.erasure import Events, mask_member

MASKING = (Events("escalations", key="event_id"),)


async def erase(conn: Conn, member_id: str) -> int:
    return await mask_member(conn, member_id, MASKING)
