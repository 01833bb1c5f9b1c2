"""What a run did to each case: the same record for a simulated run and for the log's own
period (``lab.history``), so both are measured by the same code (``lab.measures``)."""

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
