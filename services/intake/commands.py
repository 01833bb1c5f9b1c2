"""intake's commands: accepting a member's request (the event it becomes, stored with its
outgoing message, and the answer to an Idempotency-Key used before), and a member's message on
one of their cases (``post_message``: the same rules, one message per transaction).

It does not take shared.commands' runner (lock, load, decide, record, publish one subject):
a new request has no state to lock or load, and its decision (services.intake.domain) needs
none, so requests are written by group commit instead. Requests arriving together are stored
in one statement and one transaction. A lone request is written at once (no added wait); under
load, the requests that arrive while a write is in flight make up the next one. One
transaction per request cost PostgreSQL ~0.5 ms of CPU and intake a round trip each (issue 7)."""

from __future__ import annotations

import asyncio
import logging
from datetime import datetime
from uuid import UUID, uuid4

from services.intake import domain, erasure_store, message_store, projection, queries
from services.intake.projection import Submission
from shared import faults, keys, outbox
from shared.batch import is_transient
from shared.codec import decode
from shared.db import Conn, PoolHolder
from shared.events import (
    MEMBER_ERASURES,
    MEMBER_MESSAGES,
    REQUEST_RECEIVED,
    MemberErased,
    MemberMessageReceived,
    RequestReceived,
)
from shared.outbox import event_message
from shared.refusals import Conflict, Invalid, NotFound

log = logging.getLogger(__name__)

Waiting = tuple[Submission, asyncio.Future[bool]]


async def execute(
    writer: AcceptWriter,
    request: domain.SubmitRequest,
    idempotency_key: str | None,
    *,
    now: datetime,
) -> tuple[UUID, bool]:
    """The case the request became, and whether it is one accepted before under the same
    Idempotency-Key (the same request again); Conflict when the key names another request."""
    case_id = uuid4()
    event = domain.request_received(
        request,
        case_id=case_id,
        event_id=uuid4(),
        correlation_id=case_id,
        now=now,
        idempotency_key=idempotency_key,
    )
    fingerprint = domain.fingerprint(request)
    message = event_message(REQUEST_RECEIVED, event)
    if await writer.accept(Submission(event, message, idempotency_key, fingerprint)):
        return case_id, False
    assert idempotency_key is not None  # only a key can conflict
    async with writer.holder.require().acquire() as conn:
        existing = await queries.by_key(conn, idempotency_key)
    if existing is None:  # the other request was rolled back: extremely rare, let the client retry
        raise Conflict("idempotency_conflict", "A concurrent request with this key failed; retry.")
    if existing.fingerprint != fingerprint:
        raise Conflict(
            "idempotency_key_reused", "This Idempotency-Key was used for a different request."
        )
    return existing.case_id, True


class AcceptWriter:
    def __init__(self, holder: PoolHolder, *, writers: int = 2, max_batch: int = 500) -> None:
        self.holder = holder
        self._writers = writers
        self._max_batch = max_batch
        self._queue: list[Waiting] = []
        # Writers draining the queue. Counted down by the writer itself in the same step as its
        # last look at the queue (a done-callback would run later: a request queued meanwhile
        # could find no writer to start and wait forever).
        self._running = 0
        self._tasks: set[asyncio.Task[None]] = set()  # strong references to the writers

    async def accept(self, submission: Submission) -> bool:
        """Stores one request with its event; False when its idempotency key exists."""
        done: asyncio.Future[bool] = asyncio.get_running_loop().create_future()
        self._queue.append((submission, done))
        if self._running < self._writers:
            self._running += 1
            task = asyncio.create_task(self._drain(), name="intake-accept")
            self._tasks.add(task)
            task.add_done_callback(self._tasks.discard)
        return await done

    async def _drain(self) -> None:
        try:
            while self._queue:
                batch = self._queue[: self._max_batch]
                del self._queue[: self._max_batch]
                await self._write(batch)
        finally:
            self._running -= 1

    async def _write(self, batch: list[Waiting]) -> None:
        try:
            stored = await self._store([s for s, _ in batch])
        except Exception as exc:
            if len(batch) == 1 or is_transient(exc):  # the database is away: all fail alike
                settle(batch, exc)
                return
            # One bad request must not fail the others: store them one by one.
            log.warning("a batch of %d requests failed (%s); retrying one by one", len(batch), exc)
            for waiting in batch:
                await self._write([waiting])
            return
        faults.point("http.committed")  # crash: requests committed, not answered
        self.holder.on_commit()
        for submission, done in batch:
            if not done.done():
                done.set_result(submission.event.case_id in stored)

    async def _store(self, batch: list[Submission]) -> set[UUID]:
        async with self.holder.require().acquire() as conn:
            faults.point("http.recording")  # crash: nothing committed (one statement)
            return await projection.accept(conn, REQUEST_RECEIVED, batch)


def settle(batch: list[Waiting], exc: Exception) -> None:
    for _, done in batch:
        if not done.done():
            done.set_exception(exc)


async def post_message(
    holder: PoolHolder,
    case_id: UUID,
    message: domain.PostMessage,
    idempotency_key: str | None,
    *,
    now: datetime,
) -> tuple[MemberMessageReceived, bool]:
    """Accepts a member's message on a case intake accepted: the fact it became, and whether
    it is one accepted before under the same Idempotency-Key. NotFound for a case intake does
    not know; Invalid when the member is not the case's; Conflict for a key reused otherwise.
    Messages are rare beside requests: one transaction each."""
    fingerprint = domain.message_fingerprint(case_id, message)
    async with holder.require().acquire() as conn, conn.transaction():
        before = await _replayed(conn, idempotency_key, fingerprint)
        if before is not None:
            return before, True
        case = await _case(conn, case_id)
        if case.member_id != message.member_id:
            raise Invalid(
                "not_the_member",
                f"Case {case_id} belongs to another member than {message.member_id}.",
            )
        event = domain.member_message_received(
            message, case=case, event_id=uuid4(), now=now, idempotency_key=idempotency_key
        )
        outgoing = event_message(MEMBER_MESSAGES, event)
        faults.point("http.recording")
        stored = await message_store.accept(conn, MEMBER_MESSAGES, event, outgoing, fingerprint)
    if not stored:  # the same key, committed by a concurrent request meanwhile: that one
        async with holder.require().acquire() as conn:
            concurrent = await _replayed(conn, idempotency_key, fingerprint)
        if concurrent is None:  # rolled back since: extremely rare, let the client retry
            raise Conflict("idempotency_conflict", "A concurrent message with this key; retry.")
        return concurrent, True
    faults.point("http.committed")
    holder.on_commit()
    return event, False


async def _case(conn: Conn, case_id: UUID) -> RequestReceived:
    stored = await message_store.requests(conn, [case_id])
    if not stored:
        raise NotFound("not_found", f"No request with case id {case_id}.")
    event = decode(REQUEST_RECEIVED, stored[0])
    assert isinstance(event, RequestReceived)
    return event


async def _replayed(
    conn: Conn, idempotency_key: str | None, fingerprint: str
) -> MemberMessageReceived | None:
    """The message accepted before under this key, if any; Conflict for another message."""
    existing = await message_store.by_key(conn, idempotency_key) if idempotency_key else None
    if existing is None:
        return None
    if existing.fingerprint != fingerprint:
        raise Conflict(
            "idempotency_key_reused", "This Idempotency-Key was used for a different message."
        )
    (stored,) = await message_store.messages(conn, [existing.event_id])
    event = decode(MEMBER_MESSAGES, stored)
    assert isinstance(event, MemberMessageReceived)
    return event


async def erase_member(
    holder: PoolHolder, member_id: str, command: domain.EraseMember, *, by: str, now: datetime
) -> MemberErased:
    """Erases a member: destroys their keys first (from then on nothing of theirs in the log
    opens), then masks intake's rows of them and publishes the fact, in one transaction, for
    every service to mask theirs. Repeating it is harmless (nothing left to destroy; the rows
    are masked already; one more fact that changes nothing)."""
    key_ids = await (await keys.store()).destroy(member_id)
    event = domain.member_erased(
        member_id, command, key_ids=key_ids, by=by, event_id=uuid4(), now=now
    )
    async with holder.require().acquire() as conn, conn.transaction():
        await erasure_store.erase(conn, member_id)
        faults.point("http.recording")
        await outbox.enqueue(conn, [event_message(MEMBER_ERASURES, event)])
    faults.point("http.committed")
    holder.on_commit()
    return event
