"""The SLA policy: a case's priority (from its topic family), the targets per priority for
first response and resolution (business hours), the warning share, the business calendar of
each office, and how long a wait on the member lasts before a reminder and before the case is
closed. All of it is configuration (``RELAIS_SLA_*``), so tests and pilots can set their own."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field

from pydantic import Field
from pydantic_settings import SettingsConfigDict

from shared.business_calendar import Calendar, OfficeCalendars, OfficeHours
from shared.office_calendars import DEMO_OFFICE_HOURS as DEMO_OFFICE_HOURS
from shared.office_calendars import CalendarSettings
from shared.office_calendars import OfficeHoursSetting as OfficeHoursSetting
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


class SlaSettings(CalendarSettings):
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
    # The calendars (OPENS, CLOSES, WORKDAYS, PUBLIC_HOLIDAYS, EXTRA_CLOSED, OFFICES):
    # shared.office_calendars.CalendarSettings, which admin's due dates read too.
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
            calendar=self.calendar(),
            targets_s=targets,
            priorities=self.priorities if self.priorities is not None else default.priorities,
            default_priority=self.default_priority,
            warn_share=self.warn_share,
            version=self.policy_version,
            offices=self.office_hours(),
            remind_after_days=self.remind_after_days,
            close_after_days=max(self.close_after_days, self.remind_after_days),
        )
