"""`relais partitions grow` decides before touching anything: who writes the topic (the relay
it pauses), which groups must have applied everything, whether the count asked for is one
Kafka can have."""

from __future__ import annotations

import pytest

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

OWNERS = {"request-received": "intake", "routed": "routing", "case-activity": "advisory"}
SERVICES = ("intake", "routing", "advisory", "admin")


def test_a_contract_topic_is_written_by_its_owner() -> None:
    assert producer_of("request-received", OWNERS, SERVICES) == "intake"
    assert producer_of("routed", OWNERS, SERVICES, "routing") == "routing"


def test_a_contract_topic_named_with_another_producer_is_refused() -> None:
    with pytest.raises(GrowRefused, match="written by intake, not routing"):
        producer_of("request-received", OWNERS, SERVICES, "routing")


def test_a_dead_letter_topic_is_written_by_its_service() -> None:
    assert producer_of("admin.dead-letter", OWNERS, SERVICES) == "admin"


def test_a_redrive_topic_is_refused_nothing_relays_it() -> None:
    with pytest.raises(GrowRefused, match="relais dlq redrive"):
        producer_of("routing.redrive", OWNERS, SERVICES)


def test_a_topic_outside_the_contract_needs_its_producer_named() -> None:
    with pytest.raises(GrowRefused, match="--producer"):
        producer_of("test.partgrow-1", OWNERS, SERVICES)
    assert producer_of("test.partgrow-1", OWNERS, SERVICES, "scratch") == "scratch"


@pytest.mark.parametrize(("current", "wanted"), [(6, 6), (6, 4), (6, 0)])
def test_kafka_never_takes_partitions_away(current: int, wanted: int) -> None:
    with pytest.raises(GrowRefused, match=f"already has {current} partitions"):
        check_count("routed", current, wanted)


def test_an_outsized_count_is_taken_for_a_typo() -> None:
    with pytest.raises(GrowRefused, match="a typo"):
        check_count("routed", 12, 1200)
    check_count("routed", 6, 12)  # and a plain growth passes


def test_readers_are_the_deployed_subscribers_and_the_active_groups() -> None:
    subscriptions = {
        "routing": ["request-received", "case-activity"],
        "advisory": ["routed", "request-received"],
        "admin": ["request-received"],
        "intake": ["case-activity"],
    }
    active = {
        "routing": {"request-received", "case-activity"},  # a service: counted once
        "bi-export": {"request-received"},  # another group reading it now
        "audit": {"routed"},  # reading something else
    }
    # admin is subscribed but not deployed in this database: not waited for
    found = readers("request-received", subscriptions, ["routing", "advisory", "intake"], active)
    assert found == (
        Reader("routing", "routing"),
        Reader("advisory", "advisory"),
        Reader("bi-export", None),
    )


def test_a_stopped_subscriber_is_still_waited_for() -> None:
    # Started later with records left, it would read its old and new partitions side by side.
    found = readers("routed", {"advisory": ["routed"]}, ["advisory"], active={})
    assert found == (Reader("advisory", "advisory"),)


def test_behind_counts_what_is_not_applied_per_partition() -> None:
    ends = {0: 10, 1: 5, 2: 0, 3: 7}
    assert behind(ends, {0: 10, 1: 3, 3: 7}) == {1: 2}
    assert behind(ends, {}) == {0: 10, 1: 5, 3: 7}  # never applied: from 0
    assert behind(ends, {0: 10, 1: 5, 2: 0, 3: 7}) == {}


def test_unowned_partitions() -> None:
    assert unowned({0, 1, 2, 3, 4, 5}, 8) == [6, 7]
    assert unowned(set(range(8)), 8) == []


def test_the_plan_says_what_it_pauses_and_waits_for() -> None:
    plan = Plan("routed", 6, 12, "routing", (Reader("advisory", "advisory"), Reader("audit")))
    text = "\n".join(plan.lines())
    assert "6 partitions now, 12 after" in text
    assert "pauses the outbox relay of routing" in text
    assert "advisory (service), audit" in text
