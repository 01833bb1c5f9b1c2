"""One rebuild (or rollback) of a service at a time.

Two rebuilds of one service would replace each other's shadow schema and swap in whichever
finished last. A PostgreSQL advisory lock, keyed by the service, is taken before anything is
touched and held for the whole rebuild on a connection of its own (the rebuild's other
connections come and go). The lock lives as long as that session: if the session is lost
(the database restarted, the connection was cut), another rebuild may start, so the rebuild
checks it still holds the lock just before swapping and stops if not."""

from __future__ import annotations

import contextlib
from collections.abc import AsyncIterator
from datetime import datetime

import asyncpg

from ops.operator import who
from shared.settings import Settings

KEY = "relais-rebuild:{service}"
TRY = "SELECT pg_try_advisory_lock(hashtext($1))"
UNLOCK = "SELECT pg_advisory_unlock(hashtext($1))"
# Who holds the lock: a single-key advisory lock shows its 64-bit key split in two halves.
HOLDER = """
SELECT a.pid, a.application_name, a.backend_start
FROM pg_locks l JOIN pg_stat_activity a USING (pid)
WHERE l.locktype = 'advisory' AND l.granted AND l.objsubid = 1
  AND ((l.classid::bigint << 32) | l.objid::bigint) = hashtext($1)::bigint"""


class RebuildRunning(RuntimeError):
    """Another rebuild or rollback of the same service holds the lock."""


class LockLost(RuntimeError):
    """The session holding the lock ended: another rebuild may have started meanwhile."""


class RebuildLock:
    """The held lock of one service's rebuild, on its own connection."""

    def __init__(self, conn: asyncpg.Connection, service: str) -> None:
        self.conn = conn
        self.service = service
        self.key = KEY.format(service=service)

    async def ensure_held(self) -> None:
        """Raises LockLost unless this session still holds the lock."""
        try:
            rows = await self.conn.fetch(HOLDER, self.key, timeout=10)
            mine = await self.conn.fetchval("SELECT pg_backend_pid()", timeout=10)
        except (OSError, TimeoutError, asyncpg.PostgresError, asyncpg.InterfaceError):
            rows, mine = [], None
        if not any(r["pid"] == mine for r in rows):
            raise LockLost(
                f"the database session holding the rebuild lock of {self.service} was lost, "
                "so another rebuild may have started: stopped before swapping, the live "
                "projection is untouched; run the rebuild again"
            )


@contextlib.asynccontextmanager
async def rebuild_lock(settings: Settings, service: str, what: str) -> AsyncIterator[RebuildLock]:
    """Holds ``service``'s rebuild lock for the block; ``what`` (e.g. "rebuild") names the
    holder to anyone who finds it taken. Raises RebuildRunning if it is taken."""
    label = f"relais {what} {service} by {who()}"[:63]
    conn = await asyncpg.connect(settings.ops_dsn(), server_settings={"application_name": label})
    lock = RebuildLock(conn, service)
    try:
        if not await conn.fetchval(TRY, lock.key):
            raise RebuildRunning(await _taken(conn, service, lock.key))
        try:
            yield lock
        finally:
            if not conn.is_closed():
                with contextlib.suppress(asyncpg.PostgresError, asyncpg.InterfaceError, OSError):
                    await conn.execute(UNLOCK, lock.key)
    finally:
        with contextlib.suppress(asyncpg.PostgresError, asyncpg.InterfaceError, OSError):
            await conn.close()


async def _taken(conn: asyncpg.Connection, service: str, key: str) -> str:
    row = await conn.fetchrow(HOLDER, key)
    holder = ""
    if row is not None:
        name = row["application_name"] or "another session"
        since: datetime | None = row["backend_start"]
        when = f", since {since:%Y-%m-%d %H:%M:%S} UTC" if since else ""
        holder = f" ({name}, database session {row['pid']}{when})"
    return (
        f"a rebuild or rollback of {service} is already running{holder}: only one may run at a "
        "time; wait for it to finish (or stop it), then run this again"
    )
