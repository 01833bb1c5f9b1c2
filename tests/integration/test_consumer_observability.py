"""What a consumer batch shows ops, through routing's real handler and PostgreSQL: a span per
delivery continuing the producer's trace, the database work under the batch, follow-up events
published in the same trace, and the metrics of processed, failed and redelivered messages."""

from __future__ import annotations

import dataclasses
from typing import Any

import asyncpg
import orjson
from opentelemetry import propagate, trace
from opentelemetry.sdk.trace import ReadableSpan
from opentelemetry.sdk.trace.export.in_memory_span_exporter import InMemorySpanExporter
from opentelemetry.trace import SpanKind, StatusCode

from shared import telemetry
from shared.consumer import BatchConsumer
from shared.consumer_observer import BatchObserver
from shared.db import PoolHolder
from shared.metrics import ServiceMetrics
from tests.integration.conftest import ScratchFactory
from tests.integration.test_routing_projection import records
from tests.support import routing_live

Record = Any


def worker(pool: asyncpg.Pool, metrics: ServiceMetrics | None = None) -> BatchConsumer:
    holder = PoolHolder()
    holder.pool = pool
    observer = BatchObserver(metrics, "routing", "routing")
    return BatchConsumer(
        holder, service="routing", group="routing", apply=routing_live.on_request_received,
        observer=observer,
    )  # fmt: skip


def produced(batch: list[Record]) -> tuple[list[Record], list[trace.SpanContext]]:
    """Each record as a producer would send it: in a trace of its own, context in headers."""
    sent, contexts = [], []
    for record in batch:
        with telemetry.tracer().start_as_current_span("member request") as span:
            carrier: dict[str, str] = {}
            propagate.inject(carrier)
            contexts.append(span.get_span_context())
        headers = [*record.headers, *((k, v.encode()) for k, v in carrier.items())]
        sent.append(dataclasses.replace(record, headers=headers))
    return sent, contexts


def named(finished: tuple[ReadableSpan, ...], name: str) -> list[ReadableSpan]:
    return [s for s in finished if s.name == name]


async def outgoing_parents(pool: asyncpg.Pool, topic: str) -> list[tuple[int, int]]:
    """(trace id, parent span id) carried by each outbox row of ``topic``."""
    rows = await pool.fetch("SELECT headers FROM outbox WHERE topic = $1 ORDER BY id", topic)
    carried = []
    for row in rows:
        context = trace.get_current_span(propagate.extract(orjson.loads(row["headers"])))
        carried.append((context.get_span_context().trace_id, context.get_span_context().span_id))
    return carried


async def test_a_one_record_batch_nests_under_the_producer(
    scratch_schema: ScratchFactory, spans: InMemorySpanExporter
) -> None:
    pool = await scratch_schema("routing")
    (record,), (producer,) = produced(records(1, seed=31))
    # When routing processes a batch of that one record
    await worker(pool).process([record])
    finished = spans.get_finished_spans()
    # Then the batch is a child of the producer, the delivery a child of the batch
    (batch,) = named(finished, "routing process batch")
    (delivery,) = named(finished, "request-received process")
    assert batch.parent is not None
    assert batch.parent.span_id == producer.span_id
    assert delivery.parent is not None
    assert delivery.parent.span_id == batch.context.span_id
    assert delivery.kind is SpanKind.CONSUMER
    assert delivery.context.trace_id == producer.trace_id
    assert delivery.attributes is not None
    assert delivery.attributes["relais.case_id"] == record.key.decode()
    # And the queries ran under the batch span
    queries = [s for s in finished if s.kind is SpanKind.CLIENT]
    assert queries
    assert all(q.parent is not None and q.parent.span_id == batch.context.span_id for q in queries)
    # And the routed event is published in the same trace, as a child of the delivery
    (publish,) = named(finished, "routed publish")
    assert publish.parent is not None
    assert publish.parent.span_id == delivery.context.span_id
    assert await outgoing_parents(pool, "routed") == [(producer.trace_id, publish.context.span_id)]


async def test_a_batch_of_many_traces_links_them_and_keeps_each_in_its_own(
    scratch_schema: ScratchFactory, spans: InMemorySpanExporter
) -> None:
    pool = await scratch_schema("routing")
    batch, producers = produced(records(3, seed=32))
    batch[1] = dataclasses.replace(batch[1], value=b"{poison")
    await worker(pool).process(batch)
    finished = spans.get_finished_spans()
    (batch_span,) = named(finished, "routing process batch")
    assert batch_span.parent is None
    assert {link.context.span_id for link in batch_span.links} == {p.span_id for p in producers}
    deliveries = named(finished, "request-received process")
    assert sorted(d.parent.span_id for d in deliveries if d.parent) == sorted(
        p.span_id for p in producers
    )
    # The poison message's delivery says it was dead-lettered; its dead letter keeps the trace
    (poisoned,) = [d for d in deliveries if d.parent and d.parent.span_id == producers[1].span_id]
    assert poisoned.status.status_code is StatusCode.ERROR
    assert [e.name for e in poisoned.events] == ["dead-lettered"]
    (dead,) = await outgoing_parents(pool, "routing.dead-letter")
    assert dead == (producers[1].trace_id, producers[1].span_id)
    # And each routed event continues its own request's trace
    carried = {t for t, _ in await outgoing_parents(pool, "routed")}
    assert carried == {producers[0].trace_id, producers[2].trace_id}


async def test_metrics_count_processed_failed_and_redelivered_per_topic(
    scratch_schema: ScratchFactory,
) -> None:
    pool = await scratch_schema("routing")
    metrics = ServiceMetrics("routing")
    batch = records(5, seed=33)
    batch[3] = dataclasses.replace(batch[3], value=b"[]")
    # When a batch with one bad message is processed, then delivered again
    await worker(pool, metrics).process(batch)
    await worker(pool, metrics).process(batch)

    def sample(name: str, **labels: str) -> float | None:
        labels = {"service": "routing", "topic": "request-received", **labels}
        return metrics.registry.get_sample_value(name, labels)

    # Then four were applied, one failed as undecodable, five were skipped the second time
    assert sample("relais_messages_processed_total") == 4
    assert sample("relais_messages_failed_total", reason="undecodable") == 1
    assert sample("relais_messages_redelivered_total") == 5
    assert sample("relais_handler_duration_seconds_count") == 2
    assert sample("relais_batch_max_message_age_seconds_count") == 1  # only one had new ones
