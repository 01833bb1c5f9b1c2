"""What a routing decision was made from, as ``CaseRouted`` records it: the office model in
force, the member's own adviser, and the advisers the policy weighed with their load, capacity,
availability and language. ``services.routing.policies.replay`` re-runs the decision from it."""

from __future__ import annotations

from pydantic import AwareDatetime, BaseModel, ConfigDict, Field

MAX_CANDIDATES = 3


class RoutingCandidate(BaseModel):
    """An adviser as the policy saw them when it decided."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    adviser_id: str = Field(description="The adviser.")
    desk: str | None = Field(description="Their desk (specialised model), if any.")
    open_cases: int = Field(description="Cases they held (routed to them or claimed), open.")
    capacity: int = Field(description="How many open cases they take at most.")
    speaks_language: bool = Field(description="Whether they speak the member's language.")
    available: bool = Field(description="On the roster and not absent at decision time.")


class RoutingInputs(BaseModel):
    """Enough of the organisation and the workload to replay the decision exactly."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    received_at: AwareDatetime = Field(
        description="When the request was received: the office model in force then decided "
        "(an escalation's routing records it too)."
    )
    model_since: AwareDatetime | None = Field(
        description="When that model took effect for the office; null when the office never "
        "had a model set (the legacy default, polyvalent)."
    )
    own_adviser: RoutingCandidate | None = Field(
        description="The member's own adviser (the adviser who last resolved one of their "
        "cases), when the policy looked for one and they are on the office's roster."
    )
    pool: str = Field(
        description="Whom the policy chose among: 'office' (every first-line adviser of the "
        "office), 'desk' (the desk's advisers), 'skilled_speakers' (the office's advisers "
        "skilled in the topic family who speak the language, nobody at the desk speaking it), "
        "'support' (an escalation: the support members with the skill it needs who speak the "
        "language)."
    )
    considered: int = Field(description="How many advisers were in that pool.", ge=0)
    candidates: tuple[RoutingCandidate, ...] = Field(
        description=f"The best of the pool in the policy's order of preference, at most "
        f"{MAX_CANDIDATES}: the first one with room was picked.",
        max_length=MAX_CANDIDATES,
    )
