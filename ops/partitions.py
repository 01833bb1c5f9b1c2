"""`relais partitions grow TOPIC --to N`: more partitions for a topic while Relais runs, with
every key's events still applied in order by every consumer (drain, then grow; the reasons are
in ops/partition_plan.py, the procedure in docs/scaling.md):

1. pause the outbox relay of the service that writes the topic (ops/relay_pause.py);
2. wait until every consumer group reading it has applied every partition up to its end;
3. add the partitions, and wait until the groups reading it own them;
4. resume the relay (close the session): each key's later events go to its new partition,
   after all its earlier ones were applied.

A timeout in 1 or 2 changes nothing; once the partitions are added they stay (Kafka cannot
remove them), and a group slow to take them reads them from their start when it does."""

from __future__ import annotations

import asyncio
import importlib
import time
from collections.abc import Callable, Collection, Mapping
from dataclasses import dataclass, field

import asyncpg
from aiokafka import TopicPartition
from aiokafka.admin import AIOKafkaAdminClient, NewPartitions
from aiokafka.coordinator.protocol import ConsumerProtocolMemberAssignment

from ops import growth_records, kafka, schemas
from ops.operator import who
from ops.partition_plan import (
    GrowRefused,
    Plan,
    Reader,
    behind,
    check_count,
    producer_of,
    readers,
    unowned,
)
from ops.relay_pause import relay_paused
from ops.services import load, names
from shared.backlogs import live_positions
from shared.events import SERVICES
from shared.kafka_reads import committed_offsets
from shared.settings import Settings

POLL_S = 0.5
# Used only until shared.topic_catalogue lands (its OWNERS is the one table then).
FALLBACK_OWNERS = {
    "request-received": "intake",
    "member-messages": "intake",
    "member-erasures": "intake",
    "routed": "routing",
    "organisation": "routing",
    "routed-shadow": "routing",
    "escalated": "advisory",
    "resolved": "advisory",
    "case-activity": "advisory",
    "sla": "advisory",
    "admin-tasks": "admin",
}
Say = Callable[[str], None]


class GrowTimeout(TimeoutError):
    """What the growth waited for did not happen in time (the readers applying everything,
    the partitions added by an operator); this command changed nothing."""


@dataclass
class Grown:
    plan: Plan
    # Where each old partition ended when the partitions were added: every record before
    # these offsets was written with the old count, every record after with the new one.
    cut: dict[int, int]
    paused_s: float
    # Groups that did not own every partition yet when the relay resumed (they read the
    # new ones from their start once they do).
    late: dict[str, list[int]] = field(default_factory=dict)


async def plan(settings: Settings, topic: str, to: int, producer: str | None = None) -> Plan:
    """What growing ``topic`` to ``to`` partitions would do; refuses what it should not."""
    bootstrap = settings.kafka_bootstrap_servers
    current = len(await kafka.partitions(bootstrap, [topic]))
    if current == 0:
        raise GrowRefused(f"there is no topic {topic!r} in Kafka at {bootstrap}")
    check_count(topic, current, to)
    writer = producer_of(topic, owners(), SERVICES, producer)
    ops = await asyncpg.connect(settings.ops_dsn())
    try:
        deployed = [n for n in names() if await ops.fetchval(schemas.OWNER, n) is not None]
        if await ops.fetchval(schemas.OWNER, writer) is None:
            raise GrowRefused(f"{writer} has no schema in this database: nothing writes {topic}")
    finally:
        await ops.close()
    subscriptions = {n: [s.topic for s in load(n, settings).live_sources] for n in deployed}
    active = await active_groups(bootstrap)
    return Plan(topic, current, to, writer, readers(topic, subscriptions, deployed, active))


def owners() -> Mapping[str, str]:
    """Who writes each contract topic: shared.topic_catalogue's table (kafkaauth) once it is
    there, else the same ownership as the contract states it (shared/events.py comments)."""
    try:
        return dict(importlib.import_module("shared.topic_catalogue").OWNERS)
    except ModuleNotFoundError:
        return FALLBACK_OWNERS


async def grow(
    settings: Settings,
    plan: Plan,
    *,
    timeout_s: float = 120.0,
    say: Say,
    external: bool = False,
) -> Grown:
    """Does ``plan``: pause, drain, grow, wait for the readers, resume (module docstring).
    ``external``: the partitions are added by someone else once the readers have drained (a
    Strimzi ``KafkaTopic`` raised by hand, docs/deploy.md): the command waits for them."""
    bootstrap = settings.kafka_bootstrap_servers
    deadline = time.monotonic() + timeout_s
    session = await asyncpg.connect(settings.ops_dsn())
    admin = AIOKafkaAdminClient(bootstrap_servers=bootstrap, client_id="relais-ops")
    await admin.start()
    try:
        async with relay_paused(session, plan.producer, min(30.0, timeout_s)):
            paused = time.monotonic()
            say(f"the outbox relay of {plan.producer} is paused")
            cut = await drained(session, admin, bootstrap, plan, deadline, say)
            record = await growth_records.save(
                session, topic=plan.topic, by=who(), before=plan.current, after=plan.wanted, cut=cut
            )
            try:
                if external:
                    say(
                        f"add the partitions now: {plan.topic} to {plan.wanted} (e.g. its "
                        "KafkaTopic's spec.partitions); waiting for them until the timeout"
                    )
                    await known(bootstrap, plan, deadline)
                else:
                    await admin.create_partitions(
                        {plan.topic: NewPartitions(total_count=plan.wanted)}
                    )
                    await known(bootstrap, plan, time.monotonic() + 10.0)
            except BaseException:
                if len(await kafka.partitions(bootstrap, [plan.topic])) == plan.current:
                    await growth_records.forget(session, record)
                raise
            say(f"{plan.topic} has {plan.wanted} partitions")
            late = await owned(admin, plan, max(deadline, time.monotonic() + 5.0), say)
        say(f"the outbox relay of {plan.producer} resumes")
        return Grown(plan, cut, time.monotonic() - paused, late)
    finally:
        await admin.close()
        await session.close()


async def drained(
    session: asyncpg.Connection,
    admin: AIOKafkaAdminClient,
    bootstrap: str,
    plan: Plan,
    deadline: float,
    say: Say,
) -> dict[int, int]:
    """Waits until every reader has applied every partition of the topic up to its end (the
    relay is paused: the ends no longer move); returns the ends."""
    tps = [TopicPartition(plan.topic, p) for p in range(plan.current)]
    async with kafka.reader(bootstrap) as consumer:
        while True:
            ends = {tp.partition: end for tp, end in (await kafka.ends(consumer, tps)).items()}
            left: dict[Reader, dict[int, int]] = {}
            for reader in plan.readers:
                applied = await positions(session, admin, reader, tps)
                if lag := behind(ends, applied):
                    left[reader] = lag
            if not left:
                say(f"every reader of {plan.topic} has applied everything")
                return ends
            if time.monotonic() > deadline:
                raise GrowTimeout(
                    f"these readers of {plan.topic} had not applied everything in time: "
                    f"{waiting(left)}; nothing was changed and the relay of {plan.producer} "
                    "resumes. See `relais lag`: start a service that is stopped, or try again "
                    "with a longer --timeout"
                )
            await asyncio.sleep(POLL_S)


async def known(bootstrap: str, plan: Plan, deadline: float) -> None:
    """Waits until the brokers describe the topic with its new partitions (once added, the
    brokers learn of it within moments)."""
    while (found := len(await kafka.partitions(bootstrap, [plan.topic]))) < plan.wanted:
        if time.monotonic() > deadline:
            raise GrowTimeout(
                f"{plan.topic} still has {found} partitions, not {plan.wanted}; this command "
                f"added none, and the relay of {plan.producer} resumes"
            )
        await asyncio.sleep(POLL_S)


def waiting(left: Mapping[Reader, Mapping[int, int]]) -> str:
    return "; ".join(
        f"{r.group}: {sum(lag.values()):,} records in partitions {', '.join(map(str, lag))}"
        for r, lag in left.items()
    )


async def positions(
    session: asyncpg.Connection,
    admin: AIOKafkaAdminClient,
    reader: Reader,
    tps: list[TopicPartition],
) -> dict[int, int]:
    """Where ``reader`` stands on each partition: a service's positions stored with its
    projection (what it applied), another group's offsets committed to Kafka."""
    if reader.service is not None:
        stored = await live_positions(session, reader.service, reader.group, tps)
    else:
        stored = await committed_offsets(admin, reader.group)
    return {tp.partition: offset for tp, offset in stored.items() if tp.topic == tps[0].topic}


async def owned(
    admin: AIOKafkaAdminClient, plan: Plan, deadline: float, say: Say
) -> dict[str, list[int]]:
    """Waits until every reader with members owns every partition (consumers learn of new
    partitions when they refresh their metadata: RELAIS_KAFKA_METADATA_MAX_AGE_MS); returns
    the partitions still unowned per group at the deadline. A group without members (a
    service stopped) takes them all when it starts."""
    groups = [r.group for r in plan.readers]
    while True:
        late: dict[str, list[int]] = {}
        for group, topics in (await assignments(admin, groups)).items():
            if topics is None:  # rebalancing: owns nothing for sure yet
                late[group] = list(range(plan.wanted))
            elif topics and (missing := unowned(topics.get(plan.topic, ()), plan.wanted)):
                late[group] = missing
        if not late:
            say(f"the readers of {plan.topic} own its {plan.wanted} partitions")
            return {}
        if time.monotonic() > deadline:
            return late
        await asyncio.sleep(POLL_S)


async def active_groups(bootstrap: str) -> dict[str, set[str]]:
    """Every consumer group with members now, and the topics they are assigned."""
    admin = AIOKafkaAdminClient(bootstrap_servers=bootstrap, client_id="relais-ops")
    await admin.start()
    try:
        groups = [g for g, kind in await admin.list_consumer_groups() if kind == "consumer"]
        return {g: set(t) for g, t in (await assignments(admin, groups)).items() if t}
    finally:
        await admin.close()


async def assignments(
    admin: AIOKafkaAdminClient, groups: Collection[str]
) -> dict[str, dict[str, set[int]] | None]:
    """Per group, the partitions of each topic its members are assigned now: empty for a
    group without members, None for one in the middle of a rebalance."""
    found: dict[str, dict[str, set[int]] | None] = {g: {} for g in groups}
    if not groups:
        return found
    # One group a request: aiokafka 0.14 loses the connection reading an answer about several.
    responses = [await admin.describe_consumer_groups([g]) for g in groups]
    for response in (r for rs in responses for r in rs):
        for group in response.to_object()["groups"]:
            name = group["group"]
            if name not in found or group["error_code"] or not group["members"]:
                continue
            if group["state"] != "Stable":
                found[name] = None
                continue
            topics: dict[str, set[int]] = {}
            for member in group["members"]:
                raw = member["member_assignment"]
                if not raw:  # joined, not assigned yet
                    continue
                for topic, partitions in ConsumerProtocolMemberAssignment.decode(raw).assignment:
                    topics.setdefault(topic, set()).update(partitions)
            found[name] = topics
    return found
