"""What every service does on a member's erasure (`member-erasures`): masks the personal data
its projection holds of them, exactly as a rebuild after the erasure writes it (the readers
mask an erased member's fields to ERASED: shared.keys). Each service names its tables
(``Masking``); this runs them."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import orjson

from shared.db import Conn
from shared.envelope import ERASED
from shared.sealing import mask_json


@dataclass(frozen=True)
class Columns:
    """Text columns of ``table`` that hold a member's personal values as they are (set to
    ERASED where not null), for the rows ``where`` selects ($1: the member id)."""

    table: str
    columns: tuple[str, ...]
    where: str = "member_id = $1"

    async def mask(self, conn: Conn, member_id: str) -> int:
        sets = ", ".join(f"{c} = CASE WHEN {c} IS NULL THEN NULL ELSE $2 END" for c in self.columns)
        changed = " OR ".join(f"{c} IS DISTINCT FROM $2" for c in self.columns)
        done = await conn.execute(
            f"UPDATE {self.table} SET {sets} WHERE ({self.where}) AND ({changed})",
            member_id,
            ERASED,
        )
        return int(done.split()[-1])


@dataclass(frozen=True)
class Events:
    """A jsonb column of ``table`` holding events as applied (e.g. a history): each event of
    the rows ``where`` selects ($1: the member id) masked as ``sealing.mask_json`` does."""

    table: str
    key: str
    column: str = "event"
    where: str = "event->>'member_id' = $1"

    async def mask(self, conn: Conn, member_id: str) -> int:
        rows = await conn.fetch(
            f"SELECT {self.key} AS k, {self.column} AS e FROM {self.table} WHERE {self.where}",
            member_id,
        )
        changed = []
        for row in rows:
            if row["e"] is None:
                continue
            before = orjson.loads(row["e"])
            after = mask_json(orjson.loads(row["e"]))
            if after != before:
                changed.append((row["k"], orjson.dumps(after).decode()))
        if changed:
            await conn.executemany(
                f"UPDATE {self.table} SET {self.column} = $2::jsonb WHERE {self.key} = $1",
                changed,
            )
        return len(changed)


@dataclass(frozen=True)
class Delete:
    """Rows that are not facts of the log (a rebuild does not restore them) and hold a
    member's personal data: deleted (``where``: $1 the member id)."""

    table: str
    where: str

    async def mask(self, conn: Conn, member_id: str) -> int:
        # A copy ops keep of an older projection may predate the table.
        if await conn.fetchval("SELECT to_regclass($1)", self.table) is None:
            return 0
        done = await conn.execute(f"DELETE FROM {self.table} WHERE {self.where}", member_id)
        return int(done.split()[-1])


Masking = Sequence[Columns | Events | Delete]


async def mask_member(conn: Conn, member_id: str, masking: Masking) -> int:
    """Masks the member's personal data in each table; the rows changed."""
    return sum([await part.mask(conn, member_id) for part in masking])
