"""What is flowing: messages per topic, cases and tasks per state, the staff's work, the
services' health."""

from __future__ import annotations

import time
from collections import Counter
from dataclasses import dataclass, field

import asyncpg
from aiokafka import AIOKafkaConsumer, TopicPartition
from rich.columns import Columns
from rich.console import Group
from rich.table import Table

from relais_cli import pilot_view
from relais_cli.feeder import FeedStats
from relais_cli.processes import Fleet
from shared.events import PARTITIONS
from shared.provision import contract_topics

# (label, SQL) of the counts shown; a table that does not exist yet shows '-'.
PROJECTIONS = (
    ("intake · requests", "SELECT count(*) FROM intake.requests"),
    ("routing · cases", "SELECT count(*) FROM routing.cases"),
    ("advisory · cases", "SELECT count(*) FROM advisory.cases"),
    ("admin · members", "SELECT count(*) FROM admin.members"),
    ("admin · tasks", "SELECT count(*) FROM admin.tasks"),
    (
        "outbox backlog (all)",
        "SELECT (SELECT count(*) FROM intake.outbox) + (SELECT count(*) FROM routing.outbox)"
        " + (SELECT count(*) FROM advisory.outbox) + (SELECT count(*) FROM admin.outbox)",
    ),
)
STATES = (
    (
        "case",
        "SELECT coalesce(status, '?') || ' · ' || tier, count(*) FROM advisory.cases GROUP BY 1",
    ),
    ("task", "SELECT coalesce(status, '?') || ' · ' || act, count(*) FROM admin.tasks GROUP BY 1"),
)


@dataclass
class Snapshot:
    at: float
    topics: dict[str, int]
    projections: dict[str, int | None]
    states: list[tuple[str, str, int]] = field(default_factory=list)
    pilot: pilot_view.PilotSnapshot = field(default_factory=pilot_view.PilotSnapshot)


async def count(pool: asyncpg.Pool, sql: str) -> list[asyncpg.Record] | None:
    try:
        return await pool.fetch(sql)
    except asyncpg.PostgresError:  # a service has not created its tables yet
        return None


async def take(consumer: AIOKafkaConsumer, pool: asyncpg.Pool) -> Snapshot:
    partitions = [TopicPartition(t, p) for t in contract_topics() for p in range(PARTITIONS)]
    ends = await consumer.end_offsets(partitions)
    topics: dict[str, int] = dict.fromkeys(contract_topics(), 0)  # pipeline order
    for tp, end in ends.items():
        topics[tp.topic] = topics.get(tp.topic, 0) + end
    projections: dict[str, int | None] = {}
    for label, sql in PROJECTIONS:
        rows = await count(pool, sql)
        projections[label] = rows[0][0] if rows else None
    states = []
    for kind, sql in STATES:
        for row in await count(pool, sql) or []:
            states.append((kind, str(row[0]), int(row[1])))
    states.sort()
    pilot = await pilot_view.take(pool)
    return Snapshot(time.monotonic(), topics, projections, states, pilot)


def table(title: str, *columns: str) -> Table:
    result = Table(title=title, title_justify="left")
    for i, column in enumerate(columns):
        result.add_column(column, justify="left" if i == 0 else "right")
    return result


def render(
    now: Snapshot,
    before: Snapshot | None,
    feed: FeedStats,
    staff: Counter[str],
    fleet: Fleet,
    news: list[str] | None = None,
) -> Group:
    topics = table("Kafka topics", "topic", "messages", "per second")
    elapsed = (now.at - before.at) if before else 0.0
    for topic, total in now.topics.items():
        rate = (total - before.topics.get(topic, 0)) / elapsed if before and elapsed else 0.0
        topics.add_row(topic, str(total), f"{rate:.0f}")
    projections = table("Projections (PostgreSQL)", "table", "rows")
    for label, value in now.projections.items():
        projections.add_row(label, "-" if value is None else str(value))
    states = table("Per state", "", "state", "count")
    for kind, state, n in now.states:
        states.add_row(kind, state, str(n))
    work = table("Staff at work (HTTP)", "done", "count")
    for what, n in sorted(staff.items()):
        work.add_row(what, str(n))
    services = table("Services", "service", "url", "state", "RSS MB")
    for child in fleet.children:
        state = "running" if child.alive() else "[red]exited[/red]"
        services.add_row(child.name, child.url, state, f"{child.rss_mb():.0f}")
    summary = f"demo feed: {feed.sent} sent, {feed.accepted} accepted, {feed.refused} refused"
    summary += "".join(f"\n{line}" for line in news or [])
    pilot = Columns([pilot_view.queues_table(now.pilot), pilot_view.clocks_table(now.pilot)])
    return Group(summary, Columns([topics, states]), pilot, Columns([projections, work]), services)
