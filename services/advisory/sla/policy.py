"""The SLA policy: a case's priority (from its topic family), the targets per priority for
first response and resolution (business hours), the warning share, the business calendar of
each office, and how long a wait on the member lasts before a reminder and before the case is
closed. All of it is configuration (``RELAIS_SLA_*``), so tests and pilots can set their own."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date, time

from pydantic import BaseModel, ConfigDict, Field
from pydantic_settings import BaseSettings, SettingsConfigDict

from shared.business_calendar import (
    Calendar,
    Community,
    OfficeCalendars,
    OfficeHours,
)
from shared.sla_events import Priority, SlaClock

HOUR = 3600.0
FR, RES = SlaClock.FIRST_RESPONSE, SlaClock.RESOLUTION


@dataclass(frozen=True)
class SlaPolicy:
    calendar: Calendar = field(default_factory=Calendar)  # offices not in ``offices``
    # Each office's community holiday and opening hours, laid over ``calendar``.
    offices: Mapping[str, OfficeHours] = field(default_factory=dict)
    targets_s: Mapping[Priority, Mapping[SlaClock, float]] = field(
        default_factory=lambda: {
            Priority.HIGH: {FR: 2 * HOUR, RES: 16 * HOUR},
            Priority.NORMAL: {FR: 4 * HOUR, RES: 40 * HOUR},
            Priority.LOW: {FR: 8 * HOUR, RES: 80 * HOUR},
        }
    )
    # Money and social rights at stake first; guidance and cooperative life can wait longer.
    priorities: Mapping[str, Priority] = field(
        default_factory=lambda: {
            "payments_advances": Priority.HIGH,
            "social_security_artist_status": Priority.HIGH,
            "project_guidance": Priority.LOW,
            "cooperative_life": Priority.LOW,
        }
    )
    default_priority: Priority = Priority.NORMAL
    warn_share: float = 0.75
    version: int = 1
    # A wait on the member: a reminder after this many business days of the case's office,
    # and the case closed as no_response_from_member after that many.
    remind_after_days: float = 5.0
    close_after_days: float = 10.0

    def priority_of(self, topic_family: str | None) -> Priority:
        return self.priorities.get(topic_family or "", self.default_priority)

    def target(self, priority: Priority, clock: SlaClock) -> float:
        return self.targets_s[priority][clock]

    def calendar_for(self, office: str | None) -> Calendar:
        """The calendar of ``office``: the shared one with the office's own laid over it."""
        return OfficeCalendars(self.calendar, self.offices).of(office)


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


class SlaSettings(BaseSettings):
    """``RELAIS_SLA_*``: the policy and the tick. JSON for the mappings, e.g.
    RELAIS_SLA_TARGETS_HOURS='{"normal": {"first_response": 4, "resolution": 40}, ...}'."""

    model_config = SettingsConfigDict(env_prefix="RELAIS_SLA_", extra="ignore")

    # Seconds between two ticks; 0 turns the tick off (replays, rebuilds, benchmarks).
    tick_seconds: float = Field(default=5.0, ge=0)
    batch: int = Field(default=500, ge=1)
    targets_hours: dict[Priority, dict[SlaClock, float]] | None = None
    priorities: dict[str, Priority] | None = None
    default_priority: Priority = Priority.NORMAL
    warn_share: float = Field(default=0.75, gt=0, lt=1)
    opens: time = time(9, 0)
    closes: time = time(17, 0)
    workdays: list[int] = Field(default=[0, 1, 2, 3, 4])
    public_holidays: bool = True
    extra_closed: list[date] = Field(default_factory=list)
    # Per office, laid over the shared calendar and over the demo offices' communities, e.g.
    # RELAIS_SLA_OFFICES='{"antwerpen": {"opens": "08:30", "closes": "16:30"},
    #                      "eupen": {"community": "german"}}'.
    offices: dict[str, OfficeHoursSetting] = Field(default_factory=dict)
    policy_version: int = Field(default=1, ge=1)
    # Waiting on the member, in business days of the case's office (fractions allowed).
    remind_after_days: float = Field(default=5.0, gt=0)
    close_after_days: float = Field(default=10.0, gt=0)
    # A member's message on a resolved case reopens it within this many (calendar) days of the
    # resolution; later, it opens a new case that follows the old one.
    reopen_window_days: float = Field(default=14.0, ge=0)

    def policy(self) -> SlaPolicy:
        default = SlaPolicy()
        # Priorities or clocks the setting leaves out keep their default target.
        targets = {p: dict(clocks) for p, clocks in default.targets_s.items()}
        for priority, clocks in (self.targets_hours or {}).items():
            targets[priority].update({c: hours * HOUR for c, hours in clocks.items()})
        return SlaPolicy(
            calendar=Calendar(
                opens=self.opens,
                closes=self.closes,
                workdays=frozenset(self.workdays),
                extra_closed=frozenset(self.extra_closed),
                public_holidays=self.public_holidays,
            ),
            targets_s=targets,
            priorities=self.priorities if self.priorities is not None else default.priorities,
            default_priority=self.default_priority,
            warn_share=self.warn_share,
            version=self.policy_version,
            offices=self.office_hours(),
            remind_after_days=self.remind_after_days,
            close_after_days=max(self.close_after_days, self.remind_after_days),
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
