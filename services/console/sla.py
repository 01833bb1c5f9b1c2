"""The SLA state of a case as a person reads it: a word and a shape, never colour alone."""

from __future__ import annotations

from datetime import datetime, timedelta
from enum import StrEnum

from services.console.formatting import parse

# A case due within this is "due soon".
SOON = timedelta(hours=1)


class SlaState(StrEnum):
    OVERDUE = "overdue"
    DUE_SOON = "due_soon"
    ON_TIME = "on_time"
    PAUSED = "paused"  # waiting on the member: no clock runs
    NONE = "none"  # resolved, or no clock started yet


def state(due_at: str | datetime | None, status: str | None, now: datetime) -> SlaState:
    due = parse(due_at)
    if status == "waiting_on_member":
        return SlaState.PAUSED
    if due is None or status == "resolved":
        return SlaState.NONE
    if due <= now:
        return SlaState.OVERDUE
    if due - now <= SOON:
        return SlaState.DUE_SOON
    return SlaState.ON_TIME
