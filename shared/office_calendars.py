"""The offices' business calendars as configured (``RELAIS_SLA_*``: the shared calendar's
opening hours, workdays, holidays and closures, and each office's own in ``RELAIS_SLA_OFFICES``),
read by advisory's SLA clocks and by admin's task due dates alike, so a case's office counts the
same business days in both."""

from __future__ import annotations

from datetime import date, time

from pydantic import BaseModel, ConfigDict, Field
from pydantic_settings import BaseSettings, SettingsConfigDict

from shared.business_calendar import Calendar, Community, OfficeCalendars, OfficeHours

# The demo offices' communities: Flanders keeps 11 July, Wallonia 27 September. Bruxelles, a
# bilingual office, keeps neither by default; an office of the German-speaking community (e.g.
# 'eupen') would be {"community": "german"}.
DEMO_OFFICE_HOURS: dict[str, OfficeHours] = {
    **{o: OfficeHours(Community.FLEMISH) for o in ("gent", "antwerpen")},
    **{o: OfficeHours(Community.FRENCH) for o in ("liege", "charleroi", "namur", "mons")},
}


class OfficeHoursSetting(BaseModel):
    """One office's calendar in ``RELAIS_SLA_OFFICES``: what it changes of the shared one."""

    model_config = ConfigDict(extra="forbid")

    community: Community | None = None
    opens: time | None = None
    closes: time | None = None
    workdays: list[int] | None = None
    extra_closed: list[date] = Field(default_factory=list)

    def hours(self) -> OfficeHours:
        days = frozenset(self.workdays) if self.workdays is not None else None
        return OfficeHours(
            self.community, self.opens, self.closes, days, frozenset(self.extra_closed)
        )


class CalendarSettings(BaseSettings):
    """``RELAIS_SLA_OPENS``, ``CLOSES``, ``WORKDAYS``, ``PUBLIC_HOLIDAYS``, ``EXTRA_CLOSED``,
    ``OFFICES``: the shared calendar and each office's."""

    model_config = SettingsConfigDict(env_prefix="RELAIS_SLA_", extra="ignore")

    opens: time = time(9, 0)
    closes: time = time(17, 0)
    workdays: list[int] = Field(default=[0, 1, 2, 3, 4])
    public_holidays: bool = True
    extra_closed: list[date] = Field(default_factory=list)
    # Per office, laid over the shared calendar and over the demo offices' communities, e.g.
    # RELAIS_SLA_OFFICES='{"antwerpen": {"opens": "08:30", "closes": "16:30"},
    #                      "eupen": {"community": "german"}}'.
    offices: dict[str, OfficeHoursSetting] = Field(default_factory=dict)

    def calendar(self) -> Calendar:
        """The shared calendar (offices not listed)."""
        return Calendar(
            opens=self.opens,
            closes=self.closes,
            workdays=frozenset(self.workdays),
            extra_closed=frozenset(self.extra_closed),
            public_holidays=self.public_holidays,
        )

    def office_hours(self) -> dict[str, OfficeHours]:
        """The demo offices' communities, with what ``offices`` sets laid over them."""
        found = dict(DEMO_OFFICE_HOURS)
        for office, setting in self.offices.items():
            own = setting.hours()
            demo = found.get(office)
            community = own.community or (demo.community if demo else None)
            found[office] = OfficeHours(
                community, own.opens, own.closes, own.workdays, own.extra_closed
            )
        return found

    def calendars(self) -> OfficeCalendars:
        """Every office's calendar."""
        return OfficeCalendars(self.calendar(), self.office_hours())
