"""What staff ask advisory to do with a case: the commands, as their HTTP bodies carry them."""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict, Field, ValidationInfo, field_validator

from shared.events import AdminAct, Channel, EscalationReason, Outcome, personal


class Command(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid", str_strip_whitespace=True)


class Claim(Command):
    """Take a queued case: it becomes the caller's."""


class AddNote(Command):
    """Add an internal note (never shown to the member)."""

    note: str = personal("The note.", min_length=1, max_length=10_000)


class SendReply(Command):
    """Record a reply sent to the member."""

    text: str = personal("The reply.", min_length=1, max_length=10_000)
    channel: Channel = Field(Channel.EMAIL, description="How the reply reaches the member.")


class WaitOnMember(Command):
    """Put the case on hold until the member answers."""

    note: str = personal("What is awaited from the member.", default="", max_length=10_000)


class EndWaiting(Command):
    """Take the case back from waiting on the member."""

    note: str = personal("Why the wait ends.", default="", max_length=10_000)


class Escalate(Command):
    """Send the case to the support team."""

    reason_code: EscalationReason = Field(description="Why the support team is needed.")
    note: str = personal("Note for the support team.", min_length=1, max_length=10_000)


# Outcomes after which there is nothing to carry out for the member.
NO_ACT_OUTCOMES = frozenset({Outcome.DUPLICATE, Outcome.NO_RESPONSE})


class Resolve(Command):
    """Close the case with an outcome and, if needed, the administrative act it requires."""

    outcome: Outcome = Field(description="How the case ends.")
    admin_act: AdminAct | None = Field(
        None, description="The administrative act the resolution needs, if any."
    )
    note: str = personal("Resolution note.", default="", max_length=10_000)

    @field_validator("admin_act")
    @classmethod
    def _act_fits_outcome(cls, act: AdminAct | None, info: ValidationInfo) -> AdminAct | None:
        outcome = info.data.get("outcome")
        if act is not None and outcome in NO_ACT_OUTCOMES:
            raise ValueError(f"a case resolved as {outcome.value} needs no administrative act")
        return act


class ReturnToAdviser(Command):
    """Support gives an escalated case back to the adviser who escalated it."""

    note: str = personal("What the adviser should do now.", min_length=1, max_length=10_000)
