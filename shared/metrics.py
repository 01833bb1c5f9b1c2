"""The metrics ops watch, per service, in Prometheus form (``GET /metrics``).

One registry per service runtime: counters and histograms are updated where things happen
(consumer batches, HTTP requests); gauges that describe state (consumer lag, outbox backlog,
dead-letter topic size) are refreshed when Prometheus scrapes (``shared.scrape``)."""

from __future__ import annotations

from prometheus_client import (
    CollectorRegistry,
    Counter,
    Gauge,
    Histogram,
    ProcessCollector,
)

# Batch transactions take milliseconds to seconds; a message's age spans ms to hours (replays).
BATCH_BUCKETS = (0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0)
AGE_BUCKETS = (0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0, 60.0, 600.0, 3600.0)
HTTP_BUCKETS = (0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0)


class ServiceMetrics:
    """Every metric a Relais service exposes; all carry the ``service`` label."""

    def __init__(self, service: str) -> None:
        self.service = service
        self.registry = CollectorRegistry()
        r = self.registry
        ProcessCollector(registry=r)  # resident memory, CPU, open files of the process
        self.processed = Counter(
            "relais_messages_processed",
            "Messages applied by the service's handler, per topic.",
            ["service", "topic"],
            registry=r,
        )
        self.failed = Counter(
            "relais_messages_failed",
            "Messages that could not be processed and went to the dead-letter topic "
            "(reason: undecodable, handler_error or gave_up).",
            ["service", "topic", "reason"],
            registry=r,
        )
        self.redelivered = Counter(
            "relais_messages_redelivered",
            "Messages read again but already applied (skipped: idempotent redelivery).",
            ["service", "topic"],
            registry=r,
        )
        self.batch_failures = Counter(
            "relais_batch_failures",
            "Batch transactions that failed and were retried (error: exception type).",
            ["service", "topic", "error"],
            registry=r,
        )
        self.batch_rewinds = Counter(
            "relais_batch_rewinds",
            "Batches given back to Kafka after the bounded retries (read again later).",
            ["service", "topic"],
            registry=r,
        )
        self.handler_seconds = Histogram(
            "relais_handler_duration_seconds",
            "Time to process one batch: decode, handler, outbox, positions, commit.",
            ["service", "topic"],
            buckets=BATCH_BUCKETS,
            registry=r,
        )
        self.message_age = Histogram(
            "relais_batch_max_message_age_seconds",
            "Per batch, the oldest message's time from its Kafka timestamp to the commit.",
            ["service", "topic"],
            buckets=AGE_BUCKETS,
            registry=r,
        )
        self.lag = Gauge(
            "relais_consumer_lag",
            "Messages of a partition not yet applied by the service's consumer group "
            "(end offset minus the position stored with the projection).",
            ["service", "topic", "partition"],
            registry=r,
        )
        self.dead_letter_messages = Gauge(
            "relais_dead_letter_messages",
            "Messages in the service's dead-letter topic (all time).",
            ["service", "topic"],
            registry=r,
        )
        self.outbox_backlog = Gauge(
            "relais_outbox_backlog",
            "Outbox rows waiting to be relayed to Kafka.",
            ["service"],
            registry=r,
        )
        self.outbox_age = Gauge(
            "relais_outbox_oldest_age_seconds",
            "Age of the oldest outbox row waiting (0 when the outbox is empty).",
            ["service"],
            registry=r,
        )
        self.http_requests = Counter(
            "relais_http_requests",
            "HTTP requests answered, per route template, method and status.",
            ["service", "method", "route", "status"],
            registry=r,
        )
        self.http_seconds = Histogram(
            "relais_http_request_duration_seconds",
            "HTTP request latency, per route template and method.",
            ["service", "method", "route"],
            buckets=HTTP_BUCKETS,
            registry=r,
        )
