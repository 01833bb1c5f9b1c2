"""Business time across weekends, Belgian holidays and office hours."""

from __future__ import annotations

from datetime import date, datetime, timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st

from shared.business_calendar import (
    BRUSSELS,
    Calendar,
    add_business_seconds,
    belgian_public_holidays,
    business_seconds,
    easter_sunday,
)

CAL = Calendar()
HOUR = 3600.0


def at(y: int, m: int, d: int, h: int = 0, minute: int = 0) -> datetime:
    return datetime(y, m, d, h, minute, tzinfo=BRUSSELS)


@pytest.mark.parametrize(
    ("year", "easter"),
    [
        (2024, date(2024, 3, 31)),
        (2025, date(2025, 4, 20)),
        (2026, date(2026, 4, 5)),
        (2027, date(2027, 3, 28)),
    ],
)
def test_easter(year: int, easter: date) -> None:
    assert easter_sunday(year) == easter


def test_belgian_holidays_2026() -> None:
    holidays = belgian_public_holidays(2026)
    assert len(holidays) == 10
    assert {date(2026, 4, 6), date(2026, 5, 14), date(2026, 5, 25), date(2026, 7, 21)} <= holidays


@pytest.mark.parametrize(
    ("start", "end", "hours"),
    [
        (at(2026, 3, 2, 10), at(2026, 3, 2, 12), 2),  # Monday morning
        (at(2026, 3, 2, 7), at(2026, 3, 2, 20), 8),  # before opening to after closing
        (at(2026, 3, 6, 16), at(2026, 3, 9, 10), 2),  # Friday 16:00 -> Monday 10:00
        (at(2026, 3, 7, 10), at(2026, 3, 8, 18), 0),  # a weekend
        (at(2026, 4, 3, 16), at(2026, 4, 7, 10), 2),  # Friday -> Tuesday over Easter Monday
        (at(2026, 7, 20, 9), at(2026, 7, 22, 9), 8),  # the National Day does not count
        (at(2026, 3, 2, 12), at(2026, 3, 2, 10), 0),  # end before start
    ],
)
def test_business_time_between(start: datetime, end: datetime, hours: float) -> None:
    assert business_seconds(CAL, start, end) == hours * HOUR


@pytest.mark.parametrize(
    ("start", "hours", "deadline"),
    [
        (at(2026, 3, 2, 10), 4, at(2026, 3, 2, 14)),
        (at(2026, 3, 6, 15), 4, at(2026, 3, 9, 11)),  # over the weekend
        (at(2026, 3, 7, 12), 1, at(2026, 3, 9, 10)),  # received on Saturday
        (at(2026, 12, 24, 16), 2, at(2026, 12, 28, 10)),  # Christmas, then the weekend
        (at(2026, 3, 2, 18), 8, at(2026, 3, 3, 17)),  # after closing: counts from next opening
    ],
)
def test_deadline_after_business_hours(start: datetime, hours: float, deadline: datetime) -> None:
    assert add_business_seconds(CAL, start, hours * HOUR) == deadline


def test_extra_closed_days_are_data() -> None:
    bridge = Calendar(extra_closed=frozenset({date(2026, 5, 15)}))  # Friday after Ascension
    assert add_business_seconds(bridge, at(2026, 5, 13, 16), 2 * HOUR) == at(2026, 5, 18, 10)


instants = st.datetimes(min_value=datetime(2025, 1, 1), max_value=datetime(2027, 12, 31)).map(
    lambda d: d.replace(tzinfo=BRUSSELS)
)


@given(start=instants, hours=st.floats(min_value=0, max_value=200))
def test_adding_then_measuring_gives_back_the_duration(start: datetime, hours: float) -> None:
    deadline = add_business_seconds(CAL, start, hours * HOUR)
    assert deadline >= start
    assert business_seconds(CAL, start, deadline) == pytest.approx(hours * HOUR, abs=1e-3)


@given(a=instants, b=instants, c=instants)
def test_business_time_is_additive(a: datetime, b: datetime, c: datetime) -> None:
    x, y, z = sorted((a, b, c))
    total = business_seconds(CAL, x, z)
    assert total == pytest.approx(
        business_seconds(CAL, x, y) + business_seconds(CAL, y, z), abs=1e-3
    )
    assert total <= (z - x).total_seconds() + 1e-6
    assert timedelta(seconds=total) <= z - x + timedelta(seconds=1)
