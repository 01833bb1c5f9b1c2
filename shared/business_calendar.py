"""Business time, pure: office hours on weekdays, minus Belgian public holidays and the holiday
of the office's community.

SLA clocks count business time only: a request sent on Friday evening is not late on Monday
morning. Each office has its own calendar (``OfficeCalendars``): its opening hours, and besides
the ten national holidays the day of its community (11 July for Flemish offices, 27 September
for French-speaking ones, 15 November in the German-speaking community). Everything here is a
function of its inputs (no clock, no I/O) so SLA history can be recomputed exactly from the
log, e.g. under a new calendar."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from datetime import date, datetime, time, timedelta
from enum import StrEnum
from functools import cache, lru_cache
from zoneinfo import ZoneInfo

BRUSSELS = ZoneInfo("Europe/Brussels")


def easter_sunday(year: int) -> date:
    """Gregorian Easter (anonymous Gregorian algorithm)."""
    a, b, c = year % 19, year // 100, year % 100
    d, e = divmod(b, 4)
    f = (b + 8) // 25
    g = (b - f + 1) // 3
    h = (19 * a + b - d - g + 15) % 30
    i, k = divmod(c, 4)
    l_ = (32 + 2 * e + 2 * i - h - k) % 7
    m = (a + 11 * h + 22 * l_) // 451
    month, day = divmod(h + l_ - 7 * m + 114, 31)
    return date(year, month, day + 1)


@cache  # asked for every day an SLA clock runs over
def belgian_public_holidays(year: int) -> frozenset[date]:
    """The ten legal public holidays of Belgium."""
    easter = easter_sunday(year)
    return frozenset(
        {
            date(year, 1, 1),  # New Year
            easter + timedelta(days=1),  # Easter Monday
            date(year, 5, 1),  # Labour Day
            easter + timedelta(days=39),  # Ascension
            easter + timedelta(days=50),  # Whit Monday
            date(year, 7, 21),  # National Day
            date(year, 8, 15),  # Assumption
            date(year, 11, 1),  # All Saints
            date(year, 11, 11),  # Armistice
            date(year, 12, 25),  # Christmas
        }
    )


class Community(StrEnum):
    """The language community whose holiday an office keeps."""

    FLEMISH = "flemish"
    FRENCH = "french"
    GERMAN = "german"


# (month, day) of each community's holiday.
COMMUNITY_DAYS: dict[Community, tuple[int, int]] = {
    Community.FLEMISH: (7, 11),  # Day of the Flemish Community
    Community.FRENCH: (9, 27),  # Day of the Wallonia-Brussels Federation
    Community.GERMAN: (11, 15),  # Day of the German-speaking Community
}


def community_holiday(community: Community, year: int) -> date:
    month, day = COMMUNITY_DAYS[community]
    return date(year, month, day)


@dataclass(frozen=True)
class Calendar:
    """When an office works. Extra closed days (bridge days, local closures) are data;
    ``community`` adds its community's holiday; ``public_holidays`` False counts Belgian public
    holidays (national and community ones) as ordinary days."""

    opens: time = time(9, 0)
    closes: time = time(17, 0)
    workdays: frozenset[int] = frozenset({0, 1, 2, 3, 4})  # Monday..Friday
    extra_closed: frozenset[date] = field(default_factory=frozenset)
    tz: ZoneInfo = BRUSSELS
    public_holidays: bool = True
    community: Community | None = None

    def is_workday(self, day: date) -> bool:
        return (
            day.weekday() in self.workdays
            and not (self.public_holidays and self.is_holiday(day))
            and day not in self.extra_closed
        )

    def is_holiday(self, day: date) -> bool:
        """A national holiday, or the day of the office's community."""
        if day in belgian_public_holidays(day.year):
            return True
        return self.community is not None and day == community_holiday(self.community, day.year)

    @property
    def day_seconds(self) -> float:
        """The working seconds of one open day: what a "business day" counts."""
        opens = datetime.combine(date(2000, 1, 3), self.opens)
        return (datetime.combine(date(2000, 1, 3), self.closes) - opens).total_seconds()

    def window(self, day: date) -> tuple[datetime, datetime] | None:
        """The working hours of a day, or None when the offices are closed."""
        return _window(self, day)


@dataclass(frozen=True)
class OfficeHours:
    """An office's own opening hours and closures; None keeps the shared calendar's."""

    community: Community | None = None
    opens: time | None = None
    closes: time | None = None
    workdays: frozenset[int] | None = None
    extra_closed: frozenset[date] = field(default_factory=frozenset)


@dataclass(frozen=True)
class OfficeCalendars:
    """The calendar of each office: the shared one (``default``), with each office's community
    holiday, opening hours and closures laid over it. An office not listed works by the shared
    calendar alone."""

    default: Calendar = field(default_factory=Calendar)
    offices: Mapping[str, OfficeHours] = field(default_factory=dict)

    def of(self, office: str | None) -> Calendar:
        """The calendar ``office`` works by."""
        hours = self.offices.get(office or "")
        return self.default if hours is None else _laid_over(self.default, hours)


@lru_cache(maxsize=256)
def _laid_over(base: Calendar, hours: OfficeHours) -> Calendar:
    return replace(
        base,
        community=hours.community or base.community,
        opens=hours.opens or base.opens,
        closes=hours.closes or base.closes,
        workdays=hours.workdays if hours.workdays is not None else base.workdays,
        extra_closed=base.extra_closed | hours.extra_closed,
    )


@lru_cache(maxsize=8192)  # SLA clocks of the same weeks ask for the same days, again and again
def _window(calendar: Calendar, day: date) -> tuple[datetime, datetime] | None:
    if not calendar.is_workday(day):
        return None
    return datetime.combine(day, calendar.opens, calendar.tz), datetime.combine(
        day, calendar.closes, calendar.tz
    )


def business_seconds(calendar: Calendar, start: datetime, end: datetime) -> float:
    """Working time between two instants, in seconds (0 when end <= start)."""
    if end <= start:
        return 0.0
    total = 0.0
    day = start.astimezone(calendar.tz).date()
    last = end.astimezone(calendar.tz).date()
    while day <= last:
        window = calendar.window(day)
        if window:
            lo, hi = max(window[0], start), min(window[1], end)
            total += max(0.0, (hi - lo).total_seconds())
        day += timedelta(days=1)
    return total


def add_business_seconds(calendar: Calendar, start: datetime, seconds: float) -> datetime:
    """The instant when ``seconds`` of working time have passed since ``start``."""
    remaining = seconds
    day = start.astimezone(calendar.tz).date()
    for _ in range(3700):  # ten years of days: a bound, never reached by real targets
        window = calendar.window(day)
        if window:
            lo = max(window[0], start)
            available = (window[1] - lo).total_seconds()
            if available > 0:
                if remaining <= available:
                    return lo + timedelta(seconds=remaining)
                remaining -= available
        day += timedelta(days=1)
    raise ValueError("no working time in the next ten years: check the calendar")


def business_days(calendar: Calendar, start: datetime, end: datetime) -> float:
    """Working time between two instants, in open days of the calendar (0 when end <= start)."""
    return business_seconds(calendar, start, end) / calendar.day_seconds


def add_business_days(calendar: Calendar, start: datetime, days: float) -> datetime:
    """The instant when ``days`` open days of working time have passed since ``start``."""
    return add_business_seconds(calendar, start, days * calendar.day_seconds)
