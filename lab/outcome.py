"""What a run did to each case: the same record for a simulated run and for the log's own
period (``lab.history``), so both are measured by the same code (``lab.measures``); and what
one office's run did (``lab.office``), from which a simulated run is put together."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Run:
    """What happened to each case (index = the case's), times on the business-time axis.
    ``adviser`` is the first-line adviser who worked the case last (None: never held)."""

    arrived: list[float]
    first_response: list[float | None]
    resolved: list[float | None]
    paused: list[float]
    adviser: list[str | None]
    escalated: list[bool]
    handoffs: list[int]
    speaks: list[bool]
    held: dict[str, float]  # adviser -> slot-seconds held
    taken: dict[str, int]  # adviser -> cases held
    capacity: dict[str, int]  # adviser -> capacity
    office_of: dict[str, str]  # adviser -> office
    horizon: float


@dataclass(frozen=True)
class OfficeOutcome:
    """What happened to an office's cases (``cases[j]`` is the run's case index of the j-th)."""

    cases: list[int]
    first_response: list[float | None]
    resolved: list[float | None]  # None for an escalated case: the support team's to tell
    escalated_at: list[float | None]
    paused: list[float]
    adviser: list[str | None]
    handoffs: list[int]
    speaks: list[bool]
    held: dict[str, float]  # adviser -> slot-seconds held
    taken: dict[str, int]  # adviser -> cases held
    end: float  # the office's last event
