"""The redrive topic's handler sends each redriven record to the handler of the topic it was
first read from, topic by topic in the order the service subscribed them."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any, cast

from aiokafka import ConsumerRecord

from shared import dead_letters
from shared.batch import dispatch
from shared.db import Conn
from shared.deliveries import Delivery
from shared.events import ESCALATED, REQUEST_RECEIVED, RESOLVED


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
