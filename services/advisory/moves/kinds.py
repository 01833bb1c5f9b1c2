"""The kinds of move staff ask for: the bodies of advisory's move endpoints."""

from __future__ import annotations

from pydantic import ConfigDict, Field

from services.advisory.decisions import Command
from shared.events import Code, StaffId, personal_input


class Reopen(Command):
    """Open a resolved case again: back to whoever resolved it, or to its queue if they are
    away or it was resolved automatically."""

    model_config = ConfigDict(
        json_schema_extra={"examples": [{"reason": "The member says the invoice is still wrong."}]}
    )

    reason: str = personal_input("Why the case is reopened.", min_length=1, max_length=10_000)


class Release(Command):
    """Give a claimed case back to its queue, unassigned (its holder or their team lead)."""

    model_config = ConfigDict(
        json_schema_extra={"examples": [{"reason": "Needs a Dutch speaker: back to the queue."}]}
    )

    reason: str = personal_input(
        "Why the case goes back to its queue.", min_length=1, max_length=10_000
    )


class Reassign(Command):
    """Give the case to a named colleague: an adviser of its office (a first-line case) or a
    support member (an escalated one), who is not away. A waiting case keeps waiting."""

    model_config = ConfigDict(
        json_schema_extra={
            "examples": [{"to": "liege-front-02", "reason": "Lea knows this member's contracts."}]
        }
    )

    to: StaffId = Field(description="Staff id of the colleague who takes the case.")
    reason: str = personal_input("Why the case changes hands.", min_length=1, max_length=10_000)


class Transfer(Command):
    """Send a first-line case to another office or desk, or change its topic family: routing
    decides again with its office's policy (the case is in no queue until then)."""

    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {
                    "to_office": "namur",
                    "topic_family": "contracts",
                    "reason": "The member moved to Namur.",
                }
            ]
        }
    )

    to_office: Code | None = Field(None, description="Another office (null: the same one).")
    to_desk: Code | None = Field(None, description="A desk of that office (specialised model).")
    topic_family: Code | None = Field(None, description="Another topic family (null: the same).")
    reason: str = personal_input("Why the case is transferred.", min_length=1, max_length=10_000)


MOVES = (Reopen, Release, Reassign, Transfer)
