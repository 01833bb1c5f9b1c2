"""A service's dead letters as ops handle them — list, show, redrive after a fix, purge — for
`relais dlq` and for the service's own ops endpoints (shared/ops_http.py).

Which dead letters were redriven is kept as the committed offsets of the consumer group
``relais-ops.dlq.<service>`` on the dead-letter topic: ``redrive`` sends everything past that
cursor and moves it; ``purge`` deletes what lies before it (or everything with ``everything``).
Redriving one entry by position (``at``) does not move the cursor."""

from __future__ import annotations

import asyncio
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from aiokafka import AIOKafkaProducer, TopicPartition
from aiokafka.admin import AIOKafkaAdminClient, RecordsToDelete
from aiokafka.structs import OffsetAndMetadata

from shared import dead_letters as dl
from shared import kafka_reads as kafka
from shared.headers import as_text
from shared.kafka_reads import committed_offsets
from shared.settings import Settings


@dataclass(frozen=True)
class DeadLetter:
    partition: int
    offset: int
    key: bytes | None
    value: bytes
    headers: dict[str, str]
    redriven: bool
    raw_headers: list[tuple[str, bytes]]

    @property
    def reason(self) -> str:
        return self.headers.get(dl.REASON, "")

    @property
    def origin(self) -> str:
        topic, partition, offset = (
            self.headers.get(h, "?")
            for h in (dl.ORIGINAL_TOPIC, dl.ORIGINAL_PARTITION, dl.ORIGINAL_OFFSET)
        )
        return f"{topic}[{partition}]@{offset}"

    @property
    def failed_at(self) -> str:
        return self.headers.get(dl.FAILED_AT, "")

    @property
    def redrives(self) -> int:
        return int(self.headers.get(dl.REDRIVES, "0") or 0)


def cursor_group(service: str) -> str:
    return f"relais-ops.dlq.{service}"


async def read(settings: Settings, service: str) -> list[DeadLetter]:
    """Every dead letter of ``service`` still in its topic, oldest first per partition."""
    topic = dl.topic_for(service)
    bootstrap = settings.kafka_bootstrap_servers
    async with kafka.reader(bootstrap) as consumer:
        tps = await kafka.partitions(bootstrap, [topic])
        first, last = await kafka.starts(consumer, tps), await kafka.ends(consumer, tps)
        cursor = await _cursor(settings, service)
        todo = {tp: end for tp, end in last.items() if first[tp] < end}
        found: list[DeadLetter] = []
        if not todo:
            return found
        consumer.assign(list(todo))
        for tp in todo:
            consumer.seek(tp, first[tp])
        while todo:
            batch = await consumer.getmany(timeout_ms=500, max_records=2000)
            for tp, records in batch.items():
                found += [_letter(r, cursor.get(tp, 0)) for r in records if r.offset < todo[tp]]
            for tp in list(todo):
                if await consumer.position(tp) >= todo[tp]:
                    del todo[tp]
        return sorted(found, key=lambda d: (d.partition, d.offset))


def _letter(record: Any, cursor: int) -> DeadLetter:
    headers = list(record.headers or ())
    return DeadLetter(
        partition=record.partition,
        offset=record.offset,
        key=record.key,
        value=record.value or b"",
        headers=as_text(headers),
        redriven=record.offset < cursor,
        raw_headers=headers,
    )


async def _cursor(settings: Settings, service: str) -> dict[TopicPartition, int]:
    admin = AIOKafkaAdminClient(bootstrap_servers=settings.kafka_bootstrap_servers)
    await admin.start()
    try:
        return await committed_offsets(admin, cursor_group(service))
    finally:
        await admin.close()


async def redrive(
    settings: Settings, service: str, at: list[tuple[int, int]] | None = None
) -> list[DeadLetter]:
    """Sends dead letters back to ``<service>.redrive``: those at the given (partition, offset)
    positions, or else every one not redriven yet (then the cursor moves past them)."""
    letters = await read(settings, service)
    if at is not None:
        wanted = set(at)
        chosen = [d for d in letters if (d.partition, d.offset) in wanted]
        missing = wanted - {(d.partition, d.offset) for d in chosen}
        if missing:
            raise LookupError(f"no dead letter of {service} at {sorted(missing)}")
    else:
        chosen = [d for d in letters if not d.redriven]
    if not chosen:
        return []
    producer = AIOKafkaProducer(
        bootstrap_servers=settings.kafka_bootstrap_servers, acks="all", enable_idempotence=True
    )
    await producer.start()
    try:
        sends = [
            await producer.send(
                dl.redrive_topic_for(service), d.value, key=d.key, headers=d.raw_headers
            )
            for d in chosen
        ]
        await asyncio.gather(*sends)
    finally:
        await producer.stop()
    if at is None:
        topic = dl.topic_for(service)
        await _move_cursor(
            settings, service, {TopicPartition(topic, d.partition): d.offset + 1 for d in chosen}
        )
    return chosen


async def _move_cursor(settings: Settings, service: str, to: dict[TopicPartition, int]) -> None:
    async with kafka.reader(settings.kafka_bootstrap_servers, group_id=cursor_group(service)) as c:
        c.assign(list(to))
        await c.commit(
            {tp: OffsetAndMetadata(o, datetime.now(UTC).isoformat()) for tp, o in to.items()}
        )


async def purge(settings: Settings, service: str, *, everything: bool) -> dict[int, int]:
    """Deletes the redriven dead letters (all with ``everything``); returns, per partition, the
    offset the topic now starts at."""
    topic = dl.topic_for(service)
    async with kafka.reader(settings.kafka_bootstrap_servers) as consumer:
        tps = await kafka.partitions(settings.kafka_bootstrap_servers, [topic])
        upto = await kafka.ends(consumer, tps) if everything else await _cursor(settings, service)
    upto = {tp: o for tp, o in upto.items() if tp.topic == topic and o > 0}
    if not upto:
        return {}
    admin = AIOKafkaAdminClient(bootstrap_servers=settings.kafka_bootstrap_servers)
    await admin.start()
    try:
        done = await admin.delete_records({tp: RecordsToDelete(o) for tp, o in upto.items()})
    finally:
        await admin.close()
    return {tp.partition: low for tp, low in done.items()}
