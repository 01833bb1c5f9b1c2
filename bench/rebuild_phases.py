"""The phases of bench.rebuild: producing the events, draining them raw, rebuilding from them.
Each measured phase is run in a fresh process by ``run_phase``."""

from __future__ import annotations

import asyncio
import resource
import time
import uuid
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from multiprocessing.queues import SimpleQueue

import asyncpg
from aiokafka import AIOKafkaProducer
from aiokafka.admin import AIOKafkaAdminClient, NewTopic

from ops import bulk, bulk_read, kafka, schemas
from ops.parallel import run_parallel
from ops.replayer import Replayer
from ops.services import load
from relais_cli.demo_data import stream
from services.intake.domain import SubmitRequest, request_received
from services.routing import domain
from services.routing.deciding import route
from services.routing.organisation.model import DEFAULT_MODEL, Office
from shared.codec import encode
from shared.events import PARTITIONS, REQUEST_RECEIVED, ROUTED
from shared.settings import Settings


@dataclass(frozen=True)
class Names:
    """Where a bench run puts its events and its projection: topics and a scratch schema of its
    own (``bench.request-received``, ``bench.routed``, ``routing_bench`` by default), never the
    contract's."""

    run: str = "bench"

    @property
    def topics(self) -> dict[str, str]:
        return {REQUEST_RECEIVED: f"{self.run}.request-received", ROUTED: f"{self.run}.routed"}

    @property
    def schema(self) -> str:
        return f"routing_{self.run}"


async def ensure_events(settings: Settings, events: int, names: Names) -> None:
    """Fills the bench topics with ``events`` events, unless they already hold that many."""
    bootstrap = settings.kafka_bootstrap_servers
    admin = AIOKafkaAdminClient(bootstrap_servers=bootstrap)
    await admin.start()
    try:
        missing = [t for t in names.topics.values() if t not in set(await admin.list_topics())]
        if missing:
            await admin.create_topics([NewTopic(t, PARTITIONS, 1) for t in missing])
    finally:
        await admin.close()
    async with kafka.reader(bootstrap) as consumer:
        held = sum(
            (
                await kafka.ends(consumer, await kafka.partitions(bootstrap, names.topics.values()))
            ).values()
        )
    if held == events:
        return
    if held:
        raise SystemExit(f"the bench topics hold {held} events, not {events}: delete them first")
    await produce(bootstrap, events, names.topics)


async def produce(bootstrap: str, events: int, topics: dict[str, str]) -> None:
    """Half requests from 20,000 members, half the routing decisions about them."""
    producer = AIOKafkaProducer(
        bootstrap_servers=bootstrap, linger_ms=20, max_batch_size=1024 * 1024, acks=1
    )
    await producer.start()
    base = datetime(2025, 1, 6, 8, 0, tzinfo=UTC)
    try:
        pending = []
        for i, body in enumerate(stream(events // 2, seed=11, member_count=20_000)):
            case_id = uuid.uuid4()
            at = base + timedelta(seconds=i)
            request = request_received(
                SubmitRequest.model_validate(body),
                case_id=case_id,
                event_id=uuid.uuid4(),
                correlation_id=case_id,
                now=at,
                idempotency_key=f"bench-{i}",
            )
            # Routed as by an office routing knows nothing of (no desks, no advisers): the
            # phases measure reading and writing, not the policies.
            decision = route(request, Office(request.member.home_office, DEFAULT_MODEL), None)
            routed = domain.case_routed(request, decision, at + timedelta(seconds=1))
            key = str(case_id).encode()
            pending.append(await producer.send(topics[REQUEST_RECEIVED], encode(request), key=key))
            pending.append(await producer.send(topics[ROUTED], encode(routed), key=key))
            if len(pending) >= 20_000:
                await asyncio.gather(*pending)
                pending = []
        await asyncio.gather(*pending)
    finally:
        await producer.stop()


async def drain(events: int, names: Names) -> dict[str, float]:
    """Reads every bench event with a bare aiokafka consumer, as fast as it goes."""
    bootstrap = Settings().kafka_bootstrap_servers
    tps = await kafka.partitions(bootstrap, names.topics.values())
    async with kafka.reader(bootstrap) as consumer:
        consumer.assign(tps)
        await consumer.seek_to_beginning(*tps)
        seen = 0
        started = time.perf_counter()
        while seen < events:
            batch = await consumer.getmany(timeout_ms=500, max_records=8000)
            seen += sum(len(records) for records in batch.values())
        seconds = time.perf_counter() - started
    return {"events": seen, "seconds": seconds, "rate": seen / seconds}


async def drain_librdkafka(events: int, names: Names) -> dict[str, float]:
    """Reads every bench event with the bulk pass's own reader (ops.bulk_read, librdkafka),
    timed from its start, as the rebuild is: not the baseline, what the reading alone costs."""
    bootstrap = Settings().kafka_bootstrap_servers
    tps = await kafka.partitions(bootstrap, names.topics.values())
    async with kafka.reader(bootstrap) as consumer:
        start, stop = await kafka.starts(consumer, tps), await kafka.ends(consumer, tps)
    seen = 0
    started = time.perf_counter()
    async for chunk in bulk_read.read(bootstrap, start, stop):
        seen += sum(len(records) for records in chunk.values())
    seconds = time.perf_counter() - started
    return {"events": seen, "seconds": seconds, "rate": seen / seconds}


async def rebuild(events: int, workers: int, names: Names) -> dict[str, float]:
    """Rebuilds routing's projection from the bench topics into a scratch schema."""
    settings = Settings()
    service = load("routing", settings)
    dsn = settings.ops_dsn()
    ops = await asyncpg.connect(dsn)
    try:
        shadow = await schemas.create(
            ops,
            dsn,
            live=service.schema,
            shadow=names.schema,
            migrations=service.migrations,
            check=False,
        )
        try:
            bootstrap = settings.kafka_bootstrap_servers
            replayer = Replayer(service, shadow, bootstrap, topic_names=names.topics)
            tps = await kafka.partitions(bootstrap, names.topics.values())
            async with kafka.reader(bootstrap) as consumer:
                replayer.positions = await kafka.starts(consumer, tps)
                stop = await kafka.ends(consumer, tps)
            started = time.perf_counter()
            # As ShadowRun.catch_up's first round: the bulk loader, the handlers for the rest.
            indexes = await schemas.prepare_bulk(
                ops, names.schema, bulk.filled_in_bulk(service.name)
            )
            rest = await bulk.load(replayer, stop, lambda _n: None, workers)
            if workers > 1:
                await run_parallel(replayer, rest, workers, lambda _n: None)
            else:
                await replayer.run(rest, lambda _n: None)
            await schemas.end_bulk(shadow.pool, names.schema, indexes)
            seconds = time.perf_counter() - started
            rows = {
                f"rows.{t}": float(await ops.fetchval(f"SELECT count(*) FROM {names.schema}.{t}"))
                for t in ("cases", "members")
            }
        finally:
            await shadow.pool.close()
        await schemas.drop(ops, names.schema)
    finally:
        await ops.close()
    done = replayer.counts.read
    assert done == events, f"rebuilt {done} events of {events}"
    return {"events": done, "seconds": seconds, "rate": done / seconds, **rows}


def run_phase(
    name: str, events: int, workers: int = 1, names: Names | None = None
) -> dict[str, float]:
    """Entry point of a phase's process: its numbers, and the peak RSS of the process (and of
    its largest worker process, if any)."""
    names = names or Names()
    phases = {
        "drain": lambda: drain(events, names),
        "drain_librdkafka": lambda: drain_librdkafka(events, names),
        "rebuild": lambda: rebuild(events, workers, names),
    }
    numbers = asyncio.run(phases[name]())
    own = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    children = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024
    return {**numbers, "peak_rss_mb": own, "peak_worker_rss_mb": children}


def report_phase(
    name: str, events: int, workers: int, names: Names, results: SimpleQueue[dict[str, float]]
) -> None:
    results.put(run_phase(name, events, workers, names))
