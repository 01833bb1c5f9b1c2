"""The pure parts of the ops tools: how work is split, how times are read."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
import typer
from aiokafka import ConsumerRecord, TopicPartition

from ops.guards import RebuildRefused, check_since
from ops.kafka import split
from ops.replayer import claimed_by
from ops.swap import kept_name
from relais_cli.projections import parse_since
from services.routing.domain import UnknownOffice
from tests.support.events import request
from tests.support.organisation import first_line as route_first_line


def test_workers_share_partitions_by_number_so_a_case_stays_with_one_worker() -> None:
    stop = {TopicPartition(t, p): 10 for t in ("request-received", "routed") for p in range(6)}
    shares = split(stop, 2)
    assert len(shares) == 2
    for share in shares:
        numbers = {tp.partition for tp in share}
        assert {tp.topic for tp in share} == {"request-received", "routed"}
        assert all(TopicPartition("routed", p) in share for p in numbers)
    assert sum(len(s) for s in shares) == len(stop)


def test_more_workers_than_partitions_leaves_none_idle() -> None:
    shares = split({TopicPartition("routed", 0): 5, TopicPartition("routed", 1): 5}, 4)
    assert len(shares) == 2


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("earliest", None),
        ("2025-03-01T08:00:00Z", datetime(2025, 3, 1, 8, tzinfo=UTC)),
        ("2025-03-01T08:00:00", datetime(2025, 3, 1, 8, tzinfo=UTC)),
    ],
)
def test_from_is_earliest_or_a_time(text: str, expected: datetime | None) -> None:
    assert parse_since(text) == expected


def test_from_refuses_anything_else() -> None:
    with pytest.raises(typer.BadParameter, match="ISO 8601"):
        parse_since("yesterday")


def test_routing_refuses_an_office_it_is_not_configured_for() -> None:
    event = request(1, member={"home_office": "arlon"})
    with pytest.raises(UnknownOffice, match="arlon"):
        route_first_line(event, ("liege", "namur"))
    assert route_first_line(event, ("arlon",)).queue == "arlon/first_line"


def test_a_start_time_in_the_future_is_refused_and_one_in_the_past_is_not() -> None:
    now = datetime(2026, 12, 3, 9, 0, tzinfo=UTC)
    with pytest.raises(RebuildRefused, match="in the future"):
        check_since(datetime(2026, 12, 3, 9, 1, tzinfo=UTC), now)
    check_since(datetime(2026, 12, 3, 8, 59, tzinfo=UTC), now)
    check_since(None, now)


def test_kept_copies_are_named_by_time_so_the_newest_sorts_first() -> None:
    earlier = kept_name("routing", datetime(2026, 12, 3, 9, 0, 0, 5000, tzinfo=UTC))
    later = kept_name("routing", datetime(2026, 12, 3, 9, 0, 0, 7000, tzinfo=UTC))
    assert earlier == "routing_previous_20261203_090000_005"
    assert sorted([earlier, later], reverse=True) == [later, earlier]


def record_with(value: bytes) -> ConsumerRecord[bytes, bytes]:
    return ConsumerRecord("request-received", 0, 0, 0, 0, b"k", value, None, 1, 1, [])


def test_an_unreadable_record_is_a_services_own_fact_only_if_it_names_the_service() -> None:
    assert claimed_by(record_with(b'{"producer": "intake", "schema_version": 99}'), "intake")
    assert not claimed_by(record_with(b'{"producer": "mallory"}'), "intake")
    assert not claimed_by(record_with(b"{not json"), "intake")
    assert not claimed_by(record_with(b"[1, 2]"), "intake")
