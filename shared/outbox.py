"""The transactional outbox: outgoing messages are rows written with the state change they
announce, and a relay publishes them to Kafka afterwards. A request accepted with 202 is never
lost, even when Kafka is down at that moment; a crash between Kafka's ack and the row's
deletion publishes the message again, which consumers absorb (they are idempotent).

One relay per service is active, on whichever instance holds its lock. A commit that wrote to
the outbox wakes it at once: in-process on that instance, by a PostgreSQL NOTIFY on the
service's channel (``outbox:<service>``) from the others, which the relay LISTENs on. Polling
stays underneath: a wake-up lost costs the poll interval (0.5 s), never a row."""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import AsyncIterator, Callable, Sequence
from dataclasses import dataclass, field, replace

import asyncpg
import orjson
from aiokafka import AIOKafkaProducer

from shared import faults, keys, sealing, telemetry
from shared.codec import encode
from shared.db import Conn
from shared.events import Event
from shared.partitioner import partition

log = logging.getLogger(__name__)

# Deletes the rows just published and fetches the next ones in one round trip. The SELECT sees
# the snapshot before the DELETE, hence the exclusion. (Not "id > last published": ids are
# taken at insert and commits land out of order, so a smaller id can still appear.)
# While an ops tool holds the service's pause lock (``pause_lock``: `relais partitions grow`),
# the same statement fetches nothing: the relay tries the lock shared, for the statement only
# (an InitPlan, evaluated once), which costs no round trip of its own.
FETCH = """
WITH published AS (DELETE FROM outbox WHERE id = ANY($1::bigint[]))
SELECT id, topic, key, value, headers FROM outbox
WHERE id <> ALL($1::bigint[]) AND (SELECT pg_try_advisory_xact_lock_shared(hashtext($3)))
ORDER BY id LIMIT $2"""
PAUSED = "SELECT NOT pg_try_advisory_xact_lock_shared(hashtext($1))"
BACKLOG = "SELECT count(*), coalesce(extract(epoch FROM now() - min(created_at)), 0) FROM outbox"
COLUMNS = ("topic", "key", "value", "headers")


@dataclass(frozen=True)
class OutgoingMessage:
    """A message for Kafka. ``sealing``: an event whose personal fields its value will carry
    sealed (shared.keys): its value is written by ``sealed`` (``enqueue`` calls it), empty
    until then, so no path can send its plaintext."""

    topic: str
    key: bytes | None
    value: bytes
    headers: dict[str, str] = field(default_factory=dict)
    sealing: Event | None = field(default=None, compare=False, repr=False)


def event_message(
    topic: str, event: Event, headers: dict[str, str] | None = None
) -> OutgoingMessage:
    """The Kafka message of a contract event: key = case_id (an organisation fact: its office
    or adviser), type and version in headers, and the W3C trace context when tracing is on
    (``shared.telemetry``)."""
    personal = bool(sealing.paths_of(event))
    return OutgoingMessage(
        topic=topic,
        key=event.message_key.encode(),
        value=b"" if personal else encode(event),
        sealing=event if personal else None,
        headers={
            "content-type": "application/json",
            "event_type": event.type,
            "schema_version": str(event.schema_version),
            "event_id": str(event.event_id),
            **telemetry.outgoing_headers(
                topic, event.causation_id, {"messaging.message.id": str(event.event_id)}
            ),
            **(headers or {}),
        },
    )


async def sealed(messages: Sequence[OutgoingMessage]) -> list[OutgoingMessage]:
    """The messages with their values, personal fields sealed under the members' keys (one
    call to the key store for them all)."""
    waiting = [m.sealing for m in messages if m.sealing is not None]
    if not waiting:
        return list(messages)
    done = iter(await keys.seal_events(waiting))
    return [
        m if m.sealing is None else replace(m, value=encode(next(done)), sealing=None)
        for m in messages
    ]


async def enqueue(conn: Conn, messages: Sequence[OutgoingMessage]) -> None:
    """Adds messages to the outbox inside the caller's transaction."""
    if not messages:
        return
    messages = await sealed(messages)
    await conn.copy_records_to_table(
        "outbox",
        records=[(m.topic, m.key, m.value, orjson.dumps(m.headers).decode()) for m in messages],
        columns=COLUMNS,
    )


async def backlog(conn: Conn) -> tuple[int, float]:
    """(rows waiting, age in seconds of the oldest)."""
    row = await conn.fetchrow(BACKLOG)
    assert row is not None
    return int(row[0]), float(row[1])


ProducerFactory = Callable[[], AIOKafkaProducer]


class LockLost(RuntimeError):
    """The relay's session ended: another instance may be relaying by now."""


TRY_LOCK = "SELECT pg_try_advisory_lock(hashtext($1))"
UNLOCK = "SELECT pg_advisory_unlock(hashtext($1))"
# The wake-up another instance sends the relay after its commit: its own one-statement
# transaction (see OutboxRelay.notify on why not inside the commit it announces).
WAKE = "SELECT pg_notify($1, '')"
# The longest channel name LISTEN keeps whole (PostgreSQL's NAMEDATALEN - 1, in bytes).
CHANNEL_MAX = 63


def pause_lock(service: str) -> str:
    """The advisory lock an ops tool holds to pause ``service``'s relay: the relaying instance
    then publishes nothing more, hands its lock (``channel``) over at its next round and stands by
    until both are free again (ops/partitions.py)."""
    return f"outbox-pause:{service}"


class OutboxRelay:
    """Publishes a service's outbox in order. One relay per service is active at a time (a
    PostgreSQL advisory lock), so per-case order in the outbox is the order on the topic.

    The lock is a session lock, and the relay does all its database work on the session that
    holds it: every round deletes what Kafka acknowledged and fetches the next rows there, in
    one statement. PostgreSQL releases the lock only when that session ends, and once it has
    ended the relay can neither fetch nor delete again; before handing a batch to Kafka it
    checks that the session is still open (asyncpg marks a connection the server closed as
    closed, no query needed), so a relay that lost its lock stops instead of publishing next
    to the instance that took over. Left open: a batch already handed to Kafka, or acknowledged
    but not yet deleted, when the session ends is published again by the next relay (at least
    once, as after a crash; consumers are idempotent on event_id).

    Other ways were weighed: a transaction-scoped lock per round costs a BEGIN, a DELETE and a
    COMMIT per round where this costs one statement (on the hot path of every service), and a
    check of pg_locks in the deleting transaction only keeps a stale relay from deleting, not
    from publishing."""

    def __init__(
        self,
        pool: asyncpg.Pool,
        service: str,
        new_producer: ProducerFactory,
        batch: int = 2000,
        poll: float = 0.5,
    ) -> None:
        self._pool = pool
        self._service = service
        self._new_producer = new_producer
        self._batch = batch
        self._poll = poll
        # The lock's name is the wake-up channel's too: one per service (its outbox).
        self._name = channel(service)
        self._wakeup = asyncio.Event()
        self._holding = False  # this relay is in its locked loop: wake it in-process
        self._waking: asyncio.Task[None] | None = None
        self._wake_again = False
        self._producer: AIOKafkaProducer | None = None
        self.published = 0
        self.woke_holder = 0  # wake-ups sent to the relay of another instance

    def notify(self) -> None:
        """Called after a commit that wrote to the outbox: relay now rather than at next poll.

        When this instance holds the lock, its relay is woken in-process. Otherwise the holder
        is another instance: it is sent a NOTIFY on the service's channel, which it LISTENs on.
        The NOTIFY is sent after the commit, in a transaction of its own, not inside the
        commit it announces (by pg_notify or a trigger on the outbox): PostgreSQL serialises
        the commits of all notifying transactions of a database under one lock held through
        their WAL flush, which cut concurrent outbox commits several-fold when measured
        (docs/scaling.md), whereas a NOTIFY alone writes no WAL and holds that lock a moment.
        Sent after the commit, it is still delivered only once the rows are visible. At most
        one is in flight per instance: commits meanwhile are folded into the next one. A lost
        one (a crash just after the commit, a failed send) costs the holder's poll interval,
        no more."""
        if self._holding:
            self._wakeup.set()
            return
        self._wake_again = True
        if self._waking is None or self._waking.done():
            self._waking = asyncio.get_running_loop().create_task(self._wake_holder())

    async def _wake_holder(self) -> None:
        while self._wake_again:
            self._wake_again = False
            try:
                await self._pool.execute(WAKE, self._name)
            except Exception as exc:  # the holder's poll relays the rows anyway
                log.debug("waking the outbox relay failed: %s", exc)
                return
            self.woke_holder += 1

    async def run(self) -> None:
        """Relays while this instance holds the service's lock; stands by while another does;
        takes the lock again after losing it (database gone, session ended)."""
        while True:
            try:
                async with self._pool.acquire() as session:
                    if not await session.fetchval(TRY_LOCK, self._name):
                        await asyncio.sleep(1.0)  # another instance (or ops) holds it; stand by
                        continue
                    try:
                        async with self._listening(session):
                            await self._relay_while_locked(session)
                    finally:
                        # A fresh producer each time the lock is taken: it learns the topics'
                        # partitions anew. One kept from an earlier turn would still send a
                        # key to its old partition after `relais partitions grow`.
                        await self._close_producer()
                        if not ended(session):
                            await session.execute(UNLOCK, self._name)
            except asyncio.CancelledError:
                if self._waking is not None:
                    self._waking.cancel()
                await self._close_producer()
                raise
            except Exception as exc:  # database gone, lock lost: wait and take the lock again
                log.warning("outbox relay interrupted: %s", exc, extra={"service": self._service})
                await asyncio.sleep(1.0)

    @contextlib.asynccontextmanager
    async def _listening(self, session: Conn) -> AsyncIterator[None]:
        """Wakes the relay on the other instances' NOTIFY, and when its session ends (the lock
        lost: noticed at once rather than at the next poll). On the lock's session, as all the
        relay's database work: asyncpg hands notifications over between and during queries
        alike. The session goes back to the pool without its LISTEN (the pool resets nothing,
        shared.db.keep_session), so that its next user is not woken for nothing."""
        session.add_termination_listener(self._woken)
        try:
            await session.add_listener(self._name, self._woken)
            try:
                yield
            finally:
                if not ended(session):
                    await session.remove_listener(self._name, self._woken)
        finally:
            with contextlib.suppress(asyncpg.InterfaceError):  # a proxy detached from it
                session.remove_termination_listener(self._woken)

    def _woken(self, *_: object) -> None:
        self._wakeup.set()

    async def _relay_while_locked(self, session: Conn) -> None:
        self._holding = True
        try:
            await self._relay_rounds(session)
        finally:
            self._holding = False

    async def _relay_rounds(self, session: Conn) -> None:
        """Relays until the session ends (raises) or an ops tool pauses the relay (returns,
        everything published so far acknowledged and deleted)."""
        backoff = 0.2
        pause = pause_lock(self._service)
        published: list[int] = []  # on Kafka, deleted by the next fetch
        while True:
            # Cleared before the fetch, not after an empty one: a commit landing after the
            # fetch's snapshot then finds its notify still set and is relayed at once. Cleared
            # after, that notify was lost and the row waited out the whole poll (0.5 s: it was
            # the pipeline's p99 at light load).
            self._wakeup.clear()
            fence(session)  # woken by the session's end: the lock is lost, say so
            rows = await session.fetch(FETCH, published, self._batch, pause)
            published = []
            if not rows:
                if await session.fetchval(PAUSED, pause):
                    log.info("outbox relay paused by ops", extra={"service": self._service})
                    return
                with contextlib.suppress(TimeoutError):
                    await asyncio.wait_for(self._wakeup.wait(), timeout=self._poll)
                continue
            try:
                await self._publish(rows, session)
                backoff = 0.2
            except LockLost:
                raise
            except Exception as exc:  # Kafka unavailable: keep the rows, retry with backoff
                log.warning("publishing the outbox failed (%s); retrying in %.1fs", exc, backoff)
                await self._close_producer()
                await asyncio.sleep(backoff)
                backoff = min(backoff * 2, 5.0)
                continue
            faults.point("outbox.acked")  # crash: on Kafka, still in the outbox
            published = [r["id"] for r in rows]
            self.published += len(rows)

    async def _publish(self, rows: Sequence[asyncpg.Record], session: Conn) -> None:
        """Sends the rows as one record batch per partition (rows keep their order within each
        partition) and waits for Kafka's acks. aiokafka's batch API costs ~7 µs of CPU per
        message against ~18 µs through send() (issue 7); idempotence and ordering are the same:
        the sender numbers the batches as it drains them."""
        producer = await self._producer_started()
        grouped: dict[tuple[str, int], list[asyncpg.Record]] = {}
        partitions: dict[str, list[int]] = {}
        for row in rows:
            topic = row["topic"]
            if topic not in partitions:
                partitions[topic] = sorted(await producer.partitions_for(topic))
            target = partition(row["key"], partitions[topic], partitions[topic])
            grouped.setdefault((topic, target), []).append(row)
        futures = []
        for (topic, target), group in grouped.items():
            batch = producer.create_batch()
            for row in group:
                headers = [(k, v.encode()) for k, v in orjson.loads(row["headers"]).items()]
                record = {"key": row["key"], "value": row["value"], "headers": headers}
                if batch.append(timestamp=None, **record) is None:  # full: send, start another
                    fence(session)
                    futures.append(await producer.send_batch(batch, topic, partition=target))
                    batch = producer.create_batch()
                    if batch.append(timestamp=None, **record) is None:
                        raise ValueError(f"outbox row {row['id']} exceeds a Kafka batch")
            batch.close()  # complete: sent at once rather than after linger_ms
            fence(session)
            futures.append(await producer.send_batch(batch, topic, partition=target))
        await asyncio.gather(*futures)

    async def _producer_started(self) -> AIOKafkaProducer:
        if self._producer is None:
            producer = self._new_producer()
            try:
                await producer.start()
            except Exception:
                await producer.stop()
                raise
            self._producer = producer
        return self._producer

    async def _close_producer(self) -> None:
        # A fresh producer after a failure: an idempotent producer can stay wedged on
        # OutOfOrderSequence after a broker outage (aiokafka #1017).
        if self._producer is not None:
            producer, self._producer = self._producer, None
            try:
                await asyncio.wait_for(producer.stop(), timeout=5)
            except Exception as exc:
                log.debug("closing producer: %s", exc)


def channel(service: str) -> str:
    """The name of a service's relay lock and of the channel its relay LISTENs on."""
    name = f"outbox:{service}"
    if len(name.encode()) > CHANNEL_MAX:
        raise ValueError(f"service name too long for a PostgreSQL channel: {service!r}")
    return name


def ended(session: Conn) -> bool:
    """Whether the session is gone. A pool detaches its proxy from a connection the server
    closed, and the proxy then refuses every call: that too means gone."""
    try:
        return session.is_closed()
    except asyncpg.InterfaceError:
        return True


def fence(session: Conn) -> None:
    """Raises LockLost when the session holding the relay's lock has ended."""
    if ended(session):
        raise LockLost("the session holding the outbox lock ended")
