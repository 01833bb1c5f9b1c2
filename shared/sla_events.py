"""SLA clocks as facts, on the `sla` topic owned by advisory. Key: case_id.

Every case runs two clocks from its first routing: ``first_response`` (until the first reply
to the member, or the resolution) and ``resolution``. They count business time (office hours,
weekdays, Belgian public holidays) against a target set by the case's priority, and stop while
the case waits on the member. Each step of a clock is a fact here, so SLA history is in the
log; a breach also escalates the case (``CaseEscalated`` with reason sla_breach, by 'sla').
Deadlines are recorded when a clock starts or resumes: a later change of targets or calendar
never moves a running clock's deadline."""

from __future__ import annotations

from enum import StrEnum
from typing import Annotated, Literal, Union
from uuid import UUID

from pydantic import AwareDatetime, Field

from shared.envelope import Envelope


class SlaClock(StrEnum):
    FIRST_RESPONSE = "first_response"
    RESOLUTION = "resolution"


class Priority(StrEnum):
    HIGH = "high"
    NORMAL = "normal"
    LOW = "low"


class SlaFact(Envelope):
    """What every SLA fact carries besides the case envelope."""

    clock: SlaClock = Field(description="first_response or resolution.")


class SlaStarted(SlaFact):
    """A clock started: the case was routed for the first time."""

    type: Literal["SlaStarted"] = Field(description="Event type discriminator.")
    schema_version: Literal[1] = Field(description="Version of this event's schema.")
    priority: Priority = Field(description="The case's priority, which set the target.")
    target_seconds: float = Field(description="The target, in business seconds.", gt=0)
    policy_version: int = Field(description="Version of the SLA policy that set it.", ge=1)
    started_at: AwareDatetime = Field(description="When the clock started.")
    warn_at: AwareDatetime | None = Field(description="When a warning is due if nothing stops it.")
    deadline: AwareDatetime = Field(description="When the target is breached if nothing stops it.")


class SlaPaused(SlaFact):
    """The clock stopped counting: the case waits on the member."""

    type: Literal["SlaPaused"] = Field(description="Event type discriminator.")
    schema_version: Literal[1] = Field(description="Version of this event's schema.")
    paused_at: AwareDatetime = Field(description="When the wait began.")
    remaining_seconds: float = Field(
        description="Business seconds left before the deadline (0 once breached).", ge=0
    )
    wait_event_id: UUID = Field(description="event_id of the WaitingOnMember that paused it.")


class SlaResumed(SlaFact):
    """The clock counts again: the wait on the member ended."""

    type: Literal["SlaResumed"] = Field(description="Event type discriminator.")
    schema_version: Literal[1] = Field(description="Version of this event's schema.")
    resumed_at: AwareDatetime = Field(description="When the wait ended.")
    warn_at: AwareDatetime | None = Field(description="When a warning is due now, if still due.")
    deadline: AwareDatetime = Field(description="The deadline, moved by the paused time.")
    wait_event_id: UUID = Field(description="event_id of the WaitingOnMember it ends.")


class SlaWarned(SlaFact):
    """Most of the target is used up (the warning share of the policy)."""

    type: Literal["SlaWarned"] = Field(description="Event type discriminator.")
    schema_version: Literal[1] = Field(description="Version of this event's schema.")
    warned_at: AwareDatetime = Field(description="When the warning share was reached.")
    deadline: AwareDatetime = Field(description="The deadline ahead.")


class SlaBreached(SlaFact):
    """The target passed before the clock stopped."""

    type: Literal["SlaBreached"] = Field(description="Event type discriminator.")
    schema_version: Literal[1] = Field(description="Version of this event's schema.")
    breached_at: AwareDatetime = Field(description="When the target passed (the deadline).")
    target_seconds: float = Field(description="The target that passed, in business seconds.")


class SlaMet(SlaFact):
    """The clock stopped: the first reply was sent (or the case resolved), or it was resolved."""

    type: Literal["SlaMet"] = Field(description="Event type discriminator.")
    schema_version: Literal[1] = Field(description="Version of this event's schema.")
    met_at: AwareDatetime = Field(description="When the clock stopped.")
    on_time: bool = Field(description="Whether it stopped within the target.")
    elapsed_seconds: float = Field(description="Business seconds counted, pauses excluded.")


SlaEvent = Union[SlaStarted, SlaPaused, SlaResumed, SlaWarned, SlaBreached, SlaMet]
SlaTopic = Annotated[SlaEvent, Field(discriminator="type")]
