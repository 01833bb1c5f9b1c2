"""Installs the BI read models: the `bi` schema of views over the services' projections,
readable by the read-only role `relais_bi`. Idempotent. ``python -m reporting.install``
(run by ``make up``).

The views read the services' tables, so those are migrated first, each by its own service's
migrations and role (a service starting later finds them applied). The views belong to the
`relais` role, a member of every service role: `relais_bi` reads the views and nothing else."""

from __future__ import annotations

import asyncio
import logging
import re
import sys
from collections.abc import Callable, Mapping
from pathlib import Path

import asyncpg

from shared import db
from shared.db import Conn
from shared.settings import Settings

ROOT = Path(__file__).resolve().parents[1]
MIGRATIONS = Path(__file__).parent / "migrations"
SCHEMA = "bi"
READER = "relais_bi"
# The services whose projections the views read (each migrated first, by its own migrations).
SOURCES = ("intake", "routing", "advisory", "admin")

INSTALLED = "SELECT 1 FROM pg_namespace WHERE nspname = $1"
GRANTS = """
GRANT USAGE ON SCHEMA {schema} TO {reader};
GRANT SELECT ON ALL TABLES IN SCHEMA {schema} TO {reader};
"""

log = logging.getLogger(__name__)


def renderer(schema: str, sources: Mapping[str, str]) -> Callable[[str], str]:
    """Replaces ``{bi}`` and ``{<service>}`` in the views' SQL by the schemas to use."""
    names = {"bi": schema, **sources}
    for name in names.values():
        if not re.fullmatch(r"[a-z_][a-z0-9_]*", name):
            raise ValueError(f"not a plain schema name: {name!r}")

    def render(text: str) -> str:
        return re.sub(r"\{([a-z_]+)\}", lambda m: names[m.group(1)], text)

    return render


async def install_views(pool: asyncpg.Pool, schema: str, sources: Mapping[str, str]) -> list[str]:
    """Applies the views' migrations in ``schema``, reading the ``sources`` schemas."""
    return await db.migrate(pool, schema, [MIGRATIONS], renderer(schema, sources))


async def grant_reader(conn: asyncpg.Pool | Conn, schema: str, reader: str = READER) -> bool:
    """Lets ``reader`` read the views; False when the role does not exist here."""
    if not await conn.fetchval("SELECT 1 FROM pg_roles WHERE rolname = $1", reader):
        return False
    await conn.execute(GRANTS.format(schema=schema, reader=reader))
    return True


async def install(settings: Settings) -> list[str]:
    """Migrates the source services' schemas, then installs the views (re-creates them where
    they are installed); grants them to `relais_bi`."""
    for service in SOURCES:
        pool = await db.connect(settings.dsn(service), service, min_size=1, max_size=1)
        try:
            folders = [db.PLUMBING_MIGRATIONS, ROOT / "services" / service / "migrations"]
            await db.migrate(pool, service, folders)
        finally:
            await pool.close()
    # A source's migration may have dropped views with the table they read (routing's cases
    # became a view): installed views are re-created, all at once, over the current tables.
    if await reinstall(settings):
        return []
    pool = await db.connect(settings.ops_dsn(), SCHEMA, min_size=1, max_size=1)
    try:
        applied = await install_views(pool, SCHEMA, {s: s for s in SOURCES})
        if not await grant_reader(pool, SCHEMA):
            log.warning("role %s does not exist: create it to give BI tools read access", READER)
        return applied
    finally:
        await pool.close()


async def repoint(conn: Conn) -> bool:
    """Re-creates the views over the services' current schemas, with their grant to
    `relais_bi`, inside the transaction the caller has open on ``conn``.

    Views follow the tables they read, not their names: once a rebuild swapped a new
    projection schema in, the views still read the replaced one (and would vanish with it).
    Run in the swap's own transaction, the views commit with the swap or not at all, so a
    crash leaves either the old projection with its views or the new one with its views.
    Returns False (and does nothing) where BI is not installed."""
    if not conn.is_in_transaction():
        raise ValueError("repoint runs inside the caller's transaction: open one first")
    # Before the drop, so a concurrent `install` (which holds it while creating the views)
    # and this take their locks in the same order.
    await db.lock_migrations(conn, SCHEMA)
    if not await conn.fetchval(INSTALLED, SCHEMA):
        return False
    await conn.execute(f"DROP SCHEMA {SCHEMA} CASCADE")
    await conn.execute(f"CREATE SCHEMA {SCHEMA}")
    await db.migrate_in(conn, SCHEMA, [MIGRATIONS], renderer(SCHEMA, {s: s for s in SOURCES}))
    await grant_reader(conn, SCHEMA)
    return True


async def reinstall(settings: Settings) -> bool:
    """``repoint`` in a transaction of its own: the views over the services' current schemas,
    all at once or not at all. False where BI is not installed."""
    conn = await asyncpg.connect(settings.ops_dsn())
    try:
        async with conn.transaction():
            return await repoint(conn)
    finally:
        await conn.close()


def main() -> None:
    logging.basicConfig(level=logging.WARNING)
    applied = asyncio.run(install(Settings()))
    print(f"[stack] BI views ready in schema '{SCHEMA}' (applied {len(applied)})", file=sys.stderr)


if __name__ == "__main__":
    main()
