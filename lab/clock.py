"""Business time in closed form: a period's working hours laid end to end on one axis.

The simulation runs on this axis, so nights, weekends and holidays cost no event: an instant
maps to the business seconds elapsed since the period began (an instant outside office hours
maps to the next opening), and back. Built on advisory's own calendar, the one SLA clocks use.
A ``continuous`` clock (every second counts) suits compressed logs such as the demo's."""

from __future__ import annotations

from bisect import bisect_right
from dataclasses import dataclass
from datetime import datetime, timedelta

from shared.business_calendar import Calendar


@dataclass(frozen=True)
class Clock:
    """Instants <-> seconds on the lab's time axis, from ``origin`` on."""

    origin: datetime
    calendar: Calendar | None  # None: continuous time
    opens_at: tuple[float, ...] = ()  # per working day: its opening, as a POSIX timestamp
    before: tuple[float, ...] = ()  # per working day: business seconds before it
    lengths: tuple[float, ...] = ()  # per working day: its business seconds

    def seconds(self, at: datetime) -> float:
        """Business seconds from the origin to ``at``."""
        return self.since(at.timestamp())

    def since(self, t: float) -> float:
        """Business seconds from the origin to the POSIX timestamp ``t``."""
        if self.calendar is None:
            return t - self.origin.timestamp()
        i = bisect_right(self.opens_at, t) - 1
        if i < 0:
            return 0.0
        return self.before[i] + min(t - self.opens_at[i], self.lengths[i])

    def instant(self, seconds: float) -> datetime:
        """The instant when ``seconds`` business seconds have passed since the origin."""
        if self.calendar is None:
            return self.origin + timedelta(seconds=seconds)
        i = max(0, bisect_right(self.before, seconds) - 1)
        at = self.opens_at[i] + (seconds - self.before[i])
        return datetime.fromtimestamp(at, self.origin.tzinfo)

    @property
    def hours_per_day(self) -> float:
        """Business hours in a working day (24 for continuous time)."""
        if self.calendar is None:
            return 24.0
        return max(self.lengths, default=0.0) / 3600


def continuous(origin: datetime) -> Clock:
    return Clock(origin, None)


def business(calendar: Calendar, start: datetime, end: datetime) -> Clock:
    """The working days of [start, end] plus a year's margin for cases still open at the end."""
    opens: list[float] = []
    before: list[float] = []
    lengths: list[float] = []
    total = 0.0
    day = start.astimezone(calendar.tz).date()
    last = end.astimezone(calendar.tz).date() + timedelta(days=366)
    while day <= last:
        window = calendar.window(day)
        if window:
            opens.append(window[0].timestamp())
            before.append(total)
            lengths.append((window[1] - window[0]).total_seconds())
            total += lengths[-1]
        day += timedelta(days=1)
    return Clock(start, calendar, tuple(opens), tuple(before), tuple(lengths))
