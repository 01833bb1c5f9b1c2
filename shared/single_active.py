"""Background work that one instance of a service does at a time (a periodic tick), when the
service runs as several instances.

A round runs only while its instance holds a PostgreSQL session advisory lock named after the
work (``pg_try_advisory_lock``); the others skip their round and try again at the next. The
lock saves the duplicate work; it is not what keeps the work correct: a round whose session
ended mid-way (the lock then free for another instance) is still fenced by what it does in its
own transactions (advisory's ticks lock each case and read it again under the lock, so a second
round over the same case finds nothing left to decide)."""

from __future__ import annotations

import contextlib
from collections.abc import AsyncIterator

import asyncpg

from shared.outbox import ended

TRY_LOCK = "SELECT pg_try_advisory_lock(hashtext($1))"
UNLOCK = "SELECT pg_advisory_unlock(hashtext($1))"


def lock_name(service: str, work: str) -> str:
    return f"single-active:{service}:{work}"


@contextlib.asynccontextmanager
async def turn(pool: asyncpg.Pool, name: str) -> AsyncIterator[bool]:
    """Whether this instance has the turn for ``name`` (held for the ``async with`` block)."""
    async with pool.acquire() as session:
        mine = bool(await session.fetchval(TRY_LOCK, name))
        try:
            yield mine
        finally:
            if mine and not ended(session):
                await session.execute(UNLOCK, name)
