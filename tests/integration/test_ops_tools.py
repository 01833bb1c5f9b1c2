"""The dead-letter and consumer-group tools against the real broker: list, show, redrive,
purge; a consumer group pointed at a topic's history."""

from __future__ import annotations

import os
import subprocess
import sys
import uuid
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
from tests.support.kafka import collect, end_offsets
from tests.support.processes import ROOT

# intake consumes nothing: its dead-letter and redrive topics are quiet, fit to exercise the
# tools on (what this test writes there, it purges).
SERVICE = "intake"


async def test_dead_letters_are_listed_redriven_once_and_purged(
    settings: Settings, bootstrap: str
) -> None:
    # Given a dead letter of the service
    marker = f"dlq-test-{uuid.uuid4()}"
    record = type(
        "Record",
        (),
        {
            "topic": "request-received",
            "partition": 2,
            "offset": 99,
            "key": marker.encode(),
            "value": b"{oops",
            "headers": [("event_type", b"RequestReceived")],
        },
    )()
    letter = dl.dead_letter(record, service=SERVICE, group=SERVICE, reason=f"invalid JSON {marker}")
    await produce_with_headers(bootstrap, letter)
    # Then `dlq list` shows it pending, with its origin and reason
    listed = [d for d in await dlq.read(settings, SERVICE) if d.key == marker.encode()]
    assert [(d.redriven, d.origin, d.reason) for d in listed] == [
        (False, "request-received[2]@99", f"invalid JSON {marker}")
    ]
    # And `dlq show` prints it in full
    shown = cli("dlq", "show", SERVICE, f"{listed[0].partition}:{listed[0].offset}")
    assert marker in shown
    assert "dlq.original_offset: 99" in shown
    # When every pending dead letter is redriven
    since = await end_offsets(bootstrap, dl.redrive_topic_for(SERVICE))
    sent = await dlq.redrive(settings, SERVICE)
    assert marker.encode() in {d.key for d in sent}
    # Then it is on the redrive topic with its headers, and listed as redriven
    redriven = await collect(
        bootstrap,
        dl.redrive_topic_for(SERVICE),
        since,
        lambda rs: any(r.key == marker.encode() for r in rs),
    )
    (copy,) = [r for r in redriven if r.key == marker.encode()]
    assert dict(copy.headers)[dl.ORIGINAL_OFFSET] == b"99"
    assert all(d.redriven for d in await dlq.read(settings, SERVICE) if d.key == marker.encode())
    # And redriving again sends nothing twice
    assert marker.encode() not in {d.key for d in await dlq.redrive(settings, SERVICE)}
    # When the redriven ones are purged
    await dlq.purge(settings, SERVICE, everything=False)
    # Then it is gone
    assert not [d for d in await dlq.read(settings, SERVICE) if d.key == marker.encode()]


@dataclass(frozen=True)
class FailedRecord:
    """A record as a consumer read it (the fields a dead letter copies)."""

    topic: str
    partition: int
    offset: int
    key: bytes | None
    value: bytes | None
    headers: list[tuple[str, bytes]]


async def produce_with_headers(bootstrap: str, letter: OutgoingMessage) -> None:
    producer = AIOKafkaProducer(bootstrap_servers=bootstrap)
    await producer.start()
    try:
        headers = [(k, v.encode()) for k, v in letter.headers.items()]
        await producer.send_and_wait(letter.topic, letter.value, key=letter.key, headers=headers)
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
    settings: Settings, bootstrap: str
) -> None:
    group = f"portal-{uuid.uuid4().hex[:8]}"
    # When a new consumer group is pointed at `routed` from the beginning
    positions = await replay(settings, ROUTED, group, None)
    # Then its committed offsets are the start of every partition
    async with kafka.reader(bootstrap) as consumer:
        tps = [TopicPartition(ROUTED, p.partition) for p in positions]
        first = await kafka.starts(consumer, tps)
    admin = AIOKafkaAdminClient(bootstrap_servers=bootstrap)
    await admin.start()
    try:
        committed = await admin.list_consumer_group_offsets(group)
    finally:
        await admin.close()
    assert {tp: m.offset for tp, m in committed.items()} == first
    assert sum(p.to_read for p in positions) > 0


async def test_replaying_a_relais_service_group_is_refused(settings: Settings) -> None:
    with pytest.raises(ReplayRefused, match="relais rebuild routing"):
        await replay(settings, ROUTED, "routing", None)


async def commit_offsets(bootstrap: str, group: str, offsets: dict[TopicPartition, int]) -> None:
    async with kafka.reader(bootstrap, group_id=group) as consumer:
        consumer.assign(list(offsets))
        await consumer.commit(offsets)


async def test_a_replay_shows_records_and_undoes_the_offsets_it_overwrites(
    settings: Settings, bootstrap: str, db: asyncpg.Pool
) -> None:
    # Given a group that has read `routed` to its end
    group = f"portal-{uuid.uuid4().hex[:8]}"
    tps = await kafka.partitions(bootstrap, [ROUTED])
    async with kafka.reader(bootstrap) as consumer:
        first, ends = await kafka.starts(consumer, tps), await kafka.ends(consumer, tps)
    assert first != ends
    await commit_offsets(bootstrap, group, ends)
    # When a replay from the beginning is run as a dry run
    shown = cli("replay", ROUTED, "--to", group, "--dry-run")
    planned = await replay(settings, ROUTED, group, None, dry_run=True)
    # Then it shows each partition's offset before and after, and changes nothing
    assert "dry run: nothing changed" in shown
    assert {p.partition: (p.before, p.offset) for p in planned} == {
        tp.partition: (ends[tp], first[tp]) for tp in tps
    }
    assert await committed(settings, group) == ends
    assert not await db.fetchval(
        "SELECT count(*) FROM relais_ops.group_replays WHERE consumer_group = $1", group
    )
    # When it is run for real, with a reason
    await replay(settings, ROUTED, group, None, reason="portal reload")
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
    settings: Settings, bootstrap: str
) -> None:
    group = f"portal-{uuid.uuid4().hex[:8]}"
    # Given a group that did not exist, pointed at `routed`
    positions = await replay(settings, ROUTED, group, None)
    assert all(p.before is None for p in positions)
    assert await committed(settings, group)
    # When the replay is undone
    done = await undo(settings, group)
    # Then the group has no offsets again
    assert done.group_deleted
    assert await committed(settings, group) == {}
