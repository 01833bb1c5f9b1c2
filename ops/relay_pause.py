"""Pausing a service's outbox relay from outside (`relais partitions grow`): the service goes on
accepting commands, whose events wait in its outbox, and no instance publishes until the
pause ends. Nothing is lost, only delayed.

Two session advisory locks in the service's database (shared.outbox): this session takes the
pause lock, which the relaying instance sees at its next round (it fetches nothing more); the
relay then finishes what it sent (acknowledged by Kafka, deleted from the outbox) and hands
the relay lock over, which this session takes. Holding it means no instance is relaying or
has anything in flight, and none can start; the other instances stand by as they always do.
Closing the session (or the pause ending) frees both: an instance takes the relay lock again
within a second."""

from __future__ import annotations

import contextlib
from collections.abc import AsyncIterator

import asyncpg

from shared.db import Conn
from shared.outbox import UNLOCK, channel, pause_lock

LOCK = "SELECT pg_advisory_lock(hashtext($1))"


class PauseRefused(TimeoutError):
    """The relay did not hand its lock over in time; nothing was changed."""


@contextlib.asynccontextmanager
async def relay_paused(session: Conn, service: str, timeout_s: float = 30.0) -> AsyncIterator[None]:
    """While open, no instance of ``service`` publishes its outbox. ``session``: a connection
    of its own, to the service's database, outside any transaction (session locks)."""
    await session.execute(f"SET lock_timeout = '{int(timeout_s * 1000)}ms'")
    held: list[str] = []
    try:
        for name in (pause_lock(service), channel(service)):
            try:
                await session.execute(LOCK, name)
            except asyncpg.LockNotAvailableError:
                raise PauseRefused(
                    f"the outbox relay of {service} did not pause within {timeout_s:g}s (is "
                    "an instance running a version without pauses, or stuck publishing to "
                    "an unreachable Kafka?); nothing was changed"
                ) from None
            held.append(name)
        await session.execute("RESET lock_timeout")
        yield
    finally:
        if not session.is_closed():
            for name in reversed(held):
                with contextlib.suppress(asyncpg.PostgresError, asyncpg.InterfaceError):
                    await session.execute(UNLOCK, name)
