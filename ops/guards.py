"""What a rebuild refuses to swap in unless forced: a projection that cannot be right.

A ``--from`` in the future reads nothing; one past the last event of the log reads nothing
either. Either way the shadow is empty, and swapping it in would wipe the live projection
(for intake, every idempotency key with it). Both are refused: the first before any work,
the second at the swap, where the shadow and the live projection are compared."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, datetime

from ops.schemas import quoted
from shared.db import Conn

ANY_ROW = "SELECT EXISTS (SELECT 1 FROM {schema}.{table})"


class RebuildRefused(RuntimeError):
    """The rebuild would swap in a projection that cannot be right (``force`` overrides)."""


def check_since(since: datetime | None, now: datetime | None = None) -> None:
    """Refuses a start time in the future: nothing would be read."""
    now = now or datetime.now(UTC)
    if since is not None and since > now:
        raise RebuildRefused(
            f"--from {since.isoformat()} is in the future (it is now {now:%Y-%m-%d %H:%M:%S} "
            "UTC): the rebuilt projection would be empty and would replace the live one. "
            "Nothing was changed. Give a time in the past, or add --force if an empty "
            "projection is really what you want"
        )


async def tables_with_rows(conn: Conn, schema: str, tables: Sequence[str]) -> list[str]:
    """The tables of ``schema`` holding at least one row."""
    found = []
    for table in tables:
        if await conn.fetchval(ANY_ROW.format(schema=quoted(schema), table=quoted(table))):
            found.append(table)
    return found


async def check_not_emptied(conn: Conn, live: str, shadow: str, tables: Sequence[str]) -> None:
    """Refuses to replace a live projection holding rows with an empty one."""
    if await tables_with_rows(conn, shadow, tables):
        return
    held = await tables_with_rows(conn, live, tables)
    if held:
        raise RebuildRefused(
            f"the rebuilt projection of {live} is empty while the live one holds rows (in "
            f"{', '.join(held)}): the log holds no event from where the rebuild started reading "
            "(past the end of the log?). Nothing was swapped; the live projection is untouched. "
            "Give an earlier --from, or add --force if an empty projection is really what you "
            "want"
        )
