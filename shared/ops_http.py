"""Every service's ops endpoints, the same in each (mounted by shared/http.py `create_app`):
its consumer lag per consumer group, its outbox backlog, its dead letters with their reasons,
and their redrive after a fix. Role ops only. They measure and act as `relais lag` and
`relais dlq` do (shared/backlogs.py, shared/dead_letter_log.py), from inside the service."""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator, Awaitable
from typing import Annotated, Any, TypeVar

import orjson
from aiokafka.admin import AIOKafkaAdminClient
from aiokafka.errors import KafkaError
from fastapi import APIRouter, Depends, Path, Query

from shared import backlogs
from shared import dead_letter_log as dlq
from shared import dead_letters as dl
from shared import kafka_reads as kafka
from shared.auth import requires
from shared.identity import Principal, Role
from shared.ops_views import (
    DETAIL,
    LETTERS,
    REDRIVEN,
    STATUS,
    DeadLetterDetail,
    DeadLetterList,
    DeadLetterView,
    GroupLag,
    OpsStatus,
    OutboxBacklog,
    PartitionLagView,
    Redrive,
    Redriven,
    ok,
)
from shared.problems import Problem
from shared.refusals import NotFound, Unavailable
from shared.service import ServiceRuntime

Ops = Annotated[Principal, Depends(requires(Role.OPS))]
KAFKA_TIMEOUT_S = 10.0
UNAVAILABLE: dict[int | str, dict[str, Any]] = {
    503: {"model": Problem, "description": "Kafka does not answer now (`kafka_unavailable`)."}
}
NOT_FOUND: dict[int | str, dict[str, Any]] = {
    404: {"model": Problem, "description": "No dead letter at that position (`no_dead_letter`)."}
}
T = TypeVar("T")


async def answered(work: Awaitable[T]) -> T:
    """The broker's answer, or a 503 in words when it does not give one in time."""
    try:
        return await asyncio.wait_for(work, KAFKA_TIMEOUT_S)
    except (KafkaError, TimeoutError, OSError) as exc:
        raise Unavailable(
            "kafka_unavailable", f"Kafka does not answer now ({type(exc).__name__}); try again."
        ) from None


def ops_router(runtime: ServiceRuntime) -> APIRouter:
    router = APIRouter(prefix="/ops", tags=["ops"])
    name, settings = runtime.name, runtime.settings

    @router.get("/status", response_model=OpsStatus, responses={**UNAVAILABLE, **ok(STATUS)})
    async def status(actor: Ops) -> OpsStatus:
        """How far behind the service is: its consumer group's lag on every partition it
        consumes (against the positions stored with its projection), its outbox backlog and
        the messages in its dead-letter topic."""
        return await answered(measure(runtime))

    @router.get(
        "/dead-letters", response_model=DeadLetterList, responses={**UNAVAILABLE, **ok(LETTERS)}
    )
    async def dead_letters(
        actor: Ops,
        pending: Annotated[bool, Query(description="Only those not redriven yet.")] = False,
    ) -> DeadLetterList:
        """The messages the service could never process, oldest first per partition, each with
        where it came from and why it failed."""
        letters = await answered(dlq.read(settings, name))
        return DeadLetterList(
            service=name,
            pending=sum(not d.redriven for d in letters),
            dead_letters=[summary(d) for d in letters if not (pending and d.redriven)],
        )

    @router.get(
        "/dead-letters/{partition}/{offset}",
        response_model=DeadLetterDetail,
        responses={**UNAVAILABLE, **NOT_FOUND, **ok(DETAIL)},
    )
    async def dead_letter(
        actor: Ops,
        partition: Annotated[int, Path(ge=0, description="Partition of the dead-letter topic.")],
        offset: Annotated[int, Path(ge=0, description="Its offset there.")],
    ) -> DeadLetterDetail:
        """One dead letter in full: its key, every header, its value."""
        letters = await answered(dlq.read(settings, name))
        found = [d for d in letters if (d.partition, d.offset) == (partition, offset)]
        if not found:
            raise NotFound("no_dead_letter", f"{name} has no dead letter at {partition}:{offset}.")
        return detail(found[0])

    @router.post(
        "/dead-letters/redrive",
        response_model=Redriven,
        responses={**UNAVAILABLE, **NOT_FOUND, **ok(REDRIVEN)},
    )
    async def redrive(actor: Ops, body: Redrive) -> Redriven:
        """Send dead letters back to the service after a fix, through `<service>.redrive`: the
        positions given, or every one not redriven yet. Each is processed again as an event of
        its original topic; one that fails again returns to the dead-letter topic, once."""
        at = None if body.positions is None else [(p.partition, p.offset) for p in body.positions]
        try:
            sent = await answered(dlq.redrive(settings, name, at))
        except LookupError as exc:
            raise NotFound("no_dead_letter", f"{exc}.") from None
        return Redriven(service=name, redriven=[summary(d, redriven=True) for d in sent])

    return router


@contextlib.asynccontextmanager
async def admin_client(bootstrap: str) -> AsyncIterator[AIOKafkaAdminClient]:
    admin = AIOKafkaAdminClient(bootstrap_servers=bootstrap, client_id="relais-ops")
    await admin.start()
    try:
        yield admin
    finally:
        await admin.close()


async def measure(runtime: ServiceRuntime) -> OpsStatus:
    name, bootstrap = runtime.name, runtime.settings.kafka_bootstrap_servers
    async with (
        kafka.reader(bootstrap) as consumer,
        admin_client(bootstrap) as admin,
        runtime.holder.require().acquire() as conn,
    ):
        lags = await backlogs.partition_lags(conn, consumer, admin, bootstrap, name, runtime.topics)
        backlog = await backlogs.backlog(conn, consumer, bootstrap, name)
    partitions = [
        PartitionLagView(
            topic=p.topic,
            partition=p.partition,
            position=p.position,
            committed=p.committed,
            end=p.end,
            lag=p.lag,
        )
        for p in lags
    ]
    groups = [GroupLag(group=name, lag=sum(p.lag for p in partitions), partitions=partitions)]
    return OpsStatus(
        service=name,
        consumer_groups=groups if runtime.topics else [],
        outbox=OutboxBacklog(rows=backlog.outbox_rows, oldest_age_seconds=backlog.outbox_age_s),
        dead_letters=backlog.dead_letters,
    )


def summary(letter: dlq.DeadLetter, *, redriven: bool | None = None) -> DeadLetterView:
    h = letter.headers
    return DeadLetterView(
        partition=letter.partition,
        offset=letter.offset,
        origin_topic=h.get(dl.ORIGINAL_TOPIC, ""),
        origin_partition=int(h.get(dl.ORIGINAL_PARTITION) or -1),
        origin_offset=int(h.get(dl.ORIGINAL_OFFSET) or -1),
        failed_at=letter.failed_at,
        redrives=letter.redrives,
        redriven=letter.redriven if redriven is None else redriven,
        reason=letter.reason,
        event_type=h.get("event_type"),
        key=None if letter.key is None else letter.key.decode("utf-8", errors="replace"),
    )


def detail(letter: dlq.DeadLetter) -> DeadLetterDetail:
    try:
        value: Any = orjson.loads(letter.value)
    except orjson.JSONDecodeError:
        value = letter.value.decode("utf-8", errors="replace")
    return DeadLetterDetail(
        **summary(letter).model_dump(),
        headers=letter.headers,
        value=value,
    )
