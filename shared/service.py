"""What every Relais service is made of: settings, a database schema, a FastStream broker with
its subscribers and documented publishers, an outbox relay, and an HTTP app. Each service's
``app.py`` only wires its own pieces into a ``ServiceRuntime``.

The runtime also knows where the service's projection comes from (``sources``): the topics it
subscribes to, its redrive topic, and the topics holding facts it decided itself (``own_facts``)
— so ops tools can rebuild any service's projection from the log alone.

A subscription names two handlers: ``apply`` folds the events' facts into the projection,
``decide`` (optional) makes the service's decisions on them (new events, through the outbox).
Live, the consumer runs both in the batch's transaction; a source hands ops only ``apply``: a
decision is itself a fact in the log, possibly made with a policy, a clock or a state that no
longer exists, so a rebuild reads it back rather than deciding again."""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import AsyncIterator, Callable, Coroutine, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import asyncpg
from faststream.kafka import KafkaBroker
from faststream.message import StreamMessage

from shared import db, dead_letters, keys, lag, stalls, tracing_setup
from shared.batch import Delivery, dispatch
from shared.before_handlers import Rescuers
from shared.consumer import Apply, BatchConsumer
from shared.consumer_observer import BatchObserver
from shared.db import Conn, PoolHolder
from shared.kafka import consumer_options, log_reader, new_broker, new_producer
from shared.metrics import ServiceMetrics
from shared.outbox import OutboxRelay
from shared.settings import Settings

log = logging.getLogger(__name__)

PoolStep = Callable[[asyncpg.Pool], Coroutine[Any, Any, object]]
PoolWork = Callable[[asyncpg.Pool], Coroutine[Any, Any, None]]


async def raw_body(message: StreamMessage[Any]) -> Any:
    """FastStream must not decode: the consumer decodes each record and dead-letters bad ones."""
    return message.body


@dataclass(frozen=True)
class Source:
    """A topic the service's projection is built from, and the handler that applies its facts
    (never the one that decides: see the module's docstring).

    ``live``: consumed by the service's consumer group. Otherwise the topic holds facts the
    service decided itself (and applied as it decided them): only a rebuild reads it back."""

    topic: str
    apply: Apply
    live: bool


def then(apply: Apply, decide: Apply) -> Apply:
    """A live batch: its facts applied, then decided on, on the same connection (transaction)."""

    async def handle(conn: Conn, deliveries: Sequence[Delivery]) -> None:
        await apply(conn, deliveries)
        await decide(conn, deliveries)

    return handle


class ServiceRuntime:
    def __init__(
        self,
        name: str,
        settings: Settings,
        migrations: Path,
        *,
        batch_window_ms: int = 0,
        ready_without_kafka: bool = False,
        keeps_sealed: bool = False,
    ) -> None:
        self.name = name
        # What the handlers see of personal fields (shared.keys.reading): opened, or, for a
        # service that shows none (routing), left sealed; masked either way once erased.
        self.keeps_sealed = keeps_sealed
        # /ready asks Kafka and the consumers' lag of a service whose HTTP answers read what it
        # consumed; one whose API reads only what it wrote itself (intake) is ready without.
        self.ready_without_kafka = ready_without_kafka
        # Off the latency-critical path, a service can let batches fill (shared.kafka).
        self.batch_window_ms = batch_window_ms
        self.settings = settings
        self.migrations = migrations
        self._rescuers = Rescuers()
        self._subscribers: list[Any] = []
        self.broker: KafkaBroker = new_broker(settings, name, self._rescuers)
        self.holder = PoolHolder()
        self.consumers: list[BatchConsumer] = []
        self.sources: list[Source] = []
        # Per subscribed topic, for the redrive topic: what a live consumer runs, what ops runs.
        self._handles: dict[str, Apply] = {}
        self._applies: dict[str, Apply] = {}
        self.relay: OutboxRelay | None = None
        self.kafka_connected = False
        # Observability (shared/telemetry.py, shared/metrics.py): what /metrics and /ready use.
        self.metrics = ServiceMetrics(name)
        self.topics: list[str] = []
        self.probe = lag.OffsetsProbe(settings.kafka_bootstrap_servers, f"relais-{name}-probe")
        self._start_steps: list[PoolStep] = []
        self._background: list[tuple[str, PoolWork]] = []

    def on_start(self, step: PoolStep) -> None:
        """A step run once the schema is migrated, before relaying and consuming (e.g. loading
        reference data the first time). A step that fails stops the start."""
        self._start_steps.append(step)

    def background(self, name: str, work: PoolWork) -> None:
        """Work the service runs while it lives, beside its consumers (e.g. a periodic tick);
        cancelled at shutdown."""
        self._background.append((name, work))

    def publishes(self, topic: str, schema: Any, description: str) -> None:
        """Documents, in the AsyncAPI contract, a topic this service publishes (via its outbox)."""
        self.broker.publisher(topic, schema=schema, title=topic, description=description)

    def subscribe(
        self,
        topic: str,
        schema: Any,
        apply: Apply,
        description: str,
        *,
        decide: Apply | None = None,
    ) -> BatchConsumer:
        """Consumes ``topic`` in the service's consumer group: each batch's facts are applied
        (``apply``), then decided on (``decide``), in one transaction. A rebuild applies only."""
        if not self.consumers:
            self._subscribe_redrive()
        # The batch's personal fields are opened once for both handlers.
        handle = self._reading(apply if decide is None else then(apply, decide))
        apply = self._reading(apply)
        self._handles[topic] = handle
        self._applies[topic] = apply
        return self._consume(topic, schema, handle, apply, description)

    def own_facts(self, topic: str, apply: Apply) -> None:
        """Declares a topic of facts this service decides and publishes itself, which its
        projection also holds: ``apply`` folds them in when a rebuild reads them back. Live,
        the service applies a fact as it decides it and never consumes its own topic."""
        self.sources.append(Source(topic, self._reading(apply), live=False))

    def _reading(self, apply: Apply) -> Apply:
        return keys.reading(apply, keep_sealed=self.keeps_sealed)

    def _consume(
        self, topic: str, schema: Any, handle: Apply, apply: Apply, description: str
    ) -> BatchConsumer:
        consumer = BatchConsumer(
            self.holder,
            service=self.name,
            group=self.name,
            apply=handle,
            observer=BatchObserver(self.metrics, self.name, self.name),
            holds_records=log_reader(self.settings.kafka_bootstrap_servers),
        )
        broker = self.broker

        async def handler(events: list[Any]) -> None:
            await consumer.handle(broker.context.get_local("message"))

        # The annotation is what FastStream documents as the payload of the channel.
        handler.__annotations__ = {"events": list[schema], "return": None}
        handler.__name__ = f"{self.name}_on_{topic.replace('-', '_').replace('.', '_')}"
        subscriber = broker.subscriber(
            topic,
            **consumer_options(self.name, self.settings, self.batch_window_ms),
            decoder=raw_body,
            title=f"{self.name}:{topic}",
            description=description,
        )
        subscriber(handler)
        self._rescuers.register(subscriber, consumer.handle_records)
        self._subscribers.append(subscriber)
        self.consumers.append(consumer)
        self.topics.append(topic)
        self.sources.append(Source(topic, apply, live=True))
        return consumer

    def _subscribe_redrive(self) -> None:
        """A consuming service owns a dead-letter topic, and a redrive topic to read its dead
        letters back from after a fix (each as an event of the topic it first came from)."""
        self.publishes(
            dead_letters.topic_for(self.name),
            bytes,
            f"Messages {self.name} could never process: the original key and value, with "
            "headers dlq.reason, dlq.original_topic, dlq.original_partition, "
            "dlq.original_offset, dlq.service, dlq.consumer_group, dlq.failed_at, "
            "dlq.redrives (how many times it was redriven before failing), "
            "dlq.failed_record (topic/partition/offset of the record that failed: the original, "
            "or the redrive record). A rebuild skips the records named there, as the service "
            "did.",
        )
        self._consume(
            dead_letters.redrive_topic_for(self.name),
            bytes,
            dispatch(self._handles),
            dispatch(self._applies),
            f"Dead letters of {self.name} sent back after a fix (`relais dlq redrive`), with "
            "their dlq.* headers; each is handled as an event of dlq.original_topic. One that "
            "fails again returns to the dead-letter topic with dlq.redrives counted.",
        )

    async def end_offsets(self, topics: list[str]) -> dict[lag.Partition, int]:
        """The end offset of every partition of ``topics`` (raises if Kafka does not answer)."""
        return await self.probe.end_offsets(topics)

    async def lag(self, ends: dict[lag.Partition, int] | None = None) -> dict[lag.Partition, int]:
        """Messages of the subscribed topics this service's group has not applied yet."""
        ends = ends if ends is not None else await self.end_offsets(self.topics)
        return await lag.consumer_lag(self.holder.require(), self.name, ends)

    @contextlib.asynccontextmanager
    async def lifespan(self, _app: Any = None) -> AsyncIterator[None]:
        """tracing -> wait for the database -> migrate -> relay the outbox -> consume."""
        tracing_setup.start_tracing(self.name, self.settings)
        pool = await db.connect(self.settings.dsn(self.name), self.name)
        await db.migrate(pool, self.name, [db.PLUMBING_MIGRATIONS, self.migrations])
        await keys.store()  # the members' keys: reachable before anything is sealed or opened
        self.holder.pool = pool
        relay = OutboxRelay(
            pool, self.name, lambda: new_producer(self.settings), self.settings.outbox_batch
        )
        self.relay = relay
        self.holder.on_commit = relay.notify
        try:
            for step in self._start_steps:
                await step(pool)
        except BaseException:
            await pool.close()
            raise
        tasks = [asyncio.create_task(relay.run(), name=f"{self.name}-outbox")]
        tasks += [
            asyncio.create_task(work(pool), name=f"{self.name}-{what}")
            for what, work in self._background
        ]
        if self.consumers:
            tasks.append(asyncio.create_task(self._start_broker(), name=f"{self.name}-broker"))
            watch = stalls.watch(self.name, pool, self._kafka_consumers)
            tasks.append(asyncio.create_task(watch, name=f"{self.name}-stalls"))
        try:
            yield
        finally:
            for task in tasks:
                task.cancel()
            await asyncio.gather(*tasks, return_exceptions=True)
            if self.kafka_connected:
                await self.broker.stop()
            await self.probe.close()
            await pool.close()
            tracing_setup.flush()

    def _kafka_consumers(self) -> list[Any]:
        """aiokafka's consumer of each subscriber (None until the broker started)."""
        return [subscriber.consumer for subscriber in self._subscribers]

    async def _start_broker(self) -> None:
        # Kafka may be down when the service starts: keep trying, the HTTP side serves anyway.
        while True:
            try:
                await self.broker.start()
                self.kafka_connected = True
                log.info("consuming", extra={"service": self.name})
                return
            except Exception as exc:
                log.warning("Kafka not reachable yet (%s); retrying", exc)
                with contextlib.suppress(Exception):
                    await self.broker.stop()
                await asyncio.sleep(1.0)
