"""The members' keys: where personal fields are sealed before they leave a service, and opened
(or masked) where a service reads them (shared.sealing says how).

``KeyStore`` is the interface; ``PgKeyStore`` keeps the keys in the key store's own schema
(``keystore``, role ``relais_keystore``, migrations in shared/keystore/migrations). A KMS or
Vault could implement the same four calls: issue a member's current key, tell the keys and
erasures of some members, destroy a member's keys, record the proof of an erasure.

Every reader asks the store once per batch (no cache): a key destroyed is not used a moment
later by a reader that cached it."""

from __future__ import annotations

import asyncio
import os
import weakref
from collections.abc import Awaitable, Callable, Collection, Sequence
from dataclasses import dataclass, replace
from datetime import datetime
from pathlib import Path
from typing import Any, Protocol, TypeVar
from uuid import UUID

import asyncpg

from shared import db, sealing
from shared.deliveries import Delivery
from shared.envelope import ERASED
from shared.settings import Settings

MIGRATIONS = Path(__file__).parent / "keystore" / "migrations"
SCHEMA = "keystore"

E = TypeVar("E")


@dataclass(frozen=True)
class KeyStates:
    """What readers need of some members' keys: the live ones by kid, and which members were
    erased (a destroyed key, so their legacy plaintext is masked too)."""

    keys: dict[str, bytes]
    erased: frozenset[str]


@dataclass(frozen=True)
class ErasureRecord:
    """The proof kept of an erasure: salted hashes of what it erased, never the values."""

    erasure_id: UUID
    member_id: str
    cause: str
    reason: str
    erased_by: str
    erased_at: datetime
    salt: bytes
    value_hashes: tuple[bytes, ...]


class KeyStore(Protocol):
    async def issue(self, member_ids: Collection[str]) -> dict[str, tuple[str, bytes]]:
        """Each member's live key (kid, key), created where they have none."""
        ...

    async def states(self, member_ids: Collection[str]) -> KeyStates:
        """The live keys of these members and which of them were erased."""
        ...

    async def destroy(self, member_id: str) -> list[str]:
        """Destroys the member's live keys (kept as tombstones); the kids destroyed. A member
        who never had a key gets a tombstone all the same: they count as erased."""
        ...

    async def record(self, erasure: ErasureRecord) -> None:
        """Keeps the proof of an erasure (idempotent on its id)."""
        ...

    async def erasures(self, member_id: str) -> list[ErasureRecord]:
        """The proofs kept of the member's erasures, oldest first."""
        ...


LIVE = "SELECT member_id, generation, key FROM member_keys WHERE member_id = ANY($1::text[])"
CREATE = """
INSERT INTO member_keys (member_id, generation, key)
SELECT m, coalesce((SELECT max(generation) FROM member_keys k WHERE k.member_id = m), 0) + 1, key
FROM unnest($1::text[], $2::bytea[]) AS t(m, key)
ON CONFLICT DO NOTHING"""
DESTROY = """
UPDATE member_keys SET key = NULL, destroyed_at = now()
WHERE member_id = $1 AND destroyed_at IS NULL RETURNING generation"""
TOMBSTONE = """
INSERT INTO member_keys (member_id, generation, key, destroyed_at)
SELECT $1, 1, NULL, now()
WHERE NOT EXISTS (SELECT 1 FROM member_keys WHERE member_id = $1)"""
RECORD = """
INSERT INTO erasures (erasure_id, member_id, cause, reason, erased_by, erased_at, salt,
                      value_hashes)
VALUES ($1, $2, $3, $4, $5, $6, $7, $8) ON CONFLICT DO NOTHING"""
ERASURES = "SELECT * FROM erasures WHERE member_id = $1 ORDER BY erased_at, erasure_id"


class PgKeyStore:
    """The key store in PostgreSQL (schema ``keystore``)."""

    def __init__(self, pool: asyncpg.Pool) -> None:
        self.pool = pool

    async def issue(self, member_ids: Collection[str]) -> dict[str, tuple[str, bytes]]:
        wanted = sorted(set(member_ids))
        if not wanted:
            return {}
        async with self.pool.acquire() as conn:
            found = _live(await conn.fetch(LIVE, wanted))
            missing = [m for m in wanted if m not in found]
            if missing:
                keys = [os.urandom(sealing.KEY_BYTES) for _ in missing]
                await conn.execute(CREATE, missing, keys)
                found = _live(await conn.fetch(LIVE, wanted))
        return found

    async def states(self, member_ids: Collection[str]) -> KeyStates:
        wanted = sorted(set(member_ids))
        if not wanted:
            return KeyStates({}, frozenset())
        async with self.pool.acquire() as conn:
            rows = await conn.fetch(LIVE, wanted)
        return KeyStates(
            {sealing.kid(r["member_id"], r["generation"]): r["key"] for r in rows if r["key"]},
            frozenset(r["member_id"] for r in rows if r["key"] is None),
        )

    async def destroy(self, member_id: str) -> list[str]:
        async with self.pool.acquire() as conn, conn.transaction():
            rows = await conn.fetch(DESTROY, member_id)
            await conn.execute(TOMBSTONE, member_id)
        return [sealing.kid(member_id, r["generation"]) for r in rows]

    async def record(self, erasure: ErasureRecord) -> None:
        async with self.pool.acquire() as conn:
            await conn.execute(
                RECORD,
                erasure.erasure_id,
                erasure.member_id,
                erasure.cause,
                erasure.reason,
                erasure.erased_by,
                erasure.erased_at,
                erasure.salt,
                list(erasure.value_hashes),
            )

    async def erasures(self, member_id: str) -> list[ErasureRecord]:
        async with self.pool.acquire() as conn:
            rows = await conn.fetch(ERASURES, member_id)
        return [
            ErasureRecord(**{**dict(r), "value_hashes": tuple(r["value_hashes"])}) for r in rows
        ]


def _live(rows: Sequence[asyncpg.Record]) -> dict[str, tuple[str, bytes]]:
    return {
        r["member_id"]: (sealing.kid(r["member_id"], r["generation"]), r["key"])
        for r in rows
        if r["key"] is not None
    }


# One store per event loop (a pool belongs to its loop), connected at first use.
_stores: weakref.WeakKeyDictionary[asyncio.AbstractEventLoop, asyncio.Task[KeyStore]] = (
    weakref.WeakKeyDictionary()
)


def install(store: KeyStore) -> None:
    """Uses ``store`` in this event loop (another implementation, or a test's)."""
    loop = asyncio.get_running_loop()
    done: asyncio.Future[KeyStore] = loop.create_future()
    done.set_result(store)
    _stores[loop] = asyncio.ensure_future(done)


async def store() -> KeyStore:
    """The key store of this process (``RELAIS_KEYSTORE_DATABASE_URL``, see Settings)."""
    loop = asyncio.get_running_loop()
    task = _stores.get(loop)
    if task is None or (task.done() and task.exception() is not None):
        task = loop.create_task(connect(Settings()))
        _stores[loop] = task
    return await asyncio.shield(task)


async def connect(settings: Settings) -> PgKeyStore:
    pool = await db.connect(settings.keystore_dsn(), SCHEMA, min_size=1, max_size=6)
    await db.migrate(pool, SCHEMA, [MIGRATIONS])
    return PgKeyStore(pool)


async def seal_events(events: Sequence[E]) -> list[E]:
    """The events with their personal fields sealed under their members' keys. An event in
    memory holds plaintext only (a service opens what it reads before it copies any of it):
    every personal value is sealed, even one that looks sealed, which is then text someone
    typed, not a ciphertext to pass on."""
    members = {e.member_id for e in events if sealing.paths_of(e)}  # type: ignore[attr-defined]
    if not members:
        return list(events)
    keys = await (await store()).issue(members)
    return [_sealed(e, keys) for e in events]


def _sealed(event: Any, keys: dict[str, tuple[str, bytes]]) -> Any:
    values = {}
    kid, key = keys[event.member_id]
    for path in sealing.paths_of(event):
        value = sealing.value_at(event, path)
        values[path] = sealing.seal(key, kid, path, value, os.urandom(sealing.NONCE_BYTES))
    return sealing.replaced(event, values)


async def open_events(events: Sequence[E], *, keep_sealed: bool = False) -> list[E]:
    """The events as a reader keeps them: personal fields opened (or, ``keep_sealed``, left
    sealed), and masked to ERASED where their member was erased. Unopenable for a sealed
    value that does not open with its key (tampered or moved)."""
    members = {e.member_id for e in events if sealing.paths_of(e)}  # type: ignore[attr-defined]
    if not members:
        return list(events)
    states = await (await store()).states(members)
    return [_opened(e, states, keep_sealed) for e in events]


def _opened(event: Any, states: KeyStates, keep_sealed: bool) -> Any:
    values = {}
    for path in sealing.paths_of(event):
        value = sealing.value_at(event, path)
        if sealing.is_sealed(value):
            key = states.keys.get(sealing.kid_of(value))
            if key is None:
                values[path] = ERASED
            elif not keep_sealed:
                values[path] = sealing.unseal(key, path, value)
        elif event.member_id in states.erased:
            values[path] = ERASED
    return sealing.replaced(event, values)


Apply = Callable[[Any, Sequence[Delivery]], Awaitable[None]]


def reading(apply: Apply, *, keep_sealed: bool = False) -> Apply:
    """A handler that sees the deliveries' events as ``open_events`` gives them."""

    async def run(conn: Any, deliveries: Sequence[Delivery]) -> None:
        opened = await open_events([d.event for d in deliveries], keep_sealed=keep_sealed)
        pairs = zip(deliveries, opened, strict=True)
        await apply(conn, [d if e is d.event else replace(d, event=e) for d, e in pairs])

    return run
