"""A service's one Kafka consumer: one FastStream subscriber, so one aiokafka consumer and one
consumer group (the service's name), over every topic the service reads and its redrive topic.

Each batch the broker hands over may hold records of several topics; it is one BatchConsumer
transaction (shared.consumer) in which every record goes to the handler of its topic (a
redriven record: of the topic it was first read from), through ``shared.batch.dispatch``.

Order within a batch: the handlers run topic by topic, **in the order the service subscribed
them**, each with its topic's records in the batch's order (so each partition's order is kept,
as before). Services subscribe causes before their effects (routing: request-received, then
escalated, case-activity, resolved; advisory: routed, then case-activity, escalated, resolved,
sla), so a case's request is applied before an escalation of it that the same batch holds.
When each topic had a consumer of its own no order held across topics at all, and the handlers
were made tolerant of any order across topics (a rebuild reads topics in any order too): this
order is a deterministic one among those. A batch redone one delivery at a time (after a
handler failed) goes in the same order (``in_order``).

One consumer instead of one per topic: a service's idle polling is one fetch loop instead of
five, and a batch carries whatever of the service's topics has arrived, in one transaction.

The AsyncAPI contract documents each topic as a channel of its own, with its schema and its
description, as before: each topic gets a documenting subscriber on the service's contract
broker (``ServiceRuntime.contract``), which is never connected. The live subscriber is left
out of the document (its channels would merge the topics' schemas and descriptions)."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from faststream.kafka import KafkaBroker
from faststream.message import StreamMessage

from shared import dead_letters
from shared.batch import Apply, dispatch
from shared.before_handlers import Rescuers
from shared.consumer import BatchConsumer
from shared.consumer_observer import BatchObserver
from shared.db import PoolHolder
from shared.deliveries import Delivery
from shared.kafka import consumer_options, log_reader
from shared.metrics import ServiceMetrics
from shared.settings import Settings


async def raw_body(message: StreamMessage[Any]) -> Any:
    """FastStream must not decode: the consumer decodes each record and dead-letters bad ones."""
    return message.body


class ServiceConsumer:
    def __init__(
        self,
        name: str,
        settings: Settings,
        holder: PoolHolder,
        metrics: ServiceMetrics,
        contract: KafkaBroker,
        *,
        window_ms: int = 0,
    ) -> None:
        self.name = name
        self._settings = settings
        self._contract = contract
        self._window_ms = window_ms
        # Every topic consumed, the redrive topic included, in the order of subscription.
        self.topics: list[str] = []
        # The live handler of each subscribed topic, in the order of subscription.
        self.handles: dict[str, Apply] = {}
        self.batches = BatchConsumer(
            holder,
            service=name,
            group=name,
            apply=dispatch(self.handles),
            observer=BatchObserver(metrics, name, name),
            holds_records=log_reader(settings.kafka_bootstrap_servers),
            order=self.in_order,
        )
        self._subscriber: Any = None

    def add(self, topic: str, schema: Any, handle: Apply | None, description: str) -> None:
        """Consumes ``topic`` with ``handle`` (None for the redrive topic: its records go to
        the handler of their original topic), and documents it in the contract."""
        if self._subscriber is not None:
            raise RuntimeError(f"{self.name} consumes already: subscribe before it starts")
        self.topics.append(topic)
        if handle is not None:
            self.handles[topic] = handle
        self._document(topic, schema, description)

    def in_order(self, deliveries: Sequence[Delivery]) -> list[Delivery]:
        """The deliveries topic by topic in the order of subscription, each topic's in the
        batch's order (a stable sort)."""
        rank = {topic: i for i, topic in enumerate(self.handles)}
        return sorted(
            deliveries, key=lambda d: rank.get(dead_letters.source_topic(d.record), len(rank))
        )

    def subscribe(self, broker: KafkaBroker, rescuers: Rescuers) -> None:
        """The one live subscriber, once every topic is known (at start, once); ``rescuers``
        hand it the batches FastStream fails on before the handler."""
        if self._subscriber is not None or not self.topics:
            return
        batches = self.batches

        async def handler(events: list[Any]) -> None:
            await batches.handle(broker.context.get_local("message"))

        handler.__name__ = f"{self.name}_consume"
        subscriber = broker.subscriber(*self.topics, **self._options(), include_in_schema=False)
        subscriber(handler)
        rescuers.register(subscriber, batches.handle_records)
        self._subscriber = subscriber

    def kafka_consumers(self) -> list[Any]:
        """aiokafka's consumer (None until the broker started), for the stall watch."""
        return [] if self._subscriber is None else [self._subscriber.consumer]

    def _options(self) -> dict[str, Any]:
        return {
            **consumer_options(self.name, self._settings, self._window_ms),
            "decoder": raw_body,
        }

    def _document(self, topic: str, schema: Any, description: str) -> None:
        """A subscriber of ``topic`` alone on the contract broker, never started: the channel
        the AsyncAPI document shows, with its payload and description."""

        async def handler(events: list[Any]) -> None:
            raise RuntimeError("documentation only: the service's one subscriber consumes")

        # The annotation is what FastStream documents as the payload of the channel.
        handler.__annotations__ = {"events": list[schema], "return": None}
        handler.__name__ = f"{self.name}_on_{topic.replace('-', '_').replace('.', '_')}"
        subscriber = self._contract.subscriber(
            topic, **self._options(), title=f"{self.name}:{topic}", description=description
        )
        subscriber(handler)
