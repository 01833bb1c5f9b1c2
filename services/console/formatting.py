"""Dates, times and numbers as people in Belgium read them (fr-BE, nl-BE), in Brussels time."""

from __future__ import annotations

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from babel.dates import format_datetime, format_time, format_timedelta
from babel.numbers import format_decimal

BRUSSELS = ZoneInfo("Europe/Brussels")


def parse(value: str | datetime | None) -> datetime | None:
    """A service's ISO 8601 timestamp (aware) as a datetime."""
    if value is None or isinstance(value, datetime):
        return value
    return datetime.fromisoformat(value)


def when(value: str | datetime | None, locale: str, now: datetime | None = None) -> str:
    """``3 déc. 2026 14:05``; only the time for today (Brussels)."""
    moment = parse(value)
    if moment is None:
        return ""
    if now is not None and moment.astimezone(BRUSSELS).date() == now.astimezone(BRUSSELS).date():
        return format_time(moment, "HH:mm", tzinfo=BRUSSELS, locale=locale)
    return format_datetime(moment, "d MMM y HH:mm", tzinfo=BRUSSELS, locale=locale)


def iso(value: str | datetime | None) -> str:
    """The machine-readable form for ``<time datetime=…>``."""
    moment = parse(value)
    return moment.isoformat() if moment else ""


def relative(value: str | datetime | None, now: datetime, locale: str) -> str:
    """``dans 2 heures`` / ``il y a 5 minutes`` (``over 2 uur`` / ``5 minuten geleden``)."""
    moment = parse(value)
    if moment is None:
        return ""
    delta: timedelta = moment - now
    return format_timedelta(
        delta, granularity="minute", threshold=1.5, add_direction=True, locale=locale
    )


def number(value: int | float, locale: str) -> str:
    """``10 000`` (fr-BE) / ``10.000`` (nl-BE)."""
    return format_decimal(value, locale=locale)
