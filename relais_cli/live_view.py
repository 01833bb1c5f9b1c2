"""What is flowing: messages per topic, the projections filling, the services' health."""

from __future__ import annotations

import time
from dataclasses import dataclass, field

import asyncpg
from aiokafka import AIOKafkaConsumer, TopicPartition
from rich.console import Group
from rich.table import Table

from relais_cli.feeder import FeedStats
from relais_cli.processes import Fleet
from shared.events import PARTITIONS
from shared.provision import contract_topics

# (label, SQL) of the projection counts shown; a query on a table that does not exist yet shows '-'.
PROJECTIONS = (
    ("intake · requests", "SELECT count(*) FROM intake.requests"),
    ("intake · outbox backlog", "SELECT count(*) FROM intake.outbox"),
    ("routing · members", "SELECT count(*) FROM routing.members"),
    ("routing · cases", "SELECT count(*) FROM routing.cases"),
    ("routing · outbox backlog", "SELECT count(*) FROM routing.outbox"),
)
BY_QUEUE = "SELECT queue, language, count(*) AS n FROM routing.cases GROUP BY 1, 2 ORDER BY 1, 2"


@dataclass
class Snapshot:
    at: float
    topics: dict[str, int]
    projections: dict[str, int | None]
    queues: list[tuple[str, str, int]] = field(default_factory=list)


async def take(consumer: AIOKafkaConsumer, pool: asyncpg.Pool) -> Snapshot:
    partitions = [TopicPartition(t, p) for t in contract_topics() for p in range(PARTITIONS)]
    ends = await consumer.end_offsets(partitions)
    topics: dict[str, int] = dict.fromkeys(contract_topics(), 0)  # pipeline order
    for tp, end in ends.items():
        topics[tp.topic] = topics.get(tp.topic, 0) + end
    projections: dict[str, int | None] = {}
    for label, sql in PROJECTIONS:
        try:
            projections[label] = await pool.fetchval(sql)
        except asyncpg.PostgresError:
            projections[label] = None
    rows = await pool.fetch(BY_QUEUE)
    return Snapshot(time.monotonic(), topics, projections, [(r[0], r[1], r[2]) for r in rows])


def render(now: Snapshot, before: Snapshot | None, feed: FeedStats, fleet: Fleet) -> Group:
    topics = Table(title="Kafka topics", expand=False)
    for col in ("topic", "messages", "per second"):
        topics.add_column(col, justify="right" if col != "topic" else "left")
    elapsed = (now.at - before.at) if before else 0.0
    for topic, count in now.topics.items():
        rate = (count - before.topics.get(topic, 0)) / elapsed if before and elapsed else 0.0
        topics.add_row(topic, str(count), f"{rate:.0f}")
    projections = Table(title="Projections (PostgreSQL)")
    projections.add_column("table")
    projections.add_column("rows", justify="right")
    for label, value in now.projections.items():
        projections.add_row(label, "-" if value is None else str(value))
    queues = Table(title="Cases per queue and language")
    for col in ("queue", "language", "cases"):
        queues.add_column(col)
    for queue, language, n in now.queues:
        queues.add_row(queue, language, str(n))
    services = Table(title="Services")
    for col in ("service", "url", "state", "RSS MB"):
        services.add_column(col)
    for child in fleet.children:
        state = "running" if child.alive() else "[red]exited[/red]"
        services.add_row(child.name, child.url, state, f"{child.rss_mb():.0f}")
    summary = f"demo feed: {feed.sent} sent, {feed.accepted} accepted, {feed.refused} refused"
    return Group(summary, services, topics, projections, queues)
