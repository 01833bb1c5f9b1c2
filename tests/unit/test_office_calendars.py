"""Calendars per office: each office keeps the national holidays, the day of its community and
its own opening hours; the SLA clocks count by the calendar of the office holding the case."""

from __future__ import annotations

import uuid
from datetime import date, datetime, time

import pytest

from services.advisory.sla.clock import due
from services.advisory.sla.policy import SlaPolicy, SlaSettings
from services.advisory.sla.timeline import Timeline
from shared.business_calendar import (
    BRUSSELS,
    Calendar,
    Community,
    OfficeCalendars,
    OfficeHours,
    add_business_days,
    business_days,
    business_seconds,
)
from shared.sla_events import SlaClock, SlaStarted

HOUR = 3600.0
SETTINGS = SlaSettings(
    offices={"antwerpen": {"opens": "08:30", "closes": "16:30"}, "eupen": {"community": "german"}}
)
POLICY = SETTINGS.policy()


def at(y: int, m: int, d: int, h: int = 0, minute: int = 0) -> datetime:
    return datetime(y, m, d, h, minute, tzinfo=BRUSSELS)


@pytest.mark.parametrize(
    ("office", "day", "open_"),
    [
        ("gent", date(2025, 7, 11), False),  # Friday, Day of the Flemish Community
        ("liege", date(2025, 7, 11), True),
        ("liege", date(2026, 9, 25), True),  # Friday before the Wallonia-Brussels day
        ("liege", date(2025, 9, 26), True),
        ("namur", date(2024, 9, 27), False),  # Friday, Day of the Wallonia-Brussels Federation
        ("antwerpen", date(2024, 9, 27), True),
        ("eupen", date(2023, 11, 15), False),  # Wednesday, Day of the German-speaking Community
        ("liege", date(2023, 11, 15), True),
        ("bruxelles", date(2025, 7, 11), True),  # bilingual: neither community day by default
        ("bruxelles", date(2024, 9, 27), True),
        ("gent", date(2025, 7, 21), False),  # the National Day closes every office
        ("elsewhere", date(2025, 7, 11), True),  # an office nothing is said of: shared calendar
    ],
)
def test_each_office_keeps_its_community_holiday(office: str, day: date, open_: bool) -> None:
    assert POLICY.calendar_for(office).is_workday(day) is open_


def test_an_office_opening_hours_count_and_the_others_keep_the_shared_ones() -> None:
    # Given Antwerpen opens 08:30-16:30, the others 09:00-17:00
    morning, evening = at(2026, 3, 2, 8), at(2026, 3, 2, 18)
    # Then a Monday counts eight hours in each, but not the same ones
    antwerpen, gent = POLICY.calendar_for("antwerpen"), POLICY.calendar_for("gent")
    assert business_seconds(antwerpen, morning, evening) == 8 * HOUR
    assert business_seconds(antwerpen, morning, at(2026, 3, 2, 9)) == 0.5 * HOUR
    assert business_seconds(gent, morning, at(2026, 3, 2, 9)) == 0
    assert business_seconds(gent, at(2026, 3, 2, 16, 30), evening) == 0.5 * HOUR
    assert business_seconds(antwerpen, at(2026, 3, 2, 16, 30), evening) == 0


def test_public_holidays_off_turns_community_days_off_too() -> None:
    # The end-to-end tests run round the clock, every day
    always = SlaSettings(public_holidays=False).policy()
    assert always.calendar_for("gent").is_workday(date(2025, 7, 11))


def test_an_office_overrides_lay_over_the_shared_calendar() -> None:
    shared = Calendar(extra_closed=frozenset({date(2026, 5, 15)}))
    own = OfficeHours(Community.GERMAN, opens=time(8), extra_closed=frozenset({date(2026, 3, 3)}))
    eupen = OfficeCalendars(shared, {"eupen": own}).of("eupen")
    assert eupen.opens == time(8)
    assert eupen.closes == time(17)
    assert not eupen.is_workday(date(2026, 5, 15))
    assert not eupen.is_workday(date(2026, 3, 3))
    assert OfficeCalendars(shared, {"eupen": own}).of("liege") is shared


@pytest.mark.parametrize(
    ("office", "start", "days", "then"),
    [
        ("liege", at(2026, 3, 2, 10), 1, at(2026, 3, 3, 10)),  # a day later, same hour
        ("liege", at(2026, 3, 6, 10), 1, at(2026, 3, 9, 10)),  # Friday -> Monday
        ("liege", at(2026, 3, 2, 20), 1, at(2026, 3, 3, 17)),  # after closing: a whole Tuesday
        ("gent", at(2025, 7, 10, 10), 1, at(2025, 7, 14, 10)),  # over 11 July
        ("liege", at(2025, 7, 10, 10), 1, at(2025, 7, 11, 10)),
        ("antwerpen", at(2026, 3, 2, 10), 0.5, at(2026, 3, 2, 14)),  # half of 08:30-16:30
    ],
)
def test_business_days(office: str, start: datetime, days: float, then: datetime) -> None:
    calendar = POLICY.calendar_for(office)
    assert add_business_days(calendar, start, days) == then
    assert business_days(calendar, start, then) == pytest.approx(days)


def test_an_sla_clock_counts_by_its_office_calendar() -> None:
    # Given two cases opened on 10 July 2025 at 15:00, one in Gent, one in Liège (resolution: 40h)
    def started(office: str) -> SlaStarted:
        case = uuid.UUID(int=1)
        opened = at(2025, 7, 10, 15)
        t = Timeline(case, "M-1", case, (opened, case), "invoicing", offices=((opened, office),))
        facts = due(t, [], POLICY, opened)
        (start,) = [f for f in facts if f.clock is SlaClock.RESOLUTION]
        assert isinstance(start, SlaStarted)
        return start

    # Then Gent's deadline is a day later: 11 July is not a working day there
    assert started("liege").deadline == at(2025, 7, 17, 15)
    assert started("gent").deadline == at(2025, 7, 18, 15)


def test_the_lab_calendar_is_the_shared_one_unchanged() -> None:
    # The lab builds Calendar() and asks window(day) of it: no office, no community
    assert Calendar().window(date(2025, 7, 11)) is not None
    assert SlaPolicy().calendar_for("gent") == Calendar()
