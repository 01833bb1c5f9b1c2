"""Shadow schemas: a service's projection rebuilt next to the live one, in a schema made by
running the service's own migrations, owned by the same role, then swapped in or compared.

The ops role (`relais` on the local stack) may act as every service role; the shadow's tables
are created as the live schema's owner so the service can use them once swapped in."""

from __future__ import annotations

import asyncio
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path

import asyncpg

from shared import db
from shared.db import Conn
from shared.db import quoted as quoted  # the ops tools name it here

PLUMBING = ("outbox", "consumer_positions", "schema_migrations")
# What a service keeps that is not a fold of the log (advisory's drafts and presence): a
# rebuild neither fills nor compares it, and a swap carries the live rows over as they are.
NOT_FROM_LOG = ("case_drafts", "case_presence")
# Row text must not depend on the session: both sides of a comparison read with these.
STABLE_TEXT = {"TimeZone": "UTC", "DateStyle": "ISO", "extra_float_digits": "3"}

OWNER = "SELECT nspowner::regrole::text FROM pg_namespace WHERE nspname = $1"
TABLES = """
SELECT c.relname FROM pg_class c
WHERE c.relnamespace = $1::regnamespace AND c.relkind IN ('r', 'p')
  AND c.relname <> ALL($2::text[])
ORDER BY c.relname"""
VIEWS = """
SELECT c.relname FROM pg_class c
WHERE c.relnamespace = $1::regnamespace AND c.relkind = 'v'
ORDER BY c.relname"""
# Indexes no constraint needs (not unique, not a primary key): a bulk replay writes faster
# without them, and they are built once at the end.
SECONDARY_INDEXES = """
SELECT i.relname AS name, t.relname AS "table", pg_get_indexdef(x.indexrelid) AS definition
FROM pg_index x JOIN pg_class i ON i.oid = x.indexrelid JOIN pg_class t ON t.oid = x.indrelid
WHERE i.relnamespace = $1::regnamespace AND NOT x.indisunique AND NOT x.indisprimary
ORDER BY i.relname"""


class NotDeployed(RuntimeError):
    """The live schema does not exist: the service never started here."""


class MigrationsDiffer(RuntimeError):
    """The live schema and this code's migrations differ: a rebuild would swap in other tables."""


@dataclass(frozen=True)
class Shadow:
    """A shadow schema, how to reach it (worker processes open their own pools), and a pool."""

    dsn: str
    schema: str
    role: str
    pool: asyncpg.Pool


async def owner(conn: Conn, schema: str) -> str:
    role = await conn.fetchval(OWNER, schema)
    if role is None:
        raise NotDeployed(f"schema {schema!r} does not exist: start the service once first")
    return str(role)


async def projection_tables(conn: Conn, schema: str) -> list[str]:
    """The tables of a service's projection: everything in its schema but the plumbing and
    what is not from the log."""
    return [r["relname"] for r in await conn.fetch(TABLES, schema, [*PLUMBING, *NOT_FROM_LOG])]


async def kept_as_is(conn: Conn, schema: str) -> list[str]:
    """The tables of ``schema`` that are not from the log (NOT_FROM_LOG, where it has them)."""
    rows = await conn.fetch(TABLES, schema, [])
    return [r["relname"] for r in rows if r["relname"] in NOT_FROM_LOG]


async def projection_views(conn: Conn, schema: str) -> list[str]:
    """The views of a service's projection (e.g. routing's ``cases``, over two tables)."""
    return [r["relname"] for r in await conn.fetch(VIEWS, schema)]


async def connect(dsn: str, schema: str, role: str, *, size: int = 4) -> asyncpg.Pool:
    """A pool that sees ``schema`` only, acting as ``role``."""
    pool = await asyncpg.create_pool(
        dsn,
        min_size=1,
        max_size=size,
        server_settings={
            "search_path": schema,
            "role": role,
            "application_name": f"relais-ops-{schema}",
            **STABLE_TEXT,
        },
    )
    assert pool is not None
    return pool


async def create(
    ops: Conn,
    dsn: str,
    *,
    live: str,
    shadow: str,
    migrations: Sequence[Path],
    check: bool = True,
) -> Shadow:
    """Replaces ``shadow`` with an empty copy of ``live``'s tables (from the migrations);
    refuses when the live schema was migrated differently (unless not ``check``)."""
    role = await owner(ops, live)
    await drop(ops, shadow)
    await ops.execute(f"CREATE SCHEMA {quoted(shadow)} AUTHORIZATION {quoted(role)}")
    pool = await connect(dsn, shadow, role)
    try:
        await db.migrate(pool, shadow, migrations)
        if check:
            await same_migrations(ops, live, shadow)
    except BaseException:
        await pool.close()
        raise
    return Shadow(dsn, shadow, role, pool)


async def attach(ops: Conn, dsn: str, *, live: str, shadow: str) -> Shadow:
    """An existing copy of ``live``'s tables (a kept projection), to be replayed into; refuses
    when it was migrated differently from the live schema."""
    role = await owner(ops, shadow)
    await same_migrations(ops, live, shadow)
    return Shadow(dsn, shadow, role, await connect(dsn, shadow, role))


async def same_migrations(conn: Conn, live: str, shadow: str) -> None:
    # Under their current names: a live schema migrated before a renumbering matches a shadow
    # migrated after it.
    live_names = await db.applied(conn, quoted(live))
    shadow_names = await db.applied(conn, quoted(shadow))
    if live_names != shadow_names:
        raise MigrationsDiffer(
            f"live {live!r} has migrations {sorted(live_names - shadow_names)} this code lacks "
            f"and lacks {sorted(shadow_names - live_names)}: run the service at this version "
            "first, then rebuild"
        )


async def drop(ops: Conn, schema: str) -> None:
    await ops.execute(f"DROP SCHEMA IF EXISTS {quoted(schema)} CASCADE")


async def prepare_bulk(
    conn: Conn, schema: str, keep_logged: Iterable[str] = ()
) -> dict[str, list[str]]:
    """Makes a fresh shadow fast to fill: its tables UNLOGGED (no WAL per row; a crash of the
    database empties them, rows and positions together) and its secondary indexes dropped.
    Tables of ``keep_logged`` stay LOGGED: those a bulk loader fills with its merge statements
    (ops.bulk), where making them LOGGED afterwards (a rewrite) costs more than the WAL.
    Returns the statements that build the indexes again, per table (``end_bulk``)."""
    logged = set(keep_logged)
    for table in await all_tables(conn, schema):
        if table not in logged:
            await conn.execute(f"ALTER TABLE {quoted(schema)}.{quoted(table)} SET UNLOGGED")
    indexes: dict[str, list[str]] = {}
    for row in await conn.fetch(SECONDARY_INDEXES, schema):
        await conn.execute(f"DROP INDEX {quoted(schema)}.{quoted(row['name'])}")
        indexes.setdefault(row["table"], []).append(row["definition"])
    return indexes


PRIMARY_KEY = """
SELECT conname, pg_get_constraintdef(oid) AS definition FROM pg_constraint
WHERE conrelid = $1::regclass AND contype = 'p'"""


async def drop_primary_key(conn: Conn, table: str) -> str | None:
    """Drops ``table``'s primary key (a table of the connection's search path); returns the
    statement that adds it again, with its name, or None if it has none."""
    row = await conn.fetchrow(PRIMARY_KEY, table)
    if row is None:
        return None
    name = quoted(row["conname"])
    await conn.execute(f"ALTER TABLE {quoted(table)} DROP CONSTRAINT {name}")
    return f"ALTER TABLE {quoted(table)} ADD CONSTRAINT {name} {row['definition']}"


async def end_bulk(pool: asyncpg.Pool, schema: str, indexes: dict[str, list[str]]) -> None:
    """Makes every table LOGGED again (durable, fit to be swapped in; nothing to do for a table
    that stayed LOGGED), then builds its indexes; two tables at a time (PostgreSQL does each in
    one process). In any order: no service's table references another (a foreign key would
    need the referenced table LOGGED first)."""
    async with pool.acquire() as conn:
        tables = await all_tables(conn, schema)
    ahead = asyncio.Semaphore(2)

    async def finish(table: str) -> None:
        async with ahead, pool.acquire() as conn:
            # LOGGED first: it rewrites the table and its indexes; an index built after is
            # built once.
            await conn.execute(f"ALTER TABLE {quoted(schema)}.{quoted(table)} SET LOGGED")
            for definition in indexes.get(table, []):
                await conn.execute(definition)

    await asyncio.gather(*(finish(t) for t in tables))


async def all_tables(conn: Conn, schema: str) -> list[str]:
    return await projection_tables(conn, schema) + list(PLUMBING)


UNLOGGED = """
SELECT relname FROM pg_class
WHERE relnamespace = $1::regnamespace AND relkind = 'r' AND relpersistence <> 'p'"""


async def require_logged(conn: Conn, schema: str) -> None:
    """A table about to become live must be durable."""
    unlogged = [r["relname"] for r in await conn.fetch(UNLOGGED, schema)]
    if unlogged:
        raise RuntimeError(f"{schema} still has unlogged tables {unlogged}: not swapping")
