"""The dead-letter and consumer-group tools against the real broker: list, show, redrive,
purge; a consumer group pointed at a topic's history.

Both act on topics of the test's own, never on a service's: `redrive` and `purge` take every
pending dead letter of a service, and a rebuild skips the records a service dead-lettered
(shared/dead_letters.py), so purging a live service's dead letters would change what its next
rebuild applies; and a replay needs records to re-read, which a fresh stack's topics lack."""

from __future__ import annotations

import os
import subprocess
import sys
import uuid
from collections.abc import AsyncIterator
from dataclasses import dataclass

import asyncpg
import orjson
import pytest
from aiokafka import AIOKafkaProducer, TopicPartition
from aiokafka.admin import AIOKafkaAdminClient

from ops import kafka
from ops.group_replay import ReplayRefused, committed, replay, undo
from shared import dead_letter_log as dlq
from shared import dead_letters as dl
from shared.events import ROUTED
from shared.outbox import OutgoingMessage
from shared.settings import Settings
from tests.support.kafka import collect, end_offsets, produce, scratch_topics
from tests.support.processes import ROOT

SEEDED = 12  # records on the topic the replays re-read


@pytest.fixture
async def service(bootstrap: str) -> AsyncIterator[str]:
    """A service name of the test's own, with its dead-letter and redrive topics."""
    name = f"it-dlq-{uuid.uuid4().hex[:8]}"
    async with scratch_topics(bootstrap, [dl.topic_for(name), dl.redrive_topic_for(name)]):
        yield name


@pytest.fixture
async def history(bootstrap: str) -> AsyncIterator[str]:
    """A topic of the test's own holding ``SEEDED`` records, spread over its partitions."""
    name = f"it-replay-{uuid.uuid4().hex[:8]}"
    async with scratch_topics(bootstrap, [name]):
        await produce(bootstrap, name, [(f"case-{i}".encode(), b"{}") for i in range(SEEDED)])
        yield name


async def test_dead_letters_are_listed_redriven_once_and_purged(
    settings: Settings, bootstrap: str, service: str
) -> None:
    # Given a dead letter of the service, at a position the test knows
    record = FailedRecord(
        "request-received", 2, 99, b"case-1", b"{oops", [("event_type", b"RequestReceived")]
    )
    letter = dl.dead_letter(record, service=service, group=service, reason="invalid JSON")
    at = await produce_with_headers(bootstrap, letter)
    # Then `dlq list` shows it pending, with its origin and reason
    listed = await dlq.read(settings, service)
    assert [(d.partition, d.offset, d.redriven, d.origin, d.reason) for d in listed] == [
        (*at, False, "request-received[2]@99", "invalid JSON")
    ]
    # And `dlq show` prints it in full
    shown = cli("dlq", "show", service, f"{at[0]}:{at[1]}")
    assert "b'case-1'" in shown
    assert "dlq.original_offset: 99" in shown
    # When the service's pending dead letters are redriven
    since = await end_offsets(bootstrap, dl.redrive_topic_for(service))
    sent = await dlq.redrive(settings, service)
    assert [(d.partition, d.offset) for d in sent] == [at]
    # Then it is on the redrive topic with its headers, and listed as redriven
    (copy,) = await collect(bootstrap, dl.redrive_topic_for(service), since, lambda rs: bool(rs))
    assert (copy.key, copy.value) == (b"case-1", b"{oops")
    assert dict(copy.headers)[dl.ORIGINAL_OFFSET] == b"99"
    assert [d.redriven for d in await dlq.read(settings, service)] == [True]
    # And redriving again sends nothing twice
    assert await dlq.redrive(settings, service) == []
    # When the redriven ones are purged
    starts = await dlq.purge(settings, service, everything=False)
    # Then its partition starts past it, and it is gone
    assert starts == {at[0]: at[1] + 1}
    assert await dlq.read(settings, service) == []


@dataclass(frozen=True)
class FailedRecord:
    """A record as a consumer read it (the fields a dead letter copies)."""

    topic: str
    partition: int
    offset: int
    key: bytes | None
    value: bytes | None
    headers: list[tuple[str, bytes]]


async def produce_with_headers(bootstrap: str, letter: OutgoingMessage) -> tuple[int, int]:
    """Writes the dead letter; returns where it is: (partition, offset)."""
    producer = AIOKafkaProducer(bootstrap_servers=bootstrap)
    await producer.start()
    try:
        headers = [(k, v.encode()) for k, v in letter.headers.items()]
        sent = await producer.send_and_wait(
            letter.topic, letter.value, key=letter.key, headers=headers
        )
        return sent.partition, sent.offset
    finally:
        await producer.stop()


def cli(*args: str) -> str:
    done = subprocess.run(
        [sys.executable, "-m", "relais_cli.main", *args],
        cwd=ROOT,
        env={**os.environ, "COLUMNS": "200"},
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert done.returncode == 0, done.stdout + done.stderr
    return done.stdout


async def test_a_consumer_group_is_pointed_at_a_topics_history(
    settings: Settings, bootstrap: str, history: str
) -> None:
    group = f"portal-{uuid.uuid4().hex[:8]}"
    # When a new consumer group is pointed at a topic from the beginning
    positions = await replay(settings, history, group, None)
    # Then its committed offsets are the start of every partition, with everything to read
    async with kafka.reader(bootstrap) as consumer:
        tps = [TopicPartition(history, p.partition) for p in positions]
        first = await kafka.starts(consumer, tps)
    admin = AIOKafkaAdminClient(bootstrap_servers=bootstrap)
    await admin.start()
    try:
        committed = await admin.list_consumer_group_offsets(group)
    finally:
        await admin.close()
    assert {tp: m.offset for tp, m in committed.items()} == first
    assert sum(p.to_read for p in positions) == SEEDED


async def test_replaying_a_relais_service_group_is_refused(settings: Settings) -> None:
    with pytest.raises(ReplayRefused, match="relais rebuild routing"):
        await replay(settings, ROUTED, "routing", None)


async def commit_offsets(bootstrap: str, group: str, offsets: dict[TopicPartition, int]) -> None:
    async with kafka.reader(bootstrap, group_id=group) as consumer:
        consumer.assign(list(offsets))
        await consumer.commit(offsets)


async def test_a_replay_shows_records_and_undoes_the_offsets_it_overwrites(
    settings: Settings, bootstrap: str, db: asyncpg.Pool, history: str
) -> None:
    # Given a group that has read a topic to its end
    group = f"portal-{uuid.uuid4().hex[:8]}"
    tps = await kafka.partitions(bootstrap, [history])
    async with kafka.reader(bootstrap) as consumer:
        first, ends = await kafka.starts(consumer, tps), await kafka.ends(consumer, tps)
    assert sum(ends[tp] - first[tp] for tp in tps) == SEEDED
    await commit_offsets(bootstrap, group, ends)
    # When a replay from the beginning is run as a dry run
    shown = cli("replay", history, "--to", group, "--dry-run")
    planned = await replay(settings, history, group, None, dry_run=True)
    # Then it shows each partition's offset before and after, and changes nothing
    assert "(dry run: nothing changed)" in " ".join(shown.split())  # the title may wrap
    assert {p.partition: (p.before, p.offset) for p in planned} == {
        tp.partition: (ends[tp], first[tp]) for tp in tps
    }
    assert await committed(settings, group) == ends
    assert not await db.fetchval(
        "SELECT count(*) FROM relais_ops.group_replays WHERE consumer_group = $1", group
    )
    # When it is run for real, with a reason
    await replay(settings, history, group, None, reason="portal reload")
    # Then the group starts from the beginning, and the offsets it had are recorded
    assert await committed(settings, group) == first
    row = await db.fetchrow(
        "SELECT by, reason, since, before FROM relais_ops.group_replays WHERE consumer_group = $1",
        group,
    )
    assert row is not None
    assert (row["reason"], row["since"]) == ("portal reload", "earliest")
    assert "@" in row["by"]
    assert orjson.loads(row["before"]) == {str(tp.partition): ends[tp] for tp in tps}
    # When the replay is undone (by the command ops would type)
    undone = cli("replay", "--undo", "--to", group)
    # Then the group is back where it was, and there is nothing more to undo
    assert "undid the replay" in undone
    assert await committed(settings, group) == ends
    with pytest.raises(LookupError, match="no replay"):
        await undo(settings, group)


async def test_undoing_the_replay_of_a_new_group_deletes_it_again(
    settings: Settings, history: str
) -> None:
    group = f"portal-{uuid.uuid4().hex[:8]}"
    # Given a group that did not exist, pointed at a topic
    positions = await replay(settings, history, group, None)
    assert all(p.before is None for p in positions)
    assert await committed(settings, group)
    # When the replay is undone
    done = await undo(settings, group)
    # Then the group has no offsets again
    assert done.group_deleted
    assert await committed(settings, group) == {}
