"""When an administrative act is due, pure: the close of the office's n-th business day after
the task was opened, n set per act (``RELAIS_ADMIN_DUE_DAYS``). The business days are those of
the case's office's calendar (``shared.office_calendars``: opening hours, workdays, national
and community holidays, ``RELAIS_SLA_OFFICES``), the one advisory's SLA clocks count in.

The due date is decided once, when the task is opened, and recorded in ``AdminTaskOpened``: a
later change of the settings applies to tasks opened after it, never to the log's."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from pydantic import Field
from pydantic_settings import BaseSettings, SettingsConfigDict

from shared.business_calendar import Calendar, OfficeCalendars
from shared.events import AdminAct
from shared.office_calendars import CalendarSettings

# Business days per act: a DIMONA declaration is due before the work starts, a payment within
# the week, a registration or a file update can take longer.
DEFAULT_DUE_DAYS: Mapping[AdminAct, int] = {
    AdminAct.CONTRACT_REGISTRATION: 5,
    AdminAct.INVOICE_ISSUE: 2,
    AdminAct.DIMONA_DECLARATION: 1,
    AdminAct.PAYMENT: 3,
    AdminAct.MEMBER_FILE_UPDATE: 5,
}
MAX_DAYS_AHEAD = 3700  # ten years of days: a bound no real setting reaches


@dataclass(frozen=True)
class DuePolicy:
    """Business days per act, and the calendars they are counted in."""

    days: Mapping[AdminAct, int] = field(default_factory=lambda: dict(DEFAULT_DUE_DAYS))
    calendars: OfficeCalendars = field(default_factory=OfficeCalendars)

    def days_for(self, act: AdminAct) -> int:
        return self.days.get(act, DEFAULT_DUE_DAYS[act])

    def due(self, act: AdminAct, office: str, opened_at: datetime) -> datetime:
        """When a task for ``act`` opened at ``opened_at`` in ``office`` is due."""
        return due_at(self.calendars.of(office), opened_at, self.days_for(act))


DEFAULT_DUE = DuePolicy()


def due_at(calendar: Calendar, opened_at: datetime, days: int) -> datetime:
    """The close of the ``days``-th open day after the day of ``opened_at``; 0 days: the close
    of that day, or of the next open day when it is closed or already over."""
    day = opened_at.astimezone(calendar.tz).date()
    counted = 0
    for _ in range(MAX_DAYS_AHEAD):
        window = calendar.window(day)
        if window is not None and days == 0 and window[1] > opened_at:
            return window[1]
        day += timedelta(days=1)
        if days > 0 and (ahead := calendar.window(day)) is not None:
            counted += 1
            if counted == days:
                return ahead[1]
    raise ValueError("no business day in the next ten years: check the calendar")


class DueSettings(BaseSettings):
    """``RELAIS_ADMIN_DUE_DAYS``: business days per act, JSON, e.g. '{"payment": 2}' (the acts
    it leaves out keep their default)."""

    model_config = SettingsConfigDict(env_prefix="RELAIS_ADMIN_", extra="ignore")

    due_days: dict[AdminAct, int] = Field(default_factory=dict)

    def policy(self) -> DuePolicy:
        for act, days in self.due_days.items():
            if not 0 <= days <= 250:
                raise ValueError(f"RELAIS_ADMIN_DUE_DAYS: {act.value} must be 0..250 days")
        # The offices' calendars, as advisory's SLA clocks read them from RELAIS_SLA_*.
        calendars = CalendarSettings().calendars()
        return DuePolicy(days={**DEFAULT_DUE_DAYS, **self.due_days}, calendars=calendars)
