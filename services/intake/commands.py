"""intake's one command, accepting a member's request: the event it becomes, stored with its
outgoing message, and the answer to an Idempotency-Key used before.

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

from services.intake import domain, projection, queries
from services.intake.projection import Submission
from shared import faults
from shared.batch import is_transient
from shared.db import PoolHolder
from shared.events import REQUEST_RECEIVED
from shared.outbox import event_message
from shared.refusals import Conflict

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
