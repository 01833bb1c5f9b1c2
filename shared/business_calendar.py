"""Business time, pure: office hours on weekdays, minus Belgian public holidays.

SLA clocks count business time only: a request sent on Friday evening is not late on Monday
morning. Everything here is a function of its inputs (no clock, no I/O) so SLA history can be
recomputed exactly from the log, e.g. under a new calendar."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
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


@dataclass(frozen=True)
class Calendar:
    """When the offices work. Extra closed days (regional holidays, bridge days) are data;
    ``public_holidays`` False counts Belgian public holidays as ordinary days."""

    opens: time = time(9, 0)
    closes: time = time(17, 0)
    workdays: frozenset[int] = frozenset({0, 1, 2, 3, 4})  # Monday..Friday
    extra_closed: frozenset[date] = field(default_factory=frozenset)
    tz: ZoneInfo = BRUSSELS
    public_holidays: bool = True

    def is_workday(self, day: date) -> bool:
        return (
            day.weekday() in self.workdays
            and not (self.public_holidays and day in belgian_public_holidays(day.year))
            and day not in self.extra_closed
        )

    def window(self, day: date) -> tuple[datetime, datetime] | None:
        """The working hours of a day, or None when the offices are closed."""
        return _window(self, day)


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
