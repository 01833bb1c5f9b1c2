"""The SLA policy: a case's priority (from its topic family), the targets per priority for
first response and resolution (business hours), the warning share and the business calendar.
All of it is configuration (``RELAIS_SLA_*``), so tests and pilots can set their own."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date, time

from pydantic import Field
from pydantic_settings import BaseSettings, SettingsConfigDict

from shared.business_calendar import Calendar
from shared.sla_events import Priority, SlaClock

HOUR = 3600.0
FR, RES = SlaClock.FIRST_RESPONSE, SlaClock.RESOLUTION


@dataclass(frozen=True)
class SlaPolicy:
    calendar: Calendar = field(default_factory=Calendar)
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

    def priority_of(self, topic_family: str | None) -> Priority:
        return self.priorities.get(topic_family or "", self.default_priority)

    def target(self, priority: Priority, clock: SlaClock) -> float:
        return self.targets_s[priority][clock]


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
    policy_version: int = Field(default=1, ge=1)

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
        )
