"""A service reads every topic through one consumer: one group, one subscriber, and the
handlers of a batch's topics applied in the order the service subscribed them."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any, cast

from aiokafka import ConsumerRecord
from faststream.specification import AsyncAPI

from services.advisory.app import build as advisory
from services.routing.app import build as routing
from shared import dead_letters
from shared.batch import dispatch
from shared.before_handlers import Rescuers
from shared.db import Conn
from shared.deliveries import Delivery
from shared.events import CASE_ACTIVITY, ESCALATED, ORGANISATION, REQUEST_RECEIVED, RESOLVED
from shared.settings import Settings


def record(topic: str, offset: int, origin: str | None = None) -> ConsumerRecord[bytes, bytes]:
    headers = [(dead_letters.ORIGINAL_TOPIC, origin.encode())] if origin else []
    return ConsumerRecord(
        topic=topic,
        partition=0,
        offset=offset,
        timestamp=0,
        timestamp_type=0,
        key=b"case-1",
        value=b"{}",
        checksum=None,
        serialized_key_size=6,
        serialized_value_size=2,
        headers=headers,
    )


def delivery(topic: str, offset: int, origin: str | None = None) -> Delivery:
    return Delivery(cast(Any, None), record(topic, offset, origin))


def test_routing_consumes_every_topic_and_its_redrive_in_one_group() -> None:
    runtime, _ = routing(Settings())
    assert runtime.consumer is not None
    assert runtime.topics == [
        "routing.redrive",
        REQUEST_RECEIVED,
        ESCALATED,
        CASE_ACTIVITY,
        RESOLVED,
        ORGANISATION,
    ]
    # Every source a rebuild reads, as before: the topics, the redrive topic, own facts.
    assert [s.topic for s in runtime.sources if s.live] == runtime.topics


def test_a_batch_is_applied_topic_by_topic_in_the_order_of_subscription() -> None:
    runtime, _ = advisory(Settings())
    assert runtime.consumer is not None
    batch = [
        delivery(RESOLVED, 1),
        delivery("advisory.redrive", 9, origin="routed"),
        delivery(ESCALATED, 4),
        delivery("routed", 7),
        delivery("routed", 3),
    ]
    ordered = runtime.consumer.in_order(batch)
    # routed first (the redriven one with them, each topic in the batch's order), then
    # escalated, then resolved.
    assert [(d.record.topic, d.record.offset) for d in ordered] == [
        ("advisory.redrive", 9),
        ("routed", 7),
        ("routed", 3),
        (ESCALATED, 4),
        (RESOLVED, 1),
    ]


async def test_dispatch_calls_each_topics_handler_in_the_order_of_subscription() -> None:
    calls: list[tuple[str, list[int]]] = []

    def handler(topic: str) -> Any:
        async def apply(conn: Conn, deliveries: Sequence[Delivery]) -> None:
            calls.append((topic, [d.record.offset for d in deliveries]))

        return apply

    applies = {t: handler(t) for t in (REQUEST_RECEIVED, ESCALATED, RESOLVED)}
    batch = [
        delivery(RESOLVED, 5),
        delivery(ESCALATED, 2),
        delivery("routing.redrive", 8, origin=REQUEST_RECEIVED),
        delivery(REQUEST_RECEIVED, 1),
    ]
    await dispatch(applies)(cast(Conn, None), batch)
    assert calls == [(REQUEST_RECEIVED, [8, 1]), (ESCALATED, [2]), (RESOLVED, [5])]


def test_one_live_subscriber_reads_every_topic_and_stays_out_of_the_contract() -> None:
    runtime, _ = routing(Settings())
    assert runtime.consumer is not None
    runtime.consumer.subscribe(runtime.broker, Rescuers())
    runtime.consumer.subscribe(runtime.broker, Rescuers())  # at a second start: still one
    [subscriber] = runtime.broker.subscribers
    assert [t.name for t in cast(Any, subscriber).topics] == runtime.topics
    assert AsyncAPI(runtime.broker).to_specification().to_jsonable().get("channels", {}) == {}
    # The contract documents each topic as a channel of its own, with its description.
    channels = AsyncAPI(runtime.contract).to_specification().to_jsonable()["channels"]
    assert {f"routing:{t}" for t in runtime.topics} <= channels.keys()
    assert "escalated" in channels["routing:escalated"]["description"]
