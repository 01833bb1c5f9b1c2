"""Comparing two copies of a projection: a checksum per table, and the first differing rows.

The checksum is order-independent (the sum of a 64-bit hash of each row's text, with the row
count), so it needs no sort; rows compare by their full text, every column included."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import orjson

from ops.schemas import quoted
from shared.db import Conn

CHECKSUM = """
SELECT count(*) AS rows,
       coalesce(sum(('x' || left(md5(t::text), 16))::bit(64)::bigint::numeric), 0) AS total
FROM {table} AS t"""
COPY = "CREATE TEMP TABLE {copy} AS TABLE {table}"
DIFF = """
SELECT side, row FROM (
    SELECT 'live only' AS side, to_jsonb(a) AS row, a::text AS k
    FROM (TABLE {live} EXCEPT ALL TABLE {rebuilt}) AS a
    UNION ALL
    SELECT 'rebuilt only', to_jsonb(b), b::text
    FROM (TABLE {rebuilt} EXCEPT ALL TABLE {live}) AS b
) AS d ORDER BY k, side LIMIT $1"""


@dataclass(frozen=True)
class Checksum:
    rows: int
    digest: str


@dataclass(frozen=True)
class TableComparison:
    table: str
    live: Checksum
    rebuilt: Checksum
    differences: list[tuple[str, dict[str, Any]]]

    @property
    def same(self) -> bool:
        return self.live == self.rebuilt


def qualified(schema: str, table: str) -> str:
    return f"{quoted(schema)}.{quoted(table)}"


async def checksum(conn: Conn, table: str) -> Checksum:
    """Checksum of a (qualified) table as ``conn`` sees it."""
    row = await conn.fetchrow(CHECKSUM.format(table=table))
    assert row is not None
    return Checksum(int(row["rows"]), f"{int(row['total']) % 2**64:016x}")


async def checksums(conn: Conn, schema: str, tables: list[str]) -> dict[str, Checksum]:
    return {t: await checksum(conn, qualified(schema, t)) for t in tables}


def copy_name(table: str) -> str:
    return quoted(f"live_{table}")


async def keep_copy(conn: Conn, schema: str, table: str) -> None:
    """Copies a live table as ``conn``'s snapshot sees it into a temporary table."""
    await conn.execute(COPY.format(copy=copy_name(table), table=qualified(schema, table)))


async def differences(
    conn: Conn, shadow: str, table: str, limit: int
) -> list[tuple[str, dict[str, Any]]]:
    """The first rows only one side has (the live side from its temporary copy)."""
    rows = await conn.fetch(
        DIFF.format(live=f"pg_temp.{copy_name(table)}", rebuilt=qualified(shadow, table)), limit
    )
    return [(r["side"], orjson.loads(r["row"])) for r in rows]
