"""What a consumer batch shows ops: spans and metrics, kept out of the consumer's logic.

Tracing (when enabled): the batch transaction is a CONSUMER span (its database work under it)
linked to the context of every record; each fresh record gets a CONSUMER span of its own,
child of the context its headers carry (the producer's span), linked to the batch span. A
one-record batch is simply nested: producer -> batch -> delivery. Events a handler derives
from a delivery are published as children of its span (``telemetry.causes``), so one trace
follows a case from service to service."""

from __future__ import annotations

import contextlib
import time
from collections import Counter
from collections.abc import Iterator, Sequence
from contextlib import AbstractContextManager
from types import TracebackType
from typing import Any

from opentelemetry import context, trace
from opentelemetry.context import Context
from opentelemetry.trace import Link, Span, SpanKind, Status, StatusCode

from shared import telemetry
from shared.deliveries import Delivery, Failure, FailureKind
from shared.headers import value_of
from shared.metrics import ServiceMetrics

Key = tuple[str, int, int]


def key_of(record: Any) -> Key:
    return (record.topic, record.partition, record.offset)


class BatchObserver:
    """One per consumer: where its batches report."""

    def __init__(self, metrics: ServiceMetrics | None, service: str, group: str) -> None:
        self.metrics = metrics
        self.service = service
        self.group = group

    def batch(self, records: Sequence[Any]) -> BatchScope:
        return BatchScope(self, records)

    def rewound(self, records: Sequence[Any]) -> None:
        if self.metrics is not None:
            for topic in {r.topic for r in records}:
                self.metrics.batch_rewinds.labels(self.service, topic).inc()


class BatchScope:
    """The spans and measurements of one attempt at one batch."""

    def __init__(self, observer: BatchObserver, records: Sequence[Any]) -> None:
        self._observer = observer
        self._records = records
        self._fresh: Sequence[Any] = ()
        self._start = time.perf_counter()
        self._batch_span: Span | None = None
        self._spans: dict[Key, Span] = {}
        self._token: object | None = None

    def __enter__(self) -> BatchScope:
        if telemetry.enabled() and self._records:
            self._start_batch_span()
        return self

    def _start_batch_span(self) -> None:
        single = len(self._records) == 1
        incoming = [telemetry.incoming_context(r.headers) for r in self._records]
        links = [] if single else [Link(_span_context(c)) for c in incoming if len(c)]
        self._batch_span = telemetry.tracer().start_span(
            f"{self._observer.group} process batch",
            context=incoming[0] if single else Context(),
            kind=SpanKind.CONSUMER,
            links=links,
            attributes={
                "messaging.system": "kafka",
                "messaging.consumer.group.name": self._observer.group,
                "messaging.batch.message_count": len(self._records),
                "messaging.operation.type": "process",
            },
        )
        self._token = context.attach(trace.set_span_in_context(self._batch_span))

    def fresh(
        self, fresh: Sequence[Any], deliveries: Sequence[Delivery]
    ) -> AbstractContextManager[None]:
        """The records not applied before are known: one span each; while the returned scope
        is open, events derived from a delivery descend from its span."""
        self._fresh = fresh
        if self._batch_span is None:
            return contextlib.nullcontext()
        single = len(self._records) == 1
        batch_context = trace.set_span_in_context(self._batch_span)
        for record in fresh:
            if key_of(record) in self._spans:  # the batch redone, isolating: the same span
                continue
            self._spans[key_of(record)] = telemetry.tracer().start_span(
                f"{record.topic} process",
                context=batch_context if single else telemetry.incoming_context(record.headers),
                kind=SpanKind.CONSUMER,
                links=[] if single else [Link(self._batch_span.get_span_context())],
                attributes={
                    "messaging.system": "kafka",
                    "messaging.operation.type": "process",
                    "messaging.destination.name": record.topic,
                    "messaging.consumer.group.name": self._observer.group,
                    "messaging.destination.partition.id": str(record.partition),
                    "messaging.kafka.offset": record.offset,
                    "messaging.message.id": value_of(record.headers, "event_id") or "",
                    "relais.case_id": (record.key or b"").decode(errors="replace"),
                },
            )
        return telemetry.causes(
            {
                d.event.event_id: trace.set_span_in_context(self._spans[key_of(d.record)])
                for d in deliveries
            }
        )

    @contextlib.contextmanager
    def delivery(self, record: Any) -> Iterator[None]:
        """Makes the record's span current (its savepoint, its logs)."""
        span = self._spans.get(key_of(record))
        if span is None:
            yield
            return
        with trace.use_span(span, end_on_exit=False):
            yield

    def finished(self, failures: Sequence[Failure]) -> None:
        """The batch committed: count it, close the deliveries' spans."""
        failed = {key_of(f.record): f for f in failures}
        for k, failure in failed.items():
            span = self._spans.get(k)
            if span is not None:
                span.set_status(Status(StatusCode.ERROR, failure.reason[:200]))
                span.add_event("dead-lettered", {"reason": failure.reason[:2000]})
        for span in self._spans.values():
            span.end()
        self._spans.clear()
        metrics = self._observer.metrics
        if metrics is not None:
            self._count(metrics, failed)

    def _count(self, metrics: ServiceMetrics, failed: dict[Key, Failure]) -> None:
        service = self._observer.service
        applied = Counter(r.topic for r in self._fresh if key_of(r) not in failed)
        for topic, n in applied.items():
            metrics.processed.labels(service, topic).inc(n)
        kinds: Counter[tuple[str, FailureKind]] = Counter(
            (f.record.topic, f.kind) for f in failed.values()
        )
        for (topic, kind), n in kinds.items():
            metrics.failed.labels(service, topic, kind.value).inc(n)
        seen = Counter(r.topic for r in self._records)
        fresh = Counter(r.topic for r in self._fresh)
        elapsed = time.perf_counter() - self._start
        now_ms = time.time() * 1000
        for topic, n in seen.items():
            if n > fresh[topic]:
                metrics.redelivered.labels(service, topic).inc(n - fresh[topic])
            metrics.handler_seconds.labels(service, topic).observe(elapsed)
        # One observation per batch and topic (a histogram observation costs microseconds).
        oldest: dict[str, int] = {}
        for record in self._fresh:
            oldest[record.topic] = min(oldest.get(record.topic, record.timestamp), record.timestamp)
        for topic, timestamp in oldest.items():
            age = max(0.0, (now_ms - timestamp) / 1000)
            metrics.message_age.labels(service, topic).observe(age)

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        metrics = self._observer.metrics
        if exc is not None and metrics is not None and isinstance(exc, Exception):
            for topic in {r.topic for r in self._records}:
                metrics.batch_failures.labels(
                    self._observer.service, topic, type(exc).__name__
                ).inc()
        for span in [*self._spans.values(), *([self._batch_span] if self._batch_span else [])]:
            if exc is not None:
                span.record_exception(exc)
                span.set_status(Status(StatusCode.ERROR, type(exc).__name__))
            span.end()
        self._spans.clear()
        if self._token is not None:
            context.detach(self._token)  # type: ignore[arg-type]


def _span_context(ctx: Context) -> trace.SpanContext:
    return trace.get_current_span(ctx).get_span_context()
