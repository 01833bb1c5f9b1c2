"""What `relais partitions grow` will do, decided before it touches anything: whose outbox
relay to pause, which consumer groups must have applied everything first, and whether the
growth asked for is possible at all. No I/O here (ops/partitions.py does it).

Why "drain, then grow": Kafka's partitioner sends a key (a case or member id) to
murmur2(key) % partitions, so after a topic grows a key's later events go to another partition
than its earlier ones. A consumer reading both could apply a later event before an earlier one
still waiting in the old partition. Once the producer is paused and every reader has applied
every partition up to its end, no earlier event is left waiting anywhere: the later ones may
go wherever the new count sends them."""

from __future__ import annotations

from collections.abc import Collection, Mapping, Sequence
from dataclasses import dataclass

# Kafka takes far more; beyond this a typo (--to 120 for 12) is likelier than a need.
MOST = 1000


class GrowRefused(ValueError):
    """The growth asked for cannot or should not be done; nothing was changed."""


@dataclass(frozen=True)
class Reader:
    """A consumer group reading the topic. ``service``: the Relais service it is, whose schema
    holds the positions it applied (the ones that count); None: another group, measured by
    the offsets it committed to Kafka."""

    group: str
    service: str | None = None

    def __str__(self) -> str:
        return self.group if self.service is None else f"{self.group} (service)"


@dataclass(frozen=True)
class Plan:
    topic: str
    current: int
    wanted: int
    producer: str  # the service whose outbox relay is paused
    readers: tuple[Reader, ...]

    def lines(self) -> list[str]:
        """The plan in plain words, as the command shows it before asking."""
        waits = ", ".join(map(str, self.readers)) or "no consumer group reads it"
        return [
            f"{self.topic}: {self.current} partitions now, {self.wanted} after",
            f"pauses the outbox relay of {self.producer} (its commands are still accepted; "
            "what they publish waits in its outbox)",
            f"waits until every reader has applied everything: {waits}",
            "then adds the partitions, waits until the readers own them, and resumes the relay",
        ]


def producer_of(
    topic: str,
    owners: Mapping[str, str],
    services: Sequence[str],
    named: str | None = None,
) -> str:
    """The service whose outbox relay writes ``topic``: its owner for a contract topic, the
    service for its dead-letter topic, ``named`` (--producer) for a topic outside the
    contract (a test's, a bench's)."""
    owner = owners.get(topic)
    for service in services:
        if topic == f"{service}.dead-letter":
            owner = service
        if topic == f"{service}.redrive":
            raise GrowRefused(
                f"{topic} is written by `relais dlq redrive`, not by an outbox relay, so "
                "there is nothing to pause; it carries a few dead letters and needs no more "
                "partitions"
            )
    if owner is not None:
        if named is not None and named != owner:
            raise GrowRefused(f"{topic} is written by {owner}, not {named}")
        return owner
    if named is None:
        raise GrowRefused(
            f"{topic} is not a Relais topic: say which service's outbox writes it with --producer"
        )
    return named


def check_count(topic: str, current: int, wanted: int) -> None:
    """Refuses a count Kafka would refuse (it never takes partitions away) or that looks
    like a typo."""
    if wanted <= current:
        raise GrowRefused(
            f"{topic} already has {current} partitions; Kafka can add partitions to a topic "
            f"but never take them away, so --to must be more than {current}"
        )
    if wanted > MOST:
        raise GrowRefused(f"{wanted} partitions for {topic} is more than {MOST}: a typo?")


def readers(
    topic: str,
    subscriptions: Mapping[str, Collection[str]],
    deployed: Collection[str],
    active: Mapping[str, Collection[str]],
) -> tuple[Reader, ...]:
    """The consumer groups to wait for: every deployed service subscribed to ``topic``
    (running or not: one stopped with records left would read its old and new partitions
    side by side when it starts), and every other group whose members are assigned it now.
    ``subscriptions``: service -> topics; ``active``: group -> topics its members have."""
    services = [s for s, topics in subscriptions.items() if topic in topics and s in deployed]
    others = sorted(g for g, topics in active.items() if topic in topics and g not in services)
    return (*(Reader(s, s) for s in services), *(Reader(g) for g in others))


def behind(ends: Mapping[int, int], applied: Mapping[int, int]) -> dict[int, int]:
    """Records not yet applied, per partition with any (a partition never applied counts
    from 0)."""
    left = {p: end - applied.get(p, 0) for p, end in ends.items()}
    return {p: n for p, n in sorted(left.items()) if n > 0}


def unowned(assigned: Collection[int], count: int) -> list[int]:
    """The partitions of 0..count-1 no member of a group is assigned."""
    return [p for p in range(count) if p not in assigned]
