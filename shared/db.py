"""PostgreSQL access: a pool bound to one service's schema, waited for, and migrated at start."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable, Mapping, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, TypeAlias

import asyncpg
from asyncpg.pool import PoolConnectionProxy

log = logging.getLogger(__name__)

# A connection as handlers see it: straight from asyncpg or borrowed from a pool. (The stubs
# make both generic; at run time they are not.)
if TYPE_CHECKING:
    Conn: TypeAlias = asyncpg.Connection[asyncpg.Record] | PoolConnectionProxy[asyncpg.Record]
else:
    Conn = asyncpg.Connection | PoolConnectionProxy


class PoolHolder:
    """A service's pool, filled by its lifespan: handlers, consumers and command runners are
    built before the pool exists. ``on_commit``: called after a commit that wrote to the
    outbox (the relay's wake-up)."""

    pool: asyncpg.Pool | None = None
    on_commit: Callable[[], None] = staticmethod(lambda: None)

    def require(self) -> asyncpg.Pool:
        if self.pool is None:
            raise RuntimeError("service not started: no database pool yet")
        return self.pool


PLUMBING_MIGRATIONS = Path(__file__).parent / "migrations"

CREATE_SCHEMA = "CREATE SCHEMA IF NOT EXISTS {schema}"
CREATE_LEDGER = """
CREATE TABLE IF NOT EXISTS {schema}.schema_migrations (
    name text PRIMARY KEY,
    applied_at timestamptz NOT NULL DEFAULT now()
)"""
APPLIED = "SELECT name FROM {schema}.schema_migrations"
RECORD = "INSERT INTO {schema}.schema_migrations (name) VALUES ($1)"

# Migrations renumbered so that no two of one folder share a number, old name -> new name. A
# schema migrated before the renumbering holds the old names in its ledger; reading them as the
# new ones keeps those migrations from running twice. Entries stay for good: any later version
# may meet a schema last migrated under the old names.
RENAMED: Mapping[str, str] = {
    "advisory/0002_sla.sql": "advisory/0003_sla.sql",
    "advisory/0003_bi_sla.sql": "advisory/0004_bi_sla.sql",
    "advisory/0004_bi_sla_clocks.sql": "advisory/0005_bi_sla_clocks.sql",
    "routing/0003_organisation.sql": "routing/0004_organisation.sql",
    "routing/0004_order_tolerant.sql": "routing/0005_order_tolerant.sql",
    "routing/0004_workload.sql": "routing/0006_workload.sql",
    "routing/0005_escalations_order_tolerant.sql": "routing/0007_escalations_order_tolerant.sql",
    "routing/0006_bi_capacity_advisers.sql": "routing/0008_bi_capacity_advisers.sql",
}


async def connect(
    dsn: str, schema: str, *, min_size: int = 2, max_size: int = 10, wait_s: float = 60.0
) -> asyncpg.Pool:
    """A pool whose connections see only ``schema``; waits for the database to accept us."""
    deadline = asyncio.get_running_loop().time() + wait_s
    while True:
        try:
            pool = await asyncpg.create_pool(
                dsn,
                min_size=min_size,
                max_size=max_size,
                server_settings={"search_path": schema, "application_name": f"relais-{schema}"},
                reset=keep_session,
            )
            assert pool is not None
            return pool
        except (OSError, asyncpg.CannotConnectNowError, asyncpg.PostgresConnectionError) as exc:
            if asyncio.get_running_loop().time() > deadline:
                raise
            log.warning("database not reachable yet (%s); retrying", exc)
            await asyncio.sleep(0.5)


async def keep_session(_conn: asyncpg.Connection[asyncpg.Record]) -> None:
    """Returning a connection to the pool resets nothing beyond what asyncpg always does (roll
    back an open transaction). Relais connections carry no session state: no SET, LISTEN or
    cursor held across transactions; case locks are transaction-scoped and the session locks
    (outbox relay, migrations) are released explicitly, as is the relay's LISTEN. asyncpg's
    default reset query costs a round trip per release: about an eighth of intake's CPU per
    request (py-spy, issue 7)."""


def migration_files(folders: Sequence[Path]) -> list[tuple[str, Path]]:
    """(name, path) of every migration, plumbing first, each folder in file-name order."""
    return [
        (f"{folder.parent.name}/{path.name}", path)
        for folder in folders
        for path in sorted(folder.glob("*.sql"))
    ]


async def applied(conn: Conn, schema: str) -> set[str]:
    """The migrations ``schema``'s ledger records as applied, under their current names."""
    rows = await conn.fetch(APPLIED.format(schema=schema))
    return {RENAMED.get(r["name"], r["name"]) for r in rows}


async def migrate(
    pool: asyncpg.Pool,
    schema: str,
    folders: Sequence[Path],
    render: Callable[[str], str] | None = None,
) -> list[str]:
    """Applies the migrations not yet applied, each in its own transaction; returns their names.

    An advisory lock serialises concurrent starts of the same service. ``render``, when given,
    turns each file's text into the SQL to run (the BI views name their schemas that way)."""
    async with pool.acquire() as conn:
        await _prepare(conn, schema)
        await conn.execute("SELECT pg_advisory_lock(hashtext($1))", _lock_key(schema))
        try:
            applied_now = await _apply(conn, schema, folders, render)
        finally:
            await conn.execute("SELECT pg_advisory_unlock(hashtext($1))", _lock_key(schema))
    if applied_now:
        log.info("applied migrations %s", applied_now)
    return applied_now


async def migrate_in(
    conn: Conn,
    schema: str,
    folders: Sequence[Path],
    render: Callable[[str], str] | None = None,
) -> list[str]:
    """Applies the migrations not yet applied, as ``migrate`` does, but on ``conn`` inside the
    transaction the caller has open there: they commit, or roll back, with the rest of it.

    The same advisory lock serialises it with ``migrate``, until that transaction ends."""
    if not conn.is_in_transaction():
        raise ValueError("migrate_in runs inside the caller's transaction: open one first")
    await _prepare(conn, schema)
    await lock_migrations(conn, schema)
    # Each migration's own transaction is then a savepoint of the caller's.
    return await _apply(conn, schema, folders, render)


async def lock_migrations(conn: Conn, schema: str) -> None:
    """Keeps any other migration of ``schema`` out until the transaction open on ``conn``
    ends (taking it again in the same transaction is allowed)."""
    await conn.execute("SELECT pg_advisory_xact_lock(hashtext($1))", _lock_key(schema))


def _lock_key(schema: str) -> str:
    return f"migrate:{schema}"


async def _prepare(conn: Conn, schema: str) -> None:
    """The schema and its ledger of applied migrations, created where missing."""
    # CREATE SCHEMA IF NOT EXISTS needs CREATE on the database even when the schema exists;
    # a service role that was given its schema has no such right.
    if not await conn.fetchval("SELECT 1 FROM pg_namespace WHERE nspname = $1", schema):
        await conn.execute(CREATE_SCHEMA.format(schema=schema))
    await conn.execute(CREATE_LEDGER.format(schema=schema))


async def _apply(
    conn: Conn,
    schema: str,
    folders: Sequence[Path],
    render: Callable[[str], str] | None,
) -> list[str]:
    """Runs each migration not in the ledger yet, with its ledger row, in a transaction."""
    applied_now: list[str] = []
    done = await applied(conn, schema)
    for name, path in migration_files(folders):
        if name in done:
            continue
        async with conn.transaction():
            text = path.read_text()
            await conn.execute(render(text) if render else text)
            await conn.execute(RECORD.format(schema=schema), name)
        applied_now.append(name)
    return applied_now


def quoted(name: str) -> str:
    """An identifier quoted for SQL (schema, table or role names come from the catalog)."""
    return '"' + name.replace('"', '""') + '"'
